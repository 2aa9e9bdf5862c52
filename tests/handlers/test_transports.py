"""SMTP against the real sink process, SES against moto in server mode."""

from __future__ import annotations

import json
import urllib.request
from datetime import timedelta

import pytest
from pydantic import ValidationError

from handlers.ack_compose import BILINGUAL_SEPARATOR, compose_acknowledgment
from handlers.acknowledge import AcknowledgmentHandler
from handlers.config import SesConfig, SmtpConfig
from handlers.record import record_from_entry
from handlers.transports import NotSentError, SesTransport, SmtpTransport
from tests.handlers.conftest import T0, ack_config


def starttls_config(sink, monkeypatch, password=None):
    monkeypatch.setenv("TEST_SMTP_PASSWORD", password or sink.password)
    return SmtpConfig(
        host="localhost",
        port=sink.port,
        tls="starttls",
        username=sink.user,
        password_env="TEST_SMTP_PASSWORD",
        ca_file=sink.ca_file,
    )


def test_acknowledgment_over_starttls_with_auth_arrives_exactly_and_records_250(
    smtp_inbox, monkeypatch, ledger, store, add_record
):
    transport = SmtpTransport(starttls_config(smtp_inbox, monkeypatch))
    handler = AcknowledgmentHandler(
        ledger, store.put, transport, ack_config(), "ack:test", clock=lambda: T0
    )
    event, _ = add_record(subject="Escrow shortage")
    assert handler.handle(event).outcome == "sent"

    (received,) = smtp_inbox.wait_for(1)
    assert received.tls is True and received.auth_user == smtp_inbox.user
    assert received.rcpt_tos == ("ana@borrower.example",)
    # RFC 3834 section 3.3: the null envelope sender for an automatic reply.
    assert received.mail_from == "<>"
    msg = received.message
    assert msg["To"] == "ana@borrower.example"
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["In-Reply-To"] == "<orig-1@borrower.example>"
    assert msg["Message-ID"] == "<ack.r-0123456789abcdef01234567@servicer.example>"
    assert msg["Subject"].startswith("We received your message [Ref ML-")
    body = msg.get_body().get_content()
    assert "You can expect a response by January 13, 2027." in body
    assert "https://portal.servicer.example/secure" in body

    sent = ledger.entry(ledger.size() - 1).body
    assert sent["reply_code"] == 250
    assert sent["reply"].startswith("250 ")
    # The sink received exactly the stored bytes (dot-stuffing undone by the server).
    assert received.raw.replace(b"\r\n", b"\n") == store.objects[sent["ack_sha256"]].replace(
        b"\r\n", b"\n"
    )


def test_smtp_wrong_password_is_not_sent_and_says_so(smtp_inbox, monkeypatch, ledger, add_record):
    transport = SmtpTransport(starttls_config(smtp_inbox, monkeypatch, password="wrong"))
    _, seq = add_record()
    msg = compose_acknowledgment(
        record_from_entry(ledger.entry(seq)), "ana@borrower.example", ack_config(), T0
    )
    with pytest.raises(NotSentError, match="refused the login"):
        transport.send(msg)
    assert smtp_inbox.messages() == []


def test_smtp_temporary_refusal_at_data_is_not_sent(
    smtp_inbox, monkeypatch, ledger, store, add_record
):
    smtp_inbox.fail_next(1, "451 4.3.0 try again later")
    transport = SmtpTransport(starttls_config(smtp_inbox, monkeypatch))
    handler = AcknowledgmentHandler(
        ledger, store.put, transport, ack_config(), "a", clock=lambda: T0
    )
    event, _ = add_record()
    with pytest.raises(Exception, match="451"):
        handler.handle(event)
    assert [e.type for e in ledger.entries()][-1] == "acknowledgment.failed"
    handler = AcknowledgmentHandler(
        ledger, store.put, transport, ack_config(), "a", clock=lambda: T0 + timedelta(hours=1)
    )
    assert handler.handle(event).outcome == "sent"
    assert len(smtp_inbox.wait_for(1)) == 1


def test_starttls_with_untrusted_certificate_is_refused(
    smtp_inbox, monkeypatch, ledger, add_record
):
    monkeypatch.setenv("TEST_SMTP_PASSWORD", smtp_inbox.password)
    config = SmtpConfig(
        host="localhost",
        port=smtp_inbox.port,
        tls="starttls",
        username=smtp_inbox.user,
        password_env="TEST_SMTP_PASSWORD",
    )
    _, seq = add_record()
    msg = compose_acknowledgment(
        record_from_entry(ledger.entry(seq)), "ana@borrower.example", ack_config(), T0
    )
    with pytest.raises(NotSentError, match=r"CERTIFICATE_VERIFY_FAILED|certificate verify"):
        SmtpTransport(config).send(msg)


def test_acknowledgment_over_implicit_tls(
    smtp_implicit_sink, monkeypatch, ledger, store, add_record
):
    monkeypatch.setenv("TEST_SMTP_PASSWORD", smtp_implicit_sink.password)
    config = SmtpConfig(
        host="localhost",
        port=smtp_implicit_sink.port,
        tls="implicit",
        username=smtp_implicit_sink.user,
        password_env="TEST_SMTP_PASSWORD",
        ca_file=smtp_implicit_sink.tls.ca_file,
    )
    handler = AcknowledgmentHandler(
        ledger, store.put, SmtpTransport(config), ack_config(), "a", clock=lambda: T0
    )
    event, _ = add_record()
    handler.handle(event)
    ((envelope, raw),) = smtp_implicit_sink.wait_for(1)
    assert envelope["rcpt_tos"] == ["ana@borrower.example"]
    assert b"Auto-Submitted: auto-replied" in raw
    sent = ledger.entry(ledger.size() - 1).body
    assert sent["reply"] == "250 2.0.0 Ok: queued as SINK0001"
    assert sent["provider_id"] == "2.0.0 Ok: queued as SINK0001"


