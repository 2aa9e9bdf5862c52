"""IMAP access through imapclient, behind a small protocol the poller codes against."""

from __future__ import annotations

import select
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import structlog
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from pipeline.errors import MailboxError
from pipeline.fetch.oauth import access_token
from pipeline.fetch.settings import ImapSettings
from pipeline.secrets import read_secret

log = structlog.get_logger(__name__)

# imaplib refuses a response line over 1,000,000 bytes, and UID SEARCH answers in one
# line: at up to 11 bytes a UID, a folder of about 90,000 messages or more could not
# be listed at all. Larger folders are searched this many UIDs at a time.
SEARCH_SPAN = 80_000


@dataclass(frozen=True)
class FolderStatus:
    """What SELECT reports about a folder."""

    uidvalidity: int
    uidnext: int | None
    exists: int


@dataclass(frozen=True)
class FetchedMessage:
    """One message as the server sent it."""

    uid: int
    raw: bytes
    internaldate: datetime | None


class ImapSession(Protocol):
    """The IMAP operations the poller needs."""

    def select(self, folder: str) -> FolderStatus:
        """Open ``folder`` read-only."""
        ...

    def uids(self) -> list[int]:
        """Every UID in the selected folder, ascending."""
        ...

    def sizes(self, uids: Sequence[int]) -> dict[int, int]:
        """RFC822.SIZE of each UID."""
        ...

    def fetch(self, uids: Sequence[int]) -> Iterator[FetchedMessage]:
        """Raw bytes and INTERNALDATE, without setting \\Seen."""
        ...

    def add_flag(self, folder: str, uids: Sequence[int], flag: str) -> None:
        """Add ``flag`` to messages."""
        ...

    def move(self, folder: str, uids: Sequence[int], target: str) -> None:
        """MOVE messages to ``target``."""
        ...

    def noop(self) -> bool:
        """NOOP: True when the server reports messages arrived or left; raises
        ``MailboxError`` when the connection no longer answers."""
        ...

    def wait_for_change(
        self, folder: str, timeout: float, interrupted: Callable[[], bool] = lambda: False
    ) -> bool:
        """IDLE until the folder changes, ``timeout`` passes or ``interrupted()``."""
        ...

    def close(self) -> None:
        """Log out."""
        ...


_CHANGES = frozenset({b"EXISTS", b"RECENT", b"EXPUNGE"})

# How often an IDLE looks at its ``interrupted`` callback: the longest a poll waits for
# a session its watcher holds in IDLE.
_INTERRUPT_CHECK_SECONDS = 0.2


def mailbox_changed(responses: Iterable[object]) -> bool:
    """True when untagged IDLE responses say messages arrived or left.

    Servers send keepalives during IDLE ("* OK Still here") and report flag changes
    (FETCH); neither is new mail, and polling on them would poll the mailbox every
    couple of minutes for nothing.
    """
    for response in responses:
        if isinstance(response, tuple) and len(response) >= 2:
            kind = response[1]
            if isinstance(kind, bytes) and kind.upper() in _CHANGES:
                return True
    return False


def _server_left(responses: list[Any], sock: socket.socket) -> bool:
    """True when an IDLE check shows the server gone: a BYE, or nothing read from a socket
    that is at end of file (imapclient's idle_check returns nothing then)."""
    if any(isinstance(r, tuple) and r[:1] == (b"BYE",) for r in responses):
        return True
    if responses:
        return False
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    # Readable with nothing parsed is end of file, or bytes the client has not parsed
    # yet (part of a TLS record, a response that came just after the check's timeout):
    # only a zero-byte peek at the connection itself (under any TLS layer) is the end.
    try:
        with socket.fromfd(sock.fileno(), sock.family, sock.type) as raw:
            return raw.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def _utc(moment: datetime | None) -> datetime | None:
    # imapclient's own tzinfo class does not pickle; worker processes need plain UTC.
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC)


