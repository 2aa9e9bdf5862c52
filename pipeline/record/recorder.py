"""Seals received messages, then records their assembled records, each exactly once.

Two stages, two entries per message. Sealing stores the raw bytes durably and
appends one small ``message.sealed`` entry per message (no parsing): exactly-once
identity is decided there. Assembly later stores bodies and attachments, and only
then appends the record entry that names its seal. A crash anywhere leaves at most
stored objects without an entry, or a seal without its record; the rerun stores
again (an idempotent no-op) and appends. Both duplicate checks run inside the
append attempt, against the log as it is at that moment, so overlapping workers
never seal a message twice nor record it twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

import structlog

from pipeline.entries import draft
from pipeline.entries.models import MessageSealed, ObjectRef, Source
from pipeline.hashing import sha256_hex
from pipeline.ledger.entry import EntryDraft, LedgerEntry
from pipeline.ledger.log import Ledger
from pipeline.record.assemble import AssembledRecord, raw_key
from pipeline.record.identities import IdentityIndex
from pipeline.record.source import MessageSource
from pipeline.storage.base import ObjectStore

log = structlog.get_logger(__name__)

_Item = TypeVar("_Item")


@dataclass(frozen=True)
class Received:
    """A message as fetched: its bytes, where they came from, and when they arrived."""

    raw: bytes = field(repr=False)
    source: MessageSource
    received_at: datetime | None
    raw_sha256: str

    @classmethod
    def of(cls, raw: bytes, source: MessageSource, received_at: datetime | None) -> Received:
        """Hash ``raw`` once, here, for the store, the seal and the record id."""
        return cls(raw, source, received_at, sha256_hex(raw))

    @property
    def record_id(self) -> str:
        """The id of the record this message becomes."""
        return self.source.record_id(self.raw_sha256)


@dataclass(frozen=True)
class SealOutcome:
    """What one seal did: messages sealed now (with their entries), and those held already."""

    sealed: list[tuple[Received, LedgerEntry]]
    already_sealed: list[Received]


@dataclass(frozen=True)
class BatchOutcome:
    """What one batch did: entries committed, and records another run already had."""

    committed: list[tuple[AssembledRecord, LedgerEntry]]
    already_recorded: list[AssembledRecord]


class Recorder:
    """Writes records for one worker."""

    def __init__(
        self,
        store: ObjectStore,
        ledger: Ledger,
        identities: IdentityIndex,
        actor: str,
    ) -> None:
        self.store = store
        self.ledger = ledger
        self.identities = identities
        self.actor = actor
        self._pool = ThreadPoolExecutor(
            max_workers=store.write_concurrency, thread_name_prefix="store"
        )

    def store_raws(self, messages: Sequence[Received]) -> None:
        """Store raw message bytes: the first thing that happens to every message.

        Every message is stored when this returns; the first failure is raised after
        all writes were attempted, so one bad write cannot leave others unattempted.
        """

        def put(message: Received) -> None:
            self.store.put(raw_key(message.raw_sha256), message.raw)

        futures = [self._pool.submit(put, message) for message in messages]
        wait(futures)
        for future in futures:
            future.result()

    def seal(self, messages: Sequence[Received]) -> SealOutcome:
        """Store the raw bytes durably, then append a ``message.sealed`` entry for each
        message the ledger does not hold yet (one batch, so one signed checkpoint)."""
        with self.store.durable_batch():
            self.store_raws(messages)

        def seal_draft(message: Received) -> EntryDraft:
            body = MessageSealed(
                record_id=message.record_id,
                source=Source.model_validate(message.source.to_json()),
                raw=ObjectRef(
                    sha256=message.raw_sha256,
                    size=len(message.raw),
                    key=raw_key(message.raw_sha256),
                ),
            )
            return draft(body, self.actor)

        sealed, skipped = self._append_new(
            messages,
            lambda m: m.record_id,
            lambda m: self.identities.is_recorded(m.source, m.raw_sha256),
            seal_draft,
        )
        for message in skipped:
            self.identities.note_renumbered(message.source, message.raw_sha256)
        for message, entry in sealed:
            log.info(
                "message.sealed",
                record_id=message.record_id,
                seq=entry.seq,
                mailbox=message.source.mailbox,
                uid=message.source.uid,
            )
        return SealOutcome(sealed, skipped)

    def _append_new(
        self,
        items: Sequence[_Item],
        record_id: Callable[[_Item], str],
        held: Callable[[_Item], bool],
        make_draft: Callable[[_Item], EntryDraft],
    ) -> tuple[list[tuple[_Item, LedgerEntry]], list[_Item]]:
        """Append one entry for each item the ledger does not hold yet; returns the items
        appended (with their entries) and those skipped.

        The check runs inside the append attempt, against the identity cache synced to the
        log as it is at that attempt, so overlapping workers never append an item twice.
        """
        skipped: list[_Item] = []
        chosen: list[_Item] = []

        def build(ledger: Ledger) -> list[EntryDraft]:
            self.identities.sync(ledger)
            skipped.clear()
            chosen.clear()
            seen: set[str] = set()
            for item in items:
                key = record_id(item)
                if key in seen or held(item):
                    skipped.append(item)
                    continue
                seen.add(key)
                chosen.append(item)
            return [make_draft(item) for item in chosen]

        result = self.ledger.append_with(build)
        self.identities.add(result.entries)
        return list(zip(chosen, result.entries, strict=True)), list(skipped)

    def append(self, records: Sequence[AssembledRecord]) -> BatchOutcome:
        """Append entries for the records not yet in the ledger; their parts must be stored.

        A record is appended once per seal: a second worker assembling the same sealed
        message finds the first one's record here and drops its own.
        """
        committed, skipped = self._append_new(
            records,
            lambda r: r.record_id,
            lambda r: self.identities.is_assembled(r.record_id),
            lambda r: EntryDraft(r.entry_type, r.body, self.actor, body_json=r.body_json),
        )
        for record, entry in committed:
            log.info(
                "record.committed",
                record_id=record.record_id,
                seq=entry.seq,
                mailbox=record.source.mailbox,
                uid=record.source.uid,
                attachments_rejected=record.rejected,
            )
        return BatchOutcome(committed, skipped)

    def close(self) -> None:
        """Stop the I/O threads."""
        self._pool.shutdown(wait=True)
