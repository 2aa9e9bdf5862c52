"""One poll cycle: fetch -> seal -> flag/move -> assemble -> record -> reconcile.

Sealing (stage 1) stores each batch's raw bytes and appends one ``message.sealed``
entry per message; assembly (stage 2) runs right behind it in the worker pool,
or, when an assembly queue is configured, on other machines that the sealer
tells about each sealed batch.

Per folder, the UIDs on the server that the ledger does not hold under the
folder's current UIDVALIDITY are fetched in batches bounded by count and bytes.
After a UIDVALIDITY change every message is fetched again and recognised by
its raw SHA-256, so a renumbered folder creates no duplicates.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import structlog
from tqdm import tqdm

from pipeline.config import Config, MailboxConfig
from pipeline.entries import draft
from pipeline.entries.models import MailboxReconciled
from pipeline.errors import LeaseHeldError, MailboxError, MailledgerError
from pipeline.fetch.files import FileMessage
from pipeline.fetch.imap import FetchedMessage, ImapSession
from pipeline.hashing import sha256_hex
from pipeline.record.identities import IdentityIndex
from pipeline.record.recorder import BatchOutcome, Received, Recorder, SealOutcome
from pipeline.record.source import MessageSource
from pipeline.worker.assembler import Assembler, AssemblyReport
from pipeline.worker.assembly_pool import Item, PendingAssembly
from pipeline.worker.assembly_queue import AssemblyQueue
from pipeline.worker.background import BackgroundAssembly
from pipeline.worker.lease import MailboxLease
from pipeline.worker.metrics import IngestMetrics
from pipeline.worker.reports import FolderReport, MailboxReport
from pipeline.worker.sessions import SessionFactory, SessionPool
from pipeline.worker.stop import StopFlag

log = structlog.get_logger(__name__)
_GAPS_LISTED = 100
SIZES_PER_REQUEST = 1000
"""UIDs whose sizes are asked for at a time, as batches are planned: a backfill of a
large folder never holds every message's size at once."""


def plan_batches(
    uids: Sequence[int], sizes: dict[int, int], max_count: int, max_bytes: int
) -> Iterator[list[int]]:
    """Split UIDs (ascending) into batches of at most ``max_count`` messages and
    ``max_bytes`` bytes; a single larger message goes alone."""
    batch: list[int] = []
    used = 0
    for uid in uids:
        size = sizes.get(uid, 0)
        if batch and (len(batch) >= max_count or used + size > max_bytes):
            yield batch
            batch, used = [], 0
        batch.append(uid)
        used += size
    if batch:
        yield batch


def plan_fetches(
    session: ImapSession, uids: Sequence[int], max_count: int, max_bytes: int
) -> Iterator[list[int]]:
    """Batches of ``uids`` as :func:`plan_batches` makes them, asking the server for sizes
    :data:`SIZES_PER_REQUEST` UIDs at a time, only when the batches before are taken.

    A batch never spans two requests: with the default 200 messages per batch a request
    covers five whole batches, and a batch bound by bytes may end early at its edge.
    """
    for start in range(0, len(uids), SIZES_PER_REQUEST):
        part = uids[start : start + SIZES_PER_REQUEST]
        yield from plan_batches(part, session.sizes(part), max_count, max_bytes)


def _chunks(items: Iterable[FileMessage], size: int) -> Iterator[list[FileMessage]]:
    batch: list[FileMessage] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


_Batch = TypeVar("_Batch")
_Started = TypeVar("_Started")


def _one_in_flight(
    batches: Iterable[_Batch],
    start: Callable[[_Batch], _Started],
    finish: Callable[[_Started], object],
    stop: StopFlag,
) -> None:
    """Start batch N+1 before finishing batch N, so the workers assemble one batch while
    the caller fetches the next and commits the previous.

    Batches are finished in order. A batch that fails to be planned (reading sizes) or to
    start (a fetch) still lets the one in hand be finished first; a batch that fails to
    finish stops everything, so no later batch is committed before it (the started one
    is recorded by the next run: its raw bytes are stored). A stop lets the batch in hand
    be finished.
    """
    pending: _Started | None = None
    planned = iter(batches)
    while not stop.is_set:
        try:
            # ``batches`` may ask the server (sizes) as it goes: a failure there is a
            # failure to start the next batch.
            batch = next(planned)
        except StopIteration:
            break
        except MailledgerError:
            if pending is not None:
                finish(pending)
            raise
        try:
            started = start(batch)
        except MailledgerError:
            if pending is not None:
                finish(pending)
            raise
        if pending is not None:
            finish(pending)
        pending = started
    if pending is not None:
        finish(pending)


