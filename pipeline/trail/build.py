"""The audit trail of one record: every entry that concerns it, in ledger order, proven.

A trail answers a records officer's or examiner's questions about one message:
where and when it arrived, what was stored, how attachments and content were
judged, which clocks it started and whether they were met, who was told, who
looked at it and who exported it. Each item carries its ledger position and an
inclusion proof that was verified against the signed checkpoint before it is shown.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipeline.cases.deadlines import CaseStatus, DeadlineResult
from pipeline.cases.read import read_cases
from pipeline.classify.accounts import mask_account
from pipeline.classify.clocks import DEFAULT_POLICY, ClockPolicy
from pipeline.errors import MailledgerError, RecordNotFoundError
from pipeline.index.db import RecordIndex, RecordRow
from pipeline.ledger.entry import LedgerEntry
from pipeline.ledger.protocols import LedgerReader
from pipeline.storage.base import ObjectStore
from pipeline.trail.proofs import InclusionProof, ProofContext, read_entries

RECORD_TYPES = ("message.received", "response.sent")


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


def resolve_one(index: RecordIndex, ref: str) -> RecordRow:
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
    index: RecordIndex,
    ledger: LedgerReader,
    proofs: ProofContext,
    policy: ClockPolicy = DEFAULT_POLICY,
    now: datetime,
    store: ObjectStore | None = None,
) -> Trail:
    """The trail of the one record ``ref`` names; the index must be synced first.

    Status and linked replies come from the case model over the whole ledger
    (:func:`pipeline.cases.read.read_cases`; ``store`` lets it read reply bodies for
    reference numbers, as ``cases`` does).
    """
    record = resolve_one(index, ref)
    cases = read_cases(ledger.entries(0, proofs.size), store, now, policy)
    case = cases.for_record(record.record_id)
    seqs = {link.seq for link in index.links(record.record_id)}
    seqs.update(cases.response_seqs(record.record_id))
    entries = list(read_entries(ledger, sorted(seqs)))
    return trail_from_entries(record, entries, proofs, policy, now, case)


def trail_from_entries(
    record: RecordRow,
    entries: Sequence[LedgerEntry],
    proofs: ProofContext,
    policy: ClockPolicy,
    now: datetime,
    case: CaseStatus | None = None,
) -> Trail:
    """Assemble a trail from the record's entries (its own record entry among them).

    ``case`` is the record's status from the case model (None for an outbound record).
    """
    own = next((e for e in entries if e.seq == record.seq), None)
    if own is None:
        raise RecordNotFoundError(f"record {record.record_id}: entry {record.seq} not found")
    items = tuple(
        TrailItem(
            seq=e.seq,
            type=e.type,
            time=e.time,
            actor=e.actor,
            summary=summarize(e, record.record_id),
            details=tuple(details(e, record.record_id)),
            data=_data(e, record.record_id),
            proof=proofs.prove(e),
        )
        for e in entries
    )
    headers = own.body.get("headers")
    return Trail(
        record=record,
        headers=headers if isinstance(headers, Mapping) else {},
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


# -- describing entries ------------------------------------------------------------


def _m(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _s(value: Any, default: str = "-") -> str:
    return str(value) if value not in (None, "", []) else default


def _parties(value: Any) -> str:
    if not isinstance(value, list):
        return "-"
    out = []
    for p in value:
        if isinstance(p, Mapping):
            name, address = p.get("name") or "", p.get("address") or ""
            out.append(f"{name} <{address}>" if name else str(address))
    return ", ".join(out) or "-"


def summarize(entry: LedgerEntry, record_id: str) -> str:
    """One line saying what an entry records."""
    b = entry.body
    t = entry.type
    if t in RECORD_TYPES and b.get("record_id") == record_id:
        src = _m(b.get("source"))
        verb = "sent (outbound reply)" if t == "response.sent" else "received"
        return (
            f"{verb} in {_s(src.get('mailbox'))}/{_s(src.get('folder'))}"
            f" UID {_s(src.get('uid'))} (UIDVALIDITY {_s(src.get('uidvalidity'))}),"
            f" INTERNALDATE {_s(src.get('internaldate'))}"
        )
    if t == "response.sent":
        return f"reply recorded ({_s(b.get('record_id'))})"
    if t == "acknowledgment.sent":
        reply, code = _s(b.get("reply")), _s(b.get("reply_code"), "")
        if code and not reply.startswith(code):  # SMTP replies usually carry their code
            reply = f"{code} {reply}"
        return (
            f"acknowledgment SENT to {_s(b.get('to'))} at {_s(b.get('time'))},"
            f" Message-ID {_s(b.get('ack_message_id'))}, reply {reply!r}"
            f" via {_s(b.get('transport'))}"
        )
    if t == "acknowledgment.intent":
        return f"acknowledgment claimed (to {_s(b.get('to'))}, {_s(b.get('ack_message_id'))})"
    if t == "acknowledgment.skipped":
        return f"acknowledgment skipped: {_s(b.get('reason'))}"
    if t == "acknowledgment.failed":
        return f"acknowledgment refused by the provider: {_s(b.get('error'))}"
    if t == "acknowledgment.unconfirmed":
        return f"acknowledgment UNCONFIRMED: {_s(b.get('reason'))}"
    if t == "escalation.notified":
        return (
            f"escalation NOTIFIED via route {_s(b.get('route'))} ({_s(b.get('target_kind'))}),"
            f" severity {_s(b.get('severity'))}, rules {', '.join(b.get('rules') or []) or '-'}"
        )
    if t.startswith("escalation."):
        what = t.split(".", 1)[1]
        reason = b.get("error") or b.get("reason") or ""
        return f"escalation {what} (route {_s(b.get('route'))}){': ' + reason if reason else ''}"
    if t == "event.delivered":
        types = sorted(
            {
                str(e.get("type"))
                for e in b.get("events") or []
                if isinstance(e, Mapping) and e.get("record_id") == record_id
            }
        )
        return f"events delivered to sink {_s(b.get('sink'))}: {', '.join(types) or '-'}"
    if t == "access.viewed":
        reason = f" (reason: {b['reason']})" if b.get("reason") else ""
        return f"{_s(b.get('actor'), entry.actor)} viewed the {_s(b.get('what'))}{reason}"
    if t == "export.created":
        count = len(b.get("record_ids") or [])
        reason = f" (reason: {b['reason']})" if b.get("reason") else ""
        return (
            f"{_s(b.get('actor'), entry.actor)} exported it with {count} record(s){reason},"
            f" manifest SHA-256 {_s(b.get('manifest_sha256'))}"
        )
    if t.startswith("case.") or t.startswith("extension_notice."):
        return _case_summary(entry)
    keys = ", ".join(f"{k}={_s(v)}" for k, v in sorted(b.items()) if k not in ("record_id",))
    return f"{t}: {keys}"[:300]


def _case_summary(entry: LedgerEntry) -> str:
    """A person's decision or correction: who, what, why, and the due dates it moved."""
    b = entry.body
    what = {
        "case.linked": f"linked reply {_s(b.get('response_record_id'))}",
        "case.extended": (
            f"respond deadline EXTENDED {_s(b.get('days'))} days, {_s(b.get('previous_due'))}"
            f" -> {_s(b.get('due'))} (takes effect once the written notice is sent)"
        ),
        "case.resolved": "resolved",
        "case.reopened": "reopened",
        "case.reclassified": (
            f"RECLASSIFIED {'+'.join(b.get('previous_kinds') or []) or 'no request'}"
            f" -> {'+'.join([*(b.get('kinds') or []), *(b.get('subkinds') or [])]) or 'no request'}"
        ),
        "case.not_a_request": "marked NOT A REQUEST",
        "case.sale_date_set": (
            f"foreclosure sale date set {_s(b.get('previous_sale_date'))}"
            f" -> {_s(b.get('sale_date'))}"
        ),
        "case.escalation_added": (
            f"escalation {_s(b.get('family'))} ADDED, route {_s(b.get('route'))}"
        ),
        "case.escalation_removed": f"escalation {_s(b.get('family'))} REMOVED",
        "case.holding_reply": (
            f"reply {_s(b.get('response_record_id'))} marked a HOLDING REPLY (does not answer)"
        ),
        "extension_notice.intent": f"extension notice claimed (to {_s(b.get('to'))})",
        "extension_notice.sent": (
            f"extension notice SENT to {_s(b.get('to'))} at {_s(b.get('time'))}"
            f" via {_s(b.get('transport'))}"
        ),
        "extension_notice.failed": f"extension notice refused: {_s(b.get('error'))}",
        "extension_notice.unconfirmed": f"extension notice UNCONFIRMED: {_s(b.get('reason'))}",
    }.get(entry.type, entry.type)
    moved = "; ".join(
        f"{_s(c.get('clock'))} due {_s(c.get('previous_due'))} -> {_s(c.get('due'))}"
        for c in b.get("due_changes") or []
        if isinstance(c, Mapping)
    )
    reason = f" (reason: {b['reason']})" if b.get("reason") else ""
    return f"{entry.actor}: {what}{reason}{'; ' + moved if moved else ''}"


