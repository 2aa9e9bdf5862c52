"""Reading every case from a ledger: the one entry point all views use.

``cases``, ``report sla``, ``trail`` and the export call :func:`read_cases`, so they
link replies the same way (reference numbers in reply bodies included) and show the
same status for every record.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import pickle
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Literal, get_args

from pipeline.cases.book import CaseBook, CaseRecord, ResponseRecord, collect
from pipeline.cases.deadlines import CaseStatus, DeadlineResult, evaluate_book, evaluate_record
from pipeline.cases.linking import (
    Link,
    LinkResult,
    ack_record_id,
    find_references,
    link_responses,
)
from pipeline.classify.clocks import DEFAULT_POLICY, ClockPolicy
from pipeline.entries.models import CaseLinked
from pipeline.entries.references import reference_number
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


class _InboundFile:
    """The inbound records of a whole log in an anonymous scratch file, found by id.

    Kept per record in memory: its offset in the file and an 8-byte digest of its id,
    sorted once when the log has been read (some 25 bytes a record, against 1.6 KB
    for a :class:`CaseRecord` and its strings). Reads mean what ``dict.setdefault``
    over the recordings in ledger order means: a record id's first recording wins,
    and :meth:`values` are the first recordings in ledger order.
    """

    def __init__(self, directory: Path) -> None:
        # in the caller's scratch directory (the records are borrowers' mail, so not
        # the system temp directory, which may be shared or RAM-backed); unnamed where
        # the system allows it, so no other process can reach it and it goes when closed
        self._handle = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115 - closed by close()
        self._offsets = array("q")
        self._end = 0
        self._keys = array("Q")
        self._order = array("q")  # recording numbers sorted by key (ties in ledger order)
        self._later: set[int] = set()  # recordings of an id recorded before (rare)

    def add(self, record: CaseRecord) -> None:
        """Keep the next recording (ledger order)."""
        data = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
        self._handle.write(data)
        self._offsets.append(self._end)
        self._end += len(data)
        self._keys.append(_id_key(record.record_id))

    def finish(self) -> None:
        """Sort the keys for lookups, once every recording has been added."""
        self._handle.flush()
        keys = self._keys
        self._order = array("q", sorted(range(len(keys)), key=keys.__getitem__))
        self._keys = array("Q", (keys[i] for i in self._order))
        # a key shared by several recordings: the same id recorded again, or (one chance
        # in 2**64 per pair) two ids with the same digest; only the first of an id counts
        for start in range(len(self._keys) - 1):
            if self._keys[start] == self._keys[start + 1] and (
                start == 0 or self._keys[start - 1] != self._keys[start]
            ):
                seen: set[str] = set()
                end = start
                while end < len(self._keys) and self._keys[end] == self._keys[start]:
                    number = self._order[end]
                    record_id = self._load(number).record_id
                    if record_id in seen:
                        self._later.add(number)
                    seen.add(record_id)
                    end += 1

    def _load(self, number: int) -> CaseRecord:
        start = self._offsets[number]
        end = self._offsets[number + 1] if number + 1 < len(self._offsets) else self._end
        data = os.pread(self._handle.fileno(), end - start, start)
        # written by this object into its own unnamed file above, never read from outside
        record: CaseRecord = pickle.loads(data)  # noqa: S301
        return record

    def get(self, record_id: str) -> CaseRecord | None:
        """The first recording of ``record_id``, if it was recorded."""
        key = _id_key(record_id)
        at = bisect.bisect_left(self._keys, key)
        while at < len(self._keys) and self._keys[at] == key:
            record = self._load(self._order[at])
            if record.record_id == record_id:
                return record
            at += 1
        return None

    def values(self) -> Iterator[CaseRecord]:
        """The first recording of every record id, in ledger order."""
        for number in range(len(self._offsets)):
            if number not in self._later:
                yield self._load(number)

    def close(self) -> None:
        """Remove the scratch file."""
        self._handle.close()


def _id_key(record_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(record_id.encode(), digest_size=8).digest(), "big")


@dataclass(frozen=True)
class RecordCases:
    """The case model of a log with each record's status evaluated when it is asked for.

    For a pass over every record of a large log (an export), memory stays flat with
    the log: the inbound records wait in a scratch file and are read back one at a
    time; the book keeps the rest of the log's case facts (acknowledgments,
    machine-mail skips, case actions, responses) and, in ``book.inbound``, only the
    records some response could answer. The rule is the one :func:`read_cases`
    applies (:func:`~pipeline.cases.linking.link_responses`, then
    :func:`~pipeline.cases.deadlines.evaluate_record` over the same facts), so every
    record's status and replies are the same.
    """

    book: CaseBook
    now: datetime
    policy: ClockPolicy
    _inbound: _InboundFile = field(repr=False, compare=False)
    _links: dict[str, list[Link]] = field(repr=False, compare=False)

    def for_record(self, record_id: str) -> CaseStatus | None:
        """The status of inbound record ``record_id``, if it is one."""
        record = self._inbound.get(record_id)
        if record is None:
            return None
        return evaluate_record(
            record, self.book, self._links.get(record_id, []), self.now, self.policy
        )

    def response_seqs(self, record_id: str) -> list[int]:
        """Ledger positions of the responses linked to ``record_id``."""
        return [link.response_seq for link in self._links.get(record_id, ())]

    def close(self) -> None:
        """Remove the scratch file of inbound records."""
        self._inbound.close()


def read_record_cases(
    entries: Iterable[LedgerEntry],
    store: ObjectStore | None,
    now: datetime,
    scratch: Path,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> RecordCases:
    """The case model of ``entries`` as of ``now``, evaluated record by record on demand
    (reply bodies read from ``store`` for reference numbers, as :func:`read_cases` does).

    The inbound records wait in a scratch file in the directory ``scratch`` (an
    export's own scratch directory). Call :meth:`RecordCases.close` when done with it.
    """
    inbound = _InboundFile(scratch)
    try:
        book = collect(entries, policy, keep_inbound=inbound.add)
        inbound.finish()
        linked = _link_lazily(book, inbound, store)
    except BaseException:
        inbound.close()
        raise
    by_record: dict[str, list[Link]] = {}
    for link in linked.links:  # in the order evaluate_book hands them to evaluate_record
        by_record.setdefault(link.record_id, []).append(link)
    return RecordCases(book, now, policy, inbound, by_record)


def _link_lazily(book: CaseBook, inbound: _InboundFile, store: ObjectStore | None) -> LinkResult:
    """What :func:`link_responses` over every inbound record gives, with ``book.inbound``
    holding only the records some response names, and a response's text body read only
    when its headers and subject link nothing (as :func:`read_cases` reads them: on S3
    a body is one GET).

    Linking looks records up by Message-ID, acknowledgment id, reference number and
    manual link, so only records one of the responses names can be linked. First the
    records named by headers, subjects and manual links are handed to it; the responses
    it then asks the body of are the ones whose headers and subject link nothing, and
    adding the records their bodies name cannot change that (every record a header or
    subject names is already there), so the second run links the same way.
    """
    _add_named(book, inbound, *_named_by_responses(book))
    if store is None:
        return link_responses(book, None)
    needs_body: list[ResponseRecord] = []

    def ask(response: ResponseRecord) -> None:
        needs_body.append(response)

    link_responses(book, ask)
    load = body_text_loader(store)
    body_refs: dict[str, list[str]] = {}
    for response in needs_body:
        text = load(response)
        body_refs[response.record_id] = find_references(text) if text else []
    wanted_refs = {ref for refs in body_refs.values() for ref in refs}
    if wanted_refs:
        _add_named(book, inbound, set(), set(), wanted_refs)
    # the references found in each body, joined, are what linking finds in the body
    return link_responses(book, lambda r: " ".join(body_refs.get(r.record_id, ())))


def _add_named(
    book: CaseBook,
    inbound: _InboundFile,
    record_ids: set[str],
    message_ids: set[str],
    refs: set[str],
) -> None:
    """Put into ``book.inbound`` the first recordings of the records named by id,
    Message-ID or reference number, kept in ledger order as :func:`read_cases` has them."""
    named = {
        record.record_id: record
        for record in inbound.values()
        if record.record_id not in book.inbound
        and (
            record.record_id in record_ids
            or record.message_id in message_ids
            or reference_number(record.record_id) in refs
        )
    }
    if named:
        merged = sorted((*book.inbound.values(), *named.values()), key=lambda r: r.seq)
        book.inbound.clear()
        book.inbound.update((record.record_id, record) for record in merged)


def _named_by_responses(book: CaseBook) -> tuple[set[str], set[str], set[str]]:
    """Record ids, Message-IDs and reference numbers by which a response of ``book`` (its
    headers, subject or a manual link) could name an inbound record."""
    record_ids: set[str] = set()
    message_ids: set[str] = set()
    refs: set[str] = set()
    for response in book.responses.values():
        for message_id in (*response.in_reply_to, *response.references):
            message_ids.add(message_id)
            acked = book.ack_message_ids.get(message_id) or ack_record_id(message_id)
            if acked is not None:
                record_ids.add(acked)
        refs.update(find_references(response.subject))
    record_ids.update(a.record_id for a in book.actions if isinstance(a.body, CaseLinked))
    return record_ids, message_ids, refs
