"""IDLE watchers: one thread per mailbox that wakes the worker when mail arrives.

A watcher holds its own IMAP connection in IDLE (RFC 2177), re-issued before the
server's 30-minute limit. When the connection drops (server restart, network),
it reconnects with exponential backoff and wakes the worker once, so anything
that arrived meanwhile is picked up by a normal poll.
"""

from __future__ import annotations

import random
import threading

import structlog

from pipeline.config import MailboxConfig
from pipeline.errors import MailledgerError
from pipeline.worker.poll import SessionFactory, StopFlag

log = structlog.get_logger(__name__)


class IdleWatcher(threading.Thread):
    """Waits in IDLE on a mailbox's first folder and sets ``wake`` on changes."""

    def __init__(
        self,
        mailbox: MailboxConfig,
        session_factory: SessionFactory,
        wake: threading.Event,
        stop: StopFlag,
        idle_seconds: float,
        max_backoff: float = 300.0,
    ) -> None:
        super().__init__(name=f"idle-{mailbox.name}", daemon=True)
        self.mailbox = mailbox
        self.session_factory = session_factory
        self.wake = wake
        self.stop = stop
        self.idle_seconds = idle_seconds
        self.max_backoff = max_backoff
        self.supported = True

    def run(self) -> None:
        """Watch until the worker stops."""
        backoff = 1.0
        folder = self.mailbox.folders[0]
        bound = log.bind(mailbox=self.mailbox.name, folder=folder)
        while not self.stop.is_set:
            try:
                session = self.session_factory(self.mailbox)
            except MailledgerError as exc:
                bound.warning("idle.connect_failed", error=str(exc), retry_in=round(backoff, 1))
                if self.stop.wait(backoff * random.uniform(0.8, 1.2)):
                    return
                backoff = min(backoff * 2, self.max_backoff)
                continue
            backoff = 1.0
            self.wake.set()  # reconnected: something may have arrived while we were away
            try:
                while not self.stop.is_set:
                    changed = session.wait_for_change(folder, self.idle_seconds)
                    if changed:
                        bound.debug("idle.changed")
                        self.wake.set()
            except MailledgerError as exc:
                bound.warning("idle.dropped", error=str(exc))
            finally:
                session.close()
