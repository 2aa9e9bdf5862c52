"""Hostile inbound mail through real Dovecot, poll and the acknowledgment handler to a real
SMTP peer: what leaves carries only headers the project set, with values it controls."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ImapAccount
from tests.e2e.test_worker_and_handlers import servicing
from tests.harness.smtp_sink import SmtpSink
from tests.ingest.conftest import Deployment, mailbox_entry, make_deployment

__all__ = ["servicing"]

OUTLOOK_ID = (
    "<CY8PR22MB4931A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2@CY8PR22MB4931.namprd22.prod.outlook.com>"
)
OLDER_ID = (
    "<DM6PR11MB41850F1E2D3C4B5A69788796A5B4C3D2E1F0A9B8@DM6PR11MB4185.namprd11.prod.outlook.com>"
)
ACK_HEADERS = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Auto-Submitted",
    "X-Auto-Response-Suppress",
    "X-Mailledger-Reference",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Content-Language",
]


def _hostile() -> bytes:
    # Written by hand: a display name and a subject (itself encoded once more) whose text
    # is an encoded-word decoding to CR LF and a new header line, the CVE-2024-6923 shape.
    subject = b"PT91dGYtOD9xP0VzY3Jvdz0wRD0wQUJjYzpfdmljdGltQGV2aWwuZXhhbXBsZT89"
    return (
        b'From: "=?utf-8?q?Ana=0D=0AReply-To:_thief@evil.example?=" <ana@borrower.example>\r\n'
        b"To: service@servicer.example\r\n"
        b"Subject: =?utf-8?b?" + subject + b"?=\r\n"
        b"Date: Mon, 30 Nov 2026 09:00:00 -0500\r\n"
        b"Message-ID: " + OUTLOOK_ID.encode() + b"\r\n"
        b"References: <not an id> " + OLDER_ID.encode() + b"\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"\r\n"
        b"Please tell me about my escrow account.\r\n"
    )


def test_hostile_sender_gets_an_acknowledgment_with_only_project_headers(
    servicing: Deployment, imap_user: ImapAccount, smtp_inbox: SmtpSink
) -> None:
    imap_user.server.append(imap_user.user, "INBOX", _hostile())
    assert servicing.run("poll").returncode == 0
    done = servicing.run("handle", "acknowledge")
    assert done.returncode == 0, done.stdout + done.stderr

    (received,) = smtp_inbox.wait_for(1, timeout=10)
    ack = message_from_bytes(received.raw, policy=default)
    assert ack.keys() == ACK_HEADERS
    assert received.rcpt_tos == ("ana@borrower.example",)
    assert str(ack["To"]) == "ana@borrower.example"
    assert ack["Subject"].startswith("We received your message [Ref ML-")
    head = received.raw.split(b"\r\n\r\n", 1)[0]
    assert b"evil.example" not in head and b"=?" not in head
    # Outlook's long ids come out verbatim, folded only between ids, never encoded.
    assert f"In-Reply-To: {OUTLOOK_ID}\r\n".encode() in head
    assert f"References: {OLDER_ID}\r\n {OUTLOOK_ID}\r\n".encode() in head


MX = "mx.servicer.example"


def _deployment(root: Path, imap_user: ImapAccount, sink: SmtpSink, **ack: Any) -> Deployment:
    transport = {
        "kind": "smtp",
        "host": sink.host,
        "port": sink.port,
        "tls": "starttls",
        "ca_file": str(sink.ca_file),
        "username": sink.user,
        "password_env": "MAILLEDGER_TEST_SMTP_PASSWORD",
    }
    deployment = make_deployment(
        root,
        [mailbox_entry(imap_user)],
        extra={
            "worker": {"parse_workers": 1, "dispatch_after_poll": True},
            "events": {"sinks": [{"kind": "jsonl", "path": "outbox/events.jsonl"}]},
            "acknowledgment": {
                "from_address": "service@servicer.example",
                "from_name": "Customer Service",
                "portal_url": "https://portal.servicer.example/secure",
                "transport": transport,
                **ack,
            },
        },
    )
    deployment.env["MAILLEDGER_TEST_SMTP_PASSWORD"] = sink.password
    return deployment


def _mail(sender: str, subject: str, n: int, *fields: str) -> bytes:
    head = "".join(f"{f}\r\n" for f in fields)
    return (
        f"{head}From: {sender}\r\nTo: service@servicer.example\r\nSubject: {subject}\r\n"
        f"Date: Mon, 30 Nov 2026 09:00:00 -0500\r\nMessage-ID: <m{n}@borrower.example>\r\n"
        "\r\nPlease look at my escrow account.\r\n"
    ).encode()


def _pass(domain: str) -> str:
    return f"Authentication-Results: {MX}; dmarc=pass header.from={domain}"


@pytest.fixture
def guarded(tmp_path: Path, imap_user: ImapAccount, smtp_inbox: SmtpSink) -> Deployment:
    return _deployment(
        tmp_path / "guarded",
        imap_user,
        smtp_inbox,
        require_authentication=True,
        authserv_id=MX,
        rate_limit_per_sender_per_day=1,
    )


def test_only_senders_our_mta_authenticated_are_acknowledged_once_per_mailbox(
    guarded: Deployment, imap_user: ImapAccount, smtp_inbox: SmtpSink
) -> None:
    mails = [
        # Authenticated by our MTA: acknowledged, subject echoed with the SSN masked.
        _mail("Ana <ana@borrower.example>", "Escrow SSN 123 45 6789", 1, _pass("borrower.example")),
        # Same mailbox through a +tag: over the per-sender limit.
        _mail("ana+x@borrower.example", "Escrow again", 2, _pass("borrower.example")),
        # Forged: the only "pass" was written upstream under another authserv-id.
        _mail(
            "victim@third.example",
            "Click here",
            3,
            "Authentication-Results: mx.evil.example; dmarc=pass header.from=third.example",
        ),
        # A forged pass below our MTA's own (fail) result.
        _mail(
            "other@third.example",
            "Click here",
            4,
            f"Authentication-Results: {MX}; dmarc=fail header.from=third.example",
            _pass("third.example"),
        ),
        # Authenticated but asks for no automatic replies.
        _mail(
            "bo@borrower.example",
            "Payoff",
            5,
            _pass("borrower.example"),
            "X-Auto-Response-Suppress: All",
        ),
    ]
    imap_user.server.append_many(imap_user.user, "INBOX", mails)
    assert guarded.run("poll").returncode == 0
    done = guarded.run("handle", "acknowledge")
    assert done.returncode == 0, done.stdout + done.stderr

    (received,) = smtp_inbox.wait_for(1, timeout=10)
    assert received.rcpt_tos == ("ana@borrower.example",)
    assert received.mail_from == "<>"
    ack = message_from_bytes(received.raw, policy=default)
    assert ack["Subject"].startswith("We received your message: Escrow SSN ***-**-**** [Ref ML-")
    assert ack["Auto-Submitted"] == "auto-replied"
    reasons = sorted(
        e.body["reason"] for e in guarded.entries() if e.type == "acknowledgment.skipped"
    )
    assert reasons == [
        "auto-response-suppressed",
        "not-authenticated",
        "not-authenticated",
        "rate-limited-sender",
    ]


def test_refused_borrowers_do_not_block_the_others_and_are_not_retried(
    servicing: Deployment, imap_user: ImapAccount, smtp_inbox: SmtpSink
) -> None:
    smtp_inbox.refuse(
        rcpt={"gone@borrower.example": "550 5.1.1 no such user"},
        data={"blocked@borrower.example": "550 5.7.1 message refused"},
    )
    mails = [
        _mail("gone@borrower.example", "Escrow", 1),
        _mail("blocked@borrower.example", "Payoff", 2),
        _mail("ana@borrower.example", "Escrow", 3),
        _mail("bo@borrower.example", "Payoff", 4),
    ]
    imap_user.server.append_many(imap_user.user, "INBOX", mails)
    assert servicing.run("poll").returncode == 0
    first = servicing.run("handle", "acknowledge")
    assert first.returncode == 1  # two permanent refusals are reported
    assert "2 failed (2 permanently)" in first.stdout

    received = smtp_inbox.wait_for(2, timeout=10)
    assert sorted(m.rcpt_tos for m in received) == [
        ("ana@borrower.example",),
        ("bo@borrower.example",),
    ]
    failed = [e.body for e in servicing.entries() if e.type == "acknowledgment.failed"]
    assert sorted((f["code"], f["permanent"]) for f in failed) == [(550, True), (550, True)]

    size = len(servicing.entries())
    again = servicing.run("handle", "acknowledge")
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(servicing.entries()) == size
    assert len(smtp_inbox.messages()) == 2


def test_extension_notice_reaches_the_borrower_once_with_only_project_headers(
    servicing: Deployment, imap_user: ImapAccount, smtp_inbox: SmtpSink
) -> None:
    notice = (
        b'From: "=?utf-8?q?Ana=0D=0AReply-To:_thief@evil.example?=" <ana@borrower.example>\r\n'
        b"To: service@servicer.example\r\n"
        b"Subject: Notice of error: late fee\r\n"
        b"Date: Mon, 30 Nov 2026 09:00:00 -0500\r\n"
        b"Message-ID: " + OUTLOOK_ID.encode() + b"\r\n"
        b"\r\n"
        b"This is a notice of error. A late fee was charged in error.\r\n"
    )
    imap_user.server.append(imap_user.user, "INBOX", notice)
    assert servicing.run("poll").returncode == 0
    (record,) = [e for e in servicing.entries() if e.type == "message.received"]
    extended = servicing.run(
        "extend", record.body["record_id"], "--reason", "waiting for the payment history"
    )
    assert extended.returncode == 0, extended.stdout + extended.stderr
    for _ in range(2):
        done = servicing.run("handle", "extension-notices")
        assert done.returncode == 0, done.stdout + done.stderr

    (received,) = smtp_inbox.wait_for(1, timeout=10)
    assert received.rcpt_tos == ("ana@borrower.example",)
    letter = message_from_bytes(received.raw, policy=default)
    assert letter["Subject"].startswith("Extension of the time to respond [Ref ML-")
    head = received.raw.split(b"\r\n\r\n", 1)[0]
    assert b"evil.example" not in head
    assert f"In-Reply-To: {OUTLOOK_ID}\r\n".encode() in head
    assert "waiting for the payment history" in letter.get_body().get_content()
    types = [e.type for e in servicing.entries()]
    assert types.count("extension_notice.sent") == 1
