"""Lambda SQS entry points and the SQS / JSONL outbox sources."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest

from handlers import lambda_entry
from handlers.acknowledge import AcknowledgmentHandler
from handlers.lambda_entry import HandlerContext
from handlers.queue_source import run_outbox, run_sqs
from handlers.transports import PermanentSendError
from pipeline.ledger.entry import EntryDraft
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


def test_sqs_message_refused_permanently_is_deleted_and_reported(
    moto_server, ack_handler, add_record, transport
):
    sqs = moto_server.client("sqs")
    url = sqs.create_queue(
        QueueName=f"acks-{uuid.uuid4().hex[:8]}", Attributes={"VisibilityTimeout": "0"}
    )["QueueUrl"]
    event, _ = add_record()
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(event))
    transport.fail = PermanentSendError("550 no such user", 550)
    stats = run_sqs(ack_handler, sqs, url, max_batches=1, wait_seconds=0)
    assert (stats.handled, stats.failed, stats.permanent) == (0, 1, 1)
    left = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
    assert left.get("Messages", []) == []


def _bo(add_record):
    return add_record(
        record_id="r-0123456789abcdef0123456a",
        from_=[{"name": "", "address": "bo@borrower.example"}],
    )


def test_outbox_failure_does_not_stop_later_lines_and_is_retried_next_run(
    tmp_path, ack_handler, add_record, transport
):
    outbox, state = tmp_path / "outbox.jsonl", tmp_path / "outbox.state"
    first, _ = add_record()
    second, _ = _bo(add_record)
    bad = {**second, "data": {"record_id": "r-ffffffffffffffffffffffff", "entry_seq": 1}}
    lines = [json.dumps(first), json.dumps(bad), json.dumps(second)]
    outbox.write_text("\n".join(lines) + "\n")
    stats = run_outbox(ack_handler, outbox, state)
    assert (stats.handled, stats.failed) == (2, 1)
    assert len(transport.sent) == 2
    saved = json.loads(state.read_text())
    assert saved["offset"] == outbox.stat().st_size
    assert saved["pending"] == [len(lines[0]) + 1]  # the failing line, kept for next run
    again = run_outbox(ack_handler, outbox, state)
    assert (again.handled, again.failed) == (0, 1)
    assert len(transport.sent) == 2


def test_torn_outbox_line_is_quarantined_with_its_offset_and_skipped(
    tmp_path, ack_handler, add_record, transport
):
    outbox, state = tmp_path / "outbox.jsonl", tmp_path / "outbox.state"
    first, _ = add_record()
    second, _ = _bo(add_record)
    torn = '{"specversion": "1.0", "id": "ev-9", "ty'
    outbox.write_text(json.dumps(first) + "\n" + torn + "\n" + json.dumps(second) + "\n")
    stats = run_outbox(ack_handler, outbox, state)
    assert (stats.handled, stats.failed, stats.quarantined) == (2, 0, 1)
    quarantine = tmp_path / "outbox.jsonl.quarantined"
    (kept,) = [json.loads(line) for line in quarantine.read_text().splitlines()]
    assert kept["offset"] == len(json.dumps(first)) + 1
    assert kept["length"] == len(torn) + 1
    assert quarantine.stat().st_mode & 0o777 == 0o600
    assert json.loads(state.read_text())["pending"] == []


def test_line_still_being_written_is_left_for_the_next_run(
    tmp_path, ack_handler, add_record, transport
):
    outbox, state = tmp_path / "outbox.jsonl", tmp_path / "outbox.state"
    first, _ = add_record()
    outbox.write_text(json.dumps(first) + "\n" + '{"partial')
    stats = run_outbox(ack_handler, outbox, state)
    assert (stats.handled, stats.quarantined) == (1, 0)
    assert json.loads(state.read_text())["offset"] == len(json.dumps(first)) + 1


def test_young_claim_is_deferred_and_revisited_while_later_lines_go_on(
    tmp_path, ledger, store, transport, add_record
):
    outbox, state = tmp_path / "outbox.jsonl", tmp_path / "outbox.state"
    first, _ = add_record()
    second, _ = _bo(add_record)
    # A crash between claim and send left a claim on the first record a minute ago.
    ledger.append(
        [
            EntryDraft(
                "acknowledgment.intent",
                {
                    "record_id": first["data"]["record_id"],
                    "entry_seq": 0,
                    "ack_message_id": "<ack.x@servicer.example>",
                    "ack_sha256": "0" * 64,
                    "to": "ana@borrower.example",
                },
                "a",
                T0,
            )
        ]
    )
    outbox.write_text(json.dumps(first) + "\n" + json.dumps(second) + "\n")
    now = {"t": T0 + timedelta(minutes=1)}
    handler = AcknowledgmentHandler(
        ledger, store.put, transport, ack_config(), "a", clock=lambda: now["t"]
    )
    stats = run_outbox(handler, outbox, state)
    assert (stats.handled, stats.deferred, stats.failed) == (1, 1, 0)
    assert [m.recipients for m in transport.sent] == [("bo@borrower.example",)]
    now["t"] = T0 + timedelta(minutes=20)
    later = run_outbox(handler, outbox, state)
    assert (later.handled, later.deferred) == (1, 0)
    assert ledger.entry(ledger.size() - 1).type == "acknowledgment.unconfirmed"
    assert json.loads(state.read_text())["pending"] == []
