"""The audit trail of one record: every entry that concerns it, in ledger order, proven.

A trail answers a records officer's or examiner's questions about one message:
where and when it arrived, what was stored, how attachments and content were
judged, which clocks it started and whether they were met, who was told, who
looked at it and who exported it. Each item carries its ledger position and an
inclusion proof that was verified against the signed checkpoint before it is shown.
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from pipeline.cases.deadlines import CaseStatus, DeadlineResult
from pipeline.cases.read import read_cases
from pipeline.classify.accounts import mask_account
from pipeline.classify.clocks import DEFAULT_POLICY, ClockPolicy
from pipeline.entries import Body, RecordBody, TypedEntry, decode, encode, names
from pipeline.entries.models import (
    AccessViewed,
    AcknowledgmentFailed,
    AcknowledgmentIntent,
    AcknowledgmentSent,
    AcknowledgmentSkipped,
    AcknowledgmentUnconfirmed,
    CaseBody,
    ClassificationBody,
    EscalationBody,
    EscalationFailed,
    EscalationNotified,
    EscalationUnconfirmed,
    EventDelivered,
    ExportCreated,
    ExtensionNoticeBody,
    MessageSealed,
    Party,
    ResponseSent,
)
from pipeline.errors import EntryFormatError, MailledgerError, RecordNotFoundError
from pipeline.index.model import RecordLookup, RecordRow
from pipeline.ledger.entry import LedgerEntry
from pipeline.ledger.protocols import LedgerReader
from pipeline.storage.base import ObjectStore
from pipeline.trail.explain import explain_classification
from pipeline.trail.proofs import InclusionProof, ProofContext, read_entries


class AmbiguousReferenceError(MailledgerError):
    """A reference (a Message-ID, a raw hash) names several records."""

    exit_code = 2

    def __init__(self, ref: str, candidates: Sequence[RecordRow]) -> None:
        lines = [
            f"  {r.record_id}  position {r.seq}  {r.mailbox}/{r.folder}  {r.received}"
            for r in candidates
        ]
        super().__init__(
            f"{ref!r} names {len(candidates)} records; pass one record id:\n" + "\n".join(lines)
        )
        self.candidates = list(candidates)


def resolve_one(index: RecordLookup, ref: str) -> RecordRow:
    """The single record ``ref`` names; raises when it names none or several."""
    rows = index.resolve(ref)
    if not rows:
        raise RecordNotFoundError(
            f"no record matches {ref!r} (a record id r-..., a Message-ID, a raw SHA-256"
            " or a ledger position)"
        )
    if len(rows) > 1:
        raise AmbiguousReferenceError(ref, rows)
    return rows[0]


@dataclass(frozen=True)
class TrailItem:
    """One ledger entry in a trail."""

    seq: int
    type: str
    time: str
    actor: str
    summary: str
    details: tuple[str, ...]
    data: Mapping[str, Any]
    proof: InclusionProof

    def to_json(self) -> dict[str, Any]:
        """JSON-ready item."""
        return {
            "seq": self.seq,
            "type": self.type,
            "time": self.time,
            "actor": self.actor,
            "summary": self.summary,
            "details": list(self.details),
            "data": dict(self.data),
            "proof": self.proof.to_json(),
        }


@dataclass(frozen=True)
class DeadlineView:
    """A clock the record started and where it stands (as the case model says)."""

    name: str
    kind: str
    due: str
    rule: str
    business_days: int
    state: str
    met_on: str | None
    met_by_seq: int | None
    late_by: int
    days_left: int
    extended: bool
    original_due: str

    @classmethod
    def of(cls, result: DeadlineResult) -> DeadlineView:
        """The view of one evaluated clock."""
        status = result.status
        return cls(
            name=result.name,
            kind=result.deadline.kind,
            due=result.due.isoformat(),
            rule=result.deadline.rule,
            business_days=result.deadline.business_days,
            state=status.state,
            met_on=status.met_on.isoformat() if status.met_on else None,
            met_by_seq=result.met_by_seq,
            late_by=status.late_by,
            days_left=status.days_left,
            extended=result.deadline.extended,
            original_due=result.original_due.isoformat(),
        )

    @property
    def on_time(self) -> bool:
        """Met on or before the due date."""
        return self.state == "met" and self.late_by == 0

    def describe(self) -> str:
        """One line for people."""
        label = f"{self.kind.replace('_', ' ')} {self.name}" if self.kind else self.name
        head = f"{label} due {self.due} ({self.business_days} days, {self.rule})"
        if self.extended:
            head += f", extended from {self.original_due}"
        if self.state == "met":
            when = "on time" if self.late_by == 0 else f"{self.late_by} business day(s) late"
            return f"{head}: MET {self.met_on} {when} (position {self.met_by_seq})"
        if self.state == "pending":
            return f"{head}: PENDING, {self.days_left} business day(s) left"
        return f"{head}: MISSED, {self.late_by} business day(s) overdue"

    def to_json(self) -> dict[str, Any]:
        """JSON-ready deadline."""
        return {
            "name": self.name,
            "kind": self.kind,
            "due": self.due,
            "original_due": self.original_due,
            "rule": self.rule,
            "business_days": self.business_days,
            "state": self.state,
            "on_time": self.on_time,
            "met_on": self.met_on,
            "met_by_seq": self.met_by_seq,
            "late_by": self.late_by,
            "days_left": self.days_left,
            "extended": self.extended,
        }


@dataclass(frozen=True)
class Trail:
    """A record's full timeline, proven against one signed checkpoint."""

    record: RecordRow
    headers: Mapping[str, Any]
    items: tuple[TrailItem, ...]
    deadlines: tuple[DeadlineView, ...]
    origin: str
    checkpoint_size: int
    checkpoint_root: str
    signed_by: str
    as_of: str
    extra: Mapping[str, Any] = field(default_factory=dict)
    state: str = "not_applicable"
    not_applicable: str | None = None
    request_kinds: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def verified(self) -> bool:
        """True when every item's inclusion proof verified."""
        return all(item.proof.verified for item in self.items)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready trail (account numbers masked)."""
        record = self.record.to_json()
        record["accounts"] = [mask_account(a) for a in self.record.accounts]
        return {
            "record": record,
            "headers": dict(self.headers),
            "checkpoint": {
                "origin": self.origin,
                "size": self.checkpoint_size,
                "root": self.checkpoint_root,
                "signed_by": self.signed_by,
            },
            "as_of": self.as_of,
            "verified": self.verified,
            "state": self.state,
            "not_applicable": self.not_applicable,
            "request_kinds": list(self.request_kinds),
            "notes": list(self.notes),
            "deadlines": [d.to_json() for d in self.deadlines],
            "items": [i.to_json() for i in self.items],
        }


def build_trail(
    ref: str,
    *,
    index: RecordLookup,
    ledger: LedgerReader,
    proofs: ProofContext,
    policy: ClockPolicy = DEFAULT_POLICY,
    now: datetime,
    store: ObjectStore | None = None,
) -> Trail:
    """The trail of the one record ``ref`` names; the index must be synced first.

    Status and linked replies come from the case model over the log the checkpoint
    covers (:func:`pipeline.cases.read.read_cases`; ``store`` lets it read reply
    bodies for reference numbers, as ``cases`` does).
    """
    record = resolve_one(index, ref)
    cases = read_cases(ledger.entries(0, proofs.size), store, now, policy)
    seqs = {link.seq for link in index.links(record.record_id)}
    seqs.update(cases.response_seqs(record.record_id))
    entries = list(read_entries(ledger, sorted(seqs)))
    return trail_from_entries(
        record, entries, proofs, policy, now, cases.for_record(record.record_id)
    )


class SharedItems:
    """Trail items of entries in many trails, made once for all of them.

    An ``export.created`` or ``access.viewed`` entry names every record it covers, so
    it sits in each of their trails; decoding and describing it again for every one
    of them made an export of a log holding an earlier full export quadratic in its
    records. The item of an entry at one of ``seqs`` is kept once made, until
    :meth:`release`, and given to each later trail with its list of records cut to
    that trail's record (as :func:`trail_from_entries` makes it), so what is kept for
    an access or an export is small however many records it names. A record entry,
    which reads differently in its own trail and in a reply's, and an
    ``event.delivered``, which lists each record's own events, are made per trail.
    Items are tied to one signed checkpoint and found by position: ``proofs`` must not
    change, and every entry given must be the one the checkpoint covers there.
    """

    def __init__(self, seqs: Container[int]) -> None:
        self._seqs = seqs
        self._items: dict[int, TrailItem] = {}

    def release(self, seq: int) -> None:
        """Let go of the item of the entry at ``seq`` (no trail left shows it)."""
        self._items.pop(seq, None)

    def holds(self, seq: int) -> bool:
        """Whether the item of the entry at ``seq`` is kept (a caller need not read it)."""
        return seq in self._items

    def kept(self, seq: int, record_id: str) -> TrailItem:
        """The kept item of the entry at ``seq``, in the trail of ``record_id``."""
        return _for_record(self._items[seq], record_id)

    def keeps(self, entry: LedgerEntry) -> bool:
        """Whether the item of ``entry`` is kept once made (known without decoding it)."""
        return entry.seq in self._seqs and entry.type not in _PER_TRAIL

    def item(self, entry: LedgerEntry, record_id: str, proofs: ProofContext) -> TrailItem:
        """The item of ``entry`` in the trail of ``record_id``."""
        if entry.seq in self._items:
            return self.kept(entry.seq, record_id)
        made = _item(decode(entry), record_id, proofs)
        if self.keeps(entry):
            self._items[entry.seq] = made
        return made


# entries whose list of records a trail cuts to its own (see _data)
_CUT_TO_RECORD = frozenset({names.ACCESS_VIEWED, names.EXPORT_CREATED})
# entries that read differently in each trail: a record entry (in its own trail and in
# a reply's) and an event.delivered (each record's own events)
_PER_TRAIL = frozenset({*names.RECORD_TYPES, names.EVENT_DELIVERED})


def _for_record(item: TrailItem, record_id: str) -> TrailItem:
    """``item`` as the trail of ``record_id`` shows it: the list of records of an access or
    an export cut to that one (see :func:`_data`)."""
    if item.type not in _CUT_TO_RECORD:
        return item
    return replace(item, data={**item.data, "record_ids": [record_id]})


def _item(t: TypedEntry[Body], record_id: str, proofs: ProofContext) -> TrailItem:
    return TrailItem(
        seq=t.seq,
        type=t.type,
        time=t.time,
        actor=t.actor,
        summary=summarize(t, record_id),
        details=tuple(details(t, record_id)),
        data=_data(t, record_id),
        proof=proofs.prove(t.entry),
    )


def trail_from_entries(
    record: RecordRow,
    entries: Sequence[LedgerEntry | int],
    proofs: ProofContext,
    policy: ClockPolicy,
    now: datetime,
    case: CaseStatus | None = None,
    shared: SharedItems | None = None,
) -> Trail:
    """Assemble a trail from the record's entries (its own record entry among them).

    ``case`` is the record's status from the case model (None for an outbound record).
    ``shared`` makes the items of entries in many trails once (an export's pass); an
    entry whose item it holds may be given as its position instead.
    """
    own_entry = next(
        (e for e in entries if isinstance(e, LedgerEntry) and e.seq == record.seq), None
    )
    if own_entry is None:
        raise RecordNotFoundError(f"record {record.record_id}: entry {record.seq} not found")
    own = decode(own_entry)
    if not isinstance(own.body, RecordBody | MessageSealed):
        raise EntryFormatError(f"ledger entry {own.seq} is a {own.type!r} entry, not a record")
    rid = record.record_id
    items = tuple(_trail_item(e, own, rid, proofs, shared) for e in entries)
    return Trail(
        record=record,
        # A message sealed but not yet assembled has no parsed headers and no clocks yet.
        headers=(
            own.body.headers.model_dump(mode="json", by_alias=True)
            if isinstance(own.body, RecordBody)
            else {}
        ),
        items=items,
        deadlines=tuple(DeadlineView.of(d) for d in case.deadlines) if case else (),
        origin=proofs.checkpoint.checkpoint.origin,
        checkpoint_size=proofs.size,
        checkpoint_root=proofs.root.hex(),
        signed_by=proofs.checkpoint.key_name,
        as_of=now.isoformat(),
        state=case.state if case else "not_applicable",
        not_applicable=case.not_applicable if case else "outbound message",
        request_kinds=tuple(case.kinds) if case else (),
        notes=case.notes if case else (),
    )


def _trail_item(
    entry: LedgerEntry | int,
    own: TypedEntry[Body],
    record_id: str,
    proofs: ProofContext,
    shared: SharedItems | None,
) -> TrailItem:
    if isinstance(entry, int):
        if shared is None or not shared.holds(entry):
            raise RecordNotFoundError(f"record {record_id}: entry {entry} was not read")
        return shared.kept(entry, record_id)
    if entry is own.entry:
        return _item(own, record_id, proofs)
    if shared is not None:
        return shared.item(entry, record_id, proofs)
    return _item(decode(entry), record_id, proofs)


# -- describing entries ------------------------------------------------------------


def _s(value: object, default: str = "-") -> str:
    return str(value) if value not in (None, "", [], ()) else default


def _parties(parties: Sequence[Party]) -> str:
    return ", ".join(f"{p.name} <{p.address}>" if p.name else p.address for p in parties) or "-"


def _reason(reason: str | None) -> str:
    return f" (reason: {reason})" if reason else ""


def summarize(entry: TypedEntry[Body], record_id: str) -> str:
    """One line saying what an entry records."""
    b = entry.body
    if isinstance(b, MessageSealed):
        src = b.source
        return (
            f"sealed on receipt from {_s(src.mailbox)}/{_s(src.folder)}"
            f" UID {_s(src.uid)} (UIDVALIDITY {_s(src.uidvalidity)}),"
            f" INTERNALDATE {_s(src.internaldate)}; raw SHA-256 {b.raw.sha256}, {b.raw.size} bytes"
        )
    if isinstance(b, RecordBody) and b.record_id == record_id:
        src = b.source
        verb = "sent (outbound reply)" if isinstance(b, ResponseSent) else "received"
        return (
            f"{verb} in {_s(src.mailbox)}/{_s(src.folder)}"
            f" UID {_s(src.uid)} (UIDVALIDITY {_s(src.uidvalidity)}),"
            f" INTERNALDATE {_s(src.internaldate)}"
        )
    if isinstance(b, RecordBody):
        return f"reply recorded ({_s(b.record_id)})"
    if isinstance(b, AcknowledgmentSent):
        reply, code = _s(b.reply), _s(b.reply_code, "")
        if code and not reply.startswith(code):  # SMTP replies usually carry their code
            reply = f"{code} {reply}"
        return (
            f"acknowledgment SENT to {_s(b.to)} at {_s(b.time)},"
            f" Message-ID {_s(b.ack_message_id)}, reply {reply!r} via {_s(b.transport)}"
        )
    if isinstance(b, AcknowledgmentIntent):
        return f"acknowledgment claimed (to {_s(b.to)}, {_s(b.ack_message_id)})"
    if isinstance(b, AcknowledgmentSkipped):
        return f"acknowledgment skipped: {_s(b.reason)}"
    if isinstance(b, AcknowledgmentFailed):
        return f"acknowledgment refused by the provider: {_s(b.error)}"
    if isinstance(b, AcknowledgmentUnconfirmed):
        return f"acknowledgment UNCONFIRMED: {_s(b.reason)}"
    if isinstance(b, EscalationNotified):
        return (
            f"escalation NOTIFIED via route {_s(b.route)} ({_s(b.target_kind)}),"
            f" severity {_s(b.severity)}, rules {', '.join(b.rules) or '-'}"
        )
    if isinstance(b, EscalationBody):
        what = entry.type.split(".", 1)[1]
        why = ""
        if isinstance(b, EscalationFailed):
            why = b.error
        elif isinstance(b, EscalationUnconfirmed):
            why = b.reason
        return f"escalation {what} (route {_s(b.route)}){': ' + why if why else ''}"
    if isinstance(b, EventDelivered):
        types = sorted({e.type for e in b.events if e.record_id == record_id})
        return f"events delivered to sink {_s(b.sink)}: {', '.join(types) or '-'}"
    if isinstance(b, AccessViewed):
        return f"{_s(b.actor, entry.actor)} viewed the {_s(b.what)}{_reason(b.reason)}"
    if isinstance(b, ExportCreated):
        return (
            f"{_s(b.actor, entry.actor)} exported it with {len(b.record_ids)} record(s)"
            f"{_reason(b.reason)}, manifest SHA-256 {_s(b.manifest_sha256)}"
        )
    if isinstance(b, CaseBody | ExtensionNoticeBody):
        return _case_summary(entry.type, entry.actor, encode(b))
    fields = encode(b)
    fields.pop("schema", None)
    keys = ", ".join(f"{k}={_s(v)}" for k, v in sorted(fields.items()) if k != "record_id")
    return f"{entry.type}: {keys}"[:300]


def _case_summary(type_: str, actor: str, b: Mapping[str, Any]) -> str:
    """A person's decision or correction, or an extension notice: who, what, why, what moved."""
    what = {
        names.CASE_LINKED: f"linked reply {_s(b.get('response_record_id'))}",
        names.CASE_EXTENDED: (
            f"respond deadline EXTENDED {_s(b.get('days'))} days, {_s(b.get('previous_due'))}"
            f" -> {_s(b.get('due'))} (takes effect once the written notice is sent)"
        ),
        names.CASE_RESOLVED: "resolved",
        names.CASE_REOPENED: "reopened",
        names.CASE_RECLASSIFIED: (
            f"RECLASSIFIED {'+'.join(b.get('previous_kinds') or []) or 'no request'}"
            f" -> {'+'.join([*(b.get('kinds') or []), *(b.get('subkinds') or [])]) or 'no request'}"
        ),
        names.CASE_NOT_A_REQUEST: "marked NOT A REQUEST",
        names.CASE_SALE_DATE_SET: (
            f"foreclosure sale date set {_s(b.get('previous_sale_date'))}"
            f" -> {_s(b.get('sale_date'))}"
        ),
        names.CASE_ESCALATION_ADDED: (
            f"escalation {_s(b.get('family'))} ADDED, route {_s(b.get('route'))}"
        ),
        names.CASE_ESCALATION_REMOVED: f"escalation {_s(b.get('family'))} REMOVED",
        names.CASE_HOLDING_REPLY: (
            f"reply {_s(b.get('response_record_id'))} marked a HOLDING REPLY (does not answer)"
        ),
        names.EXTENSION_NOTICE_INTENT: f"extension notice claimed (to {_s(b.get('to'))})",
        names.EXTENSION_NOTICE_SENT: (
            f"extension notice SENT to {_s(b.get('to'))} at {_s(b.get('time'))}"
            f" via {_s(b.get('transport'))}"
        ),
        names.EXTENSION_NOTICE_SKIPPED: f"extension notice skipped: {_s(b.get('reason'))}",
        names.EXTENSION_NOTICE_FAILED: f"extension notice refused: {_s(b.get('error'))}",
        names.EXTENSION_NOTICE_UNCONFIRMED: (
            f"extension notice UNCONFIRMED: {_s(b.get('reason'))}"
        ),
    }.get(type_, type_)
    moved = "; ".join(
        f"{_s(c.get('clock'))} due {_s(c.get('previous_due'))} -> {_s(c.get('due'))}"
        for c in b.get("due_changes") or []
        if isinstance(c, Mapping)
    )
    reason = "" if type_.startswith("extension_notice.") else _reason(b.get("reason"))
    return f"{actor}: {what}{reason}{'; ' + moved if moved else ''}"


def details(entry: TypedEntry[Body], record_id: str) -> list[str]:
    """Further lines for a record entry: storage, attachments, classification, clocks."""
    b = entry.body
    if not isinstance(b, RecordBody) or b.record_id != record_id:
        return []
    out: list[str] = []
    h = b.headers
    out.append(f"from {_parties(h.from_)}; to {_parties(h.to)}")
    out.append(f"subject {h.subject!r}; Message-ID {_s(h.message_id)}")
    parts = (("html", b.bodies.html), ("html_text", b.bodies.html_text), ("text", b.bodies.text))
    sizes = ", ".join(f"{name} {ref.size} bytes" for name, ref in parts if ref is not None)
    raw_sha = b.raw.sha256 if b.raw else None
    raw_size = b.raw.size if b.raw else None
    out.append(
        f"stored at position {entry.seq}: raw SHA-256 {_s(raw_sha)}"
        f" ({_s(raw_size)} bytes){'; ' + sizes if sizes else ''}"
    )
    for a in b.attachments:
        reasons = ", ".join(a.reasons)
        out.append(
            f"attachment {_s(a.safe_filename)} ({_s(a.size)} bytes,"
            f" declared {_s(a.declared_type)}, detected {_s(a.detected_type)}):"
            f" {a.verdict.upper()}{' - ' + reasons if reasons else ''}"
        )
    c = b.classification
    if c != ClassificationBody():
        accounts = ", ".join(mask_account(n) for n in c.account_numbers)
        out.append(
            f"classified {_s(c.category)}"
            f" ({'+'.join(c.request_kinds) if c.request_kinds else _s(c.request_kind)}),"
            f" {'ESCALATED ' + _s(c.severity) if c.escalated else 'not escalated'}"
            f"{'; accounts ' + accounts if accounts else ''}"
        )
        for m in c.matches:
            out.append(
                f"rule {_s(m.rule)} matched {m.matched!r} in {_s(m.field)} [{m.start}:{m.end}]"
                f" severity {_s(m.severity)}, route {_s(m.route)}"
            )
        out += explain_classification(c)
    return out


def _data(entry: TypedEntry[Body], record_id: str) -> dict[str, Any]:
    """The entry body for JSON output, with account numbers masked, and the records an
    access or an export names, and the events a delivery lists, cut to this record's:
    the entry itself, whole, is in the log and in every production that includes it.
    (A hold stays whole: its object keys are listed for all its records together, and
    which are this record's cannot be told from the hold alone.)"""
    body = entry.body
    if entry.type in _CUT_TO_RECORD:
        body = body.model_copy(update={"record_ids": (record_id,)})
    if isinstance(body, RecordBody) and body.classification.account_numbers:
        masked = tuple(mask_account(n) for n in body.classification.account_numbers)
        body = body.model_copy(
            update={
                "classification": body.classification.model_copy(update={"account_numbers": masked})
            }
        )
    if isinstance(body, EventDelivered):
        body = body.model_copy(
            update={"events": tuple(e for e in body.events if e.record_id == record_id)}
        )
    return encode(body)
