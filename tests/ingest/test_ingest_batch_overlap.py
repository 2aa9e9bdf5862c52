"""A poll keeps one batch in flight: the next batch is fetched while the previous one is
assembled, and the batch in hand is always committed, on a failed fetch and on a stop."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

from pipeline.config import MailboxConfig
from pipeline.errors import MailboxError
from pipeline.fetch.imap import FetchedMessage, ImapClientSession
from pipeline.runtime import open_runtime
from pipeline.worker.build import open_poller
from pipeline.worker.reports import MailboxReport
from pipeline.worker.stop import StopFlag
from tests.conftest import ImapAccount
from tests.ingest._mail import filler_message
from tests.ingest.conftest import mailbox_entry

OnFetch = Callable[[int], None]


def _poll(app: Any, on_fetch: OnFetch, stop: StopFlag | None = None) -> MailboxReport:
    """One poll through a real session that calls ``on_fetch(n)`` before its n-th fetch."""

    class Observed:
        def __init__(self, config: MailboxConfig) -> None:
            self.inner = ImapClientSession(config)
            self.fetches = 0

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

        def fetch(self, uids: Sequence[int]) -> Iterator[FetchedMessage]:
            self.fetches += 1
            on_fetch(self.fetches)
            return self.inner.fetch(uids)

    with pytest.MonkeyPatch.context() as patch:
        for name, value in app.env.items():
            patch.setenv(name, value)
        runtime = open_runtime(app.config, writable=True)
        with open_poller(app.config, runtime, session_factory=Observed, stop=stop) as poller:
            (report,) = poller.poll()
    return report


def _recorded_uids(app: Any) -> list[int]:
    # records_by_uid fails if any UID was recorded twice
    return sorted(app.records_by_uid())


@pytest.fixture
def ten_in_batches_of_four(imap_user: ImapAccount, deploy: Any) -> Any:
    imap_user.server.append_many(imap_user.user, "INBOX", [filler_message(i) for i in range(10)])
    return deploy([mailbox_entry(imap_user, batch_messages=4)])


def test_the_next_batch_is_fetched_before_the_previous_one_is_committed(
    ten_in_batches_of_four: Any,
) -> None:
    app = ten_in_batches_of_four
    recorded_at_fetch: list[int] = []

    report = _poll(app, lambda _n: recorded_at_fetch.append(len(_recorded_uids(app))))

    assert report.ok, report.to_json()
    # batch 2 is fetched while batch 1 is still being assembled; batch 3 after batch 1
    # is committed and while batch 2 is assembled
    assert recorded_at_fetch == [0, 0, 4]
    assert _recorded_uids(app) == list(range(1, 11))


def test_a_failed_fetch_still_commits_the_batch_in_hand(ten_in_batches_of_four: Any) -> None:
    app = ten_in_batches_of_four

    def fail_third(n: int) -> None:
        if n == 3:
            raise MailboxError("mailbox inbox: fetching messages failed (connection reset)")

    report = _poll(app, fail_third)

    (folder,) = report.folders
    assert folder.errors == ["mailbox inbox: fetching messages failed (connection reset)"]
    assert folder.recorded == 8
    assert _recorded_uids(app) == list(range(1, 9))


def test_a_rerun_after_a_failed_fetch_records_the_rest_exactly_once(
    ten_in_batches_of_four: Any,
) -> None:
    app = ten_in_batches_of_four

    def fail_third(n: int) -> None:
        if n == 3:
            raise MailboxError("mailbox inbox: fetching messages failed (connection reset)")

    _poll(app, fail_third)
    report = _poll(app, lambda _n: None)

    (folder,) = report.folders
    assert folder.recorded == 2
    assert folder.gaps == []
    assert _recorded_uids(app) == list(range(1, 11))


def test_a_stop_commits_the_batch_in_hand_and_fetches_no_more(
    ten_in_batches_of_four: Any,
) -> None:
    app = ten_in_batches_of_four
    stop = StopFlag()
    fetches: list[int] = []

    def stop_during_second(n: int) -> None:
        fetches.append(n)
        if n == 2:
            stop.set()

    report = _poll(app, stop_during_second, stop)

    (folder,) = report.folders
    assert fetches == [1, 2]
    assert folder.recorded == 8
    assert _recorded_uids(app) == list(range(1, 9))
