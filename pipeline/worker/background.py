"""Assembly right behind sealing, on a thread of its own (``mailledger run``).

The sealer hands each sealed batch (raw bytes already in memory) to this thread and
goes back to IMAP at once, so a message that arrives while earlier mail is being
parsed and classified is sealed on the next IDLE wake-up instead of after the whole
batch's assembly. The thread assembles, appends the records, then calls
``after_commit`` (the run command delivers events there), so APPEND -> event is
seal + assembly + dispatch of that batch, not of the cycle.

The thread writes through its own ledger, recorder and identity-cache connection
(the ``open_background`` builder gives it a runtime of its own): the two threads
append to the log as two writers would, and neither shares an object that is not
thread-safe. Assembly is idempotent (a record is appended once per seal), so a
crash anywhere loses nothing: the seals are in the ledger, and the catch-up the
sealer asks for after every cycle (:meth:`catch_up`) assembles every seal left
without a record, resuming from the identity cache.

The hand-off queue is bounded: when assembly falls behind by ``max_messages``
messages the sealer waits. Raw bytes wait with their batch only up to ``max_bytes``
in all (large messages always wait by key when worker processes assemble); a batch
queued beyond that waits by key, and whoever assembles it reads its bytes back from
the store, checked against the seal. So a backlog (a backfill under ``run``) holds
at most ``max_bytes`` of mail, not every waiting message's bytes.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import structlog

from pipeline.errors import IngestError, MailledgerError
from pipeline.worker.assembler import BATCH, Assembler, AssemblyReport
from pipeline.worker.assembly_pool import Item
from pipeline.worker.metrics import IngestMetrics

log = structlog.get_logger(__name__)

MAX_MESSAGES = 1000
"""Sealed messages that may wait for assembly before the sealer waits in turn."""
MAX_BYTES = 8 * 1024 * 1024
"""Raw bytes that may wait for assembly in memory, about one default batch of ordinary
mail, as ``poll`` holds (a batch keeps its bytes when none waits); batches beyond it
wait by key. Before, 1,000 waiting messages held 22.7 MiB at 2,000 in a backfill."""


@dataclass(frozen=True)
class _Batch:
    items: Sequence[Item]


@dataclass(frozen=True)
class _CatchUp:
    pass


@dataclass(frozen=True)
class _Close:
    pass


_Job = _Batch | _CatchUp | _Close


class BackgroundAssembly:
    """A thread that assembles sealed batches as the sealer hands them over."""

    def __init__(
        self,
        assembler: Assembler,
        *,
        after_commit: Callable[[AssemblyReport], None] = lambda _report: None,
        max_messages: int = MAX_MESSAGES,
        max_bytes: int = MAX_BYTES,
        metrics: IngestMetrics | None = None,
    ) -> None:
        self.assembler = assembler
        self.after_commit = after_commit
        self.metrics = metrics
        self._jobs: queue.Queue[_Job] = queue.Queue()
        self._held: list[_Job] = []  # taken from the queue, not yet run
        self._caught_up = False
        # Messages (and their bytes) queued or in hand; the sealer waits while over budget.
        self._budget = threading.Condition()
        self._waiting = (0, 0)
        # Seal positions handed over and not yet done: a catch-up leaves them to their
        # batch instead of assembling them a second time.
        self._in_hand: set[int] = set()
        self._limits = (max_messages, max_bytes)
        self._abort = threading.Event()
        self._catch_up_queued = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="assembly", daemon=True)
        self._closed = False
        self.report = AssemblyReport()

    def start(self) -> BackgroundAssembly:
        """Start the thread; returns self."""
        self._thread.start()
        return self

    def submit(self, items: Sequence[Item]) -> None:
        """Queue a sealed batch; waits while ``max_messages`` messages wait for assembly
        already (one batch is always let in). The batch keeps its raw bytes only while
        those waiting stay within ``max_bytes``; otherwise it waits by key."""
        self.check()
        if not items:
            return
        # Large messages wait by key when worker processes will read them anyway.
        items = self.assembler.pool.hand_over(items)
        with self._budget:
            while self._over(len(items)):
                self._budget.wait(0.1)
                self.check()
                if not self._thread.is_alive():
                    raise IngestError("the assembly thread has stopped; sealed mail waits for it")
            waiting, waiting_bytes = self._waiting
            held = sum(item.held_bytes for item in items)
            if waiting and waiting_bytes + held > self._limits[1]:
                # Behind a backlog: one read per message later costs less than holding
                # every waiting message's bytes now.
                items = [item.by_key() for item in items]
                held = 0
            self._waiting = (waiting + len(items), waiting_bytes + held)
            self._in_hand.update(i.sealed_seq for i in items if i.sealed_seq is not None)
        self._jobs.put(_Batch(items))

    def _over(self, count: int) -> bool:
        waiting = self._waiting[0]
        return waiting > 0 and waiting + count > self._limits[0]

    def _done(self, items: Sequence[Item]) -> None:
        with self._budget:
            self._waiting = (
                self._waiting[0] - len(items),
                self._waiting[1] - sum(item.held_bytes for item in items),
            )
            self._in_hand.difference_update(i.sealed_seq for i in items)
            self._budget.notify_all()

    def _is_in_hand(self, seq: int) -> bool:
        with self._budget:
            return seq in self._in_hand

    def catch_up(self) -> None:
        """Ask for every seal without a record to be assembled (returns at once)."""
        self.check()
        # One request waiting is enough: a catch-up assembles every seal without a record.
        if not self._catch_up_queued.is_set():
            self._catch_up_queued.set()
            self._jobs.put(_CatchUp())

    def check(self) -> None:
        """Raise, in the caller's thread, what stopped the assembly thread."""
        if self._failure is not None:
            raise IngestError(
                f"the assembly thread failed: {self._failure}; the sealed messages wait"
                " for the next start (or 'mailledger assemble')"
            ) from self._failure

    def close(self, *, drain: bool) -> None:
        """Stop the thread. With ``drain`` every queued batch is assembled first;
        without, the batch in hand is finished and the queued ones, sealed already,
        are left to the next start's catch-up (so SIGTERM stays quick)."""
        if self._closed:
            return
        self._closed = True
        if not drain:
            self._abort.set()
            while True:
                try:
                    self._jobs.get_nowait()
                except queue.Empty:
                    break
        self._jobs.put(_Close())
        self._thread.join()

    def _next(self) -> _Job:
        """The next job. Everything waiting is taken at once: batches first, joined up
        to the catch-up batch size (a backlog costs fewer appends and checkpoints), then
        one catch-up if any was asked for, then the close marker."""
        if not self._held:
            waiting = [self._jobs.get()]
            while True:
                try:
                    waiting.append(self._jobs.get_nowait())
                except queue.Empty:
                    break
            joined: list[list[Item]] = []
            for job in waiting:
                if isinstance(job, _Batch):
                    if not joined or len(joined[-1]) >= BATCH:
                        joined.append([])
                    joined[-1].extend(job.items)
            self._held = [_Batch(items) for items in joined]
            if any(isinstance(job, _CatchUp) for job in waiting):
                self._held.append(_CatchUp())
            if any(isinstance(job, _Close) for job in waiting):
                self._held.append(_Close())
        return self._held.pop(0)

    def _run(self) -> None:
        try:
            self.assembler.pool.warm()
        except MailledgerError as exc:  # the rules did not load: the first batch says so too
            log.error("assembly.warm_up_failed", error=str(exc))
        while True:
            job = self._next()
            if isinstance(job, _Close) or self._abort.is_set():
                return
            try:
                try:
                    report = self._do(job)
                finally:
                    if isinstance(job, _Batch):
                        self._done(job.items)
                # After the first catch-up even when it found nothing: events of records
                # committed before a restart are delivered then.
                if report.assembled or (isinstance(job, _CatchUp) and not self._caught_up):
                    self.after_commit(report)
                self._caught_up = self._caught_up or isinstance(job, _CatchUp)
            except MailledgerError as exc:
                # Reported, not raised: the seals are safe, and the catch-up after the
                # next cycle assembles what this batch did not.
                log.error("assembly.background_failed", error=str(exc))
            except BaseException as exc:  # a bug: stop, and let the sealer raise it
                log.exception("assembly.background_crashed")
                self._failure = exc
                return

    def _do(self, job: _Batch | _CatchUp) -> AssemblyReport:
        if isinstance(job, _CatchUp):
            self._catch_up_queued.clear()
            report = self.assembler.assemble_pending(self._abort.is_set, self._is_in_hand)
        else:
            report = AssemblyReport()
            outcome = self.assembler.finish(self.assembler.start(job.items))
            report.add(outcome)
            if self.metrics is not None:
                for record, _entry in outcome.committed:
                    labels = {"mailbox": record.source.mailbox}
                    self.metrics.recorded.labels(**labels).inc()
                    self.metrics.attachments.labels(verdict="accepted", **labels).inc(
                        record.accepted
                    )
                    self.metrics.attachments.labels(verdict="rejected", **labels).inc(
                        record.rejected
                    )
        self.report.merge(report)
        return report
