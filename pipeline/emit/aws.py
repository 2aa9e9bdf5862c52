"""SQS, SNS and EventBridge sinks (boto3).

All three APIs take at most 10 entries per call and report per-entry failures
in a successful (HTTP 200) response, so every call's response is checked entry
by entry; a batch with any failed entry raises :class:`DispatchError` and the
dispatcher re-sends the whole chunk (at least once; ids let consumers de-dup).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

import boto3
import structlog
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from pipeline.emit.cloudevent import CloudEvent, short_id
from pipeline.emit.sinks import TypeFilter
from pipeline.errors import DispatchError

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient

log = structlog.get_logger(__name__)

BATCH_LIMIT = 10
"""SendMessageBatch, PublishBatch and PutEvents all accept at most 10 entries."""

_FIFO_ID_MAX = 128


@overload
def aws_client(
    service: Literal["sqs"], region: str | None, endpoint_url: str | None
) -> SQSClient: ...
@overload
def aws_client(
    service: Literal["sns"], region: str | None, endpoint_url: str | None
) -> SNSClient: ...
@overload
def aws_client(
    service: Literal["events"], region: str | None, endpoint_url: str | None
) -> EventBridgeClient: ...
def aws_client(service: str, region: str | None, endpoint_url: str | None) -> Any:
    """A boto3 client with the "standard" retry mode (retries throttling and 5xx)."""
    # its own session: the default one caches the first credentials of the process
    return boto3.session.Session().client(
        service,  # type: ignore[call-overload]
        region_name=region,
        endpoint_url=endpoint_url,
        config=Config(retries={"mode": "standard"}),
    )


def batches(
    events: Sequence[CloudEvent], size: int = BATCH_LIMIT
) -> Iterator[Sequence[CloudEvent]]:
    """Consecutive slices of at most ``size`` events."""
    for start in range(0, len(events), size):
        yield events[start : start + size]


def fifo_dedup_id(event: CloudEvent) -> str:
    """The event id when SQS/SNS FIFO accepts it (<=128 printable ASCII), else its digest."""
    ident = event.id
    if len(ident) <= _FIFO_ID_MAX and all(33 <= ord(ch) <= 126 for ch in ident):
        return ident
    return short_id(ident)


def _fifo_group_id(event: CloudEvent) -> str:
    # One group per record keeps a record's events in order while records
    # are delivered in parallel.
    return event.record_id if len(event.record_id) <= _FIFO_ID_MAX else short_id(event.record_id)


def _failures(sink: str, action: str, failed: Sequence[Any]) -> DispatchError:
    detail = "; ".join(
        f"entry {f.get('Id', '?')}: {f.get('Code') or f.get('ErrorCode', '?')} "
        f"{f.get('Message') or f.get('ErrorMessage', '')}".strip()
        for f in failed[:5]
    )
    return DispatchError(f"sink {sink!r}: {action} refused {len(failed)} entries ({detail})")


# Event data fields copied into message attributes, so an SNS subscription filter policy
# (or an SQS consumer) can select on them without parsing the body: classification
# labels only, never a field that can carry personal data (accounts, senders, subjects).
ROUTING_ATTRIBUTES = ("category", "subcategory")


def message_attributes(event: CloudEvent) -> dict[str, Any]:
    """The message attributes of ``event``: its ``type``, and its ``category`` and
    ``subcategory`` when the event carries them (records' events do; a security team
    subscribes to ``subcategory`` ``spoofed``)."""
    attributes: dict[str, Any] = {"type": {"DataType": "String", "StringValue": event.type}}
    for name in ROUTING_ATTRIBUTES:
        value = event.data.get(name)
        if isinstance(value, str) and value:  # SNS and SQS refuse an empty string value
            attributes[name] = {"DataType": "String", "StringValue": value}
    return attributes


def _batch_entries(batch: Sequence[CloudEvent], body_field: str, *, fifo: bool) -> list[Any]:
    """SQS SendMessageBatch / SNS PublishBatch entries: the same shape, a different body key."""
    entries: list[Any] = []
    for index, event in enumerate(batch):
        entry: dict[str, Any] = {
            "Id": str(index),
            body_field: event.to_json().decode("utf-8"),
            "MessageAttributes": message_attributes(event),
        }
        if fifo:
            entry["MessageDeduplicationId"] = fifo_dedup_id(event)
            entry["MessageGroupId"] = _fifo_group_id(event)
        entries.append(entry)
    return entries


class SqsSink(TypeFilter):
    """Sends each event as one SQS message (body = the CloudEvent JSON)."""

    def __init__(
        self,
        client: SQSClient,
        queue_url: str,
        name: str = "sqs",
        types: frozenset[str] | None = None,
    ) -> None:
        self.client = client
        self.queue_url = queue_url
        self.fifo = queue_url.endswith(".fifo")
        self.name = name
        self.types = types

    def deliver(self, events: Sequence[CloudEvent]) -> None:
        """SendMessageBatch in tens; raise on any failed entry."""
        for batch in batches(events):
            entries = _batch_entries(batch, "MessageBody", fifo=self.fifo)
            try:
                response = self.client.send_message_batch(QueueUrl=self.queue_url, Entries=entries)
            except (BotoCoreError, ClientError) as exc:
                raise DispatchError(
                    f"sink {self.name!r}: SQS SendMessageBatch failed: {exc}"
                ) from exc
            failed = response.get("Failed", [])
            if failed:
                raise _failures(self.name, "SQS SendMessageBatch", failed)


class SnsSink(TypeFilter):
    """Publishes each event to a topic with ``type``, ``category`` and ``subcategory``
    attributes for subscription filter policies (see :func:`message_attributes`)."""

    def __init__(
        self,
        client: SNSClient,
        topic_arn: str,
        name: str = "sns",
        types: frozenset[str] | None = None,
    ) -> None:
        self.client = client
        self.topic_arn = topic_arn
        self.fifo = topic_arn.endswith(".fifo")
        self.name = name
        self.types = types

    def deliver(self, events: Sequence[CloudEvent]) -> None:
        """PublishBatch in tens; raise on any failed entry."""
        for batch in batches(events):
            entries = _batch_entries(batch, "Message", fifo=self.fifo)
            try:
                response = self.client.publish_batch(
                    TopicArn=self.topic_arn, PublishBatchRequestEntries=entries
                )
            except (BotoCoreError, ClientError) as exc:
                raise DispatchError(f"sink {self.name!r}: SNS PublishBatch failed: {exc}") from exc
            failed = response.get("Failed", [])
            if failed:
                raise _failures(self.name, "SNS PublishBatch", failed)


class EventBridgeSink(TypeFilter):
    """Puts each event on a bus: ``DetailType`` = event type, ``Detail`` = the CloudEvent."""

    def __init__(
        self,
        client: EventBridgeClient,
        bus_name: str,
        detail_source: str = "mailledger",
        name: str = "eventbridge",
        types: frozenset[str] | None = None,
    ) -> None:
        self.client = client
        self.bus_name = bus_name
        self.detail_source = detail_source
        self.name = name
        self.types = types

    def deliver(self, events: Sequence[CloudEvent]) -> None:
        """PutEvents in tens; raise when FailedEntryCount is not zero."""
        for batch in batches(events):
            entries: list[Any] = [
                {
                    "Source": self.detail_source,
                    "DetailType": event.type,
                    # The whole envelope, so rule targets still see the event id.
                    "Detail": event.to_json().decode("utf-8"),
                    "EventBusName": self.bus_name,
                }
                for event in batch
            ]
            try:
                response = self.client.put_events(Entries=entries)
            except (BotoCoreError, ClientError) as exc:
                raise DispatchError(
                    f"sink {self.name!r}: EventBridge PutEvents failed: {exc}"
                ) from exc
            if response.get("FailedEntryCount", 0):
                failed = [
                    {"Id": str(i), **result}
                    for i, result in enumerate(response.get("Entries", []))
                    if result.get("ErrorCode")
                ]
                raise _failures(self.name, "EventBridge PutEvents", failed)
