"""One pass over the ledger that collects what case handling needs.

Everything downstream (linking, deadline evaluation, the SLA report, the case
commands) works from a :class:`CaseBook`, so the ledger is read exactly once per
command however many views are derived. Only the small facts needed are kept:
message bodies stay in the object store, and full account numbers are masked as
they are read, so nothing built from a book can print one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from pipeline.cases.machine import machine_reason
from pipeline.classify.accounts import mask_account
from pipeline.classify.clocks import DEFAULT_POLICY, ClockPolicy, legacy_kinds
from pipeline.classify.kinds import REQUEST_KINDS, REQUEST_SUBKINDS, RequestKind, RequestSubkind
from pipeline.ledger.entry import LedgerEntry, parse_time

__all__ = [
    "ACK_SENT",
    "ACK_SKIPPED",
    "CASE_ESCALATION_ADDED",
    "CASE_ESCALATION_REMOVED",
    "CASE_EXTENDED",
    "CASE_HOLDING_REPLY",
    "CASE_LINKED",
    "CASE_NOT_A_REQUEST",
    "CASE_RECLASSIFIED",
    "CASE_REOPENED",
    "CASE_RESOLVED",
    "CASE_SALE_DATE_SET",
    "CORRECTION_TYPES",
    "EXTENSION_NOTICE_SENT",
    "MESSAGE_RECEIVED",
    "RESPONSE_SENT",
    "CaseAction",
    "CaseBook",
    "CaseRecord",
    "ResponseRecord",
    "collect",
    "normalize_message_id",
    "parse_date",
]

MESSAGE_RECEIVED = "message.received"
RESPONSE_SENT = "response.sent"
ACK_SENT = "acknowledgment.sent"
ACK_SKIPPED = "acknowledgment.skipped"
CASE_LINKED = "case.linked"
CASE_EXTENDED = "case.extended"
CASE_RESOLVED = "case.resolved"
CASE_REOPENED = "case.reopened"
# Corrections: a person's change to what the pipeline decided, each with actor, time, reason.
CASE_RECLASSIFIED = "case.reclassified"
CASE_NOT_A_REQUEST = "case.not_a_request"
CASE_SALE_DATE_SET = "case.sale_date_set"
CASE_ESCALATION_ADDED = "case.escalation_added"
CASE_ESCALATION_REMOVED = "case.escalation_removed"
CASE_HOLDING_REPLY = "case.holding_reply"
CORRECTION_TYPES = frozenset(
    {
        CASE_RECLASSIFIED,
        CASE_NOT_A_REQUEST,
        CASE_SALE_DATE_SET,
        CASE_ESCALATION_ADDED,
        CASE_ESCALATION_REMOVED,
        CASE_HOLDING_REPLY,
    }
)
EXTENSION_NOTICE_SENT = "extension_notice.sent"
_CASE_TYPES = (
    frozenset({CASE_LINKED, CASE_EXTENDED, CASE_RESOLVED, CASE_REOPENED}) | CORRECTION_TYPES
)
# acknowledgment.skipped reasons (handlers.loop_safety) that say the message came from a
# machine: nobody owes it an answer, so its clocks are "not applicable".
MACHINE_SKIP_REASONS = frozenset(
    {
        "auto-submitted",
        "precedence-bulk-list-junk",
        "mailing-list",
        "empty-return-path",
        "machine-sender",
        "own-address",
    }
)


def normalize_message_id(value: str | None) -> str | None:
    """A Message-ID in one comparable form: trimmed, in angle brackets.

    RFC 5322 section 3.6.4 ids are compared as written; headers differ only in
    whitespace and whether the brackets survived a client's rewriting.
    """
    if not value:
        return None
    text = value.strip()
    if not text:
        return None
    if not text.startswith("<"):
        text = "<" + text
    if not text.endswith(">"):
        text = text + ">"
    return text


def _moment(text: Any) -> datetime | None:
    """A ledger-format or ISO 8601 timestamp as an aware datetime, else None."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return parse_time(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """An inbound message that may start regulatory clocks.

    ``received_at`` is the server's INTERNALDATE when recorded (when the mail
    arrived), else the ledger entry time; an INTERNALDATE later than the entry time
    by more than the policy's skew is not believed (``future_internaldate``) and the
    entry time is used. Clocks start on its servicer-local date.
    ``kinds``/``subkinds``/``sale_date`` are what classification found; corrections
    can change them (see :mod:`pipeline.cases.deadlines`). ``machine`` is the reason a
    machine sent it (RFC 3834), else None.
    ``masked_accounts`` are ``****1234`` forms only; ``sensitive_kinds`` names the
    kinds of full SSNs or bank numbers the borrower sent, never the digits.
    """

    record_id: str
    seq: int
    received_at: datetime
    message_id: str | None
    sender: str
    subject: str
    category: str
    subcategory: str
    kinds: tuple[RequestKind, ...]
    subkinds: tuple[RequestSubkind, ...]
    sale_date: date | None
    rules: tuple[str, ...]
    escalated: bool
    masked_accounts: tuple[str, ...]
    sensitive_kinds: tuple[str, ...]
    imported: bool
    machine: str | None = None
    future_internaldate: bool = False
    language: str = "en"

    @property
    def request_kind(self) -> str:
        """The kinds as one label (``general`` when the message makes no request)."""
        return "+".join(self.kinds) or "general"


@dataclass(frozen=True, slots=True)
class ResponseRecord:
    """An outbound message recorded as ``response.sent``."""

    record_id: str
    seq: int
    sent_at: datetime
    message_id: str | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    subject: str
    text_key: str | None


@dataclass(frozen=True, slots=True)
class CaseAction:
    """A ``case.*`` entry: a person's decision or correction about a record."""

    type: str
    seq: int
    time: datetime
    actor: str
    record_id: str
    body: Mapping[str, Any]