def test_plaintext_smtp_needs_explicit_permission():
    with pytest.raises(ValidationError, match="allow_plaintext"):
        SmtpConfig(host="relay.example", port=25, tls="none")


def test_ses_send_raw_email_on_moto_server(moto_server, ledger, store, add_record):
    client = moto_server.client("ses")
    client.verify_email_identity(EmailAddress="service@servicer.example")
    transport = SesTransport(
        SesConfig(region="us-east-1", endpoint_url=moto_server.endpoint_url), client=client
    )
    handler = AcknowledgmentHandler(
        ledger, store.put, transport, ack_config(), "a", clock=lambda: T0
    )
    event, _ = add_record()
    assert handler.handle(event).outcome == "sent"

    sent = ledger.entry(ledger.size() - 1).body
    assert sent["transport"] == "ses" and sent["provider_id"]
    assert client.get_send_quota()["SentLast24Hours"] >= 1
    with urllib.request.urlopen(f"{moto_server.endpoint_url}/moto-api/data.json") as response:  # noqa: S310
        data = json.load(response)
    (raw,) = [m for m in data["ses"]["RawMessage"] if m["id"] == sent["provider_id"]]
    assert raw["source"] == "service@servicer.example"
    assert "ana@borrower.example" in raw["destinations"]
    assert raw["raw_data"].encode() == store.objects[sent["ack_sha256"]]


def test_ses_unverified_sender_is_not_sent(moto_server, ledger, add_record):
    client = moto_server.client("ses")
    transport = SesTransport(
        SesConfig(region="us-east-1", endpoint_url=moto_server.endpoint_url), client=client
    )
    _, seq = add_record()
    msg = compose_acknowledgment(
        record_from_entry(ledger.entry(seq)),
        "ana@borrower.example",
        ack_config(from_address="unverified@servicer.example"),
        T0,
    )
    with pytest.raises(NotSentError, match="MessageRejected"):
        transport.send(msg)


def _ack_through_sink(smtp_inbox, monkeypatch, ledger, store, add_record, **record):
    transport = SmtpTransport(starttls_config(smtp_inbox, monkeypatch))
    handler = AcknowledgmentHandler(
        ledger, store.put, transport, ack_config(), "ack:test", clock=lambda: T0
    )
    event, _ = add_record(**record)
    assert handler.handle(event).outcome == "sent"
    (received,) = smtp_inbox.wait_for(1)
    return received.message


def _text(msg):
    # The sink keeps the wire's CRLF line endings; the composer writes LF.
    return msg.get_body().get_content().replace("\r\n", "\n")


def test_vietnamese_sender_gets_one_english_then_spanish_acknowledgment(
    smtp_inbox, monkeypatch, ledger, store, add_record
):
    msg = _ack_through_sink(
        smtp_inbox,
        monkeypatch,
        ledger,
        store,
        add_record,
        language="vi",
        classification_extra={"ack_languages": ["en", "es"]},
    )
    body = _text(msg)
    english, spanish = body.split(BILINGUAL_SEPARATOR)
    assert english.startswith("Dear customer,") and "Estimado" not in english
    assert spanish.startswith("Estimado(a) cliente:") and "Dear customer" not in spanish
    assert msg["Subject"].startswith("We received your message [Ref ML-")
    assert msg["Content-Language"] == "en, es"


def test_spanish_sender_gets_a_spanish_only_acknowledgment(
    smtp_inbox, monkeypatch, ledger, store, add_record
):
    msg = _ack_through_sink(
        smtp_inbox,
        monkeypatch,
        ledger,
        store,
        add_record,
        language="es",
        classification_extra={"ack_languages": ["es"]},
    )
    body = _text(msg)
    assert body.startswith("Estimado(a) cliente:") and "Dear customer" not in body
    assert msg["Subject"].startswith("Recibimos su mensaje [Ref ML-")
    assert msg["Content-Language"] == "es"


def test_english_sender_gets_an_english_only_acknowledgment(
    smtp_inbox, monkeypatch, ledger, store, add_record
):
    msg = _ack_through_sink(
        smtp_inbox,
        monkeypatch,
        ledger,
        store,
        add_record,
        language="en",
        classification_extra={"ack_languages": ["en"]},
    )
    body = _text(msg)
    assert body.startswith("Dear customer,") and "Estimado" not in body
    assert msg["Content-Language"] == "en"


def test_acknowledgment_never_uses_a_language_without_a_reviewed_template(
    smtp_inbox, monkeypatch, ledger, store, add_record
):
    msg = _ack_through_sink(
        smtp_inbox,
        monkeypatch,
        ledger,
        store,
        add_record,
        language="fr",
        classification_extra={"ack_languages": ["fr"]},
    )
    assert msg["Content-Language"] == "en, es"
    assert BILINGUAL_SEPARATOR in _text(msg)
