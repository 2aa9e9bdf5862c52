"""The shared send step: how a refusal is recorded, deferred and reported."""

from __future__ import annotations

from datetime import timedelta

import pytest
import structlog

from handlers.claims import append_one
from handlers.delivery import Channel, Refused, RetryPolicy, failure_of
from handlers.record import record_from_entry
from handlers.transports import NotSentError, PermanentSendError
from pipeline.entries.models import AcknowledgmentFailed, AcknowledgmentIntent, HandlerBody
from pipeline.errors import HandlerError, RetryLaterError
from pipeline.ledger.entry import EntryDraft
from pipeline.ledger.memory import MemoryLedger
from tests.handlers.conftest import T0, record_body

POLICY = RetryPolicy(timedelta(minutes=5), timedelta(minutes=30))


class _Claimed:
    """A record with a won acknowledgment claim, and the channel that sends for it."""

    def __init__(self) -> None:
        self.ledger = MemoryLedger()
        body = record_body("r-1")
        (received,) = self.ledger.append([EntryDraft("message.received", body, "r:test", T0)])
        self.record = record_from_entry(received, "r-1")
        self.intent = self.append(
            AcknowledgmentIntent(
                record_id="r-1", entry_seq=0, ack_message_id="<a@x>", ack_sha256="0" * 64, to="a@b"
            )
        )
        self.channel = Channel("acknowledgment", "acknowledgment", "ack", POLICY, self.append)

    def append(self, body: HandlerBody):
        return append_one(self.ledger, body, "handler:test", T0)

    def failures(self) -> list[dict]:
        return [e.body for e in self.ledger.entries() if e.type == "acknowledgment.failed"]

    def run(self, send):
        return self.channel.send(
            send,
            "record r-1",
            list(self.ledger.entries()),
            T0,
            failure_of(AcknowledgmentFailed, self.record, self.intent),
            structlog.get_logger("test"),
        )


def _refuse(exc: Exception):
    def send() -> str:
        raise exc

    return send


def test_accepted_send_returns_the_provider_answer_and_records_nothing():
    claimed = _Claimed()
    assert claimed.run(lambda: "provider-7") == "provider-7"
    assert claimed.ledger.size() == 2


def test_permanent_refusal_is_recorded_as_permanent_with_its_code_and_not_raised():
    claimed = _Claimed()
    result = claimed.run(_refuse(PermanentSendError("550 5.1.1 no such user", 550)))
    assert isinstance(result, Refused)
    assert result.error == "550 5.1.1 no such user"
    (body,) = claimed.failures()
    assert (body["record_id"], body["entry_seq"], body["intent_seq"]) == ("r-1", 0, 1)
    assert (body["permanent"], body["code"], body["error"]) == (
        True,
        550,
        "550 5.1.1 no such user",
    )
    assert (body.get("attempt"), body.get("retry_after")) == (None, None)


def test_temporary_refusal_is_recorded_with_a_backoff_and_raised_naming_the_next_attempt():
    claimed = _Claimed()
    with pytest.raises(HandlerError) as caught:
        claimed.run(_refuse(NotSentError("451 4.3.0 try again later", 451)))
    (body,) = claimed.failures()
    assert (body["permanent"], body["code"], body["attempt"]) == (False, 451, 1)
    assert body["retry_after"] == "2026-11-30T14:10:00.000000Z"  # T0 + 5 minutes
    assert str(caught.value) == (
        "record r-1: acknowledgment not sent (451 4.3.0 try again later); claim released "
        "(entry 2), next attempt after 2026-11-30T14:10:00.000000Z"
    )


def test_each_further_temporary_refusal_doubles_the_backoff_up_to_the_cap():
    claimed = _Claimed()
    for _ in range(4):
        with pytest.raises(HandlerError):
            claimed.run(_refuse(NotSentError("421 busy", 421)))
    bodies = claimed.failures()
    assert [b["attempt"] for b in bodies] == [1, 2, 3, 4]
    # 5, 10, 20 minutes, then the 30-minute cap
    assert [b["retry_after"][11:16] for b in bodies] == ["14:10", "14:15", "14:25", "14:35"]


def test_unknown_outcome_passes_through_without_recording_a_refusal():
    claimed = _Claimed()
    with pytest.raises(HandlerError, match="connection dropped during DATA"):
        claimed.run(_refuse(HandlerError("connection dropped during DATA")))
    assert claimed.failures() == []


def test_key_is_deferred_until_its_retry_after_and_free_from_then_on():
    claimed = _Claimed()
    with pytest.raises(HandlerError):
        claimed.run(_refuse(NotSentError("451 later", 451)))
    entries = list(claimed.ledger.entries())
    with pytest.raises(RetryLaterError, match=r"not before 2026-11-30T14:10:00\.000000Z"):
        claimed.channel.wait_out_backoff(entries, T0 + timedelta(minutes=4), "record r-1")
    claimed.channel.wait_out_backoff(entries, T0 + timedelta(minutes=5), "record r-1")
