"""The acknowledgment handler: at most one acknowledgment per record."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.policy import default

import pytest

from handlers.ack_compose import message_bytes
from handlers.acknowledge import AcknowledgmentHandler
from handlers.transports import NotSentError, PermanentSendError
from pipeline.errors import HandlerError, LedgerError, RetryLaterError
from pipeline.ledger.entry import EntryDraft
from tests.handlers.conftest import T0, ack_config


class Clock:
    def __init__(self) -> None:
        self.now = T0 + timedelta(minutes=1)

    def __call__(self):
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def handler(ledger, store, transport, clock):
    return AcknowledgmentHandler(
        ledger, store.put, transport, ack_config(), "ack:test", clock=clock
    )


def types(ledger, prefix="acknowledgment."):
    return [e.type for e in ledger.entries() if e.type.startswith(prefix)]


def test_customer_message_gets_one_acknowledgment_and_a_sent_entry(
    handler, add_record, ledger, store, transport
):
    event, seq = add_record()
    result = handler.handle(event)
    assert result.outcome == "sent"
    assert len(transport.sent) == 1
    assert types(ledger) == ["acknowledgment.intent", "acknowledgment.sent"]
    sent = ledger.entry(ledger.size() - 1).body
    assert sent["record_id"] == "r-0123456789abcdef01234567"
    assert sent["entry_seq"] == seq
    assert sent["ack_message_id"] == "<ack.r-0123456789abcdef01234567@servicer.example>"
    assert sent["reply"] == "250 ok" and sent["reply_code"] == 250
    assert sent["provider_id"] == "fake-1"
    assert sent["to"] == "ana@borrower.example"
    assert sent["time"].endswith("Z")
    # The stored object is exactly the bytes that were handed to the transport.
    assert store.objects[sent["ack_sha256"]] == message_bytes(transport.sent[0])


def test_same_event_twice_sends_one_message_and_records_one_sent(
    handler, add_record, ledger, transport
):
    event, _ = add_record()
    handler.handle(event)
    second = handler.handle(event)
    assert second.outcome == "already-done"
    assert len(transport.sent) == 1
    assert types(ledger).count("acknowledgment.sent") == 1


def test_crash_between_claim_and_send_is_not_resent_but_recorded_unconfirmed(
    ledger, store, transport, clock, add_record
):
    event, _ = add_record()
    transport.fail = RuntimeError("process killed")
    crashing = AcknowledgmentHandler(ledger, store.put, transport, ack_config(), "a", clock=clock)
    with pytest.raises(RuntimeError):
        crashing.handle(event)
    assert types(ledger) == ["acknowledgment.intent"]

    transport.fail = None
    clock.now += timedelta(hours=1)
    rerun = AcknowledgmentHandler(ledger, store.put, transport, ack_config(), "a", clock=clock)
    result = rerun.handle(event)
    assert result.outcome == "unconfirmed"
    assert transport.sent == []
    assert types(ledger) == ["acknowledgment.intent", "acknowledgment.unconfirmed"]
    unconfirmed = ledger.entry(ledger.size() - 1).body
    assert unconfirmed["intent_seq"] == ledger.size() - 2
    assert unconfirmed["ack_message_id"].startswith("<ack.r-0123456789abcdef01234567@")

    # A third delivery changes nothing: unconfirmed is recorded once.
    assert rerun.handle(event).outcome == "already-done"
    assert types(ledger).count("acknowledgment.unconfirmed") == 1 and transport.sent == []


def test_crash_after_send_before_confirmation_is_not_resent(
    ledger, store, transport, clock, add_record
):
    event, _ = add_record()

    class LosesSent:
        def __getattr__(self, name):
            return getattr(ledger, name)

        def append(self, drafts):
            if drafts[0].type == "acknowledgment.sent":
                raise LedgerError("store unavailable")
            return ledger.append(drafts)

    first = AcknowledgmentHandler(LosesSent(), store.put, transport, ack_config(), "a", clock=clock)
    with pytest.raises(HandlerError, match=r"could not append acknowledgment.sent"):
        first.handle(event)
    assert len(transport.sent) == 1

    clock.now += timedelta(hours=1)
    again = AcknowledgmentHandler(ledger, store.put, transport, ack_config(), "a", clock=clock)
    assert again.handle(event).outcome == "unconfirmed"
    assert len(transport.sent) == 1


def test_redelivery_while_a_claim_is_young_is_retried_later_without_sending(
    ledger, store, transport, clock, add_record
):
    event, _ = add_record()
    transport.fail = RuntimeError("killed")
    with pytest.raises(RuntimeError):
        AcknowledgmentHandler(ledger, store.put, transport, ack_config(), "a", clock=clock).handle(
            event
        )
    transport.fail = None
    clock.now += timedelta(minutes=2)
    with pytest.raises(HandlerError, match="another delivery may be sending it"):
        AcknowledgmentHandler(ledger, store.put, transport, ack_config(), "a", clock=clock).handle(
            event
        )
    assert transport.sent == [] and types(ledger) == ["acknowledgment.intent"]


def test_refused_send_releases_the_claim_and_a_retry_after_the_backoff_sends_once(
    handler, add_record, ledger, transport, clock
):
    event, _ = add_record()
    transport.fail = NotSentError("451 try again later", 451)
    with pytest.raises(HandlerError, match="claim released"):
        handler.handle(event)
    assert types(ledger) == ["acknowledgment.intent", "acknowledgment.failed"]
    transport.fail = None
    clock.now += timedelta(seconds=300)
    assert handler.handle(event).outcome == "sent"
    assert len(transport.sent) == 1
    assert types(ledger)[-2:] == ["acknowledgment.intent", "acknowledgment.sent"]


def test_second_claim_in_a_race_does_not_send(ledger, store, transport, clock, add_record):
    event, _ = add_record()

    class Racing:
        """Another worker appends its claim just before ours lands."""

        def __getattr__(self, name):
            return getattr(ledger, name)

        def append(self, drafts):
            if drafts[0].type == "acknowledgment.intent":
                body = {**drafts[0].body}
                ledger.append(
                    [EntryDraft("acknowledgment.intent", body, "other-worker", clock.now)]
                )
            return ledger.append(drafts)

    racer = AcknowledgmentHandler(Racing(), store.put, transport, ack_config(), "a", clock=clock)
    assert racer.handle(event).outcome == "lost-claim"
    assert transport.sent == []


def test_auto_reply_is_skipped_with_the_reason(handler, add_record, ledger, transport):
    event, seq = add_record(headers={"auto_submitted": "auto-replied"})
    assert handler.handle(event).outcome == "skipped"
    assert transport.sent == []
    (skipped,) = [e for e in ledger.entries() if e.type == "acknowledgment.skipped"]
    assert skipped.body == {
        "record_id": "r-0123456789abcdef01234567",
        "entry_seq": seq,
        "reason": "auto-submitted",
        "detail": None,
        "limit": None,
        "authentication": None,
        "schema": 1,
    }
    assert handler.handle(event).outcome == "already-done"


def test_imported_mail_is_skipped(handler, add_record, ledger, transport):
    event, _ = add_record(imported=True)
    assert handler.handle(event).detail == "not-required"
    assert transport.sent == [] and types(ledger) == ["acknowledgment.skipped"]


def test_rate_limit_counts_acknowledgments_in_the_ledger(handler, add_record, ledger, transport):
    # ack_config allows 2 per sender per day.
    for n in range(3):
        event, _ = add_record(record_id=f"r-0123456789abcdef0123456{n}")
        handler.handle(event)
    assert len(transport.sent) == 2
    last = ledger.entry(ledger.size() - 1)
    assert last.type == "acknowledgment.skipped" and last.body["reason"] == "rate-limited-sender"
    assert last.body["limit"] == 2


def test_event_pointing_at_another_record_is_refused(handler, add_record, transport):
    event, _ = add_record()
    event["data"]["record_id"] = "r-ffffffffffffffffffffffff"
    with pytest.raises(HandlerError, match="holds record r-0123456789abcdef01234567"):
        handler.handle(event)
    assert transport.sent == []


def test_event_ahead_of_the_ledger_is_an_actionable_error(handler, add_record):
    event, _ = add_record()
    event["data"]["entry_seq"] = 99
    with pytest.raises(HandlerError, match="ledger has no entry 99"):
        handler.handle(event)


def test_escalated_event_is_ignored_by_the_acknowledgment_handler(handler, add_record, transport):
    event, _ = add_record()
    event["type"] = "message.escalated"
    assert handler.handle(event).outcome == "ignored" and transport.sent == []


def test_acknowledgment_sent_is_addressed_to_the_sender_not_cc(handler, add_record, transport):
    event, _ = add_record(
        headers={
            "cc": [{"name": "", "address": "lawyer@firm.example"}],
            "reply_to": [{"name": "", "address": "list@lists.example"}],
        }
    )
    handler.handle(event)
    parsed = message_from_bytes(message_bytes(transport.sent[0]), policy=default)
    assert [a.addr_spec for a in parsed["To"].addresses] == ["ana@borrower.example"]
    assert parsed["Cc"] is None


MX = "mx.servicer.example"
RAW_KEY = "objects/sha256/aa/aa/" + "a" * 64


def raw_with(*fields: str) -> dict[str, bytes]:
    head = "".join(f"{f}\r\n" for f in fields)
    return {RAW_KEY: (head + "From: ana@borrower.example\r\n\r\nbody\r\n").encode()}


def auth_handler(ledger, store, transport, clock, raw, **config):
    return AcknowledgmentHandler(
        ledger,
        store.put,
        transport,
        ack_config(authserv_id=MX, **config),
        "ack:test",
        clock=clock,
        raw_reader=raw.__getitem__,
    )


DMARC_PASS = f"Authentication-Results: {MX}; dmarc=pass header.from=borrower.example"


def test_require_authentication_skips_an_unauthenticated_sender(
    ledger, store, transport, clock, add_record
):
    raw = raw_with("Authentication-Results: mx.evil.example; dmarc=pass")
    handler = auth_handler(ledger, store, transport, clock, raw, require_authentication=True)
    event, _ = add_record()
    assert handler.handle(event).outcome == "skipped"
    assert transport.sent == []
    skipped = ledger.entry(ledger.size() - 1).body
    assert (skipped["reason"], skipped["authentication"]) == (
        "not-authenticated",
        "foreign-authserv-id",
    )


def test_authenticated_sender_gets_the_masked_subject_echoed(
    ledger, store, transport, clock, add_record
):
    handler = auth_handler(
        ledger, store, transport, clock, raw_with(DMARC_PASS), require_authentication=True
    )
    event, _ = add_record(subject="Escrow for SSN 123 45 6789")
    assert handler.handle(event).outcome == "sent"
    subject = message_from_bytes(message_bytes(transport.sent[0]), policy=default)["Subject"]
    assert subject.startswith("We received your message: Escrow for SSN ***-**-**** [Ref ML-")
    assert ledger.entry(ledger.size() - 1).body["authentication"] == "dmarc"


def test_unauthenticated_sender_gets_the_fixed_subject_when_authentication_is_optional(
    ledger, store, transport, clock, add_record
):
    handler = auth_handler(ledger, store, transport, clock, raw_with())
    event, _ = add_record(subject="Escrow shortage")
    assert handler.handle(event).outcome == "sent"
    subject = message_from_bytes(message_bytes(transport.sent[0]), policy=default)["Subject"]
    assert subject.startswith("We received your message [Ref ML-")


def test_x_auto_response_suppress_all_in_the_raw_message_skips(
    ledger, store, transport, clock, add_record
):
    handler = auth_handler(
        ledger, store, transport, clock, raw_with("X-Auto-Response-Suppress: All")
    )
    event, _ = add_record()
    assert handler.handle(event).detail == "auto-response-suppressed"
    assert transport.sent == []


def test_require_authentication_without_authserv_id_is_a_config_error():
    with pytest.raises(ValueError, match="authserv_id"):
        ack_config(require_authentication=True)


def test_temporary_refusal_defers_the_record_until_its_backoff_ends(
    handler, add_record, ledger, transport, clock
):
    event, _ = add_record()
    transport.fail = NotSentError("451 try again later", 451)
    with pytest.raises(HandlerError):
        handler.handle(event)
    failed = ledger.entry(ledger.size() - 1).body
    assert (failed["permanent"], failed["attempt"], failed["code"]) == (False, 1, 451)
    assert failed["retry_after"] == "2026-11-30T14:11:00.000000Z"  # clock + 300 s
    transport.fail = None
    clock.now += timedelta(seconds=299)
    with pytest.raises(RetryLaterError):
        handler.handle(event)
    assert transport.sent == [] and len(types(ledger)) == 2


def test_second_temporary_refusal_doubles_the_backoff(
    handler, add_record, ledger, transport, clock
):
    event, _ = add_record()
    transport.fail = NotSentError("451 later", 451)
    for _ in range(2):
        with pytest.raises(HandlerError):
            handler.handle(event)
        clock.now += timedelta(seconds=300)
    failed = ledger.entry(ledger.size() - 1).body
    assert failed["attempt"] == 2
    assert failed["retry_after"] == "2026-11-30T14:21:00.000000Z"  # +300 s, then +600 s


def test_permanent_refusal_ends_the_record_and_is_never_retried(
    handler, add_record, ledger, transport, clock
):
    event, _ = add_record()
    transport.fail = PermanentSendError("550 no such user", 550)
    result = handler.handle(event)
    assert result.outcome == "failed-permanent"
    failed = ledger.entry(ledger.size() - 1).body
    assert (failed["permanent"], failed["code"]) == (True, 550)
    transport.fail = None
    clock.now += timedelta(days=2)
    size = ledger.size()
    assert handler.handle(event).outcome == "already-done"
    assert ledger.size() == size and transport.sent == []