@dataclass
class CaseBook:
    """Everything case handling reads, in ledger order."""

    size: int = 0
    inbound: dict[str, CaseRecord] = field(default_factory=dict)
    responses: dict[str, ResponseRecord] = field(default_factory=dict)
    # record id -> (seq, time) of the first acknowledgment.sent for it
    acknowledgments: dict[str, tuple[int, datetime]] = field(default_factory=dict)
    ack_message_ids: dict[str, str] = field(default_factory=dict)
    # record id -> reason of an acknowledgment.skipped that says a machine sent it
    machine_skips: dict[str, str] = field(default_factory=dict)
    # case.extended position -> (seq, time) of the extension_notice.sent for it
    extension_notices: dict[int, tuple[int, datetime]] = field(default_factory=dict)
    actions: list[CaseAction] = field(default_factory=list)

    def actions_for(self, record_id: str) -> list[CaseAction]:
        """The case actions on ``record_id``, in ledger order."""
        return [a for a in self.actions if a.record_id == record_id]


def _sender(headers: Mapping[str, Any]) -> str:
    for party in headers.get("from") or []:
        if isinstance(party, Mapping) and party.get("address"):
            return str(party["address"])
    return ""


def _kinds(cls: Mapping[str, Any]) -> tuple[RequestKind, ...]:
    """The request kinds of a classification: ``request_kinds``, else the older single one."""
    listed = cls.get("request_kinds")
    if isinstance(listed, list):
        return tuple(k for k in REQUEST_KINDS if k in listed)
    return legacy_kinds(str(cls.get("request_kind") or ""))


def _subkinds(cls: Mapping[str, Any]) -> tuple[RequestSubkind, ...]:
    listed = cls.get("request_subkinds")
    if not isinstance(listed, list):
        return ()
    return tuple(k for k in REQUEST_SUBKINDS if k in listed)


