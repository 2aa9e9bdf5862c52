"""Stores a batch of assembled records and appends their entries, exactly once.

Order matters for "nothing lost": the raw bytes are stored first (by the
caller, before parsing starts), then bodies and attachments, and only then the
ledger entry that references them. A crash anywhere leaves at most stored
objects without an entry; the rerun stores them again (an idempotent no-op)
and appends. The duplicate check runs inside the append attempt, against the
log as it is at that moment, so overlapping workers never record a message twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass

import structlog

from pipeline.hashing import sha256_hex
from pipeline.ledger.entry import EntryDraft, LedgerEntry
from pipeline.ledger.log import Ledger
from pipeline.record.assemble import AssembledRecord, raw_key
from pipeline.record.identities import IdentityIndex
from pipeline.storage.base import ObjectStore

log = structlog.get_logger(__name__)


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

    def store_raws(self, raws: Sequence[bytes]) -> None:
        """Store raw message bytes: the first thing that happens to every message.

        Every message is stored when this returns; the first failure is raised after
        all writes were attempted, so one bad write cannot leave others unattempted.
        """

        def put(raw: bytes) -> None:
            self.store.put(raw_key(sha256_hex(raw)), raw)

        futures = [self._pool.submit(put, raw) for raw in raws]
        wait(futures)
        for future in futures:
            future.result()

    def store_parts(self, records: Sequence[AssembledRecord]) -> None:
        """Store bodies and attachments of ``records`` (content-addressed, idempotent)."""
        blobs = {blob.key: blob for record in records for blob in record.blobs}
        # Object writes are independent; on S3 they are latency-bound, so overlap them.
        list(self._pool.map(lambda b: self.store.put(b.key, b.data), blobs.values()))

    def record(self, records: Sequence[AssembledRecord]) -> BatchOutcome:
        """Store each record's parts durably, then append entries for those not yet recorded."""
        with self.store.durable_batch():
            self.store_parts(records)
        return self.append(records)

    def append(self, records: Sequence[AssembledRecord]) -> BatchOutcome:
        """Append entries for the records not yet in the ledger; their parts must be stored."""
        skipped: list[AssembledRecord] = []
        chosen: list[AssembledRecord] = []

        def build(ledger: Ledger) -> list[EntryDraft]:
            self.identities.sync(ledger)
            skipped.clear()
            chosen.clear()
            drafts = []
            seen: set[str] = set()
            for record in records:
                if record.record_id in seen or self.identities.is_recorded(
                    record.source, record.raw_sha256
                ):
                    skipped.append(record)
                    continue
                seen.add(record.record_id)
                chosen.append(record)
                draft = EntryDraft(
                    record.entry_type, record.body, self.actor, body_json=record.body_json
                )
                drafts.append(draft)
            return drafts

        result = self.ledger.append_with(build)
        self.identities.add(result.entries)
        for record in skipped:
            # Recognised by content under an older UIDVALIDITY (a redundant row, harmless,
            # when it was recorded under its own UID).
            self.identities.note_renumbered(record.source, record.raw_sha256)
        committed = list(zip(chosen, result.entries, strict=True))
        for record, entry in committed:
            log.info(
                "record.committed",
                record_id=record.record_id,
                seq=entry.seq,
                mailbox=record.source.mailbox,
                uid=record.source.uid,
                attachments_rejected=record.rejected,
            )
        return BatchOutcome(committed, list(skipped))

    def close(self) -> None:
        """Stop the I/O threads."""
        self._pool.shutdown(wait=True)
