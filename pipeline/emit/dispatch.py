"""The outbox dispatcher: deliver events derived from the ledger to every sink.

Progress lives in the ledger itself. After a sink accepts a chunk of events the
dispatcher appends one ``event.delivered`` entry::

    {"sink": name, "from_seq": int, "through_seq": int,
     "events": [{"id", "type", "record_id", "entry_seq"}]}

meaning "every event derived from entries ``from_seq..through_seq`` that this
sink accepts has been delivered to it". A worker without local disk (an ECS
task) finds where a sink stands by scanning back from the tail for that sink's
newest ``event.delivered`` entry.

Guarantees:

* At least once: the progress entry is appended only after ``deliver`` returned,
  so a crash in between re-delivers that chunk (same event ids) next time.
* Never skips: a sink's progress only moves to the end of a chunk it accepted;
  a sink that keeps failing stays where it is and is reported.
* Sinks are independent: a failing sink is retried with exponential backoff up to
  ``max_attempts`` and then left for the next run; the other sinks still deliver.
* No feedback loop: ``event.delivered`` entries derive no events.

Cost per ``dispatch()`` for one sink: the backward scan reads the entries after
the sink's newest progress entry, O(k) with k = entries appended since then, and
the forward pass reads the entries after ``through_seq`` (also ~k). To keep k
bounded for sinks that filter out most event types (and so rarely append
progress), an empty progress entry is appended once ``idle_checkpoint`` entries
have gone by without an event for that sink. No local cache is needed for this
bound, and none is trusted: the ledger is the only source of progress.
Two workers dispatching the same sink at once may both deliver a chunk
(duplicates, never gaps); run one dispatcher per sink to avoid the waste.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import structlog

from pipeline.emit.cloudevent import CloudEvent
from pipeline.emit.derive import events_for_entry
from pipeline.emit.sinks import Sink
from pipeline.entries import decode_as, draft, names
from pipeline.entries.models import DeliveredEvent, EventDelivered
from pipeline.errors import MailledgerError
from pipeline.ledger.protocols import LedgerReader, LedgerWriter

log = structlog.get_logger(__name__)

EVENT_DELIVERED = names.EVENT_DELIVERED
NOTHING = -1
"""``through_seq`` of a sink that has never delivered anything."""


class Ledger(LedgerReader, LedgerWriter, Protocol):
    """A ledger the dispatcher can both read and append progress to."""


@dataclass(frozen=True)
class SinkReport:
    """What one ``dispatch()`` did for one sink."""

    sink: str
    delivered: int
    """Events accepted by the sink in this run (re-deliveries included)."""
    through_seq: int
    """The sink's recorded progress after this run (``-1``: none yet)."""
    chunks: int = 0
    attempts: int = 0
    errors: tuple[str, ...] = ()
    failed: bool = False
    """True when the sink gave up this run with events still pending."""


@dataclass(frozen=True)
class DispatchReport:
    """Per-sink outcome of one ``dispatch()``."""

    sinks: tuple[SinkReport, ...] = field(default_factory=tuple)

    def __getitem__(self, name: str) -> SinkReport:
        """The report of the sink called ``name``."""
        for report in self.sinks:
            if report.sink == name:
                return report
        raise KeyError(name)

    @property
    def ok(self) -> bool:
        """True when no sink failed."""
        return not any(report.failed for report in self.sinks)

    @property
    def delivered(self) -> int:
        """Events delivered across all sinks."""
        return sum(report.delivered for report in self.sinks)


@dataclass
class _SinkRun:
    """Mutable bookkeeping for one sink during one dispatch."""

    sink: Sink
    through_seq: int
    delivered: int = 0
    chunks: int = 0
    attempts: int = 0
    errors: list[str] = field(default_factory=list)
    failed: bool = False

    def report(self) -> SinkReport:
        return SinkReport(
            sink=self.sink.name,
            delivered=self.delivered,
            through_seq=self.through_seq,
            chunks=self.chunks,
            attempts=self.attempts,
            errors=tuple(self.errors),
            failed=self.failed,
        )


