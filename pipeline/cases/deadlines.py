"""The one case model: where every inbound record's clocks stand (pure; ``now`` passed in).

Every reader that shows a request's status (``cases``, ``report sla``, ``trail``,
the export) asks :func:`evaluate_book`; nothing else decides it.

* Request kinds, subkinds and the foreclosure sale date come from the record's
  classification, then from corrections in ledger order (``case.reclassified``,
  ``case.sale_date_set``); ``case.not_a_request`` takes every clock away until a
  later reclassification. Clocks are computed from them with
  :func:`pipeline.classify.clocks.clocks_for`, so a correction recomputes the due
  dates (the entry that made it records the old and new ones).
* Machine mail (RFC 3834: auto-replies, lists, bounces; or an acknowledgment skipped
  for one of those reasons) and messages marked not a request are *not applicable*:
  they have no clocks and are never missed.
* ``acknowledge``: met by the first ``acknowledgment.sent`` for the record.
* ``respond``: met by the first linked response that is not marked a holding reply
  (``case.holding_reply``), or by ``case.resolved``, whichever came first. A
  resolution later undone by ``case.reopened`` does not count.
* Extensions (``case.extended``) take effect only once the written notice the rule
  requires was sent (``extension_notice.sent``) on or before the original due date
  (12 CFR 1024.35(e)(3)(ii), 1024.36(d)(2)(ii)); until then the original due date
  stands and the case reports the missing notice. An extension the rules do not
  allow is ignored and noted, so a bad entry never makes a late case look on time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from pipeline.cases.book import (
    CASE_EXTENDED,
    CASE_REOPENED,
    CASE_RESOLVED,
    CORRECTION_TYPES,
    CaseAction,
    CaseBook,
    CaseRecord,
    ResponseRecord,
    collect,
)
from pipeline.cases.linking import Link, LinkResult, link_responses
from pipeline.classify.clocks import (
    DEFAULT_POLICY,
    ClockPolicy,
    Deadline,
    DeadlineStatus,
    business_days_between,
    clocks_for,
    deadline_status,
    extend,
    local_date,
)
from pipeline.classify.kinds import REQUEST_KINDS, REQUEST_SUBKINDS, RequestKind, RequestSubkind
from pipeline.entries.models import (
    CaseEscalationAdded,
    CaseEscalationRemoved,
    CaseExtended,
    CaseHoldingReply,
    CaseNotARequest,
    CaseReclassified,
    CaseSaleDateSet,
)
from pipeline.errors import CaseActionError
from pipeline.ledger.entry import LedgerEntry

__all__ = [
    "CaseState",
    "CaseStatus",
    "Classification",
    "DeadlineResult",
    "effective_classification",
    "evaluate_book",
    "evaluate_cases",
    "evaluate_record",
]

CaseState = Literal["met", "pending", "missed", "not_applicable"]


@dataclass(frozen=True, slots=True)
class DeadlineResult:
    """One clock of one record, evaluated.

    ``deadline`` is the effective clock (after any extension); ``days_taken`` is the
    business days from receipt (day 0) to the day it was met; ``positions`` are the
    ledger entries the result rests on (record, extension, meeting entry).
    """

    deadline: Deadline
    original_due: date
    status: DeadlineStatus
    extension_seq: int | None = None
    met_at: datetime | None = None
    met_by_seq: int | None = None
    met_by_type: str | None = None
    days_taken: int | None = None
    record_seq: int = 0

    @property
    def name(self) -> str:
        """``acknowledge`` or ``respond``."""
        return self.deadline.name

    @property
    def due(self) -> date:
        """The effective due date."""
        return self.deadline.due

    @property
    def state(self) -> str:
        """``met``, ``pending`` or ``missed``."""
        return self.status.state

    @property
    def positions(self) -> tuple[int, ...]:
        """Ledger positions behind this result, ascending."""
        seqs = {self.record_seq}
        if self.extension_seq is not None:
            seqs.add(self.extension_seq)
        if self.met_by_seq is not None:
            seqs.add(self.met_by_seq)
        return tuple(sorted(seqs))

    def describe(self) -> str:
        """A short human phrase: ``met on time``, ``late by 2``, ``3 left``, ``missed by 1``."""
        s = self.status
        if s.state == "met":
            return "met on time" if s.late_by == 0 else f"met late by {s.late_by} business days"
        if s.state == "pending":
            return f"pending, {s.days_left} business days left"
        return f"missed by {s.late_by} business days"


@dataclass(frozen=True, slots=True)
class Classification:
    """What a record asks for after every correction up to a point in the ledger."""

    kinds: tuple[RequestKind, ...]
    subkinds: tuple[RequestSubkind, ...]
    sale_date: date | None
    not_a_request: CaseAction | None
    escalations: tuple[tuple[str, str], ...]  # (family, route) added by hand, in force


def effective_classification(record: CaseRecord, actions: Sequence[CaseAction]) -> Classification:
    """The record's kinds, subkinds, sale date and hand escalations after ``actions``."""
    kinds, subkinds, sale = record.kinds, record.subkinds, record.sale_date
    not_request: CaseAction | None = None
    escalations: dict[str, str] = {}
    for action in actions:
        body = action.body
        if isinstance(body, CaseReclassified):
            kinds = tuple(k for k in REQUEST_KINDS if k in body.kinds)
            subkinds = tuple(k for k in REQUEST_SUBKINDS if k in body.subkinds)
            not_request = None
        elif isinstance(body, CaseNotARequest):
            not_request = action
        elif isinstance(body, CaseSaleDateSet):
            sale = body.sale_date
        elif isinstance(body, CaseEscalationAdded):
            escalations[body.family] = body.route
        elif isinstance(body, CaseEscalationRemoved):
            escalations.pop(body.family, None)
    return Classification(kinds, subkinds, sale, not_request, tuple(sorted(escalations.items())))


