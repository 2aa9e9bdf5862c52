"""Reading every case from a ledger: the one entry point all views use.

``cases``, ``report sla``, ``trail`` and the export call :func:`read_cases`, so they
link replies the same way (reference numbers in reply bodies included) and show the
same status for every record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal, get_args

from pipeline.cases.book import CaseBook, ResponseRecord, collect
from pipeline.cases.deadlines import CaseStatus, DeadlineResult, evaluate_book, evaluate_record
from pipeline.cases.linking import Link, LinkResult, link_responses
from pipeline.classify.clocks import DEFAULT_POLICY, ClockPolicy
from pipeline.errors import StorageError
from pipeline.ledger.entry import LedgerEntry
from pipeline.storage.base import ObjectStore

__all__ = [
    "DEADLINE_FILTERS",
    "CaseView",
    "ClockBucket",
    "DeadlineFilter",
    "RecordCases",
    "body_text_loader",
    "clock_bucket",
    "deadline_filters",
    "read_cases",
    "read_record_cases",
]

ClockBucket = Literal["overdue", "today", "week", "later"]
DeadlineFilter = Literal["met", "pending", "missed", "not_applicable", "due_this_week", "overdue"]
DEADLINE_FILTERS: tuple[DeadlineFilter, ...] = get_args(DeadlineFilter)
WEEK = timedelta(days=7)  # "this week": due today or within the next seven days


def clock_bucket(case: CaseStatus, result: DeadlineResult, today: date) -> ClockBucket | None:
    """Where an open clock of a case stands on ``today`` (None: met, or the case resolved).

    The cases dashboard groups by this, and the search's "due this week" and
    "overdue" filters are derived from it, so both say the same thing.
    """
    if case.resolved or result.state == "met":
        return None
    if result.state == "missed":
        return "overdue"
    if result.due == today:
        return "today"
    return "week" if result.due <= today + WEEK else "later"


def deadline_filters(case: CaseStatus, today: date) -> tuple[DeadlineFilter, ...]:
    """The deadline-status words a case is found by on ``today``: its state (met,
    pending, missed, not applicable), ``overdue`` when an open clock is missed and
    ``due_this_week`` when one falls due today or in the next seven days."""
    buckets = {clock_bucket(case, r, today) for r in case.deadlines}
    out: list[DeadlineFilter] = [case.state]
    if "overdue" in buckets:
        out.append("overdue")
    if buckets & {"today", "week"}:
        out.append("due_this_week")
    return tuple(out)


def body_text_loader(store: ObjectStore) -> Callable[[ResponseRecord], str | None]:
    """Reads a response's text body from the store, for reference-number linking."""

    def load(response: ResponseRecord) -> str | None:
        if not response.text_key:
            return None
        try:
            return store.get(response.text_key).decode("utf-8", errors="replace")
        except StorageError:
            # A disposed or unreadable body only means we cannot link by its text.
            return None

    return load


@dataclass(frozen=True)
class CaseView:
    """Every inbound record's status, the links and the unlinked responses, as of one time."""

    book: CaseBook
    linked: LinkResult
    statuses: tuple[CaseStatus, ...]
    _by_id: dict[str, CaseStatus] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update((s.record_id, s) for s in self.statuses)

    def for_record(self, record_id: str) -> CaseStatus | None:
        """The status of inbound record ``record_id``, if it is one."""
        return self._by_id.get(record_id)

    def response_seqs(self, record_id: str) -> list[int]:
        """Ledger positions of the responses linked to ``record_id``."""
        return [link.response_seq for link in self.linked.for_record(record_id)]


def read_cases(
    entries: Iterable[LedgerEntry],
    store: ObjectStore | None,
    now: datetime,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> CaseView:
    """Evaluate every case in ``entries`` as of ``now`` (reply bodies read from ``store``)."""
    book = collect(entries, policy)
    linked = link_responses(book, body_text_loader(store) if store is not None else None)
    return CaseView(book, linked, tuple(evaluate_book(book, linked, now, policy)))


@dataclass(frozen=True)
class RecordCases:
    """The case model of a log with each record's status evaluated when it is asked for.

    For a pass over every record of a large log (an export): the book and the links
    are kept, one small set of facts per record, but the evaluated clocks only for
    the record in hand, instead of for every record at once. The rule is the one
    :func:`read_cases` applies (:func:`~pipeline.cases.deadlines.evaluate_record` over
    the same book and links), so every record's status is the same.
    """

    book: CaseBook
    now: datetime
    policy: ClockPolicy
    _links: dict[str, list[Link]] = field(repr=False, compare=False)

    def for_record(self, record_id: str) -> CaseStatus | None:
        """The status of inbound record ``record_id``, if it is one."""
        record = self.book.inbound.get(record_id)
        if record is None:
            return None
        return evaluate_record(
            record, self.book, self._links.get(record_id, []), self.now, self.policy
        )

    def response_seqs(self, record_id: str) -> list[int]:
        """Ledger positions of the responses linked to ``record_id``."""
        return [link.response_seq for link in self._links.get(record_id, ())]


def read_record_cases(
    entries: Iterable[LedgerEntry],
    store: ObjectStore | None,
    now: datetime,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> RecordCases:
    """The case model of ``entries`` as of ``now``, evaluated record by record on demand
    (reply bodies read from ``store`` for reference numbers, as :func:`read_cases` does)."""
    book = collect(entries, policy)
    linked = link_responses(book, body_text_loader(store) if store is not None else None)
    by_record: dict[str, list[Link]] = {}
    for link in linked.links:  # in the order evaluate_book hands them to evaluate_record
        by_record.setdefault(link.record_id, []).append(link)
    return RecordCases(book, now, policy, by_record)
