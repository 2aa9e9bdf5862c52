"""One authenticated IMAP session per mailbox, kept across the cycles of ``run``.

Opening a session costs a connection, TLS, LOGIN and SELECT; paid on every IDLE
wake-up it was most of the time between an APPEND and its seal. ``run`` keeps one
session per mailbox instead and shares it between that mailbox's IDLE watcher and
the poller, never at the same time: the watcher IDLEs on it, leaves IDLE when mail
arrives (or when the poller asks for the session), the poller SELECTs, UID FETCHes
and seals on the same connection, and the watcher re-enters IDLE.

A session that fails is closed and dropped; the next user opens a new one (the
watcher with backoff). Every cycle still SELECTs each folder and reads its
UIDVALIDITY, so a reconnect after a renumbering is handled as before, and which
messages are new is still decided when they are sealed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import structlog

from pipeline.config import MailboxConfig
from pipeline.fetch.imap import FolderStatus, ImapSession

log = structlog.get_logger(__name__)

SessionFactory = Callable[[MailboxConfig], ImapSession]


@dataclass
class _Slot:
    """One mailbox's session and what its two users need to coordinate."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    session: ImapSession | None = None
    # Set while the poller waits for the session: the watcher leaves IDLE for it.
    wanted: threading.Event = field(default_factory=threading.Event)
    polls: int = 0
    # folder -> the UIDNEXT the last poll accounted for (what arrived later is new)
    seen_next: dict[str, int] = field(default_factory=dict)


class Held:
    """The session of one mailbox while its holder has it to itself."""

    def __init__(self, slot: _Slot, mailbox: MailboxConfig, factory: SessionFactory) -> None:
        self._slot = slot
        self._mailbox = mailbox
        self._factory = factory
        self.fresh = False  # True when this holder opened the session

    @property
    def session(self) -> ImapSession:
        """The kept session, opened now if there is none (raises ``MailboxError``)."""
        if self._slot.session is None:
            self._slot.session = self._factory(self._mailbox)
            self.fresh = True
            log.info("imap.session_opened", mailbox=self._mailbox.name)
        return self._slot.session

    @property
    def wanted(self) -> bool:
        """True when the poller is waiting for this session."""
        return self._slot.wanted.is_set()

    def discard(self) -> None:
        """Close and drop the session (it failed); the next holder opens a new one."""
        session, self._slot.session = self._slot.session, None
        self.fresh = False
        if session is not None:
            session.close()

    def behind(self, folder: str, status: FolderStatus) -> bool:
        """True when ``folder`` has messages the last poll did not see (UIDNEXT moved on
        since then). Mail that arrives between a poll's UID SEARCH and the next IDLE is
        reported to no IDLE, so the watcher asks this before it idles."""
        seen = self._slot.seen_next.get(folder)
        return seen is not None and status.uidnext is not None and status.uidnext > seen


class SessionPool:
    """The kept sessions of ``run``: one per mailbox, shared by its watcher and the poller."""

    def __init__(self, factory: SessionFactory) -> None:
        self._factory = factory
        self._slots: dict[str, _Slot] = {}
        self._guard = threading.Condition()

    def _slot(self, name: str) -> _Slot:
        with self._guard:
            return self._slots.setdefault(name, _Slot())

    @contextmanager
    def for_poll(self, mailbox: MailboxConfig) -> Iterator[Held]:
        """The session for one poll of ``mailbox``; an IDLE on it is ended first."""
        slot = self._slot(mailbox.name)
        slot.wanted.set()
        try:
            with slot.lock:
                slot.wanted.clear()
                yield Held(slot, mailbox, self._factory)
        finally:
            slot.wanted.clear()
            with self._guard:
                slot.polls += 1
                self._guard.notify_all()

    @contextmanager
    def for_idle(self, mailbox: MailboxConfig, stop: Callable[[], bool]) -> Iterator[Held]:
        """The session for the watcher of ``mailbox``, once no poll is waiting for it."""
        slot = self._slot(mailbox.name)
        # A lock is not fair: without this wait the watcher could take the session
        # back between two of its IDLEs while the poller waits for it.
        while slot.wanted.is_set() and not stop():
            time.sleep(0.01)
        with slot.lock:
            yield Held(slot, mailbox, self._factory)

    def note_seen(self, mailbox: str, folder: str, uidnext: int) -> None:
        """A poll accounted for every message of ``folder`` below ``uidnext``."""
        # the latest, not the largest: after a UIDVALIDITY change UIDNEXT starts again
        self._slot(mailbox).seen_next[folder] = uidnext

    def polls(self, mailbox: str) -> int:
        """How many polls of ``mailbox`` have ended."""
        with self._guard:
            return self._slot_polls(mailbox)

    def wait_polled(self, mailbox: str, after: int, stop: Callable[[], bool]) -> None:
        """Wait until a poll of ``mailbox`` that started after ``after`` polls has ended."""
        with self._guard:
            while not stop() and self._slot_polls(mailbox) <= after:
                self._guard.wait(0.25)

    def _slot_polls(self, mailbox: str) -> int:
        slot = self._slots.get(mailbox)
        return slot.polls if slot is not None else 0

    def close(self) -> None:
        """Log out of every kept session."""
        with self._guard:
            slots = list(self._slots.values())
        for slot in slots:
            with slot.lock:
                session, slot.session = slot.session, None
            if session is not None:
                session.close()
