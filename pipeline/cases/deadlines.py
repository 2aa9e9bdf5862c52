"""Where every inbound record's clocks stand (pure; no I/O, ``now`` passed in).

The clocks are the ones recorded with the message (the ``deadlines`` of its
``message.received`` body, computed at receipt by :mod:`pipeline.classify.clocks`),
so a later change of policy never rewrites history. They are then adjusted by
``case.extended`` entries and evaluated against the entries that meet them:

* ``acknowledge`` (12 CFR 1024.35(d), 1024.36(c)): met by the first
  ``acknowledgment.sent`` for the record, at that entry's time.
* ``respond`` (12 CFR 1024.35(e)(3), 1024.36(d)(2); 12 CFR 1026.36(c)(3) for
  payoff statements): met by the first linked ``response.sent`` (when the mail
  server received it, else the entry time) or by ``case.resolved``, whichever
  came first. A resolution later undone by ``case.reopened`` does not count: the
  case was not in fact resolved; the next resolution after the reopening does.

Extensions are re-checked here with :func:`pipeline.classify.clocks.extend`, dated
by the ``case.extended`` entry (the written notice must precede the expiry, 12 CFR
1024.35(e)(3)(ii), 1024.36(d)(2)(ii)). One the rules do not allow is ignored and
noted, so a bad entry can never make a late case look on time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from pipeline.cases.book import (
    CASE_EXTENDED,
    CASE_REOPENED,
    CASE_RESOLVED,
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
    deadline_status,
    extend,
    local_date,
)
from pipeline.errors import CaseActionError
from pipeline.ledger.entry import LedgerEntry

__all__ = ["CaseStatus", "DeadlineResult", "evaluate_book", "evaluate_cases"]


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
class CaseStatus:
    """An inbound record with its evaluated clocks and what answered it."""

    record: CaseRecord
    deadlines: tuple[DeadlineResult, ...]
    links: tuple[Link, ...]
    acknowledged_seq: int | None
    resolved_seq: int | None
    notes: tuple[str, ...] = ()

    @property
    def record_id(self) -> str:
        """The record id."""
        return self.record.record_id

    def deadline(self, name: str) -> DeadlineResult | None:
        """The evaluated clock called ``name``, if the record has one."""
        for result in self.deadlines:
            if result.name == name:
                return result
        return None

    @property
    def resolved(self) -> bool:
        """True while the case stands resolved (not reopened since)."""
        return self.resolved_seq is not None


def _resolution(book_actions: Iterable[tuple[str, int, datetime]]) -> tuple[int, datetime] | None:
    """The resolution in force: the first ``case.resolved`` after the last reopening."""
    current: tuple[int, datetime] | None = None
    for kind, seq, moment in book_actions:
        if kind == CASE_RESOLVED and current is None:
            current = (seq, moment)
        elif kind == CASE_REOPENED:
            current = None
    return current


def evaluate_record(
    record: CaseRecord,
    book: CaseBook,
    links: list[Link],
    now: datetime,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> CaseStatus:
    """Evaluate one record's clocks as of ``now``."""
    actions = book.actions_for(record.record_id)
    notes: list[str] = []
    resolution = _resolution((a.type, a.seq, a.time) for a in actions)
    ack = book.acknowledgments.get(record.record_id)
    first_response: tuple[int, datetime, str] | None = None
    for link in links:
        response = book.responses.get(link.response_id)
        if response is None:
            continue
        if first_response is None or response.sent_at < first_response[1]:
            first_response = (response.seq, response.sent_at, "response.sent")

    results: list[DeadlineResult] = []
    for clock in record.deadlines:
        effective = clock
        extension_seq: int | None = None
        if clock.name == "respond":
            for action in actions:
                if action.type != CASE_EXTENDED:
                    continue
                days = action.body.get("days")
                try:
                    effective = extend(
                        effective,
                        int(days) if isinstance(days, int) else policy.extension_days,
                        notified_on=local_date(action.time, policy),
                        calendar=policy.calendar,
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
            business_days_between(clock.start, status.met_on, policy.calendar)
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
