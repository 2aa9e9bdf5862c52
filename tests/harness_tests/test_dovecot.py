"""The Dovecot harness: logins over every transport, appends, counts, restarts."""

from __future__ import annotations

import datetime as dt
import ssl

import pytest

from tests.harness.dovecot import AppendItem, DovecotServer

MESSAGE = b"From: a@example.com\r\nTo: b@example.com\r\nSubject: hello\r\n\r\nbody\r\n"


@pytest.mark.parametrize("tls", ["plain", "starttls", "ssl"])
def test_login_works_over_plain_starttls_and_verified_imaps(
    dovecot: DovecotServer, imap_user, tls: str
) -> None:
    client = dovecot.client(imap_user.user, tls=tls, verify=True)
    try:
        assert client.select_folder("INBOX")[b"EXISTS"] == 0
    finally:
        client.logout()


def test_imaps_rejects_a_client_that_does_not_trust_the_test_ca(dovecot: DovecotServer) -> None:
    from imapclient import IMAPClient

    with pytest.raises(ssl.SSLCertVerificationError):
        IMAPClient(
            dovecot.host,
            port=dovecot.ssl_port,
            ssl=True,
            ssl_context=ssl.create_default_context(),
            timeout=5,
        )


def test_wrong_password_is_refused(dovecot: DovecotServer, imap_user) -> None:
    from imapclient import IMAPClient
    from imapclient.exceptions import LoginError

    client = IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=5)
    with pytest.raises(LoginError):
        client.login(imap_user.user, "wrong")
    client.shutdown()


def test_append_sets_flags_and_internaldate_and_counts(dovecot: DovecotServer, imap_user) -> None:
    when = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
    uid = dovecot.append(imap_user.user, "INBOX", MESSAGE, flags=[b"\\Seen"], internaldate=when)
    assert dovecot.message_count(imap_user.user, "INBOX") == 1
    with dovecot.session(imap_user.user) as imap:
        imap.select_folder("INBOX", readonly=True)
        data = imap.fetch([uid], ["FLAGS", "INTERNALDATE", "BODY.PEEK[]"])[uid]
    assert b"\\Seen" in data[b"FLAGS"]
    assert data[b"INTERNALDATE"].astimezone(dt.UTC) == when
    assert data[b"BODY[]"] == MESSAGE


def test_append_many_returns_ascending_uids_in_a_new_folder(
    dovecot: DovecotServer, imap_user
) -> None:
    items = [MESSAGE.replace(b"hello", f"m{i}".encode()) for i in range(250)]
    items.append(AppendItem(MESSAGE, flags=[b"\\Flagged"]))
    uids = dovecot.append_many(imap_user.user, "Archive/2026", items)
    assert uids == list(range(1, 252))
    assert dovecot.message_count(imap_user.user, "Archive/2026") == 251
    assert dovecot.uids(imap_user.user, "Archive/2026") == uids


def test_users_have_separate_mailboxes(dovecot: DovecotServer, imap_user) -> None:
    other = dovecot.add_user(imap_user.user + "-other", "another-password")
    dovecot.append(imap_user.user, "INBOX", MESSAGE)
    assert dovecot.message_count(other, "INBOX") == 0
    assert dovecot.message_count(imap_user.user, "INBOX") == 1


@pytest.mark.parametrize("hard", [False, True])
def test_restart_keeps_ports_mail_and_uidvalidity(hard: bool) -> None:
    with DovecotServer() as server:
        server.add_user("carol")
        server.append("carol", "INBOX", MESSAGE)
        ports, validity = (server.port, server.ssl_port), server.uidvalidity("carol")
        server.restart(hard=hard)
        assert (server.port, server.ssl_port) == ports
        assert server.message_count("carol", "INBOX") == 1
        assert server.uidvalidity("carol") == validity
        root = server.root
    assert not root.exists()