@dataclass(frozen=True)
class _InFlight:
    """A sealed batch whose records are being assembled."""

    mailbox: MailboxConfig
    folder: str
    uids: list[int]
    pending: PendingAssembly


class Poller:
    """Polls configured mailboxes into the ledger."""

    def __init__(
        self,
        config: Config,
        recorder: Recorder,
        identities: IdentityIndex,
        assembler: Assembler,
        session_factory: SessionFactory,
        metrics: IngestMetrics,
        stop: StopFlag | None = None,
        progress: bool | None = None,
        queue: AssemblyQueue | None = None,
        seal_only: bool = False,
        background: BackgroundAssembly | None = None,
    ) -> None:
        self.config = config
        self.recorder = recorder
        self.identities = identities
        self.assembler = assembler
        # With a queue, sealed batches are announced there and assembled elsewhere.
        self.queue = queue
        # Stage 1 alone: seals are left for 'mailledger assemble' (nothing announced).
        self.seal_only = seal_only
        # Assembly on a thread of its own, right behind each seal (``run``).
        self.background = background
        self.session_factory = session_factory
        self.metrics = metrics
        self.stop = stop or StopFlag()
        self.progress = sys.stderr.isatty() if progress is None else progress
        # Kept sessions (``run``): one per mailbox across cycles, shared with its watcher.
        self.sessions: SessionPool | None = None

    def poll(self, names: Sequence[str] = ()) -> list[MailboxReport]:
        """One cycle over the named mailboxes (all when none are named)."""
        mailboxes = [self.config.mailbox(n) for n in names] if names else self.config.mailboxes
        reports = []
        for mailbox in mailboxes:
            if self.stop.is_set:
                break
            reports.append(self.poll_mailbox(mailbox))
        self.catch_up()
        return reports

    def catch_up(self) -> AssemblyReport | None:
        """Assemble sealed messages left without a record (a crash between the stages).

        With a queue, the seals this sealer never announced are announced instead;
        those already on the queue are left to it.
        """
        if self.seal_only:
            return None
        if self.background is not None:
            self.background.catch_up()
            return None
        try:
            if self.queue is None:
                return self.assembler.assemble_pending(lambda: self.stop.is_set)
            self.identities.sync(self.recorder.ledger)
            self.queue.announce_missed(self.identities)
        except MailledgerError as exc:
            # Reported, not raised: the seals are safe, and the next cycle retries.
            log.error("assembly.catch_up_failed", error=str(exc))
        return None

    def poll_mailbox(self, mailbox: MailboxConfig) -> MailboxReport:
        """One mailbox; its failure is reported, never raised, so others still run."""
        report = MailboxReport(mailbox.name)
        started = time.monotonic()
        bound = log.bind(mailbox=mailbox.name)
        try:
            with MailboxLease(self.config.state_dir, mailbox.name):
                if self.sessions is not None:
                    self._poll_kept(self.sessions, mailbox, report)
                else:
                    session = self.session_factory(mailbox)
                    try:
                        self._poll_folders(session, mailbox, report)
                    finally:
                        session.close()
        except LeaseHeldError as exc:
            report.skipped = str(exc)
            self.metrics.lease_held.labels(mailbox=mailbox.name).inc()
            # A warning: a lease held cycle after cycle is a stalled mailbox.
            bound.warning("poll.skipped", reason=str(exc))
        except MailledgerError as exc:
            report.errors.append(str(exc))
            bound.error("poll.mailbox_failed", error=str(exc))
        report.seconds = time.monotonic() - started
        labels = {"mailbox": mailbox.name}
        self.metrics.cycle_seconds.labels(**labels).set(report.seconds)
        if report.ok and report.skipped is None:
            self.metrics.last_success.labels(**labels).set(time.time())
        elif not report.ok:
            self.metrics.errors.labels(**labels).inc()
        bound.info(
            "poll.mailbox_done",
            recorded=report.total("recorded"),
            already_recorded=report.total("already_recorded"),
            seconds=round(report.seconds, 3),
            ok=report.ok,
        )
        return report

    def _poll_folders(
        self, session: ImapSession, mailbox: MailboxConfig, report: MailboxReport
    ) -> None:
        for folder in mailbox.folders:
            if self.stop.is_set:
                break
            report.folders.append(self._poll_folder(session, mailbox, folder))

    def _poll_kept(
        self, sessions: SessionPool, mailbox: MailboxConfig, report: MailboxReport
    ) -> None:
        """Poll on the mailbox's kept session; a kept session the server dropped since
        the last cycle is replaced once, and one that no longer answers after a failed
        poll is dropped (the next cycle, or the watcher, opens a new one). A poll that
        failed for another reason (the store or the ledger) keeps its session: dropping
        it would make the watcher open a new one, take that for news and wake the worker
        at once, polling in a loop while the store is down."""
        with sessions.for_poll(mailbox) as held:
            session = held.session
            if not held.fresh:
                try:
                    session.noop()
                except MailboxError as exc:
                    log.info("imap.session_dropped", mailbox=mailbox.name, error=str(exc))
                    held.discard()
                    session = held.session
            try:
                self._poll_folders(session, mailbox, report)
            finally:
                if not report.ok and not _answers(session):
                    held.discard()

    def _poll_folder(
        self, session: ImapSession, mailbox: MailboxConfig, folder: str
    ) -> FolderReport:
        report = FolderReport(folder)
        bound = log.bind(mailbox=mailbox.name, folder=folder)
        try:
            status = session.select(folder)
            report.uidvalidity, report.uidnext = status.uidvalidity, status.uidnext
            if self.sessions is not None and status.uidnext is not None:
                # Noted before anything that can fail: a poll that fails (the store is
                # down) must not leave the watcher seeing news and waking it at once.
                self.sessions.note_seen(mailbox.name, folder, status.uidnext)
            self.identities.sync(self.recorder.ledger)
            server_uids = session.uids()
            report.server_count = len(server_uids)
            if self.sessions is not None:
                # what the watcher compares with before it idles again
                seen = max([status.uidnext or 0, *(uid + 1 for uid in server_uids[-1:])])
                self.sessions.note_seen(mailbox.name, folder, seen)
            known = self.identities.recorded_uids(mailbox.name, folder, status.uidvalidity)
            todo = [uid for uid in server_uids if uid not in known]
            if todo:
                bound.info("poll.folder_todo", uidvalidity=status.uidvalidity, todo=len(todo))
                bar = tqdm(
                    total=len(todo),
                    unit="msg",
                    desc=f"{mailbox.name}/{folder}",
                    disable=not (self.progress and len(todo) > 200),
                )
                with bar:
                    batches = plan_fetches(
                        session, todo, mailbox.batch_messages, mailbox.batch_bytes
                    )
                    self._record_batches(
                        session, mailbox, folder, status.uidvalidity, batches, report, bar
                    )
            recorded_now = self.identities.recorded_uids(mailbox.name, folder, status.uidvalidity)
            missing = [uid for uid in server_uids if uid not in recorded_now]
            # After a UIDVALIDITY change, messages recognised by content count as recorded.
            if missing and report.already_recorded:
                missing = self._content_gaps(session, mailbox, folder, missing)
            report.gaps = missing
            report.recorded_count = report.server_count - len(missing)
            self.metrics.gaps.labels(mailbox=mailbox.name, folder=folder).set(len(missing))
            if report.fetched or missing:
                self._append_reconciliation(mailbox, folder, report)
        except MailledgerError as exc:
            report.errors.append(str(exc))
            bound.error("poll.folder_failed", error=str(exc))
        return report

    def _content_gaps(
        self, session: ImapSession, mailbox: MailboxConfig, folder: str, uids: list[int]
    ) -> list[int]:
        shas = self.identities.recorded_shas(mailbox.name, folder)
        still = []
        for message in session.fetch(uids):
            if sha256_hex(message.raw) not in shas:
                still.append(message.uid)
        return still

    def _record_batches(
        self,
        session: ImapSession,
        mailbox: MailboxConfig,
        folder: str,
        uidvalidity: int,
        batches: Iterable[list[int]],
        report: FolderReport,
        bar: tqdm[Any],
    ) -> None:
        def finish(batch: _InFlight) -> None:
            self._finish_fetched(session, batch, report)
            bar.update(len(batch.uids))

        _one_in_flight(
            batches,
            lambda uids: self._start_fetched(session, mailbox, folder, uidvalidity, uids, report),
            finish,
            self.stop,
        )

    def _start_fetched(
        self,
        session: ImapSession,
        mailbox: MailboxConfig,
        folder: str,
        uidvalidity: int,
        uids: list[int],
        report: FolderReport,
    ) -> _InFlight:
        fetched: list[FetchedMessage] = list(session.fetch(uids))
        messages = [
            Received.of(
                message.raw,
                MessageSource(
                    kind="imap",
                    mailbox=mailbox.name,
                    folder=folder,
                    uidvalidity=uidvalidity,
                    uid=message.uid,
                    internaldate=message.internaldate,
                    direction=mailbox.direction,
                ),
                message.internaldate,
            )
            for message in fetched
        ]
        pending, sealed = self._start(messages, report)
        labels = {"mailbox": mailbox.name}
        self.metrics.fetched.labels(**labels).inc(len(fetched))
        self.metrics.bytes.labels(**labels).inc(sum(len(m.raw) for m in fetched))
        held = [m.source.uid for m, _ in sealed.sealed] + [
            m.source.uid for m in sealed.already_sealed
        ]
        self._after_record(session, mailbox, folder, [u for u in held if u is not None], report)
        return _InFlight(mailbox, folder, uids, pending)

    def _start(
        self, messages: list[Received], report: FolderReport
    ) -> tuple[PendingAssembly, SealOutcome]:
        """Seal ``messages`` (raw bytes stored durably, one entry each), then hand the
        newly sealed ones to the workers, or announce them on the assembly queue."""
        # Nothing may fail between receiving the bytes and sealing them.
        outcome = self.recorder.seal(messages)
        report.fetched += len(messages)
        report.bytes += sum(len(m.raw) for m in messages)
        report.sealed += len(outcome.sealed)
        report.already_recorded += len(outcome.already_sealed)
        if self.seal_only:
            return self.assembler.start(()), outcome
        if self.queue is not None:
            self.queue.announce([entry.seq for _, entry in outcome.sealed])
            return self.assembler.start(()), outcome
        items = [Item.held(m, entry.seq) for m, entry in outcome.sealed]
        if self.background is not None:
            self.background.submit(items)
            return self.assembler.start(()), outcome
        return self.assembler.start(items), outcome

    def _finish(self, pending: PendingAssembly, report: FolderReport) -> BatchOutcome:
        """Store the assembled parts durably, then append the records that refer to them."""
        outcome = self.assembler.finish(pending)
        report.recorded += len(outcome.committed)
        for record, _entry in outcome.committed:
            report.attachments_accepted += record.accepted
            report.attachments_rejected += record.rejected
        return outcome

    def _finish_fetched(self, session: ImapSession, batch: _InFlight, report: FolderReport) -> None:
        outcome = self._finish(batch.pending, report)
        labels = {"mailbox": batch.mailbox.name}
        for record, _entry in outcome.committed:
            self.metrics.attachments.labels(verdict="accepted", **labels).inc(record.accepted)
            self.metrics.attachments.labels(verdict="rejected", **labels).inc(record.rejected)
        self.metrics.recorded.labels(**labels).inc(len(outcome.committed))
        self.metrics.already.labels(**labels).inc(len(outcome.already_recorded))

    def _after_record(
        self,
        session: ImapSession,
        mailbox: MailboxConfig,
        folder: str,
        uids: list[int],
        report: FolderReport,
    ) -> None:
        # Runs only after the batch is sealed: a crash before this point leaves the
        # mail where it was, and the rerun finds it sealed and finishes the action.
        action = mailbox.after_record
        if action.action == "none" or not uids:
            return
        try:
            if action.action == "flag":
                session.add_flag(folder, uids, action.flag)
            else:
                session.move(folder, uids, action.folder)
            report.after_record_done += len(uids)
        except MailboxError as exc:
            report.errors.append(str(exc))

    def import_files(
        self, messages: Iterable[FileMessage], label: str, batch_size: int = 200
    ) -> FolderReport:
        """Record backfilled messages the same way as polled ones, marked as imported
        so that no acknowledgment is ever sent for them."""
        report = FolderReport(folder=label)
        _one_in_flight(
            _chunks(messages, batch_size),
            lambda batch: self._start([self._imported(m, label) for m in batch], report)[0],
            lambda pending: self._finish(pending, report),
            self.stop,
        )
        return report

    @staticmethod
    def _imported(message: FileMessage, label: str) -> Received:
        source = MessageSource(
            kind="import", mailbox=label, folder=message.folder, path=message.path
        )
        return Received.of(message.raw, source, None)

    def _append_reconciliation(
        self, mailbox: MailboxConfig, folder: str, report: FolderReport
    ) -> None:
        body = MailboxReconciled(
            mailbox=mailbox.name,
            folder=folder,
            uidvalidity=report.uidvalidity,
            uidnext=report.uidnext,
            server_count=report.server_count,
            recorded_count=report.recorded_count,
            gap_count=len(report.gaps),
            gaps=tuple(report.gaps[:_GAPS_LISTED]),
            checked_at=datetime.now(UTC).isoformat(),
        )
        self.recorder.ledger.append([draft(body, self.recorder.actor)])


def _answers(session: ImapSession) -> bool:
    """Whether the session still answers a NOOP."""
    try:
        session.noop()
    except MailboxError:
        return False
    return True
