"""A large message is fetched as one copy of its bytes, exactly as the server holds it.

Real Dovecot. imaplib formats every response for its debug log when imapclient turns
that on; the session turns it off, so the literal is not copied into log strings.
"""

from __future__ import annotations

import base64
import hashlib
import random
import tracemalloc
from collections.abc import Iterator

import pytest

from pipeline.config import MailboxConfig
from pipeline.fetch.imap import ImapClientSession
from pipeline.record.recorder import Received
from pipeline.record.source import MessageSource
from tests.conftest import ImapAccount
from tests.ingest.conftest import mailbox_entry

SIZE = 8_000_000


def _large_message() -> bytes:
    payload = random.Random(15).randbytes(SIZE * 3 // 4)
    body = base64.encodebytes(payload).replace(b"\n", b"\r\n")
    head = (
        b"From: Borrower <borrower@example.com>\r\n"
        b"To: servicing@example.com\r\n"
        b"Subject: Scanned statement\r\n"
        b"Message-ID: <large-literal@example.com>\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: application/pdf; name=statement.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n"
    )
    return head + body


@pytest.fixture(params=["none", "implicit"])
def large(
    request: pytest.FixtureRequest, imap_user: ImapAccount, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[ImapClientSession, bytes]]:
    """A session (plain, and over TLS) on a folder holding one 8 MB message."""
    raw = _large_message()
    imap_user.server.append(imap_user.user, "INBOX", raw)
    item, env = mailbox_entry(imap_user, tls=request.param)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    session = ImapClientSession(MailboxConfig.model_validate(item))
    session.select("INBOX")
    yield session, raw
    session.close()


def test_a_large_message_is_fetched_as_its_exact_bytes_with_their_sha256(
    large: tuple[ImapClientSession, bytes],
) -> None:
    session, raw = large
    (fetched,) = list(session.fetch(session.uids()))
    assert fetched.raw == raw
    received = Received.of(
        fetched.raw,
        MessageSource(kind="imap", mailbox="m", folder="INBOX", uidvalidity=1, uid=fetched.uid),
        fetched.internaldate,
    )
    assert received.raw_sha256 == hashlib.sha256(raw).hexdigest()


def test_fetching_a_large_message_holds_one_copy_of_it(
    large: tuple[ImapClientSession, bytes],
) -> None:
    session, raw = large
    uids = session.uids()
    tracemalloc.start()
    try:
        fetched = list(session.fetch(uids))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(fetched[0].raw) == len(raw)
    # One copy and the protocol's small change; imaplib's debug formatting made it 3.3.
    assert peak < 1.2 * len(raw)
