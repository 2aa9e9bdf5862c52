"""The records index: SQLite tables plus an FTS5 table, derived from the ledger.

What is kept, and why:

* ``records``: one row per record entry (``message.received`` and the outbound
  ``response.sent``), keyed by its ledger position, with the fields people search
  by. A message sealed but not yet assembled has a row of type ``message.sealed``
  (its source, receipt and raw hash; no headers), replaced by its record's row.
  Full account numbers are kept so an examiner can search by them; every display
  masks them.
* ``links``: every entry that names a record (acknowledgments, escalations,
  delivered events, accesses, exports, case entries), so a trail is one indexed
  query instead of a scan of the whole log. Which replies answer a request is the
  case model's decision (:mod:`pipeline.cases`), not the index's: the trail and the
  export add the replies it links.
* ``leaves``: the RFC 6962 leaf hash of every entry; the first and the last indexed
  are compared with the ledger on every sync (see below). Proofs are not made from
  it: they come from the signed log itself (:mod:`pipeline.trail.evidence`).
* ``record_text``: contentless FTS5 over subject, text bodies (read from the
  stored text objects) and attachment names.

Syncing reads only entries after the last indexed position. If the ledger is
shorter than the index, or its first entry or the last indexed entry has another
hash, the index describes a different (or rolled-back) log: that is the only local
sign of a cut ledger, so sync fails loudly instead of rebuilding, and
``mailledger index --rebuild`` is the explicit way out.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from pipeline.entries import RecordBody, decode, names
from pipeline.entries.models import MessageSealed
from pipeline.errors import CacheAheadError, MailledgerError, ObjectNotFoundError, StorageError
from pipeline.index.model import EntryLink, RecordRow, SearchCriteria, facet
from pipeline.index.rows import (
    facets_of,
    normalize_message_id,
    record_row,
    sealed_row,
    sender_domain,
)
from pipeline.ledger.entry import LedgerEntry
from pipeline.ledger.protocols import LedgerReader
from pipeline.storage.base import ObjectStore

__all__ = [
    "INDEX_FILE",
    "EntryLink",
    "IndexQueryError",
    "RecordIndex",
    "RecordRow",
    "SearchCriteria",
    "SearchTextError",
    "linked_record_ids",
    "normalize_message_id",
    "record_row",
]


INDEX_FILE = "index.sqlite"
"""File name of the index inside ``config.state_dir``."""

RECORD_TYPES = names.RECORD_TYPES
ALL_ROW_TYPES = {*RECORD_TYPES, names.MESSAGE_SEALED}  # the types a records row can have
# 2: replies are no longer linked here; 3: kinds, language, verdicts;
# 4: rows for sealed messages not yet assembled; 5: sender domains and the facets
# table, so every filter the search page offers is an index range; 6: escalation as a facet
SCHEMA_VERSION = "6"
_MMAP_BYTES = 1 << 30  # address space only; pages come from the OS page cache
_FACET_PROBE = 50_000
# one more facet of the record "r" (ledger order), or of the driving facet's row "f0"
_FACET_LOOKUP = (
    "exists (select 1 from facets f where f.facet = ? and f.received = r.received"
    " and f.seq = r.seq)"
)
_FACET_JOIN = (
    " cross join facets f{n} on f{n}.facet = ? and f{n}.received = f0.received"
    " and f{n}.seq = f0.seq"
)  # facet rows counted to pick the smallest as a search's driver
_COMMIT_EVERY = 5000  # entries per transaction: bounded memory, few fsyncs

_SCHEMA = """
create table if not exists meta (name text primary key, value text not null);
create table if not exists leaves (seq integer primary key, hash blob not null);
create table if not exists records (
    seq integer primary key,
    record_id text not null unique,
    type text not null,
    mailbox text not null,
    folder text not null,
    uidvalidity integer,
    uid integer,
    received text not null,
    recorded text not null,
    sender text not null,
    sender_name text not null,
    recipients text not null,
    subject text not null,
    message_id text,
    raw_sha256 text not null,
    raw_size integer not null,
    category text,
    escalated integer not null,
    imported integer not null,
    direction text not null,
    accounts text not null,
    rules text not null,
    domain text not null
);
create index if not exists records_received on records (received);
create index if not exists records_mailbox on records (mailbox, received);
create index if not exists records_sender on records (sender, received);
create index if not exists records_domain on records (domain, received);
create index if not exists records_message_id on records (message_id);
create index if not exists records_raw on records (raw_sha256);
create table if not exists accounts (
    number text not null, seq integer not null, primary key (number, seq)
) without rowid;
create table if not exists links (
    record_id text not null, seq integer not null, type text not null,
    primary key (record_id, seq)
) without rowid;
create index if not exists links_seq on links (seq);
create table if not exists facets (
    facet text not null, received text not null, seq integer not null,
    primary key (facet, received, seq)
) without rowid;
create virtual table if not exists record_text using fts5(
    subject, body, attachments, content='', tokenize='unicode61 remove_diacritics 2'
);
"""

_TABLES = ("meta", "leaves", "records", "accounts", "links", "facets", "record_text")


class IndexQueryError(MailledgerError):
    """The index cannot answer (bad search text, unreadable database)."""


class SearchTextError(IndexQueryError):
    """The search text asks for nothing (no word in it): the asker's to mend."""


