"""Session fixtures that start the real test servers once, and cheap per-test helpers.

Servers (each started on first use, stopped when the session ends):

- ``dovecot``      :class:`tests.harness.dovecot.DovecotServer`
- ``moto_server``  :class:`tests.harness.moto_server.MotoServer`
- ``smtp_sink``    :class:`tests.harness.smtp_sink.SmtpSink` (STARTTLS + AUTH)
- ``rgw``          :class:`tests.harness.rgw.RgwServer` (Ceph RGW; skipped when Ceph is
                   not installed, but FAILS when ``CI`` is set so WORM tests never pass
                   by being skipped)

Per test: ``restore_logging`` (for a test that configures logging, as a command's
``main`` does: puts the previous configuration back), ``imap_user`` (a new user with an
empty INBOX), ``moto_bucket`` (a new bucket),
``rgw_bucket`` (a new Object Lock bucket), ``rgw_unversioned_bucket``, ``smtp_inbox`` (the
sink, emptied), ``webhook_server``, ``fault_proxy`` (in front of moto).

Ceph RGW 16 ignores ``If-None-Match: *`` on versioned (so also Object Lock) buckets: the
second PUT makes a new version instead of failing with 412 (see tests/harness_tests).
"""

from __future__ import annotations

import itertools
import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import structlog

from tests.harness.dovecot import DovecotServer, dovecot_available
from tests.harness.fault_proxy import FaultProxy
from tests.harness.moto_server import MotoServer
from tests.harness.rgw import RgwServer, rgw_from_env, rgw_unavailable_reason
from tests.harness.smtp_sink import SmtpSink
from tests.harness.webhook_server import WebhookServer

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


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """A test that configures logging (onto capsys's stream, as a command's ``main``
    does) leaves it as it found it: later tests must not log there."""
    saved = structlog.get_config()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    structlog.configure(**saved)
    root.handlers[:] = handlers
    root.setLevel(level)


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
    smtp_sink.refuse()
    return smtp_sink


@pytest.fixture
def webhook_server() -> Iterator[WebhookServer]:
    """A local HTTP server recording POSTs (cheap: one per test)."""
    with WebhookServer() as server:
        yield server


@pytest.fixture
def fault_proxy(moto_server: MotoServer) -> Iterator[FaultProxy]:
    """A fault-injecting proxy in front of the moto server, injecting nothing until told."""
    with FaultProxy(moto_server.endpoint_url) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def rgw() -> Iterator[RgwServer]:
    """A Ceph RADOS Gateway: reused from ``MAILLEDGER_TEST_RGW_*`` env vars or started here.

    Skips when Ceph is not installed, except under CI, where it fails instead.
    """
    existing = rgw_from_env()
    if existing is not None:
        yield existing
        return
    reason = rgw_unavailable_reason()
    if reason is not None:
        if _in_ci():
            pytest.fail(f"Ceph RGW required in CI: {reason}")
        pytest.skip(reason)
    server = RgwServer()
    try:
        server.start()
        os.environ.update(server.env())
        yield server
    finally:
        for key in server.env():
            os.environ.pop(key, None)
        server.close()


@pytest.fixture
def rgw_bucket(rgw: RgwServer) -> S3Bucket:
    """A new bucket with Object Lock enabled (hence versioned) on the RGW."""
    client = rgw.client("s3")
    name = f"test-{next(_counter)}-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    return S3Bucket(name=name, client=client, endpoint_url=rgw.endpoint_url)


@pytest.fixture
def rgw_unversioned_bucket(rgw: RgwServer) -> S3Bucket:
    """A new bucket without versioning on the RGW (where ``If-None-Match: *`` is honoured)."""
    client = rgw.client("s3")
    name = f"test-{next(_counter)}-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    return S3Bucket(name=name, client=client, endpoint_url=rgw.endpoint_url)
