"""Which messages the ledger already holds: a SQLite cache derived from the ledger.

A message is held once it is sealed (``message.sealed``): that is where exactly-once
identity is decided. It is assembled once a record entry names its seal. Records
written before sealing existed count as both sealed and assembled.

The ledger is the only truth; this cache is built from it when missing or when its
table layout is older. When the log is shorter than the cache, or its first entry
differs, the cache is the only local sign of a cut or rewritten log: sync fails
loudly instead of rebuilding (``mailledger index --rebuild`` deletes the cache
after an investigation).
Syncing reads only entries after the last one seen, so a scheduled worker does
not re-read the whole log every run.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from pipeline.entries import decode_as, decode_record
from pipeline.entries.models import MessageSealed, Source
from pipeline.entries.names import MESSAGE_SEALED, RECORD_TYPES
from pipeline.errors import CacheAheadError, CacheError, EntryFormatError
from pipeline.ledger.entry import LedgerEntry
from pipeline.ledger.protocols import LedgerReader
from pipeline.record.source import MessageSource

IDENTITIES_FILE = "identities.sqlite"
"""File name of the identity cache inside ``config.state_dir``."""

# Bumped when the tables change: a cache of another layout is dropped and rebuilt.
_LAYOUT = "2"

_SCHEMA = """
create table if not exists meta (name text primary key, value text not null);
create table if not exists identities (
    record_id text primary key,
    kind text not null,
    mailbox text not null,
    folder text not null,
    uidvalidity integer,
    uid integer,
    raw_sha256 text not null,
    seq integer not null,          -- the seal (or, before sealing existed, the record)
    record_seq integer             -- the assembled record; null while only sealed
);
create index if not exists unassembled on identities (seq) where record_seq is null;
create unique index if not exists by_uid on identities (mailbox, folder, uidvalidity, uid)
    where uid is not null;
