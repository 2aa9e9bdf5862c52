"""Shared pieces of the chaos suite: seeds, mail, deployments and the invariants.

Every scenario records a real Dovecot mailbox into a fresh deployment through the
``mailledger`` CLI (subprocesses, so SIGKILL is real), breaks something at a random,
seeded moment, and then calls :func:`settle_and_check`: a clean ``poll``, ``dispatch``
and ``handle acknowledge`` followed by the invariants every iteration must satisfy.

``MAILLEDGER_CHAOS_ITERATIONS`` sets how many iterations each scenario runs (default
small so CI stays bounded); ``MAILLEDGER_CHAOS_SEED`` fixes the base seed to replay a
failure (each iteration's seed is printed in every assertion message).
"""

from __future__ import annotations

import collections
import contextlib
import email
import email.policy
import hashlib
import json
import os
import random
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import yaml

from pipeline.ledger.entry import LedgerEntry
from tests.conftest import ImapAccount, S3Bucket
from tests.harness.smtp_sink import SmtpSink
from tests.ingest.conftest import Deployment, mailbox_entry, make_deployment

MESSAGES = int(os.environ.get("MAILLEDGER_CHAOS_MESSAGES", "150"))
SMTP_PASSWORD_ENV = "MAILLEDGER_CHAOS_SMTP_PASSWORD"
ACK_DOMAIN = "servicer.example"
SERVICE_ADDRESS = "service@servicer.example"


def iterations(default: int) -> int:
    """Iterations per scenario: ``MAILLEDGER_CHAOS_ITERATIONS`` or the scenario's default."""
    value = os.environ.get("MAILLEDGER_CHAOS_ITERATIONS")
    return max(1, int(value)) if value else default


def seeds(scenario: str, default_iterations: int) -> Iterator[int]:
    """One seed per iteration, derived from the base seed and the scenario's name."""
    base = int(os.environ.get("MAILLEDGER_CHAOS_SEED", str(random.SystemRandom().randrange(10**9))))
    salt = int.from_bytes(hashlib.sha256(scenario.encode()).digest()[:3], "big")
    for index in range(iterations(default_iterations)):
        yield base * 1000 + salt % 997 + index * 7919


def replay_hint(seed: int, scenario: str) -> str:
    """Text for assertion messages: how to replay this iteration."""
    return f"[chaos {scenario} seed={seed}]"


# --------------------------------------------------------------------------- mail
_SMTP_POLICY = email.policy.SMTP
_SUBJECTS = (
    "Question about my escrow statement",
    "Payment posted twice this month",
    "Notice of error: late fee charged in error",
    "Solicitud de informacion sobre mi prestamo",
    "Copy of my payoff letter please",
    "Homeowners insurance renewal",
)


def chaos_message(index: int, rng: random.Random) -> bytes:
    """A servicing message from its own sender, of varied size, some with a PDF."""
    msg = EmailMessage(policy=_SMTP_POLICY)
    msg["From"] = f"Borrower {index} <borrower{index}@example.com>"
    msg["To"] = SERVICE_ADDRESS
    msg["Subject"] = f"{rng.choice(_SUBJECTS)} #{index:05d}"
    msg["Date"] = "Mon, 02 Mar 2026 09:15:00 -0500"
    msg["Message-ID"] = f"<chaos-{index}-{rng.randrange(10**9)}@example.com>"
    line = f"Loan reference line {index:05d} with some words about my account.\n"
    msg.set_content(line * rng.randint(5, 60))
    if rng.random() < 0.1:
        from tests.attachments.attachment_samples import pdf_bytes

        msg.add_attachment(
            pdf_bytes(), maintype="application", subtype="pdf", filename=f"statement-{index}.pdf"
        )
    return msg.as_bytes()


