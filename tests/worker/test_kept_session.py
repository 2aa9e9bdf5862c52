"""``run`` keeps one IMAP session per mailbox across IDLE wake-ups, and survives its loss.

A real Dovecot; ``run``'s loop (:func:`pipeline.worker.run.run_worker`) in a thread,
sealing only, with a session factory that counts the sessions it opens.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.config import MailboxConfig
from pipeline.errors import StorageError
from pipeline.fetch.imap import ImapClientSession
from pipeline.runtime import open_runtime
from pipeline.worker.build import open_poller
from pipeline.worker.poll import Poller
from pipeline.worker.run import run_worker
from pipeline.worker.stop import StopFlag
from tests.conftest import ImapAccount
from tests.ingest._mail import filler_message
from tests.ingest.conftest import Deployment, mailbox_entry, make_deployment


@dataclass
class Running:
    """A ``run`` loop in a thread, the sessions it opened, and its deployment."""

    app: Deployment
    opened: list[ImapClientSession]
    thread: threading.Thread
    stop: StopFlag
    poller: Poller

    def sealed_uids(self) -> list[int]:
        """The UID of every ``message.sealed`` entry, in ledger order (repeats kept)."""
        ledger = self.app.runtime().ledger
        ledger.refresh()
        return [e.body["source"]["uid"] for e in ledger.entries() if e.type == "message.sealed"]

    def wait_sealed(self, count: int) -> list[int]:
        """Wait (bounded) until ``count`` seals are in the ledger; returns their UIDs."""
        deadline = time.monotonic() + 60
        while len(uids := self.sealed_uids()) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return uids


@pytest.fixture
def running(
    tmp_path: Path, imap_user: ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Running]:
    app = make_deployment(tmp_path / "app", [mailbox_entry(imap_user)])
    for name, value in app.env.items():
        monkeypatch.setenv(name, value)
    opened: list[ImapClientSession] = []

    def counting(config: MailboxConfig) -> ImapClientSession:
        session = ImapClientSession(config)
        opened.append(session)
        return session

    stop = StopFlag()
    runtime = open_runtime(app.config, writable=True)
    with open_poller(
        app.config, runtime, session_factory=counting, stop=stop, seal_only=True
    ) as poller:
        thread = threading.Thread(target=run_worker, args=(app.config, poller, stop), daemon=True)
        thread.start()
        yield Running(app, opened, thread, stop, poller)
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()


def _deliver(account: ImapAccount, index: int) -> None:
    account.server.append(account.user, "INBOX", filler_message(index))


def _settle(condition: Callable[[], bool]) -> None:
    """Wait (bounded) for ``condition``; a wait, not an assertion on time."""
    deadline = time.monotonic() + 30
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_run_seals_messages_of_several_wake_ups_once_each_over_one_session(
    running: Running, imap_user: ImapAccount
) -> None:
    for index in range(4):
        _deliver(imap_user, index)
        running.wait_sealed(index + 1)
    assert running.sealed_uids() == [1, 2, 3, 4]
    assert len(running.opened) == 1


def _kick(account: ImapAccount) -> None:
    """Disconnect every IMAP session of the user on the server side (``doveadm kick``)."""
    doveadm = shutil.which("doveadm") or "/usr/bin/doveadm"
    config = account.server.config_file
    subprocess.run([doveadm, "-c", str(config), "kick", account.user], check=True, timeout=30)


def test_a_session_kicked_in_idle_is_replaced_and_nothing_is_lost_or_sealed_twice(
    running: Running, imap_user: ImapAccount
) -> None:
    _deliver(imap_user, 0)
    running.wait_sealed(1)
    # the watcher is back in IDLE on the one session once that poll has ended
    _settle(lambda: len(running.opened) == 1 and running.sealed_uids() == [1])
    time.sleep(1.0)
    _kick(imap_user)
    for index in range(1, 4):
        _deliver(imap_user, index)
    running.wait_sealed(4)
    time.sleep(1.0)  # a doubled seal would land here
    assert running.sealed_uids() == [1, 2, 3, 4]
    assert len(running.opened) == 2


def test_a_poll_that_fails_on_the_store_keeps_its_session_and_does_not_poll_again_at_once(
    running: Running, imap_user: ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    _deliver(imap_user, 0)
    running.wait_sealed(1)
    _settle(lambda: len(running.opened) == 1 and running.sealed_uids() == [1])
    failures: list[int] = []

    def store_down(ledger: object) -> None:
        failures.append(1)
        raise StorageError("the store is down")

    monkeypatch.setattr(running.poller.identities, "sync", store_down)
    _deliver(imap_user, 1)
    _settle(lambda: len(failures) >= 1)
    time.sleep(2.0)  # a window in which a poll loop would have polled many times
    # One poll for the new mail, at most a couple more if Dovecot's delayed IDLE notice
    # for it reaches the kept session afterwards; a loop made 180 (and 180 sessions).
    assert len(failures) <= 3
    assert len(running.opened) == 1

    monkeypatch.undo()
    _deliver(imap_user, 2)
    running.wait_sealed(3)
    assert running.sealed_uids() == [1, 2, 3]
