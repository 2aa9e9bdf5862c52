"""A large folder is listed by UID ranges, so no single SEARCH answer passes imaplib's
line limit, and the listing is the same as UID SEARCH ALL's. Real Dovecot; the range
size is made small so a few messages stand for a folder of hundreds of thousands.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from imapclient import IMAPClient

from pipeline.config import MailboxConfig
from pipeline.fetch import imap
from pipeline.fetch.imap import ImapClientSession
from tests.conftest import ImapAccount
from tests.ingest._mail import filler_message
from tests.ingest.conftest import mailbox_entry


class CountingClient:
    """The session's real imapclient, with every SEARCH's criteria recorded."""

    def __init__(self, inner: IMAPClient) -> None:
        self.inner = inner
        self.searches: list[list[str]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def search(self, criteria: list[str]) -> list[int]:
        self.searches.append(list(criteria))
        found: list[int] = self.inner.search(criteria)
        return found


@pytest.fixture
def sparse_folder(imap_user: ImapAccount) -> list[int]:
    """INBOX with UIDs 1-14, of which 3, 4, 8 and 14 were expunged (14: the highest)."""
    imap_user.server.append_many(imap_user.user, "INBOX", [filler_message(i) for i in range(14)])
    with IMAPClient(imap_user.host, port=imap_user.port, ssl=False) as client:
        client.login(imap_user.user, imap_user.password)
        client.select_folder("INBOX")
        client.add_flags([3, 4, 8, 14], [b"\\Deleted"])
        client.expunge()
    return [1, 2, 5, 6, 7, 9, 10, 11, 12, 13]


@pytest.fixture
def session(imap_user: ImapAccount, monkeypatch: pytest.MonkeyPatch) -> Iterator[ImapClientSession]:
    item, env = mailbox_entry(imap_user)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    session = ImapClientSession(MailboxConfig.model_validate(item))
    session.client = CountingClient(session.client)  # type: ignore[assignment]
    yield session
    session.client.logout()


def test_a_folder_larger_than_one_search_span_is_listed_by_uid_ranges(
    sparse_folder: list[int], session: ImapClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imap, "SEARCH_SPAN", 4)
    session.select("INBOX")

    assert session.uids() == sparse_folder
    assert session.client.searches == [  # type: ignore[attr-defined]
        ["UID", "1:4"],
        ["UID", "5:8"],
        ["UID", "9:12"],
        ["UID", "13:*"],
    ]


def test_a_folder_within_one_search_span_is_listed_by_one_search_all(
    sparse_folder: list[int], session: ImapClientSession
) -> None:
    session.select("INBOX")

    assert session.uids() == sparse_folder
    assert session.client.searches == [["ALL"]]  # type: ignore[attr-defined]
