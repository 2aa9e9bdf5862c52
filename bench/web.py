"""``python -m bench.web``: the records web app's search and record-page queries on a
seeded index of 1,000,000 records.

The index is filled directly (the schema of :class:`pipeline.index.db.RecordIndex`,
synthetic but realistic values: mailboxes, senders in 5,000 domains of Zipf-like
popularity, account numbers, categories, request kinds, escalation families,
languages, attachment verdicts and deadline states in rough inbox proportions, and
subject and body words drawn from a Zipf-like vocabulary of 6,000 words, so two
words match hundreds of records, not all of them),
because polling a million messages is the ingest benchmark's job. Then each kind of
search the search page runs (its count and one page of 50 rows, newest received
first, at a random page) and the record page's lookup (record id -> row) are timed; p50/p95/max
in milliseconds are printed and written to ``bench/results/web-<time>.json``.

Since every row a page shows is rebuilt from its ledger entry and proven against the
signed checkpoint (:mod:`pipeline.index.proven`), ``--proof-records N`` also writes a
ledger of N record entries (batches of ``--proof-batch``) on a local store and times
that step for a page of 50 rows on a long-lived ledger, as the web app keeps one: rows
scattered over the whole log (a facet search) and rows of adjacent positions (a date
range), with the store GETs and LISTs per page (each GET and LIST is one S3 request).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.index.db import RecordIndex  # noqa: E402
from pipeline.index.model import SearchCriteria, facet  # noqa: E402
from pipeline.index.rows import record_facets  # noqa: E402

# Domain words sit at middle ranks of a Zipf-like vocabulary of several thousand words,
# as in real servicing mail: a few words ("the", "loan") are everywhere, most are rare.
DOMAIN_WORDS = [
    "escrow",
    "payment",
    "late",
    "fee",
    "error",
    "statement",
    "payoff",
    "loan",
    "modification",
    "insurance",
    "tax",
    "forbearance",
    "account",
    "balance",
    "dispute",
    "interest",
    "principal",
    "servicing",
    "transfer",
    "notice",
    "request",
    "information",
    "hardship",
    "credit",
    "report",
    "foreclosure",
    "property",
    "inspection",
    "refund",
]
VOCABULARY_SIZE = 6000
ZIPF_EXPONENT = 1.07
CATEGORIES = ("notice_of_error", "request_for_information", "payoff", "general", "complaint")
# (value, weight): request kinds, escalation families, languages, attachment verdicts and
# deadline states in rough proportion to a servicer's inbox
KINDS = (("", 70), ("request_for_information", 12), ("notice_of_error", 8),
         ("payoff_statement", 5), ("loss_mitigation_application", 5))  # fmt: skip
FAMILIES = (("", 85), ("regulator_complaint", 4), ("legal_representation", 4), ("bankruptcy", 3),
         ("foreclosure_sale", 2), ("servicemember", 2))  # fmt: skip
LANGUAGES = (("en", 85), ("es", 12), ("vi", 3))
VERDICTS = (("none", 60), ("accepted", 35), ("rejected", 5))
STATES = (("not_applicable", 70), ("met", 22), ("pending", 5), ("missed", 3))


def vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Words and cumulative Zipf weights; the domain words spread over ranks 40-2000."""
    syllables = [c + v for c in "bcdfghklmnprstvwz" for v in "aeiou"]
    words: list[str] = []
    seen: set[str] = set(DOMAIN_WORDS)
    while len(words) < VOCABULARY_SIZE - len(DOMAIN_WORDS):
        word = "".join(rng.choices(syllables, k=rng.randrange(2, 5)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    for i, word in enumerate(DOMAIN_WORDS):
        words.insert(40 + i * 1960 // len(DOMAIN_WORDS), word)
    total = 0.0
    cumulative = []
    for rank in range(1, len(words) + 1):
        total += 1 / rank**ZIPF_EXPONENT
        cumulative.append(total)
    return words, cumulative


def pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    """One value drawn by weight."""
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def seed(index: RecordIndex, count: int, rng: random.Random) -> list[str]:
    """Insert ``count`` records; returns a sample of record ids."""
    db = index.db
    ids: list[str] = []
    batch: list[tuple[Any, ...]] = []
    accounts: list[tuple[str, int]] = []
    facets: list[tuple[str, str, int]] = []
    texts: list[tuple[int, str, str, str]] = []
    words, cumulative = vocabulary(rng)
    domains = [f"{('mail', 'example', 'isp', 'corp')[i % 4]}{i}.com" for i in range(5000)]
    domain_weights = [1 / (rank + 1) for rank in range(len(domains))]
    start = time.monotonic()
    for seq in range(count):
        rid = f"r-{seq:024x}"
        # mostly in ledger order, a few hours of jitter, and 2% backfilled months late
        day = 1 + seq * 364 // count
        if rng.random() < 0.02:
            day = rng.randrange(1, day + 1)
        month, mday = 1 + (day - 1) // 31 % 12, 1 + (day - 1) % 28
        received = (
            f"2026-{month:02d}-{mday:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}"
            f":{seq % 60:02d}.{seq % 1000000:06d}Z"
        )
        account = f"{rng.randrange(10**9, 10**10)}"
        domain = rng.choices(domains, domain_weights)[0]
        sender = f"borrower{rng.randrange(200_000)}@{domain}"
        subject = " ".join(rng.choices(words, cum_weights=cumulative, k=6))
        kind, family = pick(rng, KINDS), pick(rng, FAMILIES)
        category = CATEGORIES[seq % len(CATEGORIES)]
        language, verdict, state = pick(rng, LANGUAGES), pick(rng, VERDICTS), pick(rng, STATES)
        batch.append(
            (seq, rid, "message.received", f"mailbox{seq % 8}", "INBOX", 1, seq, received,
             received, sender, "Borrower", "service@servicer.example", subject,
             f"{seq}@mail.example", f"{seq:064x}", 4096, category, 1 if family else 0, 0,
             "inbound", account, family, domain)
        )  # fmt: skip
        accounts.append((account, seq))
        words_of = record_facets(
            kinds=(kind,) if kind else (),
            families=(family,) if family else (),
            rules=(),
            category=category,
            language=language,
            verdict=verdict,
            escalated=bool(family),
        )
        statuses = [facet("status", state)]
        if state == "missed" and rng.random() < 0.7:
            statuses.append(facet("status", "overdue"))  # missed and not resolved
        if state == "pending" and rng.random() < 0.4:
            statuses.append(facet("status", "due_this_week"))
        facets += [(f, received, seq) for f in (*words_of, *statuses)]
        body = " ".join(rng.choices(words, cum_weights=cumulative, k=60))
        texts.append((seq, subject, body, "statement.pdf"))
        if seq % 1000 == 0 and len(ids) < 2000:
            ids.append(rid)
        if len(batch) == 20_000:
            _flush(db, batch, accounts, facets, texts)
            print(f"  {seq + 1:,} records ({time.monotonic() - start:.0f} s)", file=sys.stderr)
    _flush(db, batch, accounts, facets, texts)
    db.execute("analyze")
    return ids


def _flush(
    db: Any, batch: list[Any], accounts: list[Any], facets: list[Any], texts: list[Any]
) -> None:
    columns = (
        "seq, record_id, type, mailbox, folder, uidvalidity, uid, received, recorded, sender,"
        " sender_name, recipients, subject, message_id, raw_sha256, raw_size, category,"
        " escalated, imported, direction, accounts, rules, domain"
    )
    db.execute("begin")
    db.executemany(f"insert into records ({columns}) values ({','.join('?' * 23)})", batch)  # noqa: S608
    db.executemany("insert into accounts (number, seq) values (?, ?)", accounts)
    db.executemany("insert into facets (facet, received, seq) values (?, ?, ?)", facets)
    db.executemany(
        "insert into record_text (rowid, subject, body, attachments) values (?, ?, ?, ?)",
        texts,
    )
    db.execute("commit")
    batch.clear()
    accounts.clear()
    facets.clear()
    texts.clear()


def timed(fn: Callable[[], object], runs: int) -> dict[str, float]:
    """p50, p95 and max of ``runs`` calls, in milliseconds."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 2),
        "max_ms": round(samples[-1], 2),
        "runs": runs,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--work", type=Path, help="keep the index here (reused when present)")
    parser.add_argument(
        "--proof-records", type=int, default=0, help="also time the proof step (0: skip)"
    )
    parser.add_argument("--proof-batch", type=int, default=100, help="entries per batch")
    parser.add_argument("--skip-index", action="store_true", help="only the proof step")
    args = parser.parse_args(argv)
    if args.skip_index:
        results = {"proof": proof_costs(args.proof_records, args.proof_batch, args.runs, rng_of())}
        print(json.dumps(results, indent=2))
        return 0
    rng = random.Random(7)
    work = args.work or Path(tempfile.mkdtemp(prefix="mailledger-bench-web-"))
    work.mkdir(parents=True, exist_ok=True)
    path = work / "index.sqlite"
    fresh = not path.exists()
    index = RecordIndex(path)
    if fresh:
        start = time.monotonic()
        ids = seed(index, args.records, rng)
        print(
            f"seeded {args.records:,} records in {time.monotonic() - start:.0f} s", file=sys.stderr
        )
    else:
        ids = [r[0] for r in index.db.execute("select record_id from records where seq % 1000 = 0")]
    total = int(index.db.execute("select count(*) from records").fetchone()[0])
    size = 50

    def page(criteria: SearchCriteria) -> Callable[[], object]:
        def run() -> object:
            found = index.count(criteria, at_most=10_001)  # as the search page counts
            pages = max(1, -(-found // size))
            offset = size * rng.randrange(min(pages, 20))
            return index.search(
                SearchCriteria(
                    **{**criteria.__dict__, "limit": size, "offset": offset, "newest_first": True}
                )
            )

        return run

    account = index.db.execute("select number from accounts limit 1 offset 4242").fetchone()[0]
    march = {
        "received_from": "2026-03-01T00:00:00.000000Z",
        "received_to": "2026-04-01T00:00:00.000000Z",
    }
    april = {
        "received_from": "2026-04-01T00:00:00.000000Z",
        "received_to": "2026-05-01T00:00:00.000000Z",
    }
    # the order the search page uses: newest received first, ties by ledger position
    searches = {
        "everything": SearchCriteria(),
        "one month": SearchCriteria(**march),
        "mailbox + month": SearchCriteria(mailbox="mailbox3", **march),
        "sender domain": SearchCriteria(sender="@corp123.com"),
        "account number": SearchCriteria(account=account),
        "category + escalated": SearchCriteria(category="complaint", escalated=True),
        "request kind + rejected": SearchCriteria(
            request_kind="notice_of_error", attachment_verdict="rejected"
        ),
        "family + month": SearchCriteria(escalation_family="bankruptcy", **april),
        "language + kind": SearchCriteria(language="vi", request_kind="payoff_statement"),
        "overdue": SearchCriteria(deadline_status="overdue"),
        "due this week + mailbox": SearchCriteria(
            deadline_status="due_this_week", mailbox="mailbox2"
        ),
        "words": SearchCriteria(text="forbearance hardship"),
        "words + mailbox": SearchCriteria(text="escrow refund", mailbox="mailbox5"),
    }
    searches = {
        name: SearchCriteria(**{**c.__dict__, "order": "received"}) for name, c in searches.items()
    }
    for name, criteria in searches.items():
        print(f"{name}: {' / '.join(index.explain(criteria))}", file=sys.stderr)
    results: dict[str, Any] = {"records": total, "page_size": size, "search": {}}
    for name, criteria in searches.items():
        results["search"][name] = timed(page(criteria), args.runs)
    all_p95 = max(r["p95_ms"] for r in results["search"].values())
    results["search_p95_worst_ms"] = all_p95
    results["record_page_lookup"] = timed(lambda: index.resolve(rng.choice(ids)), args.runs * 5)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"web-{time.strftime('%Y%m%dT%H%M%S')}.json"
    target.write_text(json.dumps(results, indent=2))
    print(f"{'query':28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, r in results["search"].items():
        print(f"{name:28} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['max_ms']:8.1f}")
    r = results["record_page_lookup"]
    print(f"{'record page lookup':28} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['max_ms']:8.1f}")
    if args.proof_records:
        results["proof"] = proof_costs(args.proof_records, args.proof_batch, args.runs, rng)
        print(json.dumps(results["proof"], indent=2))
        target.write_text(json.dumps(results, indent=2))
    print(f"wrote {target}")
    index.close()
    return 0


def rng_of() -> random.Random:
    """The benchmark's seeded random source."""
    return random.Random(7)


def proof_costs(records: int, batch: int, runs: int, rng: random.Random) -> dict[str, Any]:
    """Time proving a page of 50 rows against the newest checkpoint on a ledger of
    ``records`` record entries; count the store requests it makes."""
    from datetime import UTC, datetime

    from pipeline.entries import decode_record
    from pipeline.index.proven import newest_signed, prove_rows
    from pipeline.index.rows import record_row
    from pipeline.ledger.entry import EntryDraft
    from pipeline.ledger.log import Ledger
    from pipeline.storage.local import LocalStore
    from tests.index.factory import make_env, make_raw

    work = Path(tempfile.mkdtemp(prefix="mailledger-bench-proof-"))
    env = make_env(work)
    body = env.record(make_raw(subject="Notice of error", text="You misapplied my payment."))
    template = dict(body.body)
    ledger = env.runtime.ledger
    start = time.monotonic()
    now = datetime.now(UTC)
    written = 0
    while written < records:
        drafts = [
            EntryDraft(
                "message.received",
                {**template, "record_id": f"r-{written + j:024x}"},
                "worker:bench/1",
                now,
            )
            for j in range(min(batch, records - written))
        ]
        ledger.append(drafts)
        written += len(drafts)
    print(f"wrote {records:,} entries in {time.monotonic() - start:.0f} s", file=sys.stderr)

    counting = _Counting(LocalStore(work / "store", fsync=False))
    served = Ledger(counting, env.config.origin, [env.key.verifier], env.key)
    size = served.refresh()
    rows = {e.seq: record_row(e, decode_record(e).body) for e in served.entries(2, size)}
    seqs = sorted(rows)

    def page(pick: Callable[[], list[int]]) -> Callable[[], object]:
        def run() -> object:
            counting.gets = counting.lists = 0
            candidates = [rows[s] for s in pick()]
            proven = prove_rows(served, candidates, newest_signed(served))
            requests.append((counting.gets, counting.lists))
            return proven

        return run

    out: dict[str, Any] = {"records": records, "batch": batch, "page_rows": 50}
    for name, pick in (
        ("scattered", lambda: rng.sample(seqs, 50)),
        ("adjacent", lambda: seqs[(i := rng.randrange(len(seqs) - 50)) : i + 50]),
    ):
        requests: list[tuple[int, int]] = []
        out[name] = timed(page(pick), runs)
        out[name]["gets_per_page"] = statistics.median(g for g, _ in requests)
        out[name]["lists_per_page"] = statistics.median(n for _, n in requests)
    return out


class _Counting:
    """Counts GETs and LISTs of the store underneath (one S3 request each)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.gets = 0
        self.lists = 0

    def get(self, key: str, *, verify: bool = True) -> bytes:
        self.gets += 1
        return bytes(self.inner.get(key, verify=verify))

    def list(self, prefix: str, start_after: str | None = None) -> Any:
        self.lists += 1
        return self.inner.list(prefix, start_after)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


if __name__ == "__main__":
    sys.exit(main())
