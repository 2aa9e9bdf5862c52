"""Lambda SQS entry points and the SQS / JSONL outbox sources."""

from __future__ import annotations

import json
import uuid

import pytest

from handlers import lambda_entry
from handlers.acknowledge import AcknowledgmentHandler
from handlers.lambda_entry import HandlerContext
from handlers.queue_source import run_outbox, run_sqs
from tests.handlers.conftest import T0, ack_config


@pytest.fixture
def ack_handler(ledger, store, transport):
    return AcknowledgmentHandler(ledger, store.put, transport, ack_config(), "a", clock=lambda: T0)


def test_lambda_batch_with_one_failing_record_reports_exactly_that_one(
    monkeypatch, ack_handler, add_record, transport
):
    good, _ = add_record()
    bad = {**good, "data": {"record_id": "r-ffffffffffffffffffffffff", "entry_seq": 0}}
    monkeypatch.setattr(
        lambda_entry,
        "build_context",
        lambda: HandlerContext(acknowledgment=ack_handler, escalation=ack_handler),
    )
    lambda_entry.reset_context()
    event = {
        "Records": [
            {"messageId": "m-good", "body": json.dumps(good), "eventSource": "aws:sqs"},
            {"messageId": "m-bad", "body": json.dumps(bad), "eventSource": "aws:sqs"},
        ]
    }
    assert lambda_entry.acknowledge(event, None) == {
        "batchItemFailures": [{"itemIdentifier": "m-bad"}]
    }
    assert len(transport.sent) == 1
    lambda_entry.reset_context()


def test_lambda_record_with_unparsable_body_is_a_batch_item_failure(monkeypatch, ack_handler):
    monkeypatch.setattr(
        lambda_entry,
        "build_context",
        lambda: HandlerContext(acknowledgment=ack_handler, escalation=ack_handler),
    )
    lambda_entry.reset_context()
    result = lambda_entry.escalate({"Records": [{"messageId": "x", "body": "{not json"}]}, None)
    assert result == {"batchItemFailures": [{"itemIdentifier": "x"}]}
    lambda_entry.reset_context()


def test_sqs_source_deletes_handled_messages_and_leaves_failed_ones(
    moto_server, ack_handler, add_record, transport
):
    sqs = moto_server.client("sqs")
    url = sqs.create_queue(
        QueueName=f"acks-{uuid.uuid4().hex[:8]}", Attributes={"VisibilityTimeout": "0"}
    )["QueueUrl"]
    good, _ = add_record()
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(good))
    sqs.send_message(QueueUrl=url, MessageBody="{broken")
    stats = run_sqs(ack_handler, sqs, url, max_batches=1, wait_seconds=0)
    assert (stats.handled, stats.failed) == (1, 1)
    left = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)["Messages"]
    assert [m["Body"] for m in left] == ["{broken"]
    assert len(transport.sent) == 1


def test_outbox_source_tracks_its_offset_and_stops_at_a_failure(
    tmp_path, ack_handler, add_record, transport
):
    outbox, state = tmp_path / "outbox.jsonl", tmp_path / "outbox.state"
    first, _ = add_record()
    second, _ = add_record(
        record_id="r-0123456789abcdef0123456a",
        from_=[{"name": "", "address": "bo@borrower.example"}],
    )
    bad = {**second, "data": {"record_id": "r-ffffffffffffffffffffffff", "entry_seq": 1}}
    outbox.write_text(json.dumps(first) + "\n" + json.dumps(bad) + "\n" + json.dumps(second) + "\n")
    stats = run_outbox(ack_handler, outbox, state)
    assert (stats.handled, stats.failed) == (1, 1)
    offset = json.loads(state.read_text())["offset"]
    assert offset == len(json.dumps(first)) + 1  # stopped before the failing line

    # Fix the bad line's content by rewriting the file with the same first line.
    outbox.write_text(json.dumps(first) + "\n" + json.dumps(second) + "\n" + '{"partial')
    stats = run_outbox(ack_handler, outbox, state)
    assert (stats.handled, stats.failed) == (1, 0)
    assert len(transport.sent) == 2
    assert (
        json.loads(state.read_text())["offset"]
        == len(json.dumps(first)) + len(json.dumps(second)) + 2
    )
