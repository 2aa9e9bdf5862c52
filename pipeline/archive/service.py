"""The archive service: every audited action on the records, with its ledger entry.

A records officer's tool (the CLI, the web app, a script) does what people do with
the archive through one :class:`Archive`: view a message or its original bytes,
read its trail, search, export for an examination, place and lift legal holds,
dispose of records whose retention ended, and record case decisions and
corrections. Each action appends its audit entry itself, so a Python caller is
audited exactly like the CLI:

* viewing (``show``, ``raw``, ``trail``) appends ``access.viewed`` before anything
  is returned; if the entry cannot be appended, nothing is returned (the SEC
  17a-4(f) audit-trail alternative asks for who accessed which record and when);
* an export is written under a temporary name, then ``access.viewed`` and
  ``export.created`` are appended in one batch, and only then is the export
  renamed into place: a failed append leaves nothing at the destination;
* holds, disposals and case actions append ``hold.*``, ``record.disposed`` and
  ``case.*`` entries as part of the action.

Search shows the index's fields (sender, subject, category), not content, and is
not recorded, as before; showing content found by a search is.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import TypedDict

import structlog

from pipeline.cases import api as cases_api
from pipeline.cases.actions import Planner, apply_action
from pipeline.cases.read import CaseView, deadline_filters, read_cases
from pipeline.classify.clocks import DEFAULT_POLICY, ClockPolicy, local_date
from pipeline.entries import Body, RecordBody, decode, decode_record, draft, names
from pipeline.entries.models import (
    AccessViewed,
    Attachment,
    EventDelivered,
    ExportCreated,
    ExportGranted,
    MailboxReconciled,
    MessageSealed,
    RetentionPolicy,
)
from pipeline.errors import (
    EntryFormatError,
    ExportError,
    LedgerError,
    RecordNotFoundError,
    RetentionError,
)
from pipeline.export.bundle import ExportResult, remove_scratch, scratch_beside, stage_export
from pipeline.index.db import RecordIndex
from pipeline.index.model import RecordRow, SearchCriteria
from pipeline.index.proven import ProvenPage, newest_signed, prove_rows
from pipeline.index.rows import record_row
from pipeline.ledger.entry import LedgerEntry
from pipeline.ledger.log import Ledger
from pipeline.report.sla import SlaReport, build_sla_report
from pipeline.retention.lifecycle import (
    Disposal,
    HoldChange,
    HoldView,
    LedgerState,
    add_hold,
    cutoff_before,
    dispose,
    list_holds,
    plan_disposal,
    remove_hold,
)
from pipeline.storage.base import ObjectStore
from pipeline.trail.build import Trail, build_trail, resolve_one
from pipeline.trail.evidence import LedgerRecords

__all__ = [
    "Archive",
    "ArchiveSettings",
    "AttachmentContent",
    "DisposalOutcome",
    "ExportOutcome",
    "Grant",
    "Health",
    "RawMessage",
    "ShownMessage",
]

log = structlog.get_logger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ArchiveSettings:
    """What the archive needs from the application's configuration.

    ``index_path`` is the records index file (``None``: an index in memory, built
    from the ledger when first needed); ``clock`` counts deadlines in trails and
    exports; ``retention`` is the store's retention (days, lock mode), recorded with
    every disposal.
    """

    index_path: Path | None
    clock: ClockPolicy = DEFAULT_POLICY
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)
    # No disposal of anything younger than this, whatever the caller asks for
    # (``retention.min_dispose_days``; FINRA 4511 keeps records six years).
    min_dispose_days: int = 0
    source: str = "the configuration"
    """Where the settings came from, named in refusals."""
    scratch_dir: Path | None = None
    """Where trails and lookups over the signed log keep their scratch file of record rows
    (senders, subjects): the deployment's state directory. None: the index file's folder,
    or the system temp directory when the index is in memory too. An export keeps its
    scratch files next to the export instead."""


@dataclass(frozen=True)
class ShownMessage:
    """A record's message as a person sees it, and the access entry that recorded it."""

    record: RecordRow
    body: RecordBody
    text: str
    access: LedgerEntry
    html: str | None = None  # the HTML body as received: unsafe until sanitised for display


