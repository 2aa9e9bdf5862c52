"""The dispatcher: progress recorded in the ledger, retries, isolation, crash recovery."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from pipeline.emit.cloudevent import CloudEvent
from pipeline.emit.derive import events_for_entry
from pipeline.emit.dispatch import EVENT_DELIVERED, Dispatcher
from pipeline.emit.sinks import JsonlSink, TypeFilter
from pipeline.entries import draft
from pipeline.entries.models import AcknowledgmentSkipped
from pipeline.errors import DispatchError
from pipeline.ledger.entry import EntryDraft, LedgerEntry
from pipeline.ledger.memory import MemoryLedger
from tests.emit.conftest import ACTOR, SOURCE, read_jsonl, received


def fill(ledger: MemoryLedger, start: int, count: int, **kwargs: object) -> None:
    ledger.append([received(n, **kwargs) for n in range(start, start + count)])  # type: ignore[arg-type]


def expected_ids(ledger: MemoryLedger) -> list[str]:
    return [e.id for entry in ledger.entries() for e in events_for_entry(entry, SOURCE)]


def progress_entries(ledger: MemoryLedger, sink: str) -> list[LedgerEntry]:
    return [e for e in ledger.entries() if e.type == EVENT_DELIVERED and e.body["sink"] == sink]


class FlakySink(TypeFilter):
    """Fails the first ``failures`` calls, then records what it is given."""

    def __init__(self, name: str, failures: int) -> None:
        self.name = name
        self.failures = failures
        self.calls = 0
        self.received: list[CloudEvent] = []

    def deliver(self, events: Sequence[CloudEvent]) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise DispatchError(f"sink {self.name!r}: planned failure {self.calls}")
        self.received.extend(events)


def make(ledger: MemoryLedger, *sinks: object, **kwargs: object) -> tuple[Dispatcher, list[float]]:
    sleeps: list[float] = []
    dispatcher = Dispatcher(
        ledger,
        list(sinks),
        SOURCE,
        ACTOR,
        sleep=sleeps.append,
        **kwargs,  # type: ignore[arg-type]
    )
    return dispatcher, sleeps


def test_delivers_every_event_to_jsonl_and_records_progress(tmp_path: Path) -> None:
    ledger = MemoryLedger()
    fill(ledger, 0, 3, escalated=True)
    dispatcher, _ = make(ledger, JsonlSink(tmp_path / "events.jsonl"))
    report = dispatcher.dispatch()
    assert report["jsonl"].delivered == 6
    assert report["jsonl"].through_seq == 2
    assert report.ok
    assert [e["id"] for e in read_jsonl(tmp_path / "events.jsonl")] == expected_ids(ledger)
    (progress,) = progress_entries(ledger, "jsonl")
    assert progress.seq == 3
    assert progress.body["from_seq"] == 0
    assert progress.body["through_seq"] == 2
    assert progress.body["events"][1] == {
        "id": f"{SOURCE}/0/message.escalated",
        "type": "message.escalated",
        "record_id": "r-" + "0" * 24,
        "entry_seq": 0,
    }


def test_second_dispatch_delivers_nothing_and_appends_nothing(tmp_path: Path) -> None:
    ledger = MemoryLedger()
    fill(ledger, 0, 3)
    dispatcher, _ = make(ledger, JsonlSink(tmp_path / "events.jsonl"))
    dispatcher.dispatch()
    size = ledger.size()
    report = dispatcher.dispatch()
    assert report["jsonl"].delivered == 0
    assert report["jsonl"].through_seq == 2
    assert ledger.size() == size
    assert len(read_jsonl(tmp_path / "events.jsonl")) == 3


def test_new_entries_are_delivered_on_the_next_dispatch(tmp_path: Path) -> None:
    ledger = MemoryLedger()
    fill(ledger, 0, 2)
    dispatcher, _ = make(ledger, JsonlSink(tmp_path / "events.jsonl"))
    dispatcher.dispatch()
    fill(ledger, 2, 2)  # lands at seq 3 and 4, after the progress entry at seq 2
    report = dispatcher.dispatch()
    assert report["jsonl"].delivered == 2
    assert report["jsonl"].through_seq == 4
    assert [e["subject"] for e in read_jsonl(tmp_path / "events.jsonl")] == [
        f"r-{n:024x}" for n in range(4)
    ]
    # The second range starts right after the first through_seq: it covers the
    # first progress entry (seq 2), which yields no events.
    assert [
        (p.body["from_seq"], p.body["through_seq"]) for p in progress_entries(ledger, "jsonl")
    ] == [
        (0, 1),
        (2, 4),
    ]


def test_a_fresh_dispatcher_resumes_from_progress_in_the_ledger(tmp_path: Path) -> None:
    ledger = MemoryLedger()
    fill(ledger, 0, 2)
    make(ledger, JsonlSink(tmp_path / "a.jsonl"))[0].dispatch()
    fill(ledger, 2, 1)
    report = make(ledger, JsonlSink(tmp_path / "b.jsonl"))[0].dispatch()
    assert report["jsonl"].delivered == 1
    assert [e["subject"] for e in read_jsonl(tmp_path / "b.jsonl")] == [f"r-{2:024x}"]


def test_chunks_never_split_an_entry_and_each_gets_a_progress_entry(tmp_path: Path) -> None:
    ledger = MemoryLedger()
    fill(ledger, 0, 5, escalated=True, rejected=1)  # 3 events per entry
    dispatcher, _ = make(ledger, JsonlSink(tmp_path / "e.jsonl"), chunk_size=7)
    report = dispatcher.dispatch()
    ranges = [
        (p.body["from_seq"], p.body["through_seq"]) for p in progress_entries(ledger, "jsonl")
    ]
    assert ranges == [(0, 1), (2, 3), (4, 4)]
    assert report["jsonl"].chunks == 3
    assert report["jsonl"].delivered == 15


def test_sink_failing_on_first_call_is_retried_with_backoff(tmp_path: Path) -> None:
    ledger = MemoryLedger()
    fill(ledger, 0, 2)
    flaky = FlakySink("flaky", failures=2)
    dispatcher, sleeps = make(ledger, flaky, backoff_base=0.5)
    report = dispatcher.dispatch()
    assert [e.id for e in flaky.received] == expected_ids(ledger)
    assert sleeps == [0.5, 1.0]
    assert report["flaky"].attempts == 3
    assert report["flaky"].failed is False
    assert report["flaky"].errors == (
        "sink 'flaky': planned failure 1",
        "sink 'flaky': planned failure 2",
    )


def test_permanently_failing_sink_is_reported_and_does_not_block_others(tmp_path: Path) -> None:
    ledger = MemoryLedger()
    fill(ledger, 0, 3)
    broken = FlakySink("broken", failures=10**6)
    dispatcher, sleeps = make(ledger, broken, JsonlSink(tmp_path / "e.jsonl"), max_attempts=4)
    report = dispatcher.dispatch()
    assert report["broken"].failed is True
    assert report["broken"].through_seq == -1
    assert report["broken"].attempts == 4
    assert len(sleeps) == 3
    assert report["jsonl"].delivered == 3
    assert not report.ok
    assert progress_entries(ledger, "broken") == []
    assert len(progress_entries(ledger, "jsonl")) == 1


def test_a_failed_sink_resumes_where_it_stopped_once_it_recovers(tmp_path: Path) -> None:
    ledger = MemoryLedger()
    fill(ledger, 0, 3)
    sink = FlakySink("later", failures=2)
    make(ledger, sink, max_attempts=2)[0].dispatch()
    report = make(ledger, sink, max_attempts=2)[0].dispatch()
    assert report["later"].delivered == 3
    assert [e.id for e in sink.received] == expected_ids(ledger)


def test_sink_type_filter_sends_and_records_only_wanted_events(tmp_path: Path) -> None:
    ledger = MemoryLedger()
    fill(ledger, 0, 2, escalated=True)
    sink = JsonlSink(tmp_path / "e.jsonl", types=frozenset({"message.escalated"}))
    make(ledger, sink)[0].dispatch()
    assert [e["type"] for e in read_jsonl(tmp_path / "e.jsonl")] == ["message.escalated"] * 2
    (progress,) = progress_entries(ledger, "jsonl")
    assert [e["type"] for e in progress.body["events"]] == ["message.escalated"] * 2


def test_long_stretch_without_events_gets_an_empty_progress_entry(tmp_path: Path) -> None:
    ledger = MemoryLedger()
    ledger.append(
        [
            draft(AcknowledgmentSkipped(record_id=f"r-{n:024x}", entry_seq=n, reason="t"), ACTOR)
            for n in range(12)
        ]
    )
    dispatcher, _ = make(ledger, JsonlSink(tmp_path / "e.jsonl"), idle_checkpoint=10)
    dispatcher.dispatch()
    (progress,) = progress_entries(ledger, "jsonl")
    assert (progress.body["from_seq"], progress.body["through_seq"], progress.body["events"]) == (
        0,
        11,
        [],
    )
    assert dispatcher.progress("jsonl") == 11


class Crash(BaseException):
    """Stands in for the process dying (not an Exception, so nothing catches it)."""


class CrashingLedger(MemoryLedger):
    """Dies on the first ``event.delivered`` append: after delivery, before progress."""

    def __init__(self) -> None:
        super().__init__()
        self.armed = False

    def append(self, drafts: Sequence[EntryDraft]) -> list[LedgerEntry]:
        if self.armed and any(d.type == EVENT_DELIVERED for d in drafts):
            self.armed = False
            raise Crash
        return super().append(drafts)


def test_crash_between_delivery_and_progress_redelivers_and_skips_nothing(tmp_path: Path) -> None:
    ledger = CrashingLedger()
    fill(ledger, 0, 4, escalated=True)
    path = tmp_path / "e.jsonl"
    dispatcher, _ = make(ledger, JsonlSink(path), chunk_size=4)
    ledger.armed = True
    with pytest.raises(Crash):
        dispatcher.dispatch()
    crashed = [e["id"] for e in read_jsonl(path)]
    assert len(crashed) == 4  # the first chunk reached the sink, its progress did not
    fill(ledger, 4, 1)
    report = make(ledger, JsonlSink(path), chunk_size=4)[0].dispatch()
    delivered = [e["id"] for e in read_jsonl(path)]
    assert set(delivered) == set(expected_ids(ledger))
    assert delivered[:4] == delivered[4:8] == crashed  # re-delivered with the same ids
    assert report["jsonl"].through_seq == 4  # the last message entry


def test_jsonl_lines_are_complete_after_a_torn_write(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_bytes(b'{"torn":')
    ledger = MemoryLedger()
    fill(ledger, 0, 1)
    make(ledger, JsonlSink(path))[0].dispatch()
    lines = path.read_bytes().split(b"\n")
    assert lines[0] == b'{"torn":'
    assert lines[1].startswith(b'{"data":')
