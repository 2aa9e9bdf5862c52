"""Composition of the acknowledgment message."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes
from email.policy import default

import pytest

from handlers import outbound
from handlers.ack_compose import (
    ack_message_id,
    compose_acknowledgment,
    masked_subject,
    message_bytes,
)
from handlers.record import record_from_entry
from pipeline.entries.references import reference_number
from pipeline.errors import OutboundHeaderError
from pipeline.ledger.entry import EntryDraft
from pipeline.ledger.memory import MemoryLedger
from tests.handlers.conftest import T0, ack_config, record_body

NOW = datetime(2026, 11, 30, 14, 6, tzinfo=UTC)


def record(**kw):
    ledger = MemoryLedger()
    (entry,) = ledger.append([EntryDraft("message.received", record_body(**kw), "t", T0)])
    return record_from_entry(entry)


def compose(rec, to="ana@borrower.example", echo=False):
    msg = compose_acknowledgment(rec, to, ack_config(), NOW, echo_subject=echo)
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


def test_crlf_in_an_echoed_subject_does_not_create_a_header():
    msg, parsed = compose(record(subject="Help\r\nBcc: victim@example.com"), echo=True)
    assert parsed["Bcc"] is None
    assert b"\r\nBcc:" not in message_bytes(msg)
    assert "\n" not in parsed["Subject"] and "\r" not in parsed["Subject"]


def test_acknowledgment_has_exactly_the_headers_the_project_sets():
    msg, parsed = compose(record())
    expected = [
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
    assert parsed.keys() == expected
    assert list(msg.header_names) == expected


def test_recipient_display_name_is_never_echoed():
    _, parsed = compose(
        record(
            from_=[
                {
                    "name": "=?utf-8?q?x=0D=0AReply-To:_e@evil.example?=",
                    "address": "ana@borrower.example",
                }
            ]
        )
    )
    assert parsed["To"].addresses[0].display_name == ""
    assert str(parsed["To"]) == "ana@borrower.example"
    assert parsed["Reply-To"] is None


def test_subject_is_the_fixed_template_unless_echo_is_allowed():
    _, parsed = compose(record(subject="=?utf-8?q?Hi=0D=0AReply-To:_e@evil.example?="))
    ref = reference_number(record().record_id)
    assert parsed["Subject"] == f"We received your message [Ref {ref}]"


def test_echoed_subject_with_an_encoded_word_reaches_the_reader_as_literal_text():
    hostile = "=?utf-8?q?Hi=0D=0AReply-To:_e@evil.example?="
    _, parsed = compose(record(subject=hostile), echo=True)
    ref = reference_number(record().record_id)
    assert parsed["Subject"] == f"We received your message: {hostile} [Ref {ref}]"
    assert parsed["Reply-To"] is None
    assert "Reply-To" not in parsed


@pytest.mark.parametrize(
    ("subject", "secret"),
    [
        ("SSN 123-45-6789 escrow", "123-45-6789"),
        ("SSN 123 45 6789 escrow", "123 45 6789"),
        ("card 4111 1111 1111 1111 charged twice", "4111 1111 1111 1111"),
        ("card 4111-1111-1111-1111 charged twice", "4111-1111-1111-1111"),
        ("Loan 4417-829-301 payoff", "4417-829-301"),
        ("account 441 782 9301 payoff", "441 782 9301"),
    ],
)
def test_echoed_subject_masks_what_the_classifier_detects(subject, secret):
    _, parsed = compose(record(subject=subject), echo=True)
    digits = "".join(c for c in secret if c.isdigit())
    assert secret not in parsed["Subject"]
    assert digits[:-4] not in parsed["Subject"].replace(" ", "").replace("-", "")
    assert "[Ref ML-" in parsed["Subject"]


@pytest.mark.parametrize(
    ("subject", "shown"),
    [
        ("Loan ID 7004418825 payoff", "Loan ID ****8825 payoff"),
        ("Re: 7004418825", "Re: ****8825"),
        ("ssn 123.45.6789 card 4111.1111.1111.1111", "ssn ****6789 card ****1111"),
        ("ITIN 912-70-1234 on file", "ITIN ****1234 on file"),
    ],
)
def test_echoed_subject_masks_numbers_no_detector_names(subject, shown):
    assert masked_subject(subject) == shown


def test_masking_leaves_citations_dates_and_references_alone():
    subject = "Notice of error 12 CFR 1024.35(d) dated 2026-11-30 ML-K5VG-KEC4"
    assert masked_subject(subject) == subject


OUTLOOK_ID = (
    "<CY8PR22MB4931C3F0A2B14D5E6F7A8B9CD0E1F2A3B4C5D6@CY8PR22MB4931.namprd22.prod.outlook.com>"
)


def test_long_outlook_message_ids_are_written_verbatim_and_folded_only_between_ids():
    older = (
        "<DM6PR11MB4185A1B2C3D4E5F60718293A4B5C6D7E8F90@DM6PR11MB4185.namprd11.prod.outlook.com>"
    )
    msg, parsed = compose(record(headers={"message_id": OUTLOOK_ID, "references": [older]}))
    raw = message_bytes(msg).split(b"\r\n\r\n")[0]
    assert f"In-Reply-To: {OUTLOOK_ID}\r\n".encode() in raw
    assert f"References: {older}\r\n {OUTLOOK_ID}\r\n".encode() in raw
    assert b"=?" not in raw
    assert parsed["In-Reply-To"] == OUTLOOK_ID


def test_invalid_msg_ids_are_dropped_from_references():
    _, parsed = compose(
        record(
            headers={
                "references": [
                    "<a b@x>",
                    "not-an-id",
                    "<ok@borrower.example>",
                    "<x@y>\r\nBcc: v@evil.example",
                ]
            }
        )
    )
    assert parsed["References"] == "<ok@borrower.example> <orig-1@borrower.example>"
    assert parsed["Bcc"] is None


def test_invalid_message_id_means_no_threading_headers():
    _, parsed = compose(record(headers={"message_id": "<orig 1@borrower.example>"}))
    assert parsed["In-Reply-To"] is None and parsed["References"] is None


def test_recipient_that_is_not_one_addr_spec_is_refused():
    with pytest.raises(OutboundHeaderError):
        compose(record(), to="a@b.example, c@d.example")
    with pytest.raises(OutboundHeaderError):
        compose(record(), to="Eve <e@evil.example>")


def test_check_after_composing_fails_closed_on_an_unexpected_header(monkeypatch):
    # A faulty encoder that lets a line break through: the re-parse must catch it.
    monkeypatch.setattr(
        outbound, "_encoded_words", lambda text: ["=?utf-8?b?SGk=?=\r\nReply-To: e@evil.example"]
    )
    with pytest.raises(OutboundHeaderError, match="did not set"):
        compose(record(subject="Préstamo"), echo=True)


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
        first.message_id == second.message_id == ack_message_id(rec.record_id, "servicer.example")
    )
    assert first.message_id == "<ack.r-0123456789abcdef01234567@servicer.example>"


def test_reference_number_is_stable_and_formatted():
    ref = reference_number("r-0123456789abcdef01234567")
    assert ref == reference_number("r-0123456789abcdef01234567")
    assert ref != reference_number("r-0123456789abcdef01234568")
    assert len(ref) == 12 and ref.startswith("ML-") and ref[7] == "-"