_RECORD_COLUMNS = (
    "seq, record_id, type, mailbox, folder, uidvalidity, uid, received, recorded, sender,"
    " sender_name, recipients, subject, message_id, raw_sha256, raw_size, category, escalated,"
    " imported, direction, accounts, rules"
)


def _row(values: Sequence[Any]) -> RecordRow:
    return RecordRow(
        seq=values[0],
        record_id=values[1],
        type=values[2],
        mailbox=values[3],
        folder=values[4],
        uidvalidity=values[5],
        uid=values[6],
        received=values[7],
        recorded=values[8],
        sender=values[9],
        sender_name=values[10],
        recipients=values[11],
        subject=values[12],
        message_id=values[13],
        raw_sha256=values[14],
        raw_size=values[15],
        category=values[16],
        escalated=bool(values[17]),
        imported=bool(values[18]),
        direction=values[19],
        accounts=tuple(values[20].split()) if values[20] else (),
        rules=tuple(values[21].split()) if values[21] else (),
    )


def linked_record_ids(entry: LedgerEntry) -> set[str]:
    """Record ids an entry concerns (see :meth:`pipeline.entries.Body.concerns`)."""
    return set(decode(entry).body.concerns())


class RecordIndex:
    """The index database; open one per command."""

    def __init__(self, path: Path | None) -> None:
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        # autocommit mode: transactions are explicit, ``begin immediate`` during sync so
        # two commands syncing at once take turns instead of indexing the same entries
        self.db = sqlite3.connect(
            str(path) if path else ":memory:", timeout=60, isolation_level=None
        )
        self.db.execute("pragma journal_mode=wal")
        self.db.execute("pragma synchronous=normal")  # a cache: losing the tail costs a re-sync
        # Reads through the OS page cache, which outlives this connection (the web app
        # opens one per request), instead of copying pages into a private cache.
        self.db.execute(f"pragma mmap_size={_MMAP_BYTES}")
        self._create()

    def _create(self) -> None:
        # The layout is checked before the schema script runs: an older layout's tables
        # lack columns the new indexes name. The index is a cache, so an old one is
        # dropped and rebuilt from the ledger on the next sync.
        has_meta = self.db.execute(
            "select 1 from sqlite_master where type = 'table' and name = 'meta'"
        ).fetchone()
        if has_meta and self._meta("schema") not in (None, SCHEMA_VERSION):
            self._reset()
        else:
            self.db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    def __enter__(self) -> RecordIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- meta --------------------------------------------------------------------

    def _meta(self, name: str) -> str | None:
        row = self.db.execute("select value from meta where name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, name: str, value: str) -> None:
        self.db.execute(
            "insert into meta (name, value) values (?, ?)"
            " on conflict(name) do update set value = excluded.value",
            (name, value),
        )

    def _reset(self) -> None:
        # statement by statement: executescript would commit the caller's transaction
        for table in _TABLES:
            self.db.execute(f"drop table if exists {table}")
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                self.db.execute(statement)

    @property
    def size(self) -> int:
        """Number of ledger entries indexed."""
        return int(self._meta("next_seq") or 0)

    # -- sync --------------------------------------------------------------------

    def sync(self, ledger: LedgerReader, store: ObjectStore) -> int:
        """Index entries appended since the last sync; returns the indexed size."""
        size = ledger.size()
        self.db.execute("begin immediate")
        try:
            seen = self.size
            if seen:
                self._check_same_log(ledger, seen, size)
            if seen == 0:
                self._set_meta("schema", SCHEMA_VERSION)
            for entry in ledger.entries(seen, size):
                self._add(entry, store)
                if (entry.seq + 1) % _COMMIT_EVERY == 0:
                    self._commit_progress(entry.seq + 1)
                    self.db.execute("begin immediate")
            self._commit_progress(size)
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("rollback")
            raise
        return size

    def _commit_progress(self, next_seq: int) -> None:
        if next_seq:
            first = self.db.execute("select hash from leaves where seq = 0").fetchone()
            last = self.db.execute("select hash from leaves where seq = ?", (next_seq - 1,))
            self._set_meta("first_hash", bytes(first[0]).hex() if first else "")
            row = last.fetchone()
            self._set_meta("last_hash", bytes(row[0]).hex() if row else "")
        self._set_meta("next_seq", str(next_seq))
        self.db.execute("commit")

    def _check_same_log(self, ledger: LedgerReader, seen: int, size: int) -> None:
        """Raise unless the ledger still holds the entries this index was built from."""
        if seen > size:
            raise CacheAheadError("search index", seen, size)
        first = next(iter(ledger.entries(0, 1)), None)
        last = next(iter(ledger.entries(seen - 1, seen)), None)
        for position, entry, meta in ((0, first, "first_hash"), (seen - 1, last, "last_hash")):
            if entry is None or entry.entry_hash != self._meta(meta):
                raise CacheAheadError(
                    "search index",
                    seen,
                    size,
                    f", with a different entry at position {position}",
                )

    def _add(self, entry: LedgerEntry, store: ObjectStore) -> None:
        self.db.execute(
            "insert into leaves (seq, hash) values (?, ?)", (entry.seq, entry.leaf_hash)
        )
        body = decode(entry).body
        rids = set(body.concerns())
        if isinstance(body, RecordBody):
            self._add_record(entry, body, store)
        elif isinstance(body, MessageSealed):
            self._add_sealed(entry, body)
        self.db.executemany(
            "insert or ignore into links (record_id, seq, type) values (?, ?, ?)",
            [(rid, entry.seq, entry.type) for rid in sorted(rids)],
        )

    def _add_sealed(self, entry: LedgerEntry, body: MessageSealed) -> None:
        """A sealed message is findable before it is assembled, by source and receipt."""
        # "or ignore": a record already indexed for this id keeps its row
        self._insert_row(sealed_row(entry, body), verb="insert or ignore")

    def _insert_row(
        self,
        row: RecordRow,
        *,
        verb: Literal["insert", "insert or ignore"] = "insert",
        facets: Sequence[str] = (),
    ) -> None:
        cursor = self.db.execute(
            f"{verb} into records ({_RECORD_COLUMNS}, domain) values ({','.join('?' * 23)})",
            (
                row.seq,
                row.record_id,
                row.type,
                row.mailbox,
                row.folder,
                row.uidvalidity,
                row.uid,
                row.received,
                row.recorded,
                row.sender,
                row.sender_name,
                row.recipients,
                row.subject,
                row.message_id,
                row.raw_sha256,
                row.raw_size,
                row.category,
                1 if row.escalated else 0,
                1 if row.imported else 0,
                row.direction,
                " ".join(row.accounts),
                " ".join(row.rules),
                sender_domain(row.sender),
            ),
        )
        if cursor.rowcount:
            self.db.executemany(
                "insert or ignore into facets (facet, received, seq) values (?, ?, ?)",
                [(facet, row.received, row.seq) for facet in facets],
            )

    def _add_record(self, entry: LedgerEntry, body: RecordBody, store: ObjectStore) -> None:
        # The record replaces its seal's row (the seal stays in the record's links).
        # (a sealed row has no facets: it is not classified yet)
        self.db.execute(
            "delete from records where record_id = ? and type = ?",
            (body.record_id, names.MESSAGE_SEALED),
        )
        row = record_row(entry, body)
        accounts = row.accounts
        headers = body.headers
        self._insert_row(row, facets=facets_of(body))
        self.db.executemany(
            "insert or ignore into accounts (number, seq) values (?, ?)",
            [(a, entry.seq) for a in accounts],
        )
        attachment_names = [a.filename or a.safe_filename for a in body.attachments]
        self.db.execute(
            "insert into record_text (rowid, subject, body, attachments) values (?, ?, ?, ?)",
            (
                entry.seq,
                headers.subject,
                self._body_text(body, store),
                " ".join(attachment_names),
            ),
        )

    @staticmethod
    def _body_text(body: RecordBody, store: ObjectStore) -> str:
        parts: list[str] = []
        for ref in (body.bodies.text, body.bodies.html_text):
            if ref is None:
                continue
            try:
                parts.append(store.get(ref.key).decode("utf-8", errors="replace"))
            except ObjectNotFoundError:
                # disposed under the retention policy: the record stays searchable by its fields
                continue
            except StorageError as exc:
                raise IndexQueryError(
                    f"cannot read the text of record {body.record_id} ({ref.key}):"
                    f" {exc}; run 'mailledger verify'"
                ) from exc
        return "\n".join(parts)

    # -- deadline states (written from the case model) ----------------------------

    @property
    def deadline_states_as_of(self) -> str | None:
        """The stamp the deadline states were last written with (None: never)."""
        return self._meta("deadline_states")

    def set_deadline_states(self, states: Iterable[tuple[str, Sequence[str]]], stamp: str) -> int:
        """Replace every record's ``status:`` facets with ``states`` (record id, words).

        The words come from :func:`pipeline.cases.read.deadline_filters`: the index
        only holds them to find candidates; what a page shows is read from the case
        model again. ``stamp`` says which ledger size and day they describe.
        Returns the number of facet rows written.
        """
        rows = [(facet("status", word), rid) for rid, words in states for word in words]
        self.db.execute("begin immediate")
        try:
            self.db.execute("delete from facets where facet like 'status:%'")
            self.db.executemany(
                "insert or ignore into facets (facet, received, seq)"
                " select ?, received, seq from records where record_id = ?",
                rows,
            )
            self._set_meta("deadline_states", stamp)
            self.db.execute("commit")
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("rollback")
            raise
        return len(rows)

    # -- queries -----------------------------------------------------------------

    def search(self, criteria: SearchCriteria) -> list[RecordRow]:
        """Records matching every given filter, in ledger order."""
        return list(self.iter_search(criteria))

    def iter_search(self, criteria: SearchCriteria) -> Iterator[RecordRow]:
        """Like :meth:`search`, streaming rows (exports of many records)."""
        source, where, args, order = self._plan(criteria)
        columns = ", ".join(f"r.{c.strip()}" for c in _RECORD_COLUMNS.split(","))
        sql = f"select {columns} from {source} where {where} order by {order}"  # noqa: S608
        if criteria.limit is not None or criteria.offset:
            sql += " limit ? offset ?"
            args += [-1 if criteria.limit is None else criteria.limit, criteria.offset]
        try:
            cursor = self.db.execute(sql, args)
        except sqlite3.OperationalError as exc:
            raise IndexQueryError(f"search failed: {exc}") from exc
        for values in cursor:
            yield _row(values)

    def count(self, criteria: SearchCriteria, at_most: int | None = None) -> int:
        """How many records match ``criteria`` (limit and offset ignored).

        With ``at_most``, counting stops there: a broad search over millions of
        records answers "more than N" at once instead of counting every row.
        """
        source, where, args, _order = self._plan(criteria, count=True)
        sql = f"select count(*) from {source} where {where}"  # noqa: S608
        if at_most is not None:
            sql = f"select count(*) from (select 1 from {source} where {where} limit ?)"  # noqa: S608
            args = [*args, at_most]
        try:
            row = self.db.execute(sql, args).fetchone()
        except sqlite3.OperationalError as exc:
            raise IndexQueryError(f"search failed: {exc}") from exc
        return int(row[0])

    def _facet_size(self, word: str) -> int:
        """Records with a facet, counted up to a bound (enough to choose the smallest)."""
        row = self.db.execute(
            "select count(*) from (select 1 from facets where facet = ? limit ?)",
            (word, _FACET_PROBE),
        ).fetchone()
        return int(row[0])

    def explain(self, criteria: SearchCriteria) -> list[str]:
        """SQLite's query plan for a search (benchmarks and tests check it uses indexes)."""
        source, where, args, order = self._plan(criteria)
        sql = f"select r.seq from {source} where {where} order by {order}"  # noqa: S608
        return [str(r[3]) for r in self.db.execute(f"explain query plan {sql}", args)]

    def _plan(
        self, criteria: SearchCriteria, *, count: bool = False
    ) -> tuple[str, str, list[Any], str]:
        """The ``from`` clause, ``where`` clause, its arguments and ``order by``.

        In ``received`` order with a facet filter (request kind, escalation family,
        rule, category, language, attachment verdict, deadline status) the smallest
        given facet's range in the ``facets`` table drives the query, already in
        received order, so a page is a walk of one index range; the other facets are
        primary-key lookups in the same table, and the remaining filters are checked
        on the record's row. A ``count`` with only facets and dates never reads the
        records table. Without a facet, SQLite picks among the
        ``(mailbox|sender|domain, received)`` indexes.
        """
        facets = criteria.facets()
        if len(facets) > 1:
            facets.sort(key=self._facet_size)
        row_where: list[str] = []  # conditions on the record's row
        row_args: list[Any] = []
        if set(criteria.types) != ALL_ROW_TYPES:  # every row has one of these: no test
            row_where.append(f"r.type in ({','.join('?' * len(criteria.types))})")
            row_args += criteria.types
        if criteria.mailbox is not None:
            row_where.append("r.mailbox = ?")
            row_args.append(criteria.mailbox)
        if criteria.sender is not None:
            sender = criteria.sender.strip().lower()
            if sender.startswith("@"):  # a whole domain
                row_where.append("r.domain = ?")
                row_args.append(sender_domain(sender))
            else:
                row_where.append("r.sender = ?")
                row_args.append(sender)
        if criteria.account is not None:
            row_where.append("r.seq in (select seq from accounts where number = ?)")
            row_args.append(re.sub(r"\D", "", criteria.account))
        if criteria.text:
            row_where.append("r.seq in (select rowid from record_text where record_text match ?)")
            row_args.append(fts_query(criteria.text))

        desc = " desc" if criteria.newest_first else ""
        where: list[str] = []
        args: list[Any] = []
        source_args: list[Any] = []
        if criteria.order == "received" and facets and criteria.account is None:
            where.append("f0.facet = ?")
            args.append(facets.pop(0))
            # "cross join" keeps the facet range as the outer loop (it is the order); the
            # other facets are primary-key lookups joined to it (cheaper than "exists")
            source = "facets f0"
            for n, word in enumerate(facets, start=1):
                source += _FACET_JOIN.replace("{n}", str(n))
                source_args.append(word)
            facets = []
            if not (count and not row_where):
                source += " cross join records r on r.seq = f0.seq"
            key = "f0"
            order = f"f0.received{desc}, f0.seq{desc}"
        else:
            source = "records r"
            key = "r"
            order = (
                f"r.received{desc}, r.seq{desc}" if criteria.order == "received" else f"r.seq{desc}"
            )
        if criteria.received_from is not None:
            where.append(f"{key}.received >= ?")
            args.append(criteria.received_from)
        if criteria.received_to is not None:
            where.append(f"{key}.received < ?")
            args.append(criteria.received_to)
        for word in facets:
            where.append(_FACET_LOOKUP)
            args.append(word)
        if "records r" in source:
            where += row_where
            args += row_args
        args = source_args + args
        return source, " and ".join(where) or "1", args, order

    def text_matches(self, words: str) -> set[int]:
        """Positions of the records whose subject, text or attachment names hold ``words``."""
        try:
            rows = self.db.execute(
                "select rowid from record_text where record_text match ?", (fts_query(words),)
            )
            return {int(r[0]) for r in rows}
        except sqlite3.OperationalError as exc:
            raise IndexQueryError(f"search failed: {exc}") from exc

    def record(self, record_id: str) -> RecordRow | None:
        """The record with this id."""
        return self._one("record_id = ?", record_id)

    def record_at(self, seq: int) -> RecordRow | None:
        """The record whose entry is at ``seq``."""
        return self._one("seq = ?", seq)

    def _one(self, where: str, value: Any) -> RecordRow | None:
        row = self.db.execute(
            f"select {_RECORD_COLUMNS} from records where {where}",  # noqa: S608
            (value,),
        ).fetchone()
        return None if row is None else _row(row)

    def _many(self, where: str, value: Any) -> list[RecordRow]:
        rows = self.db.execute(
            f"select {_RECORD_COLUMNS} from records where {where} order by seq",  # noqa: S608
            (value,),
        )
        return [_row(r) for r in rows]

    def resolve(self, ref: str) -> list[RecordRow]:
        """Records a reference names: record id, raw SHA-256, ledger position or Message-ID.

        A Message-ID or raw hash may name several records (a message recorded from
        two folders, a reused Message-ID); a position names the record entry
        there, or the records an entry at that position concerns.
        """
        text = ref.strip()
        if text.startswith("r-"):
            row = self.record(text)
            return [row] if row else []
        if re.fullmatch(r"[0-9a-fA-F]{64}", text):
            return self._many("raw_sha256 = ?", text.lower())
        if text.isdigit():
            seq = int(text)
            row = self.record_at(seq)
            if row is not None:
                return [row]
            rids = [
                r[0] for r in self.db.execute("select record_id from links where seq = ?", (seq,))
            ]
            return [r for rid in sorted(rids) if (r := self.record(rid)) is not None]
        return self._many("message_id = ?", normalize_message_id(text))

    def links(self, record_id: str) -> list[EntryLink]:
        """Every entry that concerns ``record_id`` (its own record entry included), in order."""
        rows = self.db.execute(
            "select record_id, seq, type from links where record_id = ? order by seq", (record_id,)
        )
        return [EntryLink(str(r[0]), int(r[1]), str(r[2])) for r in rows]

    def counts(self) -> dict[str, int]:
        """Entries, records and links indexed."""
        return {
            "entries": self.size,
            "records": int(self.db.execute("select count(*) from records").fetchone()[0]),
            "links": int(self.db.execute("select count(*) from links").fetchone()[0]),
        }


def fts_query(words: str) -> str:
    """An FTS5 query matching every word given (each quoted, so no FTS syntax leaks in).

    A trailing ``*`` on a word keeps its meaning as a prefix search.
    """
    terms = []
    for word in words.split():
        prefix = word.endswith("*")
        core = word.rstrip("*").replace('"', '""')
        if core:
            terms.append(f'"{core}"' + ("*" if prefix else ""))
    if not terms:
        raise SearchTextError(f"the search text {words!r} has no word to look for")
    return " ".join(terms)
