"""Session fixtures that start the real test servers once, and cheap per-test helpers.

Servers (each started on first use, stopped when the session ends):

- ``dovecot``      :class:`tests.harness.dovecot.DovecotServer`
- ``moto_server``  :class:`tests.harness.moto_server.MotoServer`
- ``smtp_sink``    :class:`tests.harness.smtp_sink.SmtpSink` (STARTTLS + AUTH)

Per test: ``imap_user`` (a new user with an empty INBOX), ``moto_bucket`` (a new bucket),
``smtp_inbox`` (the sink, emptied).
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.harness.dovecot import DovecotServer, dovecot_available
from tests.harness.moto_server import MotoServer
from tests.harness.smtp_sink import SmtpSink

_counter = itertools.count()


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@dataclass(frozen=True)
class ImapAccount:
    """A fresh IMAP user on the session's Dovecot."""

    server: DovecotServer
    user: str
    password: str

    @property
    def host(self) -> str:
        """Server address (127.0.0.1)."""
        return self.server.host

    @property
    def port(self) -> int:
        """Plain IMAP port (STARTTLS available)."""
        return self.server.port

    @property
    def ssl_port(self) -> int:
        """Implicit-TLS IMAPS port."""
        return self.server.ssl_port


@dataclass(frozen=True)
class S3Bucket:
    """A fresh bucket and a client for the server that holds it."""

    name: str
    client: Any
    endpoint_url: str


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """A Dovecot for the whole session (plain+STARTTLS on ``port``, IMAPS on ``ssl_port``)."""
    if not dovecot_available():
        if _in_ci():
            pytest.fail("dovecot is not installed: run scripts/install-system-deps.sh")
        pytest.skip("dovecot is not installed (scripts/install-system-deps.sh)")
    server = DovecotServer()
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def imap_user(dovecot: DovecotServer) -> ImapAccount:
    """A new user with an empty INBOX (password from :data:`DEFAULT_PASSWORD`)."""
    name = f"user{next(_counter)}-{uuid.uuid4().hex[:8]}"
    dovecot.add_user(name)
    return ImapAccount(server=dovecot, user=name, password=dovecot.password(name))


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    """moto in server mode (separate process) for the whole session."""
    server = MotoServer()
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def moto_bucket(moto_server: MotoServer) -> S3Bucket:
    """A new, empty bucket on the moto server."""
    client = moto_server.client("s3")
    name = f"test-{next(_counter)}-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return S3Bucket(name=name, client=client, endpoint_url=moto_server.endpoint_url)


@pytest.fixture(scope="session")
def smtp_sink() -> Iterator[SmtpSink]:
    """An SMTP sink with STARTTLS and AUTH (``sink.user``/``sink.password``) for the session."""
    sink = SmtpSink()
    try:
        sink.start()
        yield sink
    finally:
        sink.close()


@pytest.fixture
def smtp_inbox(smtp_sink: SmtpSink) -> SmtpSink:
    """The session's SMTP sink with no messages and no planned failures."""
    smtp_sink.clear()
    smtp_sink.fail_next(0)
    return smtp_sink
