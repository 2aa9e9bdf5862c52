"""Fixtures of the chaos suite: a plain SMTP sink for acknowledgments, a filled mailbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.harness.smtp_sink import SmtpSink


@pytest.fixture(scope="session")
def ack_sink() -> Iterator[SmtpSink]:
    """An SMTP sink without TLS or AUTH (acknowledgment volume, not the transport, is tested)."""
    sink = SmtpSink(starttls=False, auth=False)
    try:
        sink.start()
        yield sink
    finally:
        sink.close()


@pytest.fixture
def acks(ack_sink: SmtpSink) -> SmtpSink:
    """The acknowledgment sink, emptied."""
    ack_sink.clear()
    ack_sink.fail_next(0)
    return ack_sink
