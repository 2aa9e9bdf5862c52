"""Stage 2: sealed messages become records (parse, attachment checks, classification).

A sealed message's raw bytes and identity are already in the ledger; this stage
hands the seal to the worker pool, whose workers read the raw bytes back by key (or
take them from the sealer in the same process), assemble the record and store its
parts durably; this process then appends the record entry naming the seal.
Assembly is idempotent: the record is appended only if no record for that seal is
in the ledger at the moment of the append, so two workers assembling the same seal
record it once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import structlog

from pipeline.entries import TypedEntry, decode_as
from pipeline.entries.models import MessageSealed
from pipeline.ledger.entry import parse_time
from pipeline.record.identities import IdentityIndex
from pipeline.record.recorder import BatchOutcome, Recorder
from pipeline.record.source import MessageSource
from pipeline.worker.assembly_pool import AssemblyPool, Item, PendingAssembly

log = structlog.get_logger(__name__)

BATCH = 200
"""Sealed messages assembled per appended batch when catching up from the ledger."""


@dataclass
class AssemblyReport:
    """Counts of one assembly run."""

    assembled: int = 0
    already_assembled: int = 0
    attachments_accepted: int = 0
    attachments_rejected: int = 0

    def add(self, outcome: BatchOutcome) -> None:
        """Count one committed batch."""
        self.assembled += len(outcome.committed)
        self.already_assembled += len(outcome.already_recorded)
        for record, _entry in outcome.committed:
            self.attachments_accepted += record.accepted
            self.attachments_rejected += record.rejected

    def merge(self, other: AssemblyReport) -> None:
        """Add the counts of another run."""
        self.assembled += other.assembled
        self.already_assembled += other.already_assembled
        self.attachments_accepted += other.attachments_accepted
        self.attachments_rejected += other.attachments_rejected


def source_of(seal: MessageSealed) -> MessageSource:
    """The message source a seal recorded, as assembly takes it."""
    source = seal.source
    return MessageSource(
        kind=source.kind,
        mailbox=source.mailbox,
        folder=source.folder,
        uidvalidity=source.uidvalidity,
        uid=source.uid,
        internaldate=parse_time(source.internaldate) if source.internaldate else None,
        direction=source.direction,
        path=source.path,
    )


class Assembler:
    """Assembles sealed messages in a worker pool and records them exactly once."""

    def __init__(self, recorder: Recorder, identities: IdentityIndex, pool: AssemblyPool) -> None:
        self.recorder = recorder
        self.identities = identities
        self.pool = pool

    def start(self, items: Sequence[Item]) -> PendingAssembly:
        """Hand ``items`` to the workers; returns at once."""
        return self.pool.submit(items)

    def finish(self, pending: PendingAssembly) -> BatchOutcome:
        """Wait for the records (their parts stored), then append those not yet in the ledger."""
        if not pending.items:
            # Nothing to record: no durable batch and no append attempt (which would
            # re-read the log's head from storage for nothing).
            return BatchOutcome([], [])
        # The parts are stored durably when the records come back (by the worker
        # processes, or inline here), so the entries may refer to them.
        return self.recorder.append(self.pool.results(pending, self.recorder.store))

    def items_for(self, seqs: Iterable[int]) -> list[Item]:
        """The sealed messages at ``seqs`` that have no record yet, named by the raw object
        their seals record (whoever assembles them reads the bytes)."""
        self.identities.sync(self.recorder.ledger)
        wanted = sorted(set(seqs))
        if not wanted:
            return []
        items = []
        for seal in self._seals(wanted):
            if self.identities.is_assembled(seal.body.record_id):
                continue
            source = source_of(seal.body)
            # Clocks run from receipt: INTERNALDATE, or the seal when the server gave none.
            received = source.internaldate or seal.moment
            raw = seal.body.raw
            items.append(Item(source, received, seal.seq, raw.sha256, raw.size, raw.key))
        return items

    def _seals(self, seqs: list[int]) -> Iterator[TypedEntry[MessageSealed]]:
        want = set(seqs)
        for entry in self.recorder.ledger.entries(seqs[0], seqs[-1] + 1):
            if entry.seq in want:
                yield decode_as(entry, MessageSealed)

    def assemble(self, seqs: Iterable[int]) -> AssemblyReport:
        """Assemble and record the sealed messages at ``seqs`` (those not yet recorded)."""
        report = AssemblyReport()
        items = self.items_for(seqs)
        if items:
            report.add(self.finish(self.start(items)))
        return report

    def assemble_pending(
        self,
        should_stop: Callable[[], bool] = lambda: False,
        in_hand: Callable[[int], bool] = lambda _seq: False,
    ) -> AssemblyReport:
        """Assemble every sealed message the ledger holds without a record, oldest first,
        except those ``in_hand`` says someone else is assembling already.

        One batch is read back while the previous one is assembled.
        """
        report = AssemblyReport()
        self.identities.sync(self.recorder.ledger)
        after = -1
        pending: PendingAssembly | None = None
        while not should_stop():
            seqs = self.identities.unassembled(BATCH, after)
            if not seqs:
                break
            after = seqs[-1]
            started = self.start(self.items_for(s for s in seqs if not in_hand(s)))
            if pending is not None:
                report.add(self.finish(pending))
            pending = started
        if pending is not None:
            report.add(self.finish(pending))
        if report.assembled or report.already_assembled:
            log.info(
                "assembly.caught_up",
                assembled=report.assembled,
                already_assembled=report.already_assembled,
            )
        return report
