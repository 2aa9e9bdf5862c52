"""The SMTP sink: AUTH over STARTTLS, stored envelopes, planned refusals."""

from __future__ import annotations

import smtplib
import ssl

import pytest

from tests.harness.smtp_sink import SmtpSink

RAW = b"From: a@example.com\r\nTo: b@example.com\r\nSubject: ack\r\n\r\nreceived\r\n"


def _send(sink: SmtpSink, raw: bytes = RAW) -> None:
    with smtplib.SMTP(sink.host, sink.port, timeout=5) as smtp:
        smtp.starttls(context=ssl.create_default_context(cafile=str(sink.ca_file)))
        smtp.login(sink.user, sink.password)
        smtp.sendmail("a@example.com", ["b@example.com", "c@example.com"], raw)


def test_message_sent_with_auth_over_starttls_is_stored(smtp_inbox: SmtpSink) -> None:
    _send(smtp_inbox)
    [msg] = smtp_inbox.wait_for(1)
    assert msg.mail_from == "a@example.com"
    assert msg.rcpt_tos == ("b@example.com", "c@example.com")
    assert msg.tls and msg.auth_user == smtp_inbox.user
    assert msg.message["Subject"] == "ack"
    assert msg.raw.replace(b"\r\n", b"\n").endswith(b"received\n")


def test_auth_is_not_offered_before_starttls(smtp_inbox: SmtpSink) -> None:
    with (
        smtplib.SMTP(smtp_inbox.host, smtp_inbox.port, timeout=5) as smtp,
        pytest.raises(smtplib.SMTPNotSupportedError),
    ):
        smtp.login(smtp_inbox.user, smtp_inbox.password)


def test_wrong_password_is_refused(smtp_inbox: SmtpSink) -> None:
    with smtplib.SMTP(smtp_inbox.host, smtp_inbox.port, timeout=5) as smtp:
        smtp.starttls(context=ssl.create_default_context(cafile=str(smtp_inbox.ca_file)))
        with pytest.raises(smtplib.SMTPAuthenticationError):
            smtp.login(smtp_inbox.user, "wrong")


def test_fail_next_refuses_then_accepts(smtp_inbox: SmtpSink) -> None:
    smtp_inbox.fail_next(1)
    with pytest.raises(smtplib.SMTPDataError) as info:
        _send(smtp_inbox)
    assert info.value.smtp_code == 451
    _send(smtp_inbox)
    assert len(smtp_inbox.wait_for(1)) == 1


def test_messages_keep_arrival_order(smtp_inbox: SmtpSink) -> None:
    for i in range(3):
        _send(smtp_inbox, RAW.replace(b"ack", f"n{i}".encode()))
    got = smtp_inbox.wait_for(3)
    assert [m.message["Subject"] for m in got] == ["n0", "n1", "n2"]
