"""What ``verify``'s disposal audit finds, entry by entry: a disposal is lawful only of a
record an earlier entry recorded, of that record's own objects, of nothing a held record
also keeps, with no hold in force and after its retention ends."""

from __future__ import annotations

from datetime import timedelta

from pipeline import entries
from pipeline.entries.models import (
    Bodies,
    HoldAdded,
    HoldRemoved,
    MessageReceived,
    ObjectRef,
    RecordDisposed,
    Source,
)
from pipeline.hashing import ZERO_HASH, object_key
from pipeline.ledger.audit import Fault
from pipeline.ledger.entry import LedgerEntry
from pipeline.retention.audit import DisposalAudit
from tests.ledger.ledger_helpers import T0

# the same text part in two messages (content-addressed, so stored once)
SHARED = ObjectRef(sha256="5" * 64, size=9, key=object_key("5" * 64))


def _raw(n: int) -> ObjectRef:
    digest = f"{n:x}".rjust(64, "a")
    return ObjectRef(sha256=digest, size=100, key=object_key(digest))


def _record(n: int, *, shared: bool = False) -> MessageReceived:
    return MessageReceived(
        record_id=f"r-{n}",
        source=Source(kind="imap", mailbox="servicing", folder="INBOX", uid=n + 1),
        raw=_raw(n),
        bodies=Bodies(text=SHARED if shared else None),
    )


class _Log:
    """Entries fed to an audit in log order, as ``verify`` feeds them."""

    def __init__(self, retain_days: int | None = None) -> None:
        self.audit = DisposalAudit(retain_days)
        self.prev = ZERO_HASH
        self.seq = 0

    def add(self, body: entries.Body, days: float | timedelta = 0) -> int:
        after = days if isinstance(days, timedelta) else timedelta(days)
        draft = entries.draft(body, "person:officer", T0 + after)
        entry = LedgerEntry.build(self.seq, self.prev, draft)
        self.audit.see(entry.seq, entry)
        self.prev, self.seq = entry.entry_hash, self.seq + 1
        return entry.seq

    def found(self) -> list[tuple[int | None, str]]:
        """Each finding's position and detail; every one is an unlawful disposal."""
        problems = self.audit.problems()
        assert {p.fault for p in problems} <= {Fault.UNLAWFUL_DISPOSAL}
        return [(p.position, p.detail) for p in problems]


def _disposal(n: int, *keys: str) -> RecordDisposed:
    return RecordDisposed(record_id=f"r-{n}", keys=keys or (_raw(n).key,))


def _foreign(key: str, n: int) -> str:
    return f"deletes {key}, which is not one of r-{n}'s objects"


def test_a_disposal_of_a_records_own_objects_after_retention_is_lawful() -> None:
    log = _Log(retain_days=30)
    log.add(_record(0))
    log.add(_disposal(0), days=31)
    assert log.found() == []


def test_a_disposal_of_a_record_no_earlier_entry_recorded_is_a_finding() -> None:
    log = _Log()
    position = log.add(_disposal(7))
    assert log.found() == [(position, "disposes of r-7, which no earlier entry records")]


def test_a_disposal_that_deletes_another_records_object_is_a_finding() -> None:
    log = _Log()
    log.add(_record(0))
    log.add(_record(1))
    position = log.add(_disposal(0, _raw(0).key, _raw(1).key))
    assert log.found() == [
        (
            position,
            _foreign(_raw(1).key, 0),
        )
    ]


def test_a_disposal_of_an_object_a_held_record_also_keeps_is_a_finding() -> None:
    log = _Log()
    log.add(_record(0, shared=True))
    log.add(_record(1, shared=True))
    hold = log.add(HoldAdded(record_ids=("r-1",)))
    position = log.add(_disposal(0, _raw(0).key, SHARED.key))
    assert log.found() == [
        (
            position,
            f"deletes {SHARED.key}, which r-1 also holds under the legal hold added at position"
            f" {hold}",
        )
    ]


def test_a_shared_object_may_go_once_the_other_records_hold_is_lifted() -> None:
    log = _Log()
    log.add(_record(0, shared=True))
    log.add(_record(1, shared=True))
    log.add(HoldAdded(record_ids=("r-1",)))
    log.add(HoldRemoved(record_ids=("r-1",)))
    log.add(_disposal(0, _raw(0).key, SHARED.key))
    assert log.found() == []


def test_retention_runs_from_the_first_entry_that_recorded_the_message() -> None:
    log = _Log(retain_days=30)
    first = log.add(_record(0))
    log.add(_record(0), days=20)  # recorded again later: the first entry still counts
    position = log.add(_disposal(0), days=25)
    assert log.found() == [
        (
            position,
            f"disposes of r-0 (recorded at position {first} on {T0.date().isoformat()}) before"
            f" its 30-day retention ends on {(T0 + timedelta(30)).date().isoformat()}",
        )
    ]


def test_a_disposal_naming_an_earlier_records_object_is_foreign_to_a_later_record() -> None:
    log = _Log()
    log.add(_record(0))
    log.add(_record(1))
    position = log.add(_disposal(1, _raw(1).key, _raw(0).key))
    assert log.found() == [
        (
            position,
            _foreign(_raw(0).key, 1),
        )
    ]


def test_of_several_foreign_objects_the_first_in_key_order_is_named() -> None:
    log = _Log()
    log.add(_record(0))
    position = log.add(_disposal(0, _raw(0).key, _raw(12).key, _raw(11).key))
    assert log.found() == [
        (
            position,
            _foreign(min(_raw(11).key, _raw(12).key), 0),
        )
    ]


def test_retention_is_measured_to_the_microsecond() -> None:
    recorded = timedelta(microseconds=123_457)
    lawful_from = recorded + timedelta(days=30) - timedelta(days=1)  # a day of grace
    log = _Log(retain_days=30)
    log.add(_record(0), days=recorded)
    early = log.add(_disposal(0), days=lawful_from - timedelta(microseconds=1))
    log.add(_disposal(0), days=lawful_from)
    assert [position for position, _ in log.found()] == [early]