@dataclass(frozen=True, slots=True)
class CaseStatus:
    """An inbound record with its evaluated clocks, what answered it and its corrections.

    ``not_applicable`` is the reason the record has no clocks (machine mail, marked
    not a request), else None. ``extension_unnoticed`` is the ``case.extended``
    position whose written notice was never sent, if any.
    """

    record: CaseRecord
    deadlines: tuple[DeadlineResult, ...]
    links: tuple[Link, ...]
    acknowledged_seq: int | None
    resolved_seq: int | None
    notes: tuple[str, ...] = ()
    classification: Classification | None = None
    not_applicable: str | None = None
    corrections: tuple[CaseAction, ...] = ()
    holding_replies: tuple[str, ...] = ()
    extension_seq: int | None = None
    extension_notice_seq: int | None = None
    extension_unnoticed: int | None = None

    @property
    def record_id(self) -> str:
        """The record id."""
        return self.record.record_id

    @property
    def kinds(self) -> tuple[RequestKind, ...]:
        """The request kinds in force."""
        return self.classification.kinds if self.classification else self.record.kinds

    @property
    def request_kind(self) -> str:
        """The kinds in force as one label (``general`` for none)."""
        return "+".join(self.kinds) or "general"

    def deadline(self, name: str) -> DeadlineResult | None:
        """The first evaluated clock called ``name`` (or with key ``kind:name``)."""
        for result in self.deadlines:
            if name in (result.name, result.deadline.key):
                return result
        return None

    @property
    def resolved(self) -> bool:
        """True while the case stands resolved (not reopened since)."""
        return self.resolved_seq is not None

    @property
    def state(self) -> CaseState:
        """``not_applicable``, else ``missed`` if any clock is, else ``pending``, else ``met``."""
        if self.not_applicable is not None or not self.deadlines:
            return "not_applicable"
        states = {d.state for d in self.deadlines}
        state: CaseState
        for state in ("missed", "pending"):
            if state in states:
                return state
        return "met"


def _resolution(book_actions: Iterable[tuple[str, int, datetime]]) -> tuple[int, datetime] | None:
    """The resolution in force: the first ``case.resolved`` after the last reopening."""
    current: tuple[int, datetime] | None = None
    for kind, seq, moment in book_actions:
        if kind == CASE_RESOLVED and current is None:
            current = (seq, moment)
        elif kind == CASE_REOPENED:
            current = None
    return current


def _not_applicable(record: CaseRecord, book: CaseBook, cls: Classification) -> str | None:
    if record.machine is not None:
        return f"machine mail ({record.machine})"
    skip = book.machine_skips.get(record.record_id)
    if skip is not None:
        return f"machine mail ({skip})"
    if cls.not_a_request is not None:
        who = cls.not_a_request
        return f"marked not a request by {who.actor} (ledger position {who.seq})"
    return None


