"""Message builders for the ingestion tests (CRLF line endings, as on the wire)."""

from __future__ import annotations

import email.policy
from email.message import EmailMessage

_SMTP = email.policy.SMTP


def text_message(subject: str, body: str = "Hello.\n", *, message_id: str | None = None) -> bytes:
    """A plain text/plain message."""
    msg = EmailMessage(policy=_SMTP)
    msg["From"] = "Borrower <borrower@example.com>"
    msg["To"] = "service@servicer.example"
    msg["Subject"] = subject
    msg["Date"] = "Mon, 02 Mar 2026 09:15:00 -0500"
    if message_id is not None:
        msg["Message-ID"] = message_id
    msg.set_content(body)
    return msg.as_bytes()


def filler_message(index: int, size: int = 2_000) -> bytes:
    """A numbered text message of about ``size`` bytes."""
    line = f"Loan statement line for message {index:05d}, nothing to escalate here.\n"
    body = line * max(1, size // len(line))
    return text_message(f"Generated message {index:05d}", body, message_id=f"<gen-{index}@test>")