def details(entry: LedgerEntry, record_id: str) -> list[str]:
    """Further lines for a record entry: storage, attachments, classification, clocks."""
    b = entry.body
    if entry.type not in RECORD_TYPES or b.get("record_id") != record_id:
        return []
    out: list[str] = []
    h = _m(b.get("headers"))
    out.append(f"from {_parties(h.get('from'))}; to {_parties(h.get('to'))}")
    out.append(f"subject {h.get('subject')!r}; Message-ID {_s(h.get('message_id'))}")
    raw = _m(b.get("raw"))
    bodies = _m(b.get("bodies"))
    sizes = ", ".join(
        f"{name} {ref.get('size')} bytes"
        for name, ref in sorted(bodies.items())
        if isinstance(ref, Mapping)
    )
    out.append(
        f"stored at position {entry.seq}: raw SHA-256 {_s(raw.get('sha256'))}"
        f" ({_s(raw.get('size'))} bytes){'; ' + sizes if sizes else ''}"
    )
    for a in b.get("attachments") or []:
        if isinstance(a, Mapping):
            reasons = ", ".join(a.get("reasons") or [])
            out.append(
                f"attachment {_s(a.get('safe_filename'))} ({_s(a.get('size'))} bytes,"
                f" declared {_s(a.get('declared_type'))}, detected {_s(a.get('detected_type'))}):"
                f" {str(a.get('verdict')).upper()}{' - ' + reasons if reasons else ''}"
            )
    c = _m(b.get("classification"))
    if c:
        accounts = ", ".join(mask_account(str(n)) for n in c.get("account_numbers") or [])
        out.append(
            f"classified {_s(c.get('category'))}"
            f" ({'+'.join(c.get('request_kinds') or []) or _s(c.get('request_kind'))}),"
            f" {'ESCALATED ' + _s(c.get('severity')) if c.get('escalated') else 'not escalated'}"
            f"{'; accounts ' + accounts if accounts else ''}"
        )
        for m in c.get("matches") or []:
            if isinstance(m, Mapping):
                out.append(
                    f"rule {_s(m.get('rule'))} matched {m.get('matched')!r} in"
                    f" {_s(m.get('field'))} [{_s(m.get('start'), '0')}:{_s(m.get('end'), '0')}]"
                    f" severity {_s(m.get('severity'))}, route {_s(m.get('route'))}"
                )
    return out


def _data(entry: LedgerEntry, record_id: str) -> dict[str, Any]:
    """The entry body for JSON output, with account numbers masked."""
    body = dict(entry.body)
    c = body.get("classification")
    if isinstance(c, Mapping) and c.get("account_numbers"):
        masked = dict(c)
        masked["account_numbers"] = [mask_account(str(n)) for n in c["account_numbers"]]
        body["classification"] = masked
    if entry.type == "event.delivered":
        body["events"] = [
            e
            for e in body.get("events") or []
            if isinstance(e, Mapping) and e.get("record_id") == record_id
        ]
    return body
