"""One pass over the ledger that collects what case handling needs.

Everything downstream (linking, deadline evaluation, the SLA report, the case
commands) works from a :class:`CaseBook`, so the ledger is read exactly once per
command however many views are derived. Only the small facts needed are kept:
message bodies stay in the object store, and full account numbers are masked as
they are read, so nothing built from a book can print one.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from pipeline.cases.machine import machine_reason
from pipeline.classify.accounts import mask_account
from pipeline.classify.clocks import DEFAULT_POLICY, ClockPolicy, legacy_kinds
from pipeline.classify.kinds import REQUEST_KINDS, REQUEST_SUBKINDS, RequestKind, RequestSubkind
from pipeline.entries import RecordBody, TypedEntry, decode, names
from pipeline.entries.models import (
    AcknowledgmentSent,
    AcknowledgmentSkipped,
    CaseBody,
    ClassificationBody,
    ExtensionNoticeSent,
    ResponseSent,
)
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

MESSAGE_RECEIVED = names.MESSAGE_RECEIVED
RESPONSE_SENT = names.RESPONSE_SENT
ACK_SENT = names.ACKNOWLEDGMENT_SENT
ACK_SKIPPED = names.ACKNOWLEDGMENT_SKIPPED
CASE_LINKED = names.CASE_LINKED
CASE_EXTENDED = names.CASE_EXTENDED
CASE_RESOLVED = names.CASE_RESOLVED
CASE_REOPENED = names.CASE_REOPENED
# Corrections: a person's change to what the pipeline decided, each with actor, time, reason.
CASE_RECLASSIFIED = names.CASE_RECLASSIFIED
CASE_NOT_A_REQUEST = names.CASE_NOT_A_REQUEST
CASE_SALE_DATE_SET = names.CASE_SALE_DATE_SET
CASE_ESCALATION_ADDED = names.CASE_ESCALATION_ADDED
CASE_ESCALATION_REMOVED = names.CASE_ESCALATION_REMOVED
CASE_HOLDING_REPLY = names.CASE_HOLDING_REPLY
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
EXTENSION_NOTICE_SENT = names.EXTENSION_NOTICE_SENT
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
    body: CaseBody


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

    by_record: dict[str, list[CaseAction]] = field(default_factory=dict)

    def add_action(self, action: CaseAction) -> None:
        """Keep a case action (in ledger order)."""
        self.actions.append(action)
        self.by_record.setdefault(action.record_id, []).append(action)

    def with_action(self, action: CaseAction) -> CaseBook:
        """A copy of this book with ``action`` appended (to check a planned entry)."""
        copy = replace(self, actions=list(self.actions), by_record=dict(self.by_record))
        copy.by_record[action.record_id] = [*self.by_record.get(action.record_id, []), action]
        copy.actions.append(action)
        return copy

    def actions_for(self, record_id: str) -> list[CaseAction]:
        """The case actions on ``record_id``, in ledger order."""
        return self.by_record.get(record_id, [])


def request_kinds_of(cls: ClassificationBody) -> tuple[RequestKind, ...]:
    """The request kinds of a classification: ``request_kinds``, else the older single one."""
    if cls.request_kinds:
        return tuple(k for k in REQUEST_KINDS if k in cls.request_kinds)
    return legacy_kinds(cls.request_kind or "")


def _subkinds(cls: ClassificationBody) -> tuple[RequestSubkind, ...]:
    return tuple(k for k in REQUEST_SUBKINDS if k in cls.request_subkinds)


def parse_date(value: Any) -> date | None:
    """An ISO ``YYYY-MM-DD`` date, else None."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _inbound(typed: TypedEntry[RecordBody], policy: ClockPolicy) -> CaseRecord:
    body = typed.body
    source, headers, cls = body.source, body.headers, body.classification
    internal = _moment(source.internaldate)
    future = internal is not None and internal > typed.moment + policy.future_skew
    received = typed.moment if internal is None or future else internal
    senders = [p.address for p in headers.from_]
    return CaseRecord(
        record_id=body.record_id,
        seq=typed.seq,
        received_at=received,
        message_id=normalize_message_id(headers.message_id),
        sender=senders[0] if senders else "",
        subject=headers.subject,
        category=cls.category or "unclassified",
        subcategory=cls.subcategory or "",
        kinds=request_kinds_of(cls),
        subkinds=_subkinds(cls),
        sale_date=cls.foreclosure_sale_date,
        rules=cls.rules,
        escalated=cls.escalated,
        # The ledger holds full account numbers (the record needs them); mask on read.
        # Interned: a book holds every record of the log, and masked forms repeat.
        masked_accounts=tuple(sys.intern(mask_account(n)) for n in cls.account_numbers),
        sensitive_kinds=tuple(f.kind for f in cls.sensitive),
        imported=source.is_imported,
        # The classifier's verdict first (bounces, read receipts, out-of-office text),
        # then the header tests, for records classified before it existed.
        machine=(cls.machine.kind or "machine")
        if cls.machine is not None and cls.machine.is_machine
        else machine_reason(
            auto_submitted=headers.auto_submitted,
            precedence=headers.precedence,
            list_id=headers.list_id,
            list_headers=headers.list_headers,
            return_path=headers.return_path,
            senders=senders,
        ),
        future_internaldate=future,
        language=cls.language or "en",
    )


