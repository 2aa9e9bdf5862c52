"""SQS, SNS and EventBridge sinks against moto in server mode (real HTTP)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from pydantic import TypeAdapter

from pipeline.emit.cloudevent import CloudEvent
from pipeline.emit.config import SinkConfig
from pipeline.emit.derive import events_for_entry
from pipeline.emit.dispatch import EVENT_DELIVERED, Dispatcher
from pipeline.emit.sinks import build_sink
from pipeline.errors import DispatchError
from pipeline.ledger.memory import MemoryLedger
from tests.emit.conftest import ACTOR, SOURCE, received

sink_config: TypeAdapter[Any] = TypeAdapter(SinkConfig)


def sample_events(count: int) -> list[CloudEvent]:
    ledger = MemoryLedger()
    ledger.append([received(n, escalated=n % 3 == 0, rejected=n % 5 == 0) for n in range(count)])
    return [e for entry in ledger.entries() for e in events_for_entry(entry, SOURCE)]


def drain(sqs: Any, queue_url: str, expected: int, **kwargs: Any) -> list[dict[str, Any]]:
    """Receive until ``expected`` messages arrived or the queue stays empty."""
    messages: list[dict[str, Any]] = []
    empty = 0
    while len(messages) < expected and empty < 3:
        batch = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1, **kwargs
        ).get("Messages", [])
        empty = 0 if batch else empty + 1
        messages.extend(batch)
        for message in batch:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return messages


def new_queue(sqs: Any, fifo: bool = False) -> tuple[str, str]:
    name = f"events-{uuid.uuid4().hex[:10]}" + (".fifo" if fifo else "")
    attributes = {"FifoQueue": "true"} if fifo else {}
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def test_sqs_sink_sends_each_event_as_a_cloudevent_message(aws: Any, aws_endpoint: str) -> None:
    sqs = aws("sqs")
    url, _ = new_queue(sqs)
    events = sample_events(9)  # 9 + 3 escalated + 2 rejected = 14 events: two batches
    sink = build_sink(
        sink_config.validate_python(
            {"kind": "sqs", "queue_url": url, "endpoint_url": aws_endpoint, "region": "us-east-1"}
        )
    )
    sink.deliver(events)
    messages = drain(sqs, url, len(events), MessageAttributeNames=["All"])
    by_id = {CloudEvent.from_json(m["Body"]).id: m for m in messages}
    assert sorted(by_id) == sorted(e.id for e in events)
    for event in events:
        message = by_id[event.id]
        assert message["Body"].encode() == event.to_json()
        assert message["MessageAttributes"]["type"]["StringValue"] == event.type


def test_sqs_fifo_sink_deduplicates_on_event_id_and_groups_by_record(
    aws: Any, aws_endpoint: str
) -> None:
    sqs = aws("sqs")
    url, _ = new_queue(sqs, fifo=True)
    events = sample_events(4)
    sink = build_sink(
        sink_config.validate_python({"kind": "sqs", "queue_url": url, "endpoint_url": aws_endpoint})
    )
    sink.deliver(events)
    sink.deliver(events)  # a redelivery after a crash: same ids
    messages = drain(
        sqs,
        url,
        2 * len(events),
        MessageSystemAttributeNames=["MessageGroupId", "MessageDeduplicationId"],
    )
    assert len(messages) == len(events)
    for message in messages:
        event = CloudEvent.from_json(message["Body"])
        assert message["Attributes"]["MessageDeduplicationId"] == event.id
        assert message["Attributes"]["MessageGroupId"] == event.subject


def test_sqs_sink_names_itself_when_the_queue_does_not_exist(aws: Any, aws_endpoint: str) -> None:
    missing = f"{aws_endpoint}/123456789012/no-such-queue-{uuid.uuid4().hex[:6]}"
    sink = build_sink(
        sink_config.validate_python(
            {"kind": "sqs", "name": "ops-queue", "queue_url": missing, "endpoint_url": aws_endpoint}
        )
    )
    with pytest.raises(DispatchError, match="sink 'ops-queue': SQS SendMessageBatch failed"):
        sink.deliver(sample_events(1))


def test_sns_sink_publishes_with_type_attribute_to_subscribed_queue(
    aws: Any, aws_endpoint: str
) -> None:
    sqs, sns = aws("sqs"), aws("sns")
    url, arn = new_queue(sqs)
    topic = sns.create_topic(Name=f"events-{uuid.uuid4().hex[:10]}")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    events = sample_events(6)
    sink = build_sink(
        sink_config.validate_python(
            {"kind": "sns", "topic_arn": topic, "endpoint_url": aws_endpoint}
        )
    )
    sink.deliver(events)
    envelopes = [json.loads(m["Body"]) for m in drain(sqs, url, len(events))]
    arrived = {CloudEvent.from_json(env["Message"]).id: env for env in envelopes}
    assert sorted(arrived) == sorted(e.id for e in events)
    for event in events:
        assert arrived[event.id]["MessageAttributes"]["type"]["Value"] == event.type
        assert arrived[event.id]["TopicArn"] == topic


def _spoofed(n: int) -> Any:
    draft = received(n)
    draft.body["classification"].update(category="other", subcategory="spoofed")
    return draft


def test_sns_filter_policy_on_subcategory_delivers_only_spoofed_mail(
    aws: Any, aws_endpoint: str
) -> None:
    sqs, sns = aws("sqs"), aws("sns")
    security_url, security_arn = new_queue(sqs)
    everyone_url, everyone_arn = new_queue(sqs)
    topic = sns.create_topic(Name=f"events-{uuid.uuid4().hex[:10]}")["TopicArn"]
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=security_arn,
        Attributes={"FilterPolicy": json.dumps({"subcategory": ["spoofed"]})},
    )
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=everyone_arn)
    ledger = MemoryLedger()
    ledger.append([received(0), _spoofed(1), received(2, escalated=True)])
    events = [e for entry in ledger.entries() for e in events_for_entry(entry, SOURCE)]
    sink = build_sink(
        sink_config.validate_python(
            {"kind": "sns", "topic_arn": topic, "endpoint_url": aws_endpoint}
        )
    )
    sink.deliver(events)

    everyone = [json.loads(m["Body"]) for m in drain(sqs, everyone_url, len(events))]
    security = [json.loads(m["Body"]) for m in drain(sqs, security_url, len(events))]
    spoofed = [e for e in events if e.data.get("subcategory") == "spoofed"]
    assert spoofed and len(spoofed) < len(events)
    assert sorted(CloudEvent.from_json(m["Message"]).id for m in security) == sorted(
        e.id for e in spoofed
    )
    by_id = {CloudEvent.from_json(m["Message"]).id: m["MessageAttributes"] for m in everyone}
    for event in events:
        attributes = {name: value["Value"] for name, value in by_id[event.id].items()}
        expected = {"type": event.type, "category": event.data["category"]}
        if event.data.get("subcategory"):
            expected["subcategory"] = event.data["subcategory"]
        assert attributes == expected  # labels only: no account, sender or subject


def test_eventbridge_sink_reaches_a_rule_target_queue_by_detail_type(
    aws: Any, aws_endpoint: str
) -> None:
    sqs, events_client = aws("sqs"), aws("events")
    url, arn = new_queue(sqs)
    bus = f"mailledger-{uuid.uuid4().hex[:8]}"
    events_client.create_event_bus(Name=bus)
    events_client.put_rule(
        Name="escalations",
        EventBusName=bus,
        EventPattern=json.dumps({"source": ["mailledger"], "detail-type": ["message.escalated"]}),
    )
    events_client.put_targets(
        Rule="escalations", EventBusName=bus, Targets=[{"Id": "queue", "Arn": arn}]
    )
    events = sample_events(7)
    sink = build_sink(
        sink_config.validate_python(
            {"kind": "eventbridge", "bus_name": bus, "endpoint_url": aws_endpoint}
        )
    )
    sink.deliver(events)
    wanted = [e for e in events if e.type == "message.escalated"]
    arrived = [json.loads(m["Body"]) for m in drain(sqs, url, len(wanted) + 1)]
    assert sorted(a["detail"]["id"] for a in arrived) == sorted(e.id for e in wanted)
    assert {a["detail-type"] for a in arrived} == {"message.escalated"}
    assert {a["source"] for a in arrived} == {"mailledger"}


def test_eventbridge_sink_raises_when_the_bus_does_not_exist(aws: Any, aws_endpoint: str) -> None:
    sink = build_sink(
        sink_config.validate_python(
            {"kind": "eventbridge", "bus_name": "no-such-bus", "endpoint_url": aws_endpoint}
        )
    )
    with pytest.raises(DispatchError, match="sink 'eventbridge'"):
        sink.deliver(sample_events(1))


def test_dispatcher_delivers_to_sqs_and_records_progress(aws: Any, aws_endpoint: str) -> None:
    sqs = aws("sqs")
    url, _ = new_queue(sqs)
    ledger = MemoryLedger()
    ledger.append([received(n, escalated=True) for n in range(30)])
    sink = build_sink(
        sink_config.validate_python({"kind": "sqs", "queue_url": url, "endpoint_url": aws_endpoint})
    )
    report = Dispatcher(ledger, [sink], SOURCE, ACTOR, chunk_size=25).dispatch()
    assert report["sqs"].delivered == 60
    assert report["sqs"].through_seq == 29
    progress = [e for e in ledger.entries() if e.type == EVENT_DELIVERED]
    assert [len(p.body["events"]) for p in progress] == [24, 24, 12]
    assert len(drain(sqs, url, 60)) == 60
