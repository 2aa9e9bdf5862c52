"""The written notice of an extension (12 CFR 1024.35(e)(3)(ii), 1024.36(d)(2)(ii))."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.policy import default

import pytest

from handlers.extension_notice import ExtensionNoticeHandler
from handlers.transports import PermanentSendError
from pipeline.ledger.entry import EntryDraft
from tests.handlers.conftest import T0, ack_config

NOTICE_HEADERS = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "X-Mailledger-Reference",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Content-Language",
]


def extend(ledger, record_seq, record_id="r-0123456789abcdef01234567", **extra):
    body = {
        "record_id": record_id,
        "record_seq": record_seq,
        "reason": "we are waiting for the investor's payment history",
        "days": 15,
        "previous_due": "2027-01-13",
        "due": "2027-02-04",
        "rule": "12 CFR 1024.35(e)(3)(ii)",
        **extra,
    }
    (entry,) = ledger.append([EntryDraft("case.extended", body, "person:officer", T0)])
    return entry


@pytest.fixture
def notices(ledger, store, transport):
    return ExtensionNoticeHandler(
        ledger, store.put, transport, ack_config(), "handler:test", clock=lambda: T0
    )


def test_notice_is_sent_once_with_only_project_headers_and_the_reason_in_the_body(
    notices, ledger, add_record, transport
):
    _, seq = add_record(
        from_=[
            {"name": "=?utf-8?q?A=0D=0ABcc:_x@evil.example?=", "address": "ana@borrower.example"}
        ]
    )
    ext = extend(ledger, seq)
    first = notices.run()
    assert (first.sent, first.failed) == (1, 0)
    parsed = message_from_bytes(transport.sent[0].data, policy=default)
    assert parsed.keys() == NOTICE_HEADERS
    assert str(parsed["To"]) == "ana@borrower.example"
    assert parsed["Subject"].startswith("Extension of our response time [Ref ML-")
    assert parsed["In-Reply-To"] == "<orig-1@borrower.example>"
    text = parsed.get_body().get_content()
    assert "by 15 business days" in text and "February 4, 2027" in text
    assert "investor's payment history" in text
    sent = ledger.entry(ledger.size() - 1)
    assert sent.type == "extension_notice.sent"
    assert (sent.body["extension_seq"], sent.body["to"], sent.body["language"]) == (
        ext.seq,
        "ana@borrower.example",
        "en",
    )
    assert sent.body["notice_message_id"] == parsed["Message-ID"]
    again = notices.run()
    assert (again.sent, again.done) == (0, 1)
    assert len(transport.sent) == 1


def test_spanish_record_gets_the_notice_in_spanish(notices, ledger, add_record, transport):
    _, seq = add_record(language="es")
    extend(ledger, seq)
    notices.run()
    parsed = message_from_bytes(transport.sent[0].data, policy=default)
    assert parsed["Subject"].startswith("Ampliación del plazo de respuesta [Ref ML-")
    assert "4 de febrero de 2027" in parsed.get_body().get_content()


def test_record_without_a_usable_address_is_skipped(notices, ledger, add_record, transport):
    _, seq = add_record(from_=[{"name": "", "address": "no-reply@borrower.example"}])
    extend(ledger, seq)
    assert notices.run().skipped == 1
    assert transport.sent == []
    assert ledger.entry(ledger.size() - 1).body["reason"] == "no-usable-address"


def test_permanent_refusal_ends_the_notice_and_the_next_extension_still_goes(
    notices, ledger, add_record, transport
):
    _, first_seq = add_record()
    _, second_seq = add_record(
        record_id="r-0123456789abcdef0123456a",
        from_=[{"name": "", "address": "bo@borrower.example"}],
    )
    extend(ledger, first_seq)
    extend(ledger, second_seq, record_id="r-0123456789abcdef0123456a")
    refusing = [PermanentSendError("550 no such user", 550)]

    def send(msg, _real=transport.send):
        if refusing:
            raise refusing.pop()
        return _real(msg)

    transport.send = send
    stats = notices.run()
    assert (stats.sent, stats.permanent) == (1, 1)
    assert [m.recipients for m in transport.sent] == [("bo@borrower.example",)]
    size = ledger.size()
    assert notices.run().failed == 0
    assert ledger.size() == size


def test_temporary_refusal_backs_off(ledger, store, transport, add_record):
    from handlers.transports import NotSentError

    now = {"t": T0}
    handler = ExtensionNoticeHandler(
        ledger, store.put, transport, ack_config(), "h", clock=lambda: now["t"]
    )
    _, seq = add_record()
    extend(ledger, seq)
    transport.fail = NotSentError("451 later", 451)
    assert handler.run().failed == 1
    transport.fail = None
    now["t"] = T0 + timedelta(seconds=60)
    assert handler.run().deferred == 1
    now["t"] = T0 + timedelta(seconds=300)
    assert handler.run().sent == 1
