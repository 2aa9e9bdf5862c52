"""IDLE watchers: one thread per mailbox that wakes the worker when mail arrives.

A watcher IDLEs (RFC 2177) on its mailbox's kept session (:mod:`pipeline.worker.sessions`),
re-issued before the server's 30-minute limit. When mail arrives it leaves IDLE, hands
the session to the poller by waking the worker, and idles again once that poll has
ended, so the poll needs no new connection. When the connection drops (server
restart, network, a kick), it reconnects with exponential backoff and wakes the worker
once, so anything that arrived meanwhile is picked up by a normal poll.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

import structlog

from pipeline.config import MailboxConfig
from pipeline.errors import MailledgerError
from pipeline.fetch.imap import ImapSession
from pipeline.worker.sessions import Held, SessionPool
from pipeline.worker.stop import StopFlag

log = structlog.get_logger(__name__)

# After mail arrived the watcher asks with NOOP every _LINGER_CHECK_SECONDS, for
# _LINGER_SECONDS, before it idles again: mail comes in bursts, and Dovecot reports a new
# message to IDLE only 0.5 s after it arrives (to NOOP at once). A quiet mailbox costs
# nothing more; a busy one a NOOP per check while mail keeps coming. Where half a second
# is too long for a message that arrives alone, ``worker.noop_seconds`` asks with NOOP
# all the time instead of idling, at one command per interval per mailbox.
_LINGER_SECONDS = 1.0
_LINGER_CHECK_SECONDS = 0.05


class IdleWatcher(threading.Thread):
    """Waits in IDLE on a mailbox's first folder and sets ``wake`` on changes."""

    def __init__(
        self,
        mailbox: MailboxConfig,
        sessions: SessionPool,
        wake: threading.Event,
        stop: StopFlag,
        idle_seconds: float,
        max_backoff: float = 300.0,
        noop_seconds: float | None = None,
    ) -> None:
        """``noop_seconds``: ask with NOOP this often instead of waiting in IDLE (None:
        IDLE)."""
        super().__init__(name=f"idle-{mailbox.name}", daemon=True)
        self.mailbox = mailbox
        self.sessions = sessions
        self.wake = wake
        self.stop = stop
        self.idle_seconds = idle_seconds
        self.max_backoff = max_backoff
        self.noop_seconds = noop_seconds

    def run(self) -> None:
        """Watch until the worker stops."""
        backoff = 1.0
        folder = self.mailbox.folders[0]
        bound = log.bind(mailbox=self.mailbox.name, folder=folder)
        name = self.mailbox.name
        last_mail = float("-inf")
        while not self.stop.is_set:
            polls, changed, quick = 0, False, False
            try:
                with self.sessions.for_idle(self.mailbox, lambda: self.stop.is_set) as held:
                    try:
                        changed, quick = self._wait(held, folder, last_mail)
                        polls = self.sessions.polls(name)
                    except MailledgerError:
                        held.discard()
                        raise
            except MailledgerError as exc:
                bound.warning("idle.dropped", error=str(exc), retry_in=round(backoff, 1))
                if self.stop.wait(backoff * random.uniform(0.8, 1.2)):
                    return
                backoff = min(backoff * 2, self.max_backoff)
                continue
            backoff = 1.0
            if changed:
                bound.debug("idle.changed")
                self.wake.set()
                # The poller takes the session now; idle again once its poll has ended.
                self.sessions.wait_polled(name, polls, lambda: self.stop.is_set)
                last_mail = time.monotonic()
            elif quick and self.stop.wait(self.idle_seconds):
                # A server without IDLE: the worker's poll interval finds new mail.
                return

    def _wait(self, held: Held, folder: str, last_mail: float) -> tuple[bool, bool]:
        """Wait on the held session until ``folder`` changes, the poller wants the session,
        the worker stops or ``idle_seconds`` pass: with NOOPs for a second after mail,
        then with NOOPs every ``noop_seconds`` or in IDLE. Returns (changed, quick):
        ``quick`` when IDLE came back at once unasked (a server without IDLE)."""
        session = held.session
        status = session.select(folder)

        def leave() -> bool:
            return held.wanted or self.stop.is_set

        # Opened here: something may have arrived while there was no session.
        if held.fresh or held.behind(folder, status):
            return True, False
        if time.monotonic() - last_mail < _LINGER_SECONDS and self._ask(
            session, leave, _LINGER_SECONDS, _LINGER_CHECK_SECONDS
        ):
            return True, False
        if self.noop_seconds is not None:
            return self._ask(session, leave, self.idle_seconds, self.noop_seconds), False
        began = time.monotonic()
        changed = session.wait_for_change(folder, self.idle_seconds, leave)
        # A server without IDLE answers at once: no busy loop on it.
        quick = not changed and time.monotonic() - began < 1.0 and not leave()
        return changed, quick

    def _ask(
        self, session: ImapSession, leave: Callable[[], bool], seconds: float, every: float
    ) -> bool:
        """NOOP every ``every`` seconds for ``seconds``; True when mail arrived. Between
        NOOPs it asks ``leave`` every few tens of milliseconds (the poller wants the
        session, the worker is stopping), as an IDLE does."""
        until = time.monotonic() + seconds
        while time.monotonic() < until and not leave():
            if session.noop():
                return True
            next_noop = time.monotonic() + every
            while (left := next_noop - time.monotonic()) > 0 and not leave():
                time.sleep(min(left, _LINGER_CHECK_SECONDS))
        return False