def fill_mailbox(account: ImapAccount, seed: int, count: int = MESSAGES) -> list[int]:
    """Append ``count`` generated messages to the account's INBOX; their UIDs."""
    rng = random.Random(seed)
    return account.server.append_many(
        account.user, "INBOX", [chaos_message(i, rng) for i in range(count)]
    )


def server_messages(account: ImapAccount, folder: str = "INBOX") -> dict[int, str]:
    """UID -> SHA-256 of the raw bytes Dovecot holds for every message in ``folder``."""
    with account.server.session(account.user) as imap:
        imap.select_folder(folder, readonly=True)
        uids = sorted(imap.search("ALL"))
        out: dict[int, str] = {}
        for start in range(0, len(uids), 200):
            chunk = uids[start : start + 200]
            got = imap.fetch(chunk, [b"BODY.PEEK[]"])
            for uid in chunk:
                out[int(uid)] = hashlib.sha256(bytes(got[uid][b"BODY[]"])).hexdigest()
    return out


# --------------------------------------------------------------------------- deployments
def deployment(
    root: Path,
    account: ImapAccount,
    sink: SmtpSink,
    *,
    bucket: S3Bucket | None = None,
    store_dir: Path | None = None,
    key_file: Path | None = None,
    batch_messages: int = 20,
    parse_workers: int = 1,
    outbox: Path | None = None,
) -> Deployment:
    """A deployment that polls ``account``, writes a JSONL outbox and acknowledges via ``sink``."""
    extra: dict[str, Any] = {
        "events": {"sinks": [{"kind": "jsonl", "path": str(root / "outbox" / "events.jsonl")}]},
        "acknowledgment": {
            "from_address": SERVICE_ADDRESS,
            "from_name": "Customer Service",
            "portal_url": "https://portal.servicer.example/secure-messages",
            "own_addresses": [SERVICE_ADDRESS],
            "rate_limit_per_sender_per_day": 1000,
            "message_id_domain": ACK_DOMAIN,
            "transport": {
                "kind": "smtp",
                "host": sink.host,
                "port": sink.port,
                "tls": "none",
                "allow_plaintext": True,
                "timeout_seconds": 20,
            },
        },
    }
    app = make_deployment(
        root,
        [mailbox_entry(account, batch_messages=batch_messages)],
        bucket=bucket,
        store_dir=store_dir,
        key_file=key_file,
        parse_workers=parse_workers,
        extra=extra,
    )
    if outbox is not None:
        config = yaml.safe_load(app.config_path.read_text())
        config["events"]["sinks"][0]["path"] = str(outbox)
        app.config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    return app


def outbox_path(app: Deployment) -> Path:
    """The deployment's JSONL outbox."""
    return app.root / "outbox" / "events.jsonl"


