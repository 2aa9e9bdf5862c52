"""Machine mail, imported mail and a future INTERNALDATE in the clocks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

from handlers.ack_compose import response_due
from handlers.record import record_from_entry
from pipeline.cases.deadlines import evaluate_cases
from pipeline.config import Config
from pipeline.ledger.entry import EntryDraft
from pipeline.ledger.memory import MemoryLedger
from pipeline.record.assemble import assemble
from pipeline.record.source import MessageSource
from pipeline.worker.build import record_settings
from tests.cases.builders import ack, inbound, rid, utc


def _one(ledger: MemoryLedger, now: str):
    (case,) = evaluate_cases(ledger.entries(), utc(now))
    return case


def test_auto_reply_is_not_applicable_and_never_missed():
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00", "notice_of_error", auto_submitted="auto-replied")
    case = _one(ledger, "2026-06-01T15:00")
    assert (case.state, case.deadlines) == ("not_applicable", ())
    assert case.not_applicable == "machine mail (auto-submitted)"


def test_mailer_daemon_bounce_is_not_applicable():
    ledger = MemoryLedger()
    inbound(
        ledger, rid(1), "2026-03-02T15:00", "notice_of_error", sender="MAILER-DAEMON@mx.example"
    )
    assert _one(ledger, "2026-06-01T15:00").not_applicable == "machine mail (machine-sender)"


def test_acknowledgment_skipped_for_a_list_makes_the_record_not_applicable():
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00", "notice_of_error")
    body = {"record_id": rid(1), "entry_seq": 0, "reason": "mailing-list"}
    ledger.append(
        [EntryDraft("acknowledgment.skipped", body, "handler:test", utc("2026-03-02T15:01"))]
    )
    assert _one(ledger, "2026-06-01T15:00").state == "not_applicable"


def test_a_person_acknowledging_by_hand_still_meets_an_imported_records_clock():
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00", "notice_of_error", imported=True)
    ack(ledger, rid(1), "2026-03-04T15:00")
    case = _one(ledger, "2026-03-05T15:00")
    assert case.record.imported
    assert case.deadline("acknowledge").state == "met"


def test_future_internaldate_starts_the_clock_from_the_ledger_time_with_a_note():
    ledger = MemoryLedger()
    # Recorded Mon 2026-03-02; the server claims the message arrived in June.
    inbound(ledger, rid(1), "2026-03-02T15:00", "notice_of_error", internaldate="2026-06-01T15:00")
    case = _one(ledger, "2026-03-03T15:00")
    assert case.record.received_at == utc("2026-03-02T15:00")
    assert case.deadline("acknowledge").due == date(2026, 3, 9)
    assert any("INTERNALDATE" in note for note in case.notes)


def _assembled(internaldate: datetime):
    msg = EmailMessage()
    msg["From"] = "Ana <ana@borrower.example>"
    msg["To"] = "service@servicer.example"
    msg["Subject"] = "Notice of error on my escrow"
    msg["Message-ID"] = "<future-1@borrower.example>"
    msg.set_content("I believe there is an error in my escrow account.")
    source = MessageSource(
        kind="imap",
        mailbox="service",
        folder="INBOX",
        uidvalidity=1,
        uid=1,
        internaldate=internaldate,
    )
    return assemble(bytes(msg), source, record_settings(Config()))


def test_assembly_flags_a_future_internaldate_as_a_defect():
    record = _assembled(datetime.now(UTC) + timedelta(days=90))
    assert "internaldate-in-future" in record.record.defects


def test_assembly_keeps_a_present_internaldate_without_a_defect():
    record = _assembled(datetime.now(UTC) - timedelta(minutes=1))
    assert "internaldate-in-future" not in record.record.defects


def test_acknowledgment_never_claims_a_future_receipt_time():
    record = _assembled(datetime.now(UTC) + timedelta(days=90))
    recorded = datetime.now(UTC)
    ledger = MemoryLedger()
    (entry,) = ledger.append(
        [EntryDraft(record.entry_type, record.body, "w", recorded, body_json=record.body_json)]
    )
    inbound_record = record_from_entry(entry)
    assert inbound_record.received_at <= recorded


def _assembled_text(text: str):
    msg = EmailMessage()
    msg["From"] = "Ana <ana@borrower.example>"
    msg["To"] = "service@servicer.example"
    msg["Subject"] = "My payoff"
    msg["Message-ID"] = "<payoff-1@borrower.example>"
    msg.set_content(text)
    received = datetime(2026, 3, 2, 15, tzinfo=UTC)  # Monday
    source = MessageSource(
        kind="imap",
        mailbox="service",
        folder="INBOX",
        uidvalidity=1,
        uid=1,
        internaldate=received,
    )
    record = assemble(bytes(msg), source, record_settings(Config()), received_at=received)
    ledger = MemoryLedger()
    (entry,) = ledger.append(
        [EntryDraft(record.entry_type, record.body, "w", received, body_json=record.body_json)]
    )
    return record_from_entry(entry)


def test_a_payoff_balance_error_is_recorded_and_promised_with_its_7_day_clock():
    record = _assembled_text(
        "The payoff statement you sent is wrong, it includes fees I already paid."
    )
    responds = {d.rule: d.due for d in record.deadlines if d.name == "respond"}
    assert responds["12 CFR 1024.35(e)(3)(i)(A)"] == date(2026, 3, 11)
    assert "12 CFR 1024.35(e)(3)(i)(C)" not in responds  # not the 30-day clock
    assert response_due(record) == date(2026, 3, 11)


def test_a_sale_date_written_without_a_year_bounds_the_foreclosure_sale_errors_clock():
    # Received Monday 2026-03-02: "March 10th" is this year's, eight days away, and
    # the answer is due the day before it, not 30 business days on.
    record = _assembled_text(
        "The sheriff sale is set for March 10th but my complete loan modification "
        "application is still under review. You cannot sell my house, please stop the sale."
    )
    (respond,) = (d for d in record.deadlines if d.rule == "12 CFR 1024.35(e)(3)(i)(B)")
    assert respond.due == date(2026, 3, 9)
