"""Hostile inbound mail through real Dovecot, poll and the acknowledgment handler to a real
SMTP peer: what leaves carries only headers the project set, with values it controls."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default

from tests.conftest import ImapAccount
from tests.e2e.test_worker_and_handlers import servicing
from tests.harness.smtp_sink import SmtpSink
from tests.ingest.conftest import Deployment

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