def kill_group(proc: subprocess.Popen[str]) -> None:
    """SIGKILL the process group started by :meth:`Deployment.popen` and reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()


def run_then_kill(
    app: Deployment, args: tuple[str, ...], after: float
) -> tuple[bool, subprocess.CompletedProcess[str] | None]:
    """Start ``mailledger <args>``; SIGKILL it after ``after`` seconds unless it ended.

    Returns (killed, the completed process when it ended by itself).
    """
    proc = app.popen(*args)
    try:
        out, err = proc.communicate(timeout=after)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        return True, None
    return False, subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


# --------------------------------------------------------------------------- invariants
@dataclass(frozen=True)
class Outcome:
    """What the settled deployment holds, for scenario-specific assertions."""

    records: dict[int, LedgerEntry]
    entries: list[LedgerEntry]
    acks_received: collections.Counter[str]
    final_poll: dict[str, Any]


def _ack_ids(sink: SmtpSink) -> collections.Counter[str]:
    ids: collections.Counter[str] = collections.Counter()
    for received in sink.messages():
        parsed = email.message_from_bytes(received.raw, policy=email.policy.default)
        message_id = str(parsed.get("Message-ID", "")).strip()
        prefix, _, rest = message_id.partition("<ack.")
        assert not prefix and rest.endswith(f"@{ACK_DOMAIN}>"), message_id
        ids[rest.split("@", 1)[0]] += 1
    return ids


def _outbox_record_ids(app: Deployment) -> collections.Counter[str]:
    ids: collections.Counter[str] = collections.Counter()
    path = outbox_path(app)
    if not path.exists():
        return ids
    for line in path.read_bytes().splitlines():
        if not line.strip():
            continue
        event = json.loads(line)
        if str(event["type"]).endswith("message.received"):
            ids[str(event["subject"])] += 1
    return ids


def run_ok(app: Deployment, hint: str, *args: str, timeout: float = 300) -> str:
    """Run a command that must succeed; returns its stdout."""
    done = app.run(*args, timeout=timeout)
    assert done.returncode == 0, (
        f"{hint} 'mailledger {' '.join(args)}' exited {done.returncode}:\n"
        f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    )
    return done.stdout


def settle_and_check(
    app: Deployment,
    account: ImapAccount,
    sink: SmtpSink,
    hint: str,
    *,
    handle_attempts: int = 1,
    allow_unconfirmed: bool = False,
) -> Outcome:
    """Clean poll + dispatch + handle acknowledge, then assert every invariant.

    ``allow_unconfirmed``: the scenario killed the ack handler, so a claim may be left
    in flight (the handler then stops rather than risk a second send); the at-most-once
    and no-lost-event invariants are still checked in full.
    """
    report = json.loads(run_ok(app, hint, "poll", "--json", "--no-dispatch"))
    run_ok(app, hint, "dispatch")
    for _ in range(handle_attempts):
        handled = app.run("handle", "acknowledge", "--json", timeout=600)
        if handled.returncode == 0:
            break
    if not allow_unconfirmed:
        assert handled.returncode == 0, (
            f"{hint} handle acknowledge: {handled.stdout}{handled.stderr}"
        )
    else:
        assert handled.returncode in (0, 1), f"{hint} {handled.stderr[-3000:]}"
        if handled.returncode == 1:
            errors = json.loads(handled.stdout)["errors"]
            assert all("not confirmed" in e for e in errors), f"{hint} {errors}"

    on_server = server_messages(account)
    entries = list(app.runtime().ledger.entries())
    records: dict[int, LedgerEntry] = {}
    for entry in entries:
        if entry.type != "message.received":
            continue
        uid = int(entry.body["source"]["uid"])
        assert uid not in records, (
            f"{hint} UID {uid} recorded twice: seq {records[uid].seq} and {entry.seq}"
        )
        records[uid] = entry
    # Exactly once, byte for byte.
    missing = sorted(set(on_server) - set(records))
    extra = sorted(set(records) - set(on_server))
    assert (missing, extra) == ([], []), (
        f"{hint} recorded UIDs differ from the server: missing {missing[:20]}, extra {extra[:20]}"
    )
    mismatched = [u for u, e in records.items() if e.body["raw"]["sha256"] != on_server[u]]
    assert mismatched == [], f"{hint} raw SHA-256 differs for UIDs {mismatched[:20]}"
    # Every message sealed once, and every seal assembled into exactly one record.
    check_seals(entries, hint)
    # The completeness report agrees with the server.
    (box,) = report["mailboxes"]
    (folder,) = box["folders"]
    assert box["ok"], f"{hint} {box}"
    assert (folder["server_count"], folder["recorded_count"], folder["gaps"]) == (
        len(on_server),
        len(on_server),
        [],
    ), f"{hint} {folder}"
    # The ledger verifies.
    verified = app.run("verify")
    assert verified.returncode == 0, f"{hint} verify: {verified.stdout}{verified.stderr}"
    # No event lost.
    delivered = _outbox_record_ids(app)
    lost = [e.body["record_id"] for e in records.values() if delivered[e.body["record_id"]] == 0]
    assert lost == [], (
        f"{hint} {len(lost)} message.received events never reached the outbox: {lost[:10]}"
    )
    # No acknowledgment twice.
    acks = _ack_ids(sink)
    twice = {rid: n for rid, n in acks.items() if n > 1}
    assert twice == {}, f"{hint} acknowledgments sent more than once: {twice}"
    sent = collections.Counter(
        e.body["record_id"] for e in entries if e.type == "acknowledgment.sent"
    )
    assert all(n == 1 for n in sent.values()), f"{hint} acknowledgment.sent twice: {sent}"
    assert set(acks) <= {e.body["record_id"] for e in records.values()}, hint
    if not allow_unconfirmed:
        # Nothing lost on the ack side either: every record reached a final decision, and
        # every send the ledger confirms reached the SMTP server.
        final = {"acknowledgment.sent", "acknowledgment.skipped", "acknowledgment.unconfirmed"}
        decided = {e.body["record_id"] for e in entries if e.type in final}
        undecided = [
            e.body["record_id"] for e in records.values() if e.body["record_id"] not in decided
        ]
        assert undecided == [], (
            f"{hint} records without an acknowledgment decision: {undecided[:10]}"
        )
        assert set(sent) <= set(acks), (
            f"{hint} ledger says sent, SMTP never got: {set(sent) - set(acks)}"
        )
    return Outcome(records, entries, acks, report)


def check_seals(entries: list[LedgerEntry], hint: str) -> None:
    """One seal per message, one record per seal, each record naming its own seal."""
    seals = {e.seq: e for e in entries if e.type == "message.sealed"}
    sealed_ids = collections.Counter(e.body["record_id"] for e in seals.values())
    twice = [rid for rid, n in sealed_ids.items() if n > 1]
    assert twice == [], f"{hint} sealed more than once: {twice[:10]}"
    named = collections.Counter()
    for entry in entries:
        if entry.type != "message.received":
            continue
        sealed = entry.body["sealed"]
        seal = seals.get(sealed["seq"])
        assert seal is not None, f"{hint} record {entry.seq} names no seal ({sealed})"
        assert seal.body["record_id"] == entry.body["record_id"], hint
        assert seal.body["raw"]["sha256"] == sealed["sha256"] == entry.body["raw"]["sha256"], hint
        named[sealed["seq"]] += 1
    doubled = {seq: n for seq, n in named.items() if n > 1}
    assert doubled == {}, f"{hint} seals assembled into more than one record: {doubled}"
    waiting = sorted(set(seals) - set(named))
    assert waiting == [], f"{hint} seals never assembled: {waiting[:20]}"


def handle_later(app: Deployment, minutes: int) -> None:
    """Run the acknowledgment handler over the outbox as if ``minutes`` had passed.

    A handler killed between its claim and its confirmation leaves a claim that stays
    "in flight" for the grace period; later, the claim is recorded as unconfirmed for a
    person to check (never re-sent). This fast-forwards to that moment.
    """
    from datetime import UTC, datetime, timedelta

    from handlers.acknowledge import AcknowledgmentHandler
    from handlers.index import LedgerHandlerIndex
    from handlers.queue_source import run_outbox
    from handlers.transports import build_transport
    from pipeline.hashing import object_key
    from pipeline.runtime import open_runtime

    config = app.config
    assert config.acknowledgment is not None
    runtime = open_runtime(config, writable=True)
    shift = timedelta(minutes=minutes)

    def store_put(data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        runtime.store.put(object_key(digest), data)
        return digest

    handler = AcknowledgmentHandler(
        runtime.ledger,
        store_put,
        build_transport(config.acknowledgment.transport),
        config.acknowledgment,
        "handler:chaos-later",
        index=LedgerHandlerIndex(runtime.ledger),
        clock=lambda: datetime.now(UTC) + shift,
    )
    run_outbox(handler, outbox_path(app), config.state_dir / "handlers" / "acknowledge.offset")
