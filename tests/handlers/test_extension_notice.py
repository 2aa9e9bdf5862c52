"""The written notice of an extension: sent once, in the borrower's language, sealed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from handlers.extension_notice import ExtensionNoticeHandler
from handlers.transports import NotSentError, SmtpTransport
from pipeline.cases import api
from pipeline.cases.read import read_cases
from pipeline.errors import HandlerError, RetryLaterError
from pipeline.ledger.memory import MemoryLedger
from tests.cases.builders import inbound, rid, utc
from tests.handlers.conftest import ack_config
from tests.handlers.test_transports import starttls_config

RECEIVED = "2026-03-02T15:00"  # NOE respond due 2026-04-13
DECIDED = utc("2026-04-01T15:00")


def _extended(ledger: MemoryLedger, language: str = "en") -> int:
    inbound(
        ledger,
        rid(1),
        RECEIVED,
        kinds=["notice_of_error"],
        sender="ana@borrower.example",
        message_id="<orig-1@borrower.example>",
        language=language,
    )
    entry = api.extend_case(
        ledger,
        rid(1),
        days=15,
        reason="we need the servicing history",
        actor="person:a",
        now=DECIDED,
    )
    return entry.seq


def _handler(ledger, transport, store, when=DECIDED):
    return ExtensionNoticeHandler(
        ledger, store.put, transport, ack_config(), "handler:test", clock=lambda: when
    )


def test_notice_goes_to_the_borrower_over_smtp_in_spanish_and_is_sealed(
    smtp_inbox, monkeypatch, store
):
    ledger = MemoryLedger()
    seq = _extended(ledger, language="es")
    transport = SmtpTransport(starttls_config(smtp_inbox, monkeypatch))
    result = _handler(ledger, transport, store).handle(seq)
    assert result.outcome == "sent"

    (received,) = smtp_inbox.wait_for(1)
    assert received.rcpt_tos == ("ana@borrower.example",)
    msg = received.message
    assert msg["In-Reply-To"] == "<orig-1@borrower.example>"
    assert msg["Subject"].startswith("Prórroga del plazo de respuesta [Ref ML-")
    assert msg["Content-Language"] == "es"
    body = msg.get_body().get_content()
    assert "a más tardar el 4 de mayo de 2026, en lugar del 13 de abril de 2026" in body
    assert "we need the servicing history" in body
    sent = ledger.entry(ledger.size() - 1)
    assert sent.type == "extension_notice.sent"
    assert (sent.body["extension_seq"], sent.body["language"], sent.body["reply_code"]) == (
        seq,
        "es",
        250,
    )
    assert received.raw.replace(b"\r\n", b"\n") == store.objects[
        sent.body["notice_sha256"]
    ].replace(b"\r\n", b"\n")


def test_sent_notice_puts_the_extension_in_force(smtp_inbox, monkeypatch, store):
    ledger = MemoryLedger()
    seq = _extended(ledger)
    before = read_cases(ledger.entries(), None, utc("2026-04-20T15:00")).for_record(rid(1))
    assert before.deadline("respond").due == date(2026, 4, 13)
    assert before.extension_unnoticed == seq
    transport = SmtpTransport(starttls_config(smtp_inbox, monkeypatch))
    _handler(ledger, transport, store).handle(seq)
    after = read_cases(ledger.entries(), None, utc("2026-04-20T15:00")).for_record(rid(1))
    assert (after.deadline("respond").due, after.deadline("respond").state) == (
        date(2026, 5, 4),
        "pending",
    )
    assert after.extension_unnoticed is None


def test_notice_is_sent_at_most_once(transport, store):
    ledger = MemoryLedger()
    _extended(ledger)
    handler = _handler(ledger, transport, store)
    assert [r.outcome for r in handler.run()] == ["sent"]
    assert [r.outcome for r in handler.run()] == ["already-done"]
    assert len(transport.sent) == 1
    assert transport.sent[0].data.count(b"Extension of the time to respond") == 1


def test_notice_after_the_original_due_date_is_skipped_not_sent(transport, store):
    ledger = MemoryLedger()
    seq = _extended(ledger)
    result = _handler(ledger, transport, store, when=utc("2026-04-14T15:00")).handle(seq)
    assert (result.outcome, result.detail) == ("skipped", "after-original-due-date")
    assert transport.sent == []


def test_refused_notice_releases_the_claim_and_a_rerun_sends_it(transport, store):
    ledger = MemoryLedger()
    seq = _extended(ledger)
    transport.fail = NotSentError("550 mailbox unavailable")
    with pytest.raises(HandlerError, match="claim released"):
        _handler(ledger, transport, store).handle(seq)
    transport.fail = None
    after_backoff = DECIDED + timedelta(minutes=5)
    assert _handler(ledger, transport, store, when=after_backoff).handle(seq).outcome == "sent"
    assert [e.type for e in ledger.entries()][-4:] == [
        "extension_notice.intent",
        "extension_notice.failed",
        "extension_notice.intent",
        "extension_notice.sent",
    ]


def test_notice_refused_with_550_is_recorded_as_failed_for_good_and_never_retried(
    smtp_inbox, monkeypatch, store
):
    ledger = MemoryLedger()
    seq = _extended(ledger)
    smtp_inbox.refuse(rcpt={"ana@borrower.example": "550 5.1.1 no such user"})
    transport = SmtpTransport(starttls_config(smtp_inbox, monkeypatch))
    result = _handler(ledger, transport, store).handle(seq)
    assert result.outcome == "failed-permanent"
    failed = ledger.entry(ledger.size() - 1)
    assert failed.type == "extension_notice.failed"
    assert (failed.body["permanent"], failed.body["code"], failed.body["extension_seq"]) == (
        True,
        550,
        seq,
    )
    assert "refused every recipient (codes [550])" in failed.body["error"]
    smtp_inbox.refuse()
    size = ledger.size()
    later = _handler(ledger, transport, store, when=DECIDED + timedelta(days=1)).handle(seq)
    assert (later.outcome, later.detail) == ("already-done", "extension_notice.failed")
    assert ledger.size() == size
    assert smtp_inbox.messages() == []


def test_notice_refused_with_451_is_retried_only_after_its_backoff(smtp_inbox, monkeypatch, store):
    ledger = MemoryLedger()
    seq = _extended(ledger)
    smtp_inbox.fail_next(1, "451 4.3.0 try again later")
    transport = SmtpTransport(starttls_config(smtp_inbox, monkeypatch))
    with pytest.raises(HandlerError, match=r"next attempt after 2026-04-01T15:05:00\.000000Z"):
        _handler(ledger, transport, store).handle(seq)
    failed = ledger.entry(ledger.size() - 1).body
    assert (failed["permanent"], failed["code"], failed["attempt"]) == (False, 451, 1)
    assert failed["retry_after"] == "2026-04-01T15:05:00.000000Z"  # decided + 300 s
    with pytest.raises(RetryLaterError, match="refused the notice for now"):
        _handler(ledger, transport, store, when=DECIDED + timedelta(seconds=299)).handle(seq)
    assert smtp_inbox.messages() == []
    retry = _handler(ledger, transport, store, when=DECIDED + timedelta(seconds=300)).handle(seq)
    assert retry.outcome == "sent"
    assert [m.rcpt_tos for m in smtp_inbox.wait_for(1)] == [("ana@borrower.example",)]