def evaluate_record(
    record: CaseRecord,
    book: CaseBook,
    links: list[Link],
    now: datetime,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> CaseStatus:
    """Evaluate one record's clocks as of ``now``."""
    actions = book.actions_for(record.record_id)
    cls = effective_classification(record, actions)
    corrections = tuple(a for a in actions if a.type in CORRECTION_TYPES)
    holding = tuple(
        a.body.response_record_id for a in actions if isinstance(a.body, CaseHoldingReply)
    )
    notes: list[str] = []
    if record.future_internaldate:
        notes.append(
            "the server's INTERNALDATE is later than the ledger recorded the message; the"
            " clocks start from the ledger time"
        )
    resolution = _resolution((a.type, a.seq, a.time) for a in actions)
    ack = book.acknowledgments.get(record.record_id)
    na = _not_applicable(record, book, cls)
    if na is not None:
        return CaseStatus(
            record=record,
            deadlines=(),
            links=tuple(links),
            acknowledged_seq=ack[0] if ack else None,
            resolved_seq=resolution[0] if resolution else None,
            notes=tuple(notes),
            classification=cls,
            not_applicable=na,
            corrections=corrections,
            holding_replies=holding,
        )
    first_response: tuple[int, datetime, str] | None = None
    for link in links:
        response = book.responses.get(link.response_id)
        if response is None or response.record_id in holding:
            continue
        if first_response is None or response.sent_at < first_response[1]:
            first_response = (response.seq, response.sent_at, "response.sent")

    clocks = clocks_for(
        cls.kinds, cls.subkinds, record.received_at, policy, sale_date=cls.sale_date
    )
    # The extension in force: the first case.extended whose written notice went out in time.
    extension: tuple[CaseAction, int, date] | None = None
    unnoticed: int | None = None
    for action in actions:
        if action.type != CASE_EXTENDED:
            continue
        if extension is not None:
            notes.append(
                f"extension at ledger position {action.seq} ignored: the one extension the"
                f" rule allows is at position {extension[0].seq}"
            )
            continue
        notice = book.extension_notices.get(action.seq)
        if notice is None:
            unnoticed = action.seq
            notes.append(
                f"extension at ledger position {action.seq} has no sent written notice to the"
                " borrower (12 CFR 1024.35(e)(3)(ii), 1024.36(d)(2)(ii)); the original due"
                " date stands"
            )
            continue
        extension = (action, notice[0], local_date(notice[1], policy))
        unnoticed = None

    results: list[DeadlineResult] = []
    for clock in clocks:
        effective = clock
        extension_seq: int | None = None
        if clock.name == "respond" and extension is not None:
            action, _, notified_on = extension
            days = action.body.days if isinstance(action.body, CaseExtended) else None
            try:
                effective = extend(
                    effective,
                    days if isinstance(days, int) else policy.extension_days,
                    notified_on=notified_on,
                    calendar=policy.calendar_for(clock),
                )
                extension_seq = action.seq
            except CaseActionError as exc:
                notes.append(f"extension at ledger position {action.seq} ignored: {exc}")
        met: tuple[int, datetime, str] | None = None
        if clock.name == "acknowledge" and ack is not None:
            met = (ack[0], ack[1], "acknowledgment.sent")
        elif clock.name == "respond":
            candidates = [c for c in (first_response,) if c is not None]
            if resolution is not None:
                candidates.append((resolution[0], resolution[1], CASE_RESOLVED))
            if candidates:
                met = min(candidates, key=lambda c: (c[1], c[0]))
        status = deadline_status(effective, met[1] if met else None, now, policy)
        days_taken = (
            business_days_between(clock.start, status.met_on, policy.calendar_for(clock))
            if status.met_on is not None
            else None
        )
        results.append(
            DeadlineResult(
                deadline=effective,
                original_due=clock.due,
                status=status,
                extension_seq=extension_seq,
                met_at=met[1] if met else None,
                met_by_seq=met[0] if met else None,
                met_by_type=met[2] if met else None,
                days_taken=days_taken,
                record_seq=record.seq,
            )
        )
    return CaseStatus(
        record=record,
        deadlines=tuple(results),
        links=tuple(links),
        acknowledged_seq=ack[0] if ack else None,
        resolved_seq=resolution[0] if resolution else None,
        notes=tuple(notes),
        classification=cls,
        corrections=corrections,
        holding_replies=holding,
        extension_seq=extension[0].seq if extension else None,
        extension_notice_seq=extension[1] if extension else None,
        extension_unnoticed=unnoticed,
    )


def evaluate_book(
    book: CaseBook,
    linked: LinkResult,
    now: datetime,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> list[CaseStatus]:
    """Evaluate every inbound record in ``book``, in ledger order."""
    by_record: dict[str, list[Link]] = {}
    for link in linked.links:
        by_record.setdefault(link.record_id, []).append(link)
    return [
        evaluate_record(record, book, by_record.get(record.record_id, []), now, policy)
        for record in sorted(book.inbound.values(), key=lambda r: r.seq)
    ]


def evaluate_cases(
    entries: Iterable[LedgerEntry],
    now: datetime,
    policy: ClockPolicy = DEFAULT_POLICY,
    *,
    body_text: Callable[[ResponseRecord], str | None] | None = None,
) -> list[CaseStatus]:
    """Every inbound record's clocks as of ``now``, from one pass over ``entries``."""
    book = collect(entries, policy)
    return evaluate_book(book, link_responses(book, body_text), now, policy)