create index if not exists by_sha on identities (raw_sha256, mailbox, folder);
create table if not exists renumbered (
    mailbox text not null,
    folder text not null,
    uidvalidity integer not null,
    uid integer not null,
    raw_sha256 text not null,
    primary key (mailbox, folder, uidvalidity, uid)
);
"""


class IdentityIndex:
    """Answers "is this message recorded?" for exactly-once ingestion."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        # Made in one thread and handed to another (the run command's assembly thread),
        # never used by two at once: sqlite3's same-thread check would refuse the hand-off.
        self.db = sqlite3.connect(
            str(path) if path else ":memory:", timeout=60, check_same_thread=False
        )
        try:
            self.db.execute("pragma journal_mode=wal")
            self._check_layout()
        except sqlite3.Error as exc:
            self.db.close()
            raise self._failed(exc) from exc
        self._checked_first = False

    def _failed(self, exc: sqlite3.Error) -> CacheError:
        """The error naming this cache's file: a damaged one is safe to delete, since a
        missing cache is rebuilt from the ledger (a locked or unwritable one is not damage)."""
        where = self.path or "in memory"
        if isinstance(exc, sqlite3.OperationalError):
            return CacheError(f"the identity cache {where} cannot be used: {exc}")
        return CacheError(
            f"the identity cache {where} is damaged ({exc}); it is only a cache of the"
            " ledger: delete it (with its -wal and -shm files) and run the command again,"
            " which rebuilds it from the ledger"
        )

    def _check_layout(self) -> None:
        tables = {row[0] for row in self.db.execute("select name from sqlite_master")}
        if "meta" in tables and self._meta("layout") != _LAYOUT:
            # A cache written by an older mailledger: it is derived, so start again.
            self.db.executescript(
                "drop table if exists identities; drop table if exists renumbered;"
                " drop table if exists meta;"
            )
        self.db.executescript(_SCHEMA)
        with self.db:
            self._set_meta("layout", _LAYOUT)

    def _meta(self, name: str) -> str | None:
        row = self.db.execute("select value from meta where name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, name: str, value: str) -> None:
        self.db.execute(
            "insert into meta (name, value) values (?, ?)"
            " on conflict(name) do update set value = excluded.value",
            (name, value),
        )

    def sync(self, ledger: LedgerReader) -> int:
        """Read entries appended since the last sync; returns the ledger size."""
        try:
            return self._sync(ledger)
        except sqlite3.Error as exc:
            raise self._failed(exc) from exc

    def _sync(self, ledger: LedgerReader) -> int:
        size = ledger.size()
        seen = int(self._meta("next_seq") or 0)
        if seen > size:
            raise CacheAheadError("identity cache", seen, size)
        if seen and not self._same_log(ledger):
            raise CacheAheadError(
                "identity cache", seen, size, ", with a different entry at position 0"
            )
        if seen == size:
            return size
        with self.db:
            self._add(entry for entry in ledger.entries(seen, size))
            if seen == 0 and size:
                self._set_meta("first_hash", _first_hash(ledger) or "")
            self._set_meta("next_seq", str(size))
        return size

    def _same_log(self, ledger: LedgerReader) -> bool:
        # The first entry of a log never changes, so one check per process is enough
        # (and spares re-reading the first batch on every append).
        if not self._checked_first:
            self._checked_first = self._meta("first_hash") == _first_hash(ledger)
        return self._checked_first

    def add(self, entries: Iterable[LedgerEntry]) -> None:
        """Index seal and record entries (others are ignored), committed at once.

        Committed here, not at the next sync: an open write transaction would hold
        the cache's lock, and another writer sharing the cache (the run command's
        assembly thread, or an ``assemble`` beside a sealing poll) would wait on it.
        """
        with self.db:
            self._add(entries)

    def _add(self, entries: Iterable[LedgerEntry]) -> None:
        sealed = []
        assembled = []
        for entry in entries:
            if entry.type == MESSAGE_SEALED:
                seal = decode_as(entry, MessageSealed).body
                sealed.append(_row(seal.record_id, seal.source, seal.raw.sha256, entry.seq, None))
                continue
            if entry.type not in RECORD_TYPES:
                continue
            body = decode_record(entry).body
            if body.raw is None:
                raise EntryFormatError(
                    f"ledger entry {entry.seq} ({entry.type}): field raw: a record must name"
                    " its raw message"
                )
            if body.sealed is None:
                # Written before sealing existed: the record is its own seal.
                sealed.append(
                    _row(body.record_id, body.source, body.raw.sha256, entry.seq, entry.seq)
                )
            else:
                assembled.append((entry.seq, body.record_id))
        self.db.executemany(
            "insert or ignore into identities values (?, ?, ?, ?, ?, ?, ?, ?, ?)", sealed
        )
        self.db.executemany(
            "update identities set record_seq = ? where record_id = ? and record_seq is null",
            assembled,
        )

    def is_assembled(self, record_id: str) -> bool:
        """True when a record entry for this sealed message is in the ledger."""
        row = self.db.execute(
            "select 1 from identities where record_id = ? and record_seq is not null",
            (record_id,),
        ).fetchone()
        return row is not None

    def unassembled(self, limit: int, after: int = -1) -> list[int]:
        """Positions of ``message.sealed`` entries with no record yet, oldest first."""
        rows = self.db.execute(
            "select seq from identities where record_seq is null and seq > ? order by seq limit ?",
            (after, limit),
        )
        return [int(seq) for (seq,) in rows]

    def unassembled_count(self) -> int:
        """How many sealed messages wait for assembly."""
        row = self.db.execute("select count(*) from identities where record_seq is null").fetchone()
        return int(row[0])

    def is_recorded(self, source: MessageSource, raw_sha256: str) -> bool:
        """True when this message (by IMAP position, or by content after a UIDVALIDITY
        change or for imported files) is already in the ledger."""
        if source.kind == "import":
            row = self.db.execute(
                "select 1 from identities where raw_sha256 = ? limit 1", (raw_sha256,)
            ).fetchone()
            return row is not None
        row = self.db.execute(
            "select 1 from identities where mailbox = ? and folder = ? and uidvalidity = ?"
            " and uid = ?",
            (source.mailbox, source.folder, source.uidvalidity, source.uid),
        ).fetchone()
        if row is not None:
            return True
        # Same bytes recorded from this folder under an older UIDVALIDITY: the server
        # renumbered the folder, the message is not new.
        row = self.db.execute(
            "select 1 from identities where raw_sha256 = ? and mailbox = ? and folder = ?"
            " and uidvalidity is not ? limit 1",
            (raw_sha256, source.mailbox, source.folder, source.uidvalidity),
        ).fetchone()
        return row is not None

    def note_renumbered(self, source: MessageSource, raw_sha256: str) -> None:
        """Remember that an IMAP position holds bytes the ledger has under an older
        UIDVALIDITY, so later polls do not fetch the renumbered folder again."""
        if source.kind != "imap" or source.uid is None or source.uidvalidity is None:
            return
        with self.db:
            self.db.execute(
                "insert or ignore into renumbered values (?, ?, ?, ?, ?)",
                (source.mailbox, source.folder, source.uidvalidity, source.uid, raw_sha256),
            )

    def recorded_uids(self, mailbox: str, folder: str, uidvalidity: int) -> set[int]:
        """UIDs recorded for one folder under one UIDVALIDITY (including those recognised
        by content after a UIDVALIDITY change)."""
        rows = self.db.execute(
            "select uid from identities where mailbox = ? and folder = ? and uidvalidity = ?"
            " union select uid from renumbered where mailbox = ? and folder = ?"
            " and uidvalidity = ?",
            (mailbox, folder, uidvalidity, mailbox, folder, uidvalidity),
        )
        return {int(uid) for (uid,) in rows}

    def recorded_shas(self, mailbox: str, folder: str) -> set[str]:
        """Raw hashes recorded from one folder under any UIDVALIDITY."""
        rows = self.db.execute(
            "select raw_sha256 from identities where mailbox = ? and folder = ?",
            (mailbox, folder),
        )
        return {str(sha) for (sha,) in rows}

    def close(self) -> None:
        """Close the database."""
        self.db.close()


def _row(
    record_id: str, source: Source, raw_sha256: str, seq: int, record_seq: int | None
) -> tuple[str, str, str, str, int | None, int | None, str, int, int | None]:
    return (
        record_id,
        source.kind,
        source.mailbox,
        source.folder,
        source.uidvalidity,
        source.uid,
        raw_sha256,
        seq,
        record_seq,
    )


def _first_hash(ledger: LedgerReader) -> str | None:
    for entry in ledger.entries(0, 1):
        return entry.entry_hash
    return None
