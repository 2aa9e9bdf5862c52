"""A held mailbox lease is reported (exit code 4, a metric), and IDLE wakes the worker
for new or removed mail only, never for the server's keepalives."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.config import MailboxConfig
from pipeline.fetch.imap import ImapClientSession, mailbox_changed
from pipeline.worker.lease import MailboxLease
from pipeline.worker.sessions import SessionPool
from pipeline.worker.stop import StopFlag
from pipeline.worker.watch import IdleWatcher
from tests.conftest import ImapAccount
from tests.ingest.conftest import mailbox_entry, make_deployment


def _metric(text: str, name: str, mailbox: str) -> float:
    prefix = f'{name}{{mailbox="{mailbox}"}} '
    (line,) = [line for line in text.splitlines() if line.startswith(prefix)]
    return float(line[len(prefix) :])


def test_poll_that_finds_the_lease_held_exits_4_and_counts_it(
    tmp_path: Path, imap_user: ImapAccount
) -> None:
    app = make_deployment(tmp_path / "app", [mailbox_entry(imap_user)])
    state = app.config.state_dir
    with MailboxLease(state, "inbox"):  # another worker on this host is polling
        first = app.run("poll")
        second = app.run("poll")
    assert (first.returncode, second.returncode) == (4, 4), first.stderr
    assert "skipped" in first.stdout
    text = (app.root / "metrics" / "mailledger.prom").read_text()
    assert _metric(text, "mailledger_lease_held_total", "inbox") == 2
    after = app.run("poll")
    assert after.returncode == 0, after.stderr


@pytest.fixture
def session(imap_user: ImapAccount, monkeypatch: pytest.MonkeyPatch) -> ImapClientSession:
    item, env = mailbox_entry(imap_user)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return ImapClientSession(MailboxConfig.model_validate(item))


def test_idle_keepalives_alone_are_not_a_change(session: ImapClientSession) -> None:
    # The test Dovecot sends "* OK Still here" every second during IDLE.
    try:
        assert session.wait_for_change("INBOX", 3.5) is False
    finally:
        session.close()


def test_idle_reports_a_message_that_arrives(
    session: ImapClientSession, imap_user: ImapAccount
) -> None:
    def deliver() -> None:
        time.sleep(1.5)
        imap_user.server.append(imap_user.user, "INBOX", b"Subject: hi\r\n\r\nhello\r\n")

    sender = threading.Thread(target=deliver)
    sender.start()
    try:
        assert session.wait_for_change("INBOX", 10) is True
    finally:
        sender.join()
        session.close()


class _CountingSession(ImapClientSession):
    """The real session, counting the IDLEs it is asked for."""

    idles = 0

    def wait_for_change(self, *args: object, **kwargs: object) -> bool:
        _CountingSession.idles += 1
        return super().wait_for_change(*args, **kwargs)  # type: ignore[arg-type]


@dataclass
class _Watching:
    """A NOOP watcher running on the test user's INBOX, with what it shares with a poll."""

    mailbox: MailboxConfig
    sessions: SessionPool
    wake: threading.Event
    watcher: IdleWatcher

    def poll(self) -> float:
        """Take the session as a poll does and give it back; seconds waited for it."""
        began = time.monotonic()
        with self.sessions.for_poll(self.mailbox):
            return time.monotonic() - began


@pytest.fixture
def watching(
    imap_user: ImapAccount, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[_Watching]:
    """Started with ``noop_seconds`` and ``idle_seconds`` from the test's parameters; the
    session it opened itself may have missed mail, so it has woken the poller once and
    that poll is done."""
    noop_seconds, idle_seconds = request.param
    item, env = mailbox_entry(imap_user)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    mailbox = MailboxConfig.model_validate(item)
    sessions = SessionPool(_CountingSession)
    wake, stop = threading.Event(), StopFlag()
    watcher = IdleWatcher(
        mailbox, sessions, wake, stop, idle_seconds=idle_seconds, noop_seconds=noop_seconds
    )
    _CountingSession.idles = 0
    watcher.start()
    try:
        assert wake.wait(10)
        wake.clear()
        watched = _Watching(mailbox, sessions, wake, watcher)
        watched.poll()
        yield watched
    finally:
        stop.set()
        watcher.join(timeout=5)
        sessions.close()
    assert not watcher.is_alive()


@pytest.mark.parametrize("watching", [(0.1, 10)], indirect=True)
def test_watcher_with_noop_seconds_wakes_on_new_mail_without_entering_idle(
    watching: _Watching, imap_user: ImapAccount
) -> None:
    time.sleep(2.0)  # asking, with nothing new
    assert not watching.wake.is_set()
    imap_user.server.append(imap_user.user, "INBOX", b"Subject: hi\r\n\r\nhello\r\n")
    assert watching.wake.wait(10), "the watcher did not see the new message"
    assert _CountingSession.idles == 0


# NOOPs a minute apart: the poll must not wait for the next one.
@pytest.mark.parametrize("watching", [(60, 600)], indirect=True)
def test_a_watcher_asking_with_noop_gives_the_session_to_a_poll_between_its_noops(
    watching: _Watching,
) -> None:
    time.sleep(2.0)  # past the second of lingering after mail, into the NOOP wait
    waited = watching.poll()
    assert waited < 5, f"the poll waited {waited:.1f} s for the session"


def test_only_exists_recent_and_expunge_count_as_changes() -> None:
    assert mailbox_changed([(b"OK", b"Still here")]) is False
    assert mailbox_changed([(3, b"FETCH", (b"FLAGS", (b"\\Seen",)))]) is False
    assert mailbox_changed([(b"OK", b"Still here"), (4, b"EXISTS")]) is True
    assert mailbox_changed([(1, b"RECENT")]) is True
    assert mailbox_changed([(2, b"EXPUNGE")]) is True