def _quiet_imaplib(client: IMAPClient) -> None:
    """Stop imaplib from formatting every response for a debug log nobody reads.

    imapclient sets imaplib's debug level to 5 and routes its messages to the logger
    ``imapclient.imaplib``; at that level imaplib builds the ``repr`` of each literal
    twice (as it stores the response, and as the command takes it), whether or not
    that logger is enabled. For a 30 MB message that was two more strings of its size
    while the fetch ran (fetch peak 3.3 times the message), CPU spent on every batch,
    and the text of borrowers' mail in debug logs when enabled. imapclient's own
    logger (``imapclient``) still logs commands, with literals truncated.
    """
    client._imap.debug = 0


def _ssl_context(config: ImapSettings) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(config.ca_file) if config.ca_file else None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class ImapClientSession:
    """:class:`ImapSession` over a real server with imapclient."""

    def __init__(self, config: ImapSettings) -> None:
        self.config = config
        self.name = config.name
        self._selected: str | None = None
        self._writable = False
        self._status: FolderStatus | None = None
        try:
            self.client = IMAPClient(
                config.host,
                port=config.port,
                ssl=config.tls == "implicit",
                ssl_context=_ssl_context(config) if config.tls == "implicit" else None,
                timeout=config.timeout_seconds,
            )
            # aware datetimes for INTERNALDATE instead of naive local time
            self.client.normalise_times = False
            _quiet_imaplib(self.client)
            if config.tls == "starttls":
                self.client.starttls(_ssl_context(config))
            self._login()
        except (IMAPClientError, OSError, ssl.SSLError) as exc:
            raise MailboxError(
                f"mailbox {config.name}: cannot connect or log in to"
                f" {config.host}:{config.port} ({type(exc).__name__}: {exc})"
            ) from exc

    def _login(self) -> None:
        config = self.config
        if config.auth == "xoauth2":
            assert config.oauth2 is not None
            token = access_token(config.oauth2, config.name)
            self.client.oauth2_login(config.username, token)
        else:
            password = read_secret(
                env=config.password_env,
                file=config.password_file,
                what=f"mailbox {config.name} password",
            )
            self.client.login(config.username, password)

    def _fail(self, action: str, exc: Exception) -> MailboxError:
        return MailboxError(f"mailbox {self.name}: {action} failed ({type(exc).__name__}: {exc})")

    def select(self, folder: str) -> FolderStatus:
        """SELECT read-only: fetching never changes the mailbox."""
        try:
            info: dict[bytes, Any] = self.client.select_folder(folder, readonly=True)
        except (IMAPClientError, OSError) as exc:
            raise self._fail(f"selecting folder {folder!r}", exc) from exc
        self._selected, self._writable = folder, False
        uidnext = info.get(b"UIDNEXT")
        self._status = FolderStatus(
            uidvalidity=int(info[b"UIDVALIDITY"]),
            uidnext=int(uidnext) if uidnext is not None else None,
            exists=int(info.get(b"EXISTS", 0)),
        )
        return self._status

    def uids(self) -> list[int]:
        """Every UID in the selected folder: UID SEARCH ALL, or by UID ranges in a folder
        large enough that one answer would pass the client's line limit."""
        status = self._status
        try:
            if status is None or status.uidnext is None or status.exists <= SEARCH_SPAN:
                return sorted(int(u) for u in self.client.search(["ALL"]))
            found: set[int] = set()
            low = 1
            while low + SEARCH_SPAN < status.uidnext:
                found.update(
                    int(u) for u in self.client.search(["UID", f"{low}:{low + SEARCH_SPAN - 1}"])
                )
                low += SEARCH_SPAN
            # Open-ended, so mail that arrived since SELECT is listed as SEARCH ALL would.
            found.update(int(u) for u in self.client.search(["UID", f"{low}:*"]))
            return sorted(found)
        except (IMAPClientError, OSError) as exc:
            raise self._fail("listing messages", exc) from exc

    def sizes(self, uids: Sequence[int]) -> dict[int, int]:
        """RFC822.SIZE per UID, asked for in chunks to keep commands short."""
        result: dict[int, int] = {}
        try:
            for start in range(0, len(uids), 1000):
                chunk = list(uids[start : start + 1000])
                for uid, data in self.client.fetch(chunk, [b"RFC822.SIZE"]).items():
                    result[int(uid)] = int(data[b"RFC822.SIZE"])
        except (IMAPClientError, OSError) as exc:
            raise self._fail("reading message sizes", exc) from exc
        return result

    def fetch(self, uids: Sequence[int]) -> Iterator[FetchedMessage]:
        """FETCH BODY.PEEK[] (PEEK: the \\Seen flag is left alone) and INTERNALDATE."""
        try:
            response = self.client.fetch(list(uids), [b"BODY.PEEK[]", b"INTERNALDATE"])
        except (IMAPClientError, OSError) as exc:
            raise self._fail("fetching messages", exc) from exc
        for uid in uids:
            data = response.get(uid)
            if data is None or b"BODY[]" not in data:
                # expunged by another client between SEARCH and FETCH: nothing to record
                log.warning("imap.message_vanished", mailbox=self.name, uid=uid)
                continue
            yield FetchedMessage(uid, bytes(data[b"BODY[]"]), _utc(data.get(b"INTERNALDATE")))

    def _writable_select(self, folder: str) -> None:
        if self._selected != folder or not self._writable:
            self.client.select_folder(folder, readonly=False)
            self._selected, self._writable = folder, True
            self._status = None  # uids() lists by SEARCH ALL until the next read-only SELECT

    def add_flag(self, folder: str, uids: Sequence[int], flag: str) -> None:
        """STORE +FLAGS."""
        try:
            self._writable_select(folder)
            self.client.add_flags(list(uids), [flag])
        except (IMAPClientError, OSError) as exc:
            raise self._fail(f"flagging messages with {flag}", exc) from exc

    def move(self, folder: str, uids: Sequence[int], target: str) -> None:
        """MOVE (RFC 6851); never COPY+EXPUNGE, which would delete if interrupted wrongly."""
        try:
            if not self.client.has_capability("MOVE"):
                raise MailboxError(
                    f"mailbox {self.name}: the server lacks MOVE; use after_record.action: flag"
                )
            if not self.client.folder_exists(target):
                self.client.create_folder(target)
            self._writable_select(folder)
            self.client.move(list(uids), target)
        except (IMAPClientError, OSError) as exc:
            raise self._fail(f"moving messages to {target!r}", exc) from exc

    def noop(self) -> bool:
        """NOOP: whether a kept connection still answers, and whether the selected folder
        changed (Dovecot reports a new message to NOOP at once, to IDLE 0.5 s later)."""
        try:
            _text, responses = self.client.noop()
        except (IMAPClientError, OSError) as exc:
            raise self._fail("checking the connection (NOOP)", exc) from exc
        return mailbox_changed(responses)

    def wait_for_change(
        self, folder: str, timeout: float, interrupted: Callable[[], bool] = lambda: False
    ) -> bool:
        """IDLE (RFC 2177) when the server has it; returns True when something changed.

        ``folder`` is selected first unless it already is (a SELECT would take in, and
        so hide, whatever arrived since the last command). ``interrupted`` is asked
        every 0.2 s; when it says so the IDLE ends early.
        """
        try:
            if not self.client.has_capability("IDLE"):
                return False
            if self._selected != folder:
                self.select(folder)
            self.client.idle()
            changed = dropped = False
            deadline = time.monotonic() + timeout
            try:
                # Keepalives end idle_check early; keep waiting out the timeout.
                while (
                    not changed and not interrupted() and (left := deadline - time.monotonic()) > 0
                ):
                    checked = self.client.idle_check(timeout=min(left, _INTERRUPT_CHECK_SECONDS))
                    if _server_left(checked, self.client.socket()):
                        dropped = True
                        break
                    changed = mailbox_changed(checked)
            finally:
                late: list[Any] = [] if dropped else self.client.idle_done()[1]
        except (IMAPClientError, OSError) as exc:
            raise self._fail("waiting for new mail (IDLE)", exc) from exc
        if dropped:
            raise MailboxError(f"mailbox {self.name}: the server closed the connection during IDLE")
        return changed or mailbox_changed(late)

    def close(self) -> None:
        """LOGOUT, ignoring a connection that is already gone."""
        try:
            self.client.logout()
        except (IMAPClientError, OSError) as exc:
            log.debug("imap.logout_failed", mailbox=self.name, error=str(exc))