@dataclass(frozen=True)
class RawMessage:
    """A record's original bytes, and the access entry that recorded their retrieval."""

    record: RecordRow
    data: bytes
    access: LedgerEntry


ExportProgress = Callable[[str, int, int], None]
"""Told the name of each export phase as it starts, the phases done and the phases in all."""

EXPORT_PHASES = (
    "reading the signed log",
    "finding the records",
    "writing the files",
    "recording the export in the ledger",
    "sealing it with a signed checkpoint",
    "finished",
)


@dataclass(frozen=True)
class ExportOutcome:
    """A published export and the two entries that recorded it."""

    result: ExportResult
    access: LedgerEntry
    created: LedgerEntry


@dataclass(frozen=True)
class AttachmentContent:
    """One attachment's bytes and verdict, and the access entry that recorded the download."""

    record: RecordRow
    attachment: Attachment
    data: bytes
    access: LedgerEntry


@dataclass(frozen=True)
class Grant:
    """An export given to an examiner, and the export entry it names."""

    grant: ExportGranted
    seq: int
    export: ExportCreated
    export_time: str


@dataclass(frozen=True)
class MailboxHealth:
    """The latest reconciliation of one mailbox folder."""

    mailbox: str
    folder: str
    checked_at: str
    seq: int
    server_count: int | None
    recorded_count: int
    gap_count: int


@dataclass(frozen=True)
class Health:
    """Where the archive stands: the signed head, each mailbox, events not yet delivered."""

    size: int
    checkpoint_size: int | None
    checkpoint_signer: str | None
    checkpoint_time: str | None  # time of the last entry the checkpoint covers
    mailboxes: tuple[MailboxHealth, ...]
    delivered_through: dict[str, int]  # sink -> last ledger position delivered
    pending_events: dict[str, int]  # sink -> entries recorded after that position


@dataclass(frozen=True)
class DisposalOutcome:
    """Records disposed of (or, in a dry run, that would be) and those still protected."""

    dry_run: bool
    policy: RetentionPolicy
    disposed: list[Disposal]
    refused: list[Disposal]


