"""A result list shows a subject with its long numbers masked; opening the record
(recorded) shows it whole."""

from __future__ import annotations

from pipeline.index.model import RecordRow


def _row(subject: str) -> RecordRow:
    return RecordRow(
        seq=4,
        record_id="r-" + "0" * 24,
        type="message.received",
        mailbox="servicing",
        folder="INBOX",
        uidvalidity=1,
        uid=7,
        received="2026-12-03T08:30:00.000000Z",
        recorded="2026-12-03T08:30:01.000000Z",
        sender="borrower@example.com",
        sender_name="A Borrower",
        recipients="servicing@servicer.example",
        subject=subject,
        message_id=None,
        raw_sha256="0" * 64,
        raw_size=100,
        category=None,
        escalated=False,
        imported=False,
        direction="inbound",
        accounts=(),
        rules=(),
    )


def test_a_listed_subject_shows_account_and_social_security_numbers_masked() -> None:
    row = _row("Loan 7004418825 payoff, SSN 123-45-6789")
    assert row.listed_subject == "Loan ****8825 payoff, SSN ****6789"
    assert row.subject == "Loan 7004418825 payoff, SSN 123-45-6789"


def test_a_listed_subject_keeps_dates_and_citations() -> None:
    subject = "Notice of error 12 CFR 1024.35 sale 12/15/2026"
    assert _row(subject).listed_subject == subject