def _response(typed: TypedEntry[RecordBody]) -> ResponseRecord:
    body = typed.body
    headers = body.headers
    in_reply_to = normalize_message_id(headers.in_reply_to)
    references = tuple(r for r in (normalize_message_id(v) for v in headers.references) if r)
    return ResponseRecord(
        record_id=body.record_id,
        seq=typed.seq,
        sent_at=_moment(body.source.internaldate) or typed.moment,
        message_id=normalize_message_id(headers.message_id),
        in_reply_to=(in_reply_to,) if in_reply_to else (),
        references=references,
        subject=headers.subject,
        text_key=body.bodies.text.key if body.bodies.text else None,
    )


_READ = (
    frozenset({MESSAGE_RECEIVED, RESPONSE_SENT, ACK_SENT, ACK_SKIPPED, EXTENSION_NOTICE_SENT})
    | _CASE_TYPES
)


def collect(
    entries: Iterable[LedgerEntry],
    policy: ClockPolicy = DEFAULT_POLICY,
    keep_inbound: Callable[[CaseRecord], None] | None = None,
) -> CaseBook:
    """Read ``entries`` once, decoding through the entry catalogue, and keep what cases need.

    With ``keep_inbound`` every inbound recording (a record id's later recordings
    included, in ledger order) is handed to it instead of kept in ``book.inbound``,
    which stays empty: a pass over a whole log can keep them outside memory.
    """
    book = CaseBook()
    for entry in entries:
        book.size = entry.seq + 1
        if entry.type not in _READ:
            continue
        typed = decode(entry)
        body = typed.body
        if isinstance(body, RecordBody):
            record = TypedEntry(typed.seq, typed.type, typed.time, typed.actor, body, entry)
            if isinstance(body, ResponseSent) or body.source.direction == "outbound":
                # Mail we sent that was filed like a received one is still our answer.
                book.responses.setdefault(body.record_id, _response(record))
            elif keep_inbound is not None:
                keep_inbound(_inbound(record, policy))
            else:
                # The first recording is the one the clocks start from.
                book.inbound.setdefault(body.record_id, _inbound(record, policy))
        elif isinstance(body, AcknowledgmentSent):
            book.acknowledgments.setdefault(body.record_id, (entry.seq, entry.moment))
            ack_id = normalize_message_id(body.ack_message_id)
            if ack_id:
                book.ack_message_ids[ack_id] = body.record_id
        elif isinstance(body, AcknowledgmentSkipped):
            if body.reason in MACHINE_SKIP_REASONS or body.reason.startswith("machine-mail:"):
                book.machine_skips.setdefault(body.record_id, body.reason)
        elif isinstance(body, ExtensionNoticeSent):
            book.extension_notices.setdefault(body.extension_seq, (entry.seq, body.sent_at))
        elif isinstance(body, CaseBody):
            book.add_action(
                CaseAction(entry.type, entry.seq, entry.moment, entry.actor, body.record_id, body)
            )
    return book
