"""Composition of the acknowledgment message."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default

from handlers.ack_compose import (
    ack_message_id,
    compose_acknowledgment,
    message_bytes,
    reference_number,
)
from handlers.record import record_from_entry
from pipeline.ledger.entry import EntryDraft
from pipeline.ledger.memory import MemoryLedger
from tests.handlers.conftest import T0, ack_config, record_body

NOW = datetime(2026, 11, 30, 14, 6, tzinfo=UTC)


def record(**kw):
    ledger = MemoryLedger()
    (entry,) = ledger.append([EntryDraft("message.received", record_body(**kw), "t", T0)])
    return record_from_entry(entry)


def compose(rec, name="Ana Borrower", to="ana@borrower.example"):
    msg = compose_acknowledgment(rec, to, name, ack_config(), NOW)
    return msg, message_from_bytes(message_bytes(msg), policy=default)


def test_english_text_has_reference_received_time_category_due_date_and_advice():
    rec = record()
    _, parsed = compose(rec)
    text = parsed.get_body().get_content()
    ref = reference_number(rec.record_id)
    assert ref in text and f"[Ref {ref}]" in parsed["Subject"]
    assert "November 30, 2026 at 9:00 AM EST" in text  # 14:00 UTC in New York
    assert "a question about your account" in text
    assert "You can expect a response by January 13, 2027." in text
    assert "do not send full account numbers or Social Security numbers" in text
    assert "https://portal.servicer.example/secure" in text
    assert "appears to contain a sensitive number" not in text


def test_spanish_text_has_reference_received_time_category_due_date_and_advice():
    rec = record(language="es", category="document_request")
    _, parsed = compose(rec)
    text = parsed.get_body().get_content()
    assert reference_number(rec.record_id) in text
    assert "30 de noviembre de 2026 a las 09:00 (EST)" in text
    assert "una solicitud de documentos" in text
    assert "a más tardar el 13 de enero de 2027" in text
    assert "no envíe por correo electrónico números de cuenta completos" in text
    assert "https://portal.servicer.example/secure" in text
    assert parsed["Content-Language"] == "es"


def test_due_date_falls_back_to_acknowledge_deadline():
    rec = record(
        deadlines=[{"name": "acknowledge", "due": "2026-12-07", "business_days": 5, "rule": "x"}]
    )
    _, parsed = compose(rec)
    assert "by December 7, 2026" in parsed.get_body().get_content()


def test_sensitive_numbers_add_a_reminder_paragraph():
    _, parsed = compose(record(sensitive=True))
    assert "appears to contain a sensitive number" in parsed.get_body().get_content()
    _, parsed_es = compose(record(sensitive=True, language="es"))
    assert "parece contener un número confidencial" in parsed_es.get_body().get_content()


def test_crlf_in_subject_does_not_create_a_header():
    _, parsed = compose(record(subject="Help\r\nBcc: victim@example.com"))
    assert parsed["Bcc"] is None
    assert "victim@example.com" in parsed["Subject"]  # kept as harmless text on one line
    assert "\n" not in parsed["Subject"] and "\r" not in parsed["Subject"]


def test_crlf_in_display_name_does_not_create_a_header():
    raw = message_bytes(compose(record(), name="Ana\r\nBcc: victim@example.com")[0])
    parsed = message_from_bytes(raw, policy=default)
    assert parsed["Bcc"] is None
    assert [a.addr_spec for a in parsed["To"].addresses] == ["ana@borrower.example"]
    assert b"\r\nBcc:" not in raw


def test_rfc3834_and_threading_headers_are_present():
    _, parsed = compose(record())
    assert parsed["Auto-Submitted"] == "auto-replied"
    assert parsed["In-Reply-To"] == "<orig-1@borrower.example>"
    assert parsed["References"] == "<older@borrower.example> <orig-1@borrower.example>"
    assert parsed["From"].addresses[0].addr_spec == "service@servicer.example"


def test_message_id_is_deterministic_from_record_id_and_domain():
    rec = record()
    first, _ = compose(rec)
    second, _ = compose(rec)
    assert (
        first["Message-ID"]
        == second["Message-ID"]
        == ack_message_id(rec.record_id, "servicer.example")
    )
    assert first["Message-ID"] == "<ack.r-0123456789abcdef01234567@servicer.example>"


def test_reference_number_is_stable_and_formatted():
    ref = reference_number("r-0123456789abcdef01234567")
    assert ref == reference_number("r-0123456789abcdef01234567")
    assert ref != reference_number("r-0123456789abcdef01234568")
    assert len(ref) == 12 and ref.startswith("ML-") and ref[7] == "-"
