"""The poll loop's batch order: start N+1, then finish N; failures never reorder commits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pipeline.errors import MailboxError, StorageError
from pipeline.worker.poll import _one_in_flight
from pipeline.worker.stop import StopFlag


class Steps:
    """Records every start and finish; fails or stops where told."""

    def __init__(
        self, fail_start: int | None = None, fail_finish: int | None = None, stop_at: int = 0
    ) -> None:
        self.log: list[str] = []
        self.fail_start, self.fail_finish, self.stop_at = fail_start, fail_finish, stop_at
        self.stop = StopFlag()

    def start(self, n: int) -> int:
        self.log.append(f"start {n}")
        if n == self.fail_start:
            raise MailboxError("mailbox inbox: fetching messages failed (connection reset)")
        if n == self.stop_at:
            self.stop.set()
        return n

    def finish(self, n: int) -> None:
        self.log.append(f"finish {n}")
        if n == self.fail_finish:
            raise StorageError("could not write ledger/entries/0000000000000200.jsonl")

    def run(self, batches: list[int]) -> None:
        _one_in_flight(batches, self.start, self.finish, self.stop)


def test_the_next_batch_starts_before_the_previous_one_finishes() -> None:
    steps = Steps()
    steps.run([1, 2, 3])
    assert steps.log == ["start 1", "start 2", "finish 1", "start 3", "finish 2", "finish 3"]


def test_a_batch_that_fails_to_start_lets_the_one_in_hand_finish_first() -> None:
    steps = Steps(fail_start=3)
    with pytest.raises(MailboxError, match="connection reset"):
        steps.run([1, 2, 3, 4])
    assert steps.log == ["start 1", "start 2", "finish 1", "start 3", "finish 2"]


def test_a_batch_that_fails_to_finish_is_never_overtaken_by_a_later_one() -> None:
    steps = Steps(fail_finish=1)
    with pytest.raises(StorageError, match="ledger/entries"):
        steps.run([1, 2, 3])
    assert steps.log == ["start 1", "start 2", "finish 1"]


def test_a_stop_finishes_the_batch_in_hand_and_starts_no_more() -> None:
    steps = Steps(stop_at=2)
    steps.run([1, 2, 3])
    assert steps.log == ["start 1", "start 2", "finish 1", "finish 2"]


def test_a_batch_that_fails_to_be_planned_lets_the_one_in_hand_finish_first() -> None:
    steps = Steps()

    def planned() -> Iterator[int]:
        yield 1
        yield 2
        # the next batch's sizes are read from the server only now, and that fails
        raise MailboxError("mailbox inbox: reading message sizes failed (connection reset)")

    with pytest.raises(MailboxError, match="reading message sizes"):
        _one_in_flight(planned(), steps.start, steps.finish, steps.stop)
    assert steps.log == ["start 1", "start 2", "finish 1", "finish 2"]