class Dispatcher:
    """Delivers the ledger's events to each sink and records progress in the ledger."""

    def __init__(
        self,
        ledger: Ledger,
        sinks: Sequence[Sink],
        source: str,
        actor: str,
        *,
        chunk_size: int = 100,
        max_attempts: int = 5,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        idle_checkpoint: int = 10_000,
        scan_window: int = 256,
    ) -> None:
        names = [sink.name for sink in sinks]
        if len(set(names)) != len(names):
            raise ValueError(f"sink names must be unique: {names}")
        if chunk_size < 1 or max_attempts < 1 or idle_checkpoint < 1 or scan_window < 1:
            raise ValueError(
                "chunk_size, max_attempts, idle_checkpoint and scan_window must be >= 1"
            )
        self.ledger = ledger
        self.sinks = tuple(sinks)
        self.source = source
        self.actor = actor
        self.chunk_size = chunk_size
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.sleep = sleep
        self.idle_checkpoint = idle_checkpoint
        self.scan_window = scan_window

    # -- progress --------------------------------------------------------------

    def progress(self, sink_name: str) -> int:
        """``through_seq`` of the sink's newest ``event.delivered`` entry, or ``-1``.

        Scans back from the tail in windows of ``scan_window`` entries.
        """
        hi = self.ledger.size()
        while hi > 0:
            lo = max(0, hi - self.scan_window)
            for entry in reversed(list(self.ledger.entries(lo, hi))):
                if entry.type == EVENT_DELIVERED:
                    # a malformed progress entry raises EntryFormatError naming it: it
                    # cannot be trusted to skip anything, nor silently passed over
                    body = decode_as(entry, EventDelivered).body
                    if body.sink == sink_name:
                        return body.through_seq
            hi = lo
        return NOTHING

    # -- delivery --------------------------------------------------------------

    def dispatch(self) -> DispatchReport:
        """Deliver everything pending to every sink; one sink's failure does not stop others."""
        reports = []
        for sink in self.sinks:
            run = _SinkRun(sink=sink, through_seq=self.progress(sink.name))
            self._dispatch_sink(run)
            reports.append(run.report())
        return DispatchReport(sinks=tuple(reports))

    def _dispatch_sink(self, run: _SinkRun) -> None:
        sink = run.sink
        start = run.through_seq + 1
        stop = self.ledger.size()
        pending: list[CloudEvent] = []
        chunk_from = start
        last_seq = run.through_seq
        for entry in self.ledger.entries(start, stop):
            wanted = [e for e in events_for_entry(entry, self.source) if sink.accepts(e.type)]
            # Entries are never split across chunks: a chunk's through_seq must
            # mean "all of this entry's events are delivered".
            if wanted and pending and len(pending) + len(wanted) > self.chunk_size:
                if not self._flush(run, pending, chunk_from, last_seq):
                    return
                pending, chunk_from = [], entry.seq
            pending.extend(wanted)
            last_seq = entry.seq
        if pending:
            self._flush(run, pending, chunk_from, last_seq)
        elif last_seq - run.through_seq >= self.idle_checkpoint:
            # Nothing for this sink in a long stretch: record that, so the next
            # backward scan stops here instead of walking the whole stretch again.
            self._record(run, [], chunk_from, last_seq)

    def _flush(self, run: _SinkRun, events: list[CloudEvent], from_seq: int, through: int) -> bool:
        """Deliver one chunk with retries, then record it. False when the sink gave up."""
        bound = log.bind(sink=run.sink.name, from_seq=from_seq, through_seq=through)
        for attempt in range(1, self.max_attempts + 1):
            run.attempts += 1
            try:
                run.sink.deliver(events)
            except Exception as exc:  # noqa: BLE001 - a bug in one sink must not stop the others
                message = str(exc) if isinstance(exc, MailledgerError) else repr(exc)
                run.errors.append(message)
                bound.warning("delivery failed", attempt=attempt, error=message)
                if attempt == self.max_attempts:
                    run.failed = True
                    bound.error("sink gave up; will resume here next run", attempts=attempt)
                    return False
                self.sleep(min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1)))
            else:
                break
        return self._record(run, events, from_seq, through)

    def _record(self, run: _SinkRun, events: list[CloudEvent], from_seq: int, through: int) -> bool:
        body = EventDelivered(
            sink=run.sink.name,
            from_seq=from_seq,
            through_seq=through,
            events=tuple(
                DeliveredEvent(id=e.id, type=e.type, record_id=e.record_id, entry_seq=e.entry_seq)
                for e in events
            ),
        )
        try:
            committed = self.ledger.append([draft(body, self.actor)])
        except MailledgerError as exc:
            # Delivered but not recorded: the next run re-delivers this chunk.
            run.errors.append(f"sink {run.sink.name!r}: delivered but progress not recorded: {exc}")
            run.failed = True
            log.error(
                "progress not recorded", sink=run.sink.name, through_seq=through, error=str(exc)
            )
            return False
        run.delivered += len(events)
        run.chunks += 1
        run.through_seq = through
        log.info(
            "events delivered",
            sink=run.sink.name,
            from_seq=from_seq,
            through_seq=through,
            events=len(events),
            seq=committed[0].seq if committed else None,
        )
        return True
