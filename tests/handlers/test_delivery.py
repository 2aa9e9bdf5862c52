"""The shared send step: how a refusal is recorded, deferred and reported."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

import pytest
import structlog

from handlers.claims import append_one
from handlers.delivery import (
    Attempt,
    Refusal,
    Refused,
    RetryPolicy,
    send_and_record,
    wait_out_backoff,
)
from handlers.transports import NotSentError, PermanentSendError
from pipeline.entries.models import AcknowledgmentFailed, HandlerBody
from pipeline.errors import HandlerError, RetryLaterError
from pipeline.ledger.memory import MemoryLedger
from tests.handlers.conftest import T0

POLICY = RetryPolicy(timedelta(minutes=5), timedelta(minutes=30))


def _failed(refusal: Refusal) -> AcknowledgmentFailed:
    return AcknowledgmentFailed(record_id="r-1", entry_seq=0, intent_seq=0, **asdict(refusal))


def _append_to(ledger: MemoryLedger):
    def append(body: HandlerBody):
        return append_one(ledger, body, "handler:test", T0)

    return append


def _attempt(ledger: MemoryLedger) -> Attempt:
    return Attempt(
        "acknowledgment", "record r-1", "acknowledgment", tuple(ledger.entries()), T0, POLICY, "ack"
    )


def _refuse(exc: Exception):
    def send() -> str:
        raise exc

    return send


def _run(ledger: MemoryLedger, send):
    return send_and_record(
        send, _attempt(ledger), _failed, _append_to(ledger), structlog.get_logger("test")
    )


def test_accepted_send_returns_the_provider_answer_and_records_nothing():
    ledger = MemoryLedger()
    assert _run(ledger, lambda: "provider-7") == "provider-7"
    assert ledger.size() == 0


def test_permanent_refusal_is_recorded_as_permanent_with_its_code_and_not_raised():
    ledger = MemoryLedger()
    result = _run(ledger, _refuse(PermanentSendError("550 5.1.1 no such user", 550)))
    assert isinstance(result, Refused)
    assert result.error == "550 5.1.1 no such user"
    body = ledger.entry(result.entry.seq).body
    assert (body["permanent"], body["code"], body["error"]) == (
        True,
        550,
        "550 5.1.1 no such user",
    )
    assert (body.get("attempt"), body.get("retry_after")) == (None, None)


def test_temporary_refusal_is_recorded_with_a_backoff_and_raised_naming_the_next_attempt():
    ledger = MemoryLedger()
    with pytest.raises(HandlerError) as caught:
        _run(ledger, _refuse(NotSentError("451 4.3.0 try again later", 451)))
    body = ledger.entry(0).body
    assert (body["permanent"], body["code"], body["attempt"]) == (False, 451, 1)
    assert body["retry_after"] == "2026-11-30T14:10:00.000000Z"  # T0 + 5 minutes
    assert str(caught.value) == (
        "record r-1: acknowledgment not sent (451 4.3.0 try again later); claim released "
        "(entry 0), next attempt after 2026-11-30T14:10:00.000000Z"
    )


def test_each_further_temporary_refusal_doubles_the_backoff_up_to_the_cap():
    ledger = MemoryLedger()
    for _ in range(4):
        with pytest.raises(HandlerError):
            _run(ledger, _refuse(NotSentError("421 busy", 421)))
    bodies = [e.body for e in ledger.entries()]
    assert [b["attempt"] for b in bodies] == [1, 2, 3, 4]
    # 5, 10, 20 minutes, then the 30-minute cap
    assert [b["retry_after"][11:16] for b in bodies] == ["14:10", "14:15", "14:25", "14:35"]


def test_unknown_outcome_passes_through_without_recording_a_refusal():
    ledger = MemoryLedger()
    with pytest.raises(HandlerError, match="connection dropped during DATA"):
        _run(ledger, _refuse(HandlerError("connection dropped during DATA")))
    assert ledger.size() == 0


def test_key_is_deferred_until_its_retry_after_and_free_from_then_on():
    ledger = MemoryLedger()
    with pytest.raises(HandlerError):
        _run(ledger, _refuse(NotSentError("451 later", 451)))
    entries = list(ledger.entries())
    with pytest.raises(RetryLaterError, match=r"not before 2026-11-30T14:10:00\.000000Z"):
        wait_out_backoff(
            entries, "acknowledgment", T0 + timedelta(minutes=4), "record r-1", "acknowledgment"
        )
    wait_out_backoff(
        entries, "acknowledgment", T0 + timedelta(minutes=5), "record r-1", "acknowledgment"
    )