class Archive:
    """The records archive of one ledger and store, acting for one person (``actor``)."""

    def __init__(
        self,
        store: ObjectStore,
        ledger: Ledger,
        settings: ArchiveSettings,
        actor: str,
        *,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        """``actor`` is who acts (``person:name@host``); every audit entry names them."""
        self.store = store
        self.ledger = ledger
        self.settings = settings
        self.actor = actor
        self._clock = clock
        self._index: RecordIndex | None = None

    # -- lifecycle ---------------------------------------------------------------

    def close(self) -> None:
        """Close the index."""
        if self._index is not None:
            self._index.close()
            self._index = None

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def index(self) -> RecordIndex:
        """The records index, brought up to date with the ledger (it is a cache)."""
        if self._index is None:
            path = self.settings.index_path
            if path is not None and not path.exists() and self.ledger.size() == 0:
                # Nothing to cache: keep read-only commands from creating state_dir.
                path = None
            self._index = RecordIndex(path)
        self._index.sync(self.ledger, self.store)
        return self._index

    # -- audit entries -----------------------------------------------------------

    def append_audited(self, *bodies: Body) -> list[LedgerEntry]:
        """Append entries of this archive's actor as one batch (all or none).

        For actions this class does not model yet (corrections, for instance):
        build the catalogue body and append it here, in the same batch as anything
        that must be recorded with it.
        """
        now = self._clock()
        return self.ledger.append([draft(body, self.actor, now) for body in bodies])

    def _access(self, record_ids: Sequence[str], what: str, reason: str | None) -> LedgerEntry:
        body = AccessViewed(
            record_ids=tuple(sorted(record_ids)), what=what, actor=self.actor, reason=reason
        )
        return self.append_audited(body)[0]

    # -- finding and viewing -----------------------------------------------------

    def search(self, criteria: SearchCriteria) -> list[RecordRow]:
        """Records matching every given filter, in the criteria's order (not recorded:
        no content)."""
        return self._index_for(criteria).search(criteria)

    def search_proven(self, criteria: SearchCriteria) -> ProvenPage:
        """Like :meth:`search`, each row rebuilt from its ledger entry and proven against the
        newest signed checkpoint: what a page may show. A row the index has wrong is shown
        as the entry says and logged (``search.index_disagrees``)."""
        candidates = self.search(criteria)
        if not candidates:
            return ProvenPage((), 0, ())
        page = prove_rows(self.ledger, candidates, newest_signed(self.ledger))
        for found in page.disagreements:
            log.warning(
                "search.index_disagrees",
                seq=found.seq,
                record_id=found.record_id,
                fields=list(found.fields),
            )
        return page

    def count(self, criteria: SearchCriteria, at_most: int | None = None) -> int:
        """How many records match ``criteria`` (its limit and offset ignored), counting
        no further than ``at_most`` when given."""
        return self._index_for(criteria).count(criteria, at_most)

    def _index_for(self, criteria: SearchCriteria) -> RecordIndex:
        """The index, with deadline states fresh when the criteria filter by them."""
        index = self.index()
        if criteria.deadline_status is not None:
            self.refresh_deadline_states(index)
        return index

    def refresh_deadline_states(self, index: RecordIndex) -> None:
        """Write every case's deadline-status words into the index, from the case model.

        States change with new entries and with the day (a pending clock becomes
        missed), so they are rewritten when the indexed ledger size or the clocks'
        local day differs from what the index holds.
        """
        today = local_date(self._clock(), self.settings.clock)
        stamp = f"{index.size}@{today.isoformat()}"
        if index.deadline_states_as_of == stamp:
            return
        view = read_cases(
            self.ledger.entries(0, index.size), self.store, self._clock(), self.settings.clock
        )
        index.set_deadline_states(
            ((s.record_id, deadline_filters(s, today)) for s in view.statuses), stamp
        )

    def _scratch_dir(self) -> Path:
        """The directory for the scratch file of :meth:`_evidence` outside an export."""
        chosen = self.settings.scratch_dir
        if chosen is None and self.settings.index_path is not None:
            chosen = self.settings.index_path.parent
        if chosen is None:
            return Path(tempfile.gettempdir())
        chosen.mkdir(parents=True, exist_ok=True)
        return chosen

    def _evidence(self, as_of: int | None = None, scratch: Path | None = None) -> LedgerRecords:
        """Records and links read from the log the newest (or ``as_of``) checkpoint signs,
        their rows packed into a scratch file in ``scratch`` (default :meth:`_scratch_dir`);
        close them when done."""
        size = self.ledger.refresh() if as_of is None else as_of
        if size == 0:
            raise LedgerError("the ledger is empty: there is nothing to show")
        if as_of is None and self.ledger.signing_key is None:
            latest = self.ledger.latest_checkpoint()
            if latest is None:
                raise LedgerError("the ledger has no signed checkpoint yet")
            signed = latest
        else:
            signed = self.ledger.read_checkpoint_text(self.ledger.checkpoint_note(size))
        return LedgerRecords.build(
            signed,
            self.ledger.entries(0, signed.checkpoint.size),
            self._scratch_dir() if scratch is None else scratch,
        )

    def resolve(self, ref: str) -> RecordRow:
        """The one record ``ref`` names (record id, Message-ID, raw SHA-256, position).

        The row comes from the record's ledger entry, proven against the signed root.
        A record id is looked up in the index first and the entry there checked; any
        other reference, or an index row that does not hold the record, is resolved by
        reading the signed log (the index is a cache and may have been edited).
        """
        text = ref.strip()
        if text.startswith("r-"):
            candidate = self.index().record(text)
            if candidate is not None:
                row = self._proven_row(candidate.seq)
                if row is not None and row.record_id == text:
                    return row
                log.warning("index.disagrees", record_id=text, index_seq=candidate.seq)
        with self._evidence() as evidence:
            return resolve_one(evidence, ref)

    def _proven_row(self, seq: int) -> RecordRow | None:
        """The record at ``seq`` as its ledger entry says, or None when none is there.

        The ledger returns only entries of batches it proved on reading (writer proofs
        and the newest signed checkpoint), so this costs one batch read, not a tree of
        the whole log: a record page stays fast on a large archive.
        """
        if seq >= self.ledger.size():
            return None
        entry = self.ledger.entry(seq)
        body = decode(entry).body
        return record_row(entry, body) if isinstance(body, RecordBody) else None

    def show(self, ref: str, reason: str | None = None) -> ShownMessage:
        """A record's headers, text and attachment verdicts; recorded before returned."""
        record = self.resolve(ref)
        if not record.assembled:
            raise RecordNotFoundError(
                f"record {record.record_id} is sealed (ledger position {record.seq}) but not"
                " yet assembled, so it has no parsed text yet; its original bytes are"
                " available now with --raw, or run 'mailledger assemble'"
            )
        body = decode_record(self.ledger.entry(record.seq)).body
        # read before recording the access, so a failed read is not logged as a viewing
        part = body.bodies.text or body.bodies.html_text
        text = self.store.get(part.key).decode("utf-8", errors="replace") if part else ""
        html_ref = body.bodies.html
        html = self.store.get(html_ref.key).decode("utf-8", errors="replace") if html_ref else None
        access = self._access([record.record_id], "message", reason)
        return ShownMessage(record, body, text, access, html)

    def attachment(self, ref: str, sha256: str, reason: str | None = None) -> AttachmentContent:
        """One attachment of a record (by its SHA-256), with its verdict; recorded first."""
        record = self.resolve(ref)
        if not record.assembled:
            raise RecordNotFoundError(
                f"record {record.record_id} is sealed but not yet assembled: its attachments"
                " are not separated yet; run 'mailledger assemble'"
            )
        body = decode_record(self.ledger.entry(record.seq)).body
        found = next((a for a in body.attachments if a.sha256 == sha256.lower()), None)
        if found is None:
            raise RecordNotFoundError(
                f"record {record.record_id} has no attachment with SHA-256 {sha256[:16]}..."
            )
        data = self.store.get(found.key)
        access = self._access([record.record_id], f"attachment {found.safe_filename}", reason)
        return AttachmentContent(record, found, data, access)

    def raw(self, ref: str, reason: str | None = None) -> RawMessage:
        """A record's original bytes, unchanged; recorded before returned."""
        record = self.resolve(ref)
        # a sealed message's bytes are there before it is assembled
        body = decode(self.ledger.entry(record.seq)).body
        raw = body.raw if isinstance(body, RecordBody | MessageSealed) else None
        if raw is None:
            raise EntryFormatError(
                f"ledger entry {record.seq} ({record.type}): field raw: record"
                f" {record.record_id} names no raw message"
            )
        data = self.store.get(raw.key)
        access = self._access([record.record_id], "raw", reason)
        return RawMessage(record, data, access)

    def trail(self, ref: str, reason: str | None = None) -> Trail:
        """A record's audit trail, each entry proven; the viewing is part of the trail."""
        record = self.resolve(ref)
        self._access([record.record_id], "trail", reason)
        # which entries concern the record is read from the signed log, not the index
        with self._evidence() as evidence:
            return build_trail(
                record.record_id,
                index=evidence,
                ledger=self.ledger,
                proofs=evidence.proofs,
                policy=self.settings.clock,
                now=self._clock(),
                store=self.store,
            )

    # -- export ------------------------------------------------------------------

    def export(
        self,
        out: Path,
        criteria: SearchCriteria,
        reason: str = "",
        as_of: int | None = None,
        progress: ExportProgress | None = None,
    ) -> ExportOutcome:
        """Write an examination export to ``out`` (a new folder, or a ``.zip`` file).

        Written under a temporary name, recorded (``access.viewed`` and
        ``export.created`` in one batch), then renamed to ``out``. When recording
        fails, the export is deleted and the error raised: no export exists that
        the ledger does not record. ``progress`` is told each phase as it starts
        (its name, phases done, phases in all), for a progress bar.
        """

        def phase(step: int) -> None:
            if progress is not None:
                progress(EXPORT_PHASES[step], step, len(EXPORT_PHASES) - 1)

        if self.ledger.signing_key is None:
            # the seal is a checkpoint signed after export.created: without the log key
            # the export would be recorded but could not be authenticated as a whole
            raise ExportError(
                "an export is sealed by a checkpoint signed after its export.created entry;"
                " run the export where the log key (signing.key_file) is"
            )
        phase(0)
        with ExitStack() as cleanup:
            # the export's scratch files (record rows, inbound case records, spilled
            # lists) hold borrowers' mail: they go beside the export, on its file
            # system, and are removed however the export ends
            scratch = scratch_beside(out)
            cleanup.callback(remove_scratch, scratch)
            records = cleanup.enter_context(self._evidence(as_of, scratch))
            phase(1)
            # Free text is the one filter only the text index answers, and the deadline
            # status the one only the case model answers (over the same signed entries);
            # every other filter, and every flag, is read from the ledger entries.
            allowed = self.index().text_matches(criteria.text) if criteria.text else None
            if criteria.deadline_status is not None:
                status_seqs = self._deadline_positions(records, criteria.deadline_status)
                allowed = status_seqs if allowed is None else allowed & status_seqs
            phase(2)
            staged = stage_export(
                out=out,
                scratch=scratch,
                ledger=self.ledger,
                store=self.store,
                records=records,
                criteria=criteria,
                actor=self.actor,
                reason=reason,
                text_seqs=allowed,
                policy=self.settings.clock,
            )
            result = staged.result
            ids = tuple(sorted(result.record_ids))
            try:
                phase(3)
                access, created = self.append_audited(
                    AccessViewed(
                        record_ids=ids, what="export", actor=self.actor, reason=reason or None
                    ),
                    ExportCreated(
                        record_ids=ids,
                        actor=self.actor,
                        reason=reason or None,
                        criteria=result.criteria.export_criteria(),
                        manifest_sha256=result.manifest_sha256,
                        checkpoint_size=result.checkpoint_size,
                        files=result.files,
                        format="mailledger-export/1",
                        verifier_sha256=result.verifier_sha256,
                    ),
                )
                # a checkpoint that covers export.created binds the manifest (every file,
                # record, attachment and trail entry) and verify.py to the signed log
                phase(4)
                note = self.ledger.checkpoint_note(self.ledger.refresh())
                sealed = records.proofs.extended(self.ledger, note)
                proof = sealed.prove(created)
                if not proof.verified:
                    raise ExportError(
                        f"the export's own entry at position {created.seq} does not verify against"
                        f" the checkpoint of size {sealed.size}; run 'mailledger verify'"
                    )
                staged.seal(created, note, proof.path, sealed.size)
            except BaseException:
                staged.discard()
                raise
            staged.publish()
            phase(5)
            log.info("export.recorded", records=len(ids), seq=created.seq)
            return ExportOutcome(result, access, created)

    def _deadline_positions(self, records: LedgerRecords, status: str) -> set[int]:
        """Positions of the records whose case has ``status`` today, as the case model
        decides it over the entries ``records`` covers (the search page's day)."""
        now = self._clock()
        today = local_date(now, self.settings.clock)
        view = read_cases(
            self.ledger.entries(0, records.size), self.store, now, self.settings.clock
        )
        return {
            row.seq
            for s in view.statuses
            if status in deadline_filters(s, today) and (row := records.record(s.record_id))
        }

    # -- legal holds and disposal ------------------------------------------------

    def add_hold(self, refs: Sequence[str], reason: str | None) -> HoldChange:
        """Hold every stored object of the records ``refs`` name; appends ``hold.added``."""
        return add_hold(self.store, self.ledger, self.ledger, refs, reason=reason, actor=self.actor)

    def remove_hold(self, refs: Sequence[str], reason: str) -> HoldChange:
        """Lift the hold of the records ``refs`` name; appends ``hold.removed``.

        :class:`RetentionError`, with nothing appended or changed, when a record named is
        not under legal hold: a ``hold.removed`` entry for it would record the end of a
        hold that never was (and a mistyped reference would look like a release).
        """
        state = LedgerState.read(self.ledger)
        free = [r.record_id for r in state.resolve(refs) if r.record_id not in state.holds]
        if free:
            names = ", ".join(free)
            raise RetentionError(
                f"record {names} is not under legal hold; nothing was released"
                if len(free) == 1
                else f"records {names} are not under legal hold; nothing was released"
            )
        return remove_hold(
            self.store, self.ledger, self.ledger, refs, reason=reason, actor=self.actor
        )

    def holds(self, *, check_store: bool = True) -> list[HoldView]:
        """Records under hold; with ``check_store``, objects the store does not hold."""
        return list_holds(self.ledger, self.store if check_store else None)

    def dispose(
        self,
        older_than: str,
        reason: str | None,
        *,
        dry_run: bool = False,
        confirm: Callable[[int, datetime], None] | None = None,
    ) -> DisposalOutcome:
        """Dispose of records received more than ``older_than`` ago (``7y``, ``2555d``).

        Each disposed record gets a ``record.disposed`` entry before its objects are
        deleted. ``ValueError`` for a duration that does not parse;
        :class:`RetentionError` for a period under ``min_dispose_days`` or a disposal
        without a reason. ``confirm(count, cutoff)`` is called before anything is
        deleted and stops the disposal by raising.
        """
        now = self._clock()
        cutoff = cutoff_before(now, older_than)
        floor = self.settings.min_dispose_days
        if cutoff > now - timedelta(days=floor):
            raise RetentionError(
                f"--older-than {older_than} is shorter than the minimum retention of"
                f" {floor} days (retention.min_dispose_days in {self.settings.source});"
                " nothing was disposed"
            )
        if not dry_run and not (reason and reason.strip()):
            raise RetentionError("a disposal needs a reason (the schedule or approval)")
        plan = plan_disposal(self.store, self.ledger, cutoff=cutoff, now=now)
        policy = self.settings.retention.model_copy(update={"older_than": older_than})
        due = [d for d in plan if d.refused is None and d.keys]
        if not dry_run and due and confirm is not None:
            confirm(len(due), cutoff)
        done = (
            plan
            if dry_run
            else dispose(
                self.store, self.ledger, plan, policy=policy, reason=reason, actor=self.actor
            )
        )
        return DisposalOutcome(
            dry_run=dry_run,
            policy=policy,
            disposed=[d for d in done if d.refused is None and d.keys],
            refused=[d for d in plan if d.refused is not None],
        )

    def grant_export(self, export_seq: int, grantee: str, reason: str | None) -> LedgerEntry:
        """Give the export recorded at ``export_seq`` to ``grantee``. Whether that account
        is an examiner's is the accounts' rule: go through ``People.grant_export``."""
        if not 0 <= export_seq < self.ledger.size():
            raise RecordNotFoundError(f"no ledger entry at position {export_seq}")
        created = decode(self.ledger.entry(export_seq)).body
        if not isinstance(created, ExportCreated):
            raise ExportError(f"ledger position {export_seq} is not an export")
        return self.append_audited(
            ExportGranted(
                manifest_sha256=created.manifest_sha256,
                export_seq=export_seq,
                grantee=grantee,
                actor=self.actor,
                reason=reason,
            )
        )[0]

    def take_export(self, manifest: str, reason: str | None) -> ExportCreated:
        """The recorded export whose manifest hashes to ``manifest``, its taking recorded
        first (``access.viewed`` naming its records, the manifest and why). Who may take
        it is the accounts' rule: go through ``People.take_export``."""
        export = next((e for _s, _t, e in self.exports() if e.manifest_sha256 == manifest), None)
        if export is None:
            raise RecordNotFoundError("no export with that manifest is on record")
        self._access(export.record_ids, f"export download {manifest}", reason)
        return export

    def exports(self) -> list[tuple[int, str, ExportCreated]]:
        """Every recorded export: position, time and body, newest first."""
        out = [
            (e.seq, e.time, body)
            for e in self.ledger.entries()
            if e.type == names.EXPORT_CREATED and isinstance(body := decode(e).body, ExportCreated)
        ]
        return out[::-1]

    def grants(self, grantee: str | None = None) -> list[Grant]:
        """Exports granted (to ``grantee`` only, when given), newest first."""
        entries = list(self.ledger.entries())
        out: list[Grant] = []
        for entry in entries:
            if entry.type != names.EXPORT_GRANTED:
                continue
            grant = decode(entry).body
            if not isinstance(grant, ExportGranted):
                continue
            if grantee is not None and grant.grantee != grantee:
                continue
            export_entry = entries[grant.export_seq]
            export = decode(export_entry).body
            if isinstance(export, ExportCreated):
                out.append(Grant(grant, entry.seq, export, export_entry.time))
        return out[::-1]

    # -- cases, reports and health ---------------------------------------------------

    def sla_report(self, date_from: date | None = None, date_to: date | None = None) -> SlaReport:
        """The SLA report for records received in the period, as of now (not audited:
        figures and record ids, no content)."""
        now = self._clock()
        view = read_cases(self.ledger.entries(), self.store, now, self.settings.clock)
        return build_sla_report(
            view.statuses,
            now,
            self.settings.clock,
            date_from=date_from,
            date_to=date_to,
            ledger_size=view.book.size,
            unlinked=view.linked.unlinked,
        )

    def health(self) -> Health:
        """The signed head, the latest reconciliation per mailbox, undelivered events."""
        size = self.ledger.size()
        latest = self.ledger.latest_checkpoint()
        mailboxes: dict[tuple[str, str], MailboxHealth] = {}
        through: dict[str, int] = {}
        for entry in self.ledger.entries():
            if entry.type == names.MAILBOX_RECONCILED:
                rec = decode(entry).body
                if isinstance(rec, MailboxReconciled):
                    mailboxes[(rec.mailbox, rec.folder)] = MailboxHealth(
                        rec.mailbox,
                        rec.folder,
                        rec.checked_at,
                        entry.seq,
                        rec.server_count,
                        rec.recorded_count,
                        rec.gap_count,
                    )
            elif entry.type == names.EVENT_DELIVERED:
                ev = decode(entry).body
                if isinstance(ev, EventDelivered):
                    through[ev.sink] = max(through.get(ev.sink, -1), ev.through_seq)
        checkpoint_size = latest.checkpoint.size if latest else None
        return Health(
            size=size,
            checkpoint_size=checkpoint_size,
            checkpoint_signer=latest.key_name if latest else None,
            checkpoint_time=self.ledger.entry(checkpoint_size - 1).time
            if checkpoint_size
            else None,
            mailboxes=tuple(mailboxes[k] for k in sorted(mailboxes)),
            delivered_through=through,
            pending_events={sink: size - 1 - seq for sink, seq in through.items()},
        )

    # -- case decisions ------------------------------------------------------------

    def case_action(self, plan: Planner) -> LedgerEntry:
        """Check a case decision against the ledger as it is and append its entry.

        ``plan`` comes from :mod:`pipeline.cases.actions` (``plan_link``,
        ``plan_extend``, ...) built with this archive's actor; a refused decision
        raises :class:`pipeline.errors.CaseActionError` and appends nothing.
        """
        return apply_action(self.ledger, plan, self.settings.clock)

    def cases(self) -> CaseView:
        """Every inbound record's clocks, links and corrections, as of now (not audited:
        like search, it shows index-level facts, not content)."""
        return read_cases(self.ledger.entries(), self.store, self._clock(), self.settings.clock)

    def link_reply(self, response_ref: str, inbound_ref: str, reason: str | None) -> LedgerEntry:
        """Record that a response answers an inbound request (``case.linked``)."""
        return cases_api.link_reply(
            self.ledger, response_ref, inbound_ref, **self._as_me(), reason=reason
        )

    def extend(self, ref: str, days: int, reason: str, language: str | None = None) -> LedgerEntry:
        """Extend the respond clock once; it takes effect when the written notice is sent."""
        return cases_api.extend_case(
            self.ledger, ref, days=days, reason=reason, language=language, **self._as_me()
        )

    def resolve_case(self, ref: str, reason: str) -> LedgerEntry:
        """Mark a case resolved (meets its respond clock)."""
        return cases_api.resolve_case(self.ledger, ref, reason=reason, **self._as_me())

    def reopen_case(self, ref: str, reason: str | None) -> LedgerEntry:
        """Reopen a resolved case."""
        return cases_api.reopen_case(self.ledger, ref, reason=reason, **self._as_me())

    def reclassify(
        self, ref: str, kinds: Sequence[str], subkinds: Sequence[str], reason: str
    ) -> LedgerEntry:
        """Correct the request kinds; the clocks are recomputed, the old due dates kept."""
        return cases_api.reclassify(
            self.ledger, ref, kinds, subkinds, reason=reason, **self._as_me()
        )

    def mark_not_a_request(self, ref: str, reason: str) -> LedgerEntry:
        """Correct: the message makes no request, its clocks do not apply."""
        return cases_api.mark_not_a_request(self.ledger, ref, reason=reason, **self._as_me())

    def set_sale_date(self, ref: str, sale_date: date, reason: str) -> LedgerEntry:
        """Correct: set or change the foreclosure sale date that bounds the respond clock."""
        return cases_api.set_sale_date(self.ledger, ref, sale_date, reason=reason, **self._as_me())

    def add_escalation(self, ref: str, family: str, route: str, reason: str) -> LedgerEntry:
        """Correct: escalate by hand as ``family`` to ``route``."""
        return cases_api.add_escalation(
            self.ledger, ref, family, route, reason=reason, **self._as_me()
        )

    def remove_escalation(self, ref: str, family: str, reason: str) -> LedgerEntry:
        """Correct: withdraw an escalation family."""
        return cases_api.remove_escalation(self.ledger, ref, family, reason=reason, **self._as_me())

    def mark_holding_reply(self, response_ref: str, inbound_ref: str, reason: str) -> LedgerEntry:
        """Correct: a linked reply is a holding reply and does not meet the respond clock."""
        return cases_api.mark_holding_reply(
            self.ledger, response_ref, inbound_ref, reason=reason, **self._as_me()
        )

    def _as_me(self) -> _Acting:
        return {"actor": self.actor, "now": self._clock(), "policy": self.settings.clock}


class _Acting(TypedDict):
    actor: str
    now: datetime
    policy: ClockPolicy