def parse_date(value: Any) -> date | None:
    """An ISO ``YYYY-MM-DD`` date, else None."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _inbound(entry: LedgerEntry, policy: ClockPolicy) -> CaseRecord | None:
    body = entry.body
    record_id = body.get("record_id")
    if not isinstance(record_id, str):
        return None
    source = body.get("source") or {}
    headers = body.get("headers") or {}
    cls = body.get("classification") or {}
    internal = _moment(source.get("internaldate"))
    future = internal is not None and internal > entry.moment + policy.future_skew
    received = entry.moment if internal is None or future else internal
    rules = tuple(sorted({str(m.get("rule")) for m in cls.get("matches") or [] if m.get("rule")}))
    senders = [str(p.get("address")) for p in headers.get("from") or [] if isinstance(p, Mapping)]
    return CaseRecord(
        record_id=record_id,
        seq=entry.seq,
        received_at=received,
        message_id=normalize_message_id(headers.get("message_id")),
        sender=_sender(headers),
        subject=str(headers.get("subject") or ""),
        category=str(cls.get("category") or "unclassified"),
        subcategory=str(cls.get("subcategory") or ""),
        kinds=_kinds(cls),
        subkinds=_subkinds(cls),
        sale_date=parse_date(cls.get("foreclosure_sale_date")),
        rules=rules,
        escalated=bool(cls.get("escalated", False)),
        # The ledger holds full account numbers (the record needs them); mask on read.
        masked_accounts=tuple(mask_account(str(n)) for n in cls.get("account_numbers") or []),
        sensitive_kinds=tuple(str(f.get("kind")) for f in cls.get("sensitive") or []),
        imported=bool(source.get("imported", False)),
        machine=machine_reason(
            auto_submitted=headers.get("auto_submitted"),
            precedence=headers.get("precedence"),
            list_id=headers.get("list_id"),
            return_path=headers.get("return_path"),
            senders=senders,
        ),
        future_internaldate=future,
        language=str(cls.get("language") or "en"),
    )


def _response(entry: LedgerEntry) -> ResponseRecord | None:
    body = entry.body
    record_id = body.get("record_id")
    if not isinstance(record_id, str):
        return None
    source = body.get("source") or {}
    headers = body.get("headers") or {}
    in_reply_to = normalize_message_id(headers.get("in_reply_to"))
    references = tuple(
        r for r in (normalize_message_id(v) for v in headers.get("references") or []) if r
    )
    text = (body.get("bodies") or {}).get("text") or {}
    return ResponseRecord(
        record_id=record_id,
        seq=entry.seq,
        sent_at=_moment(source.get("internaldate")) or entry.moment,
        message_id=normalize_message_id(headers.get("message_id")),
        in_reply_to=(in_reply_to,) if in_reply_to else (),
        references=references,
        subject=str(headers.get("subject") or ""),
        text_key=text.get("key") if isinstance(text, Mapping) else None,
    )


def collect(entries: Iterable[LedgerEntry], policy: ClockPolicy = DEFAULT_POLICY) -> CaseBook:
    """Read ``entries`` once and keep the facts case handling needs."""
    book = CaseBook()
    for entry in entries:
        book.size = entry.seq + 1
        kind = entry.type
        record_id = entry.body.get("record_id")
        if not isinstance(record_id, str):
            continue
        if kind == MESSAGE_RECEIVED:
            direction = (entry.body.get("source") or {}).get("direction", "inbound")
            if direction == "outbound":
                # Mail we sent that was filed like a received one is still our answer.
                response = _response(entry)
                if response is not None:
                    book.responses.setdefault(response.record_id, response)
                continue
            record = _inbound(entry, policy)
            if record is not None:
                # The first recording is the one the clocks start from.
                book.inbound.setdefault(record.record_id, record)
        elif kind == RESPONSE_SENT:
            response = _response(entry)
            if response is not None:
                book.responses.setdefault(response.record_id, response)
        elif kind == ACK_SENT:
            book.acknowledgments.setdefault(record_id, (entry.seq, entry.moment))
            ack_id = normalize_message_id(entry.body.get("ack_message_id"))
            if ack_id:
                book.ack_message_ids[ack_id] = record_id
        elif kind == ACK_SKIPPED:
            reason = entry.body.get("reason")
            if reason in MACHINE_SKIP_REASONS:
                book.machine_skips.setdefault(record_id, str(reason))
        elif kind == EXTENSION_NOTICE_SENT:
            extension_seq = entry.body.get("extension_seq")
            if isinstance(extension_seq, int):
                book.extension_notices.setdefault(extension_seq, (entry.seq, entry.moment))
        elif kind in _CASE_TYPES:
            book.actions.append(
                CaseAction(kind, entry.seq, entry.moment, entry.actor, record_id, entry.body)
            )
    return book
