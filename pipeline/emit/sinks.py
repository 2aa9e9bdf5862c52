"""The :class:`Sink` protocol, the local JSONL sink and :func:`build_sink`.

A sink either takes a whole batch of events or raises
:class:`pipeline.errors.DispatchError`; the dispatcher then retries the whole
batch, so a partial success is re-sent. That is the at-least-once contract:
duplicates are possible (consumers de-duplicate on the event id), losses are not.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import structlog

from pipeline.emit.cloudevent import CloudEvent
from pipeline.emit.config import (
    EventBridgeSinkConfig,
    JsonlSinkConfig,
    SinkConfig,
    SnsSinkConfig,
    SqsSinkConfig,
    WebhookSinkConfig,
)
from pipeline.errors import DispatchError

log = structlog.get_logger(__name__)


class Sink(Protocol):
    """Somewhere events go."""

    name: str
    """Stable name; delivery progress is recorded in the ledger under it."""

    def accepts(self, event_type: str) -> bool:
        """Whether this sink wants events of ``event_type`` (others are skipped, not sent)."""
        ...

    def deliver(self, events: Sequence[CloudEvent]) -> None:
        """Deliver all ``events`` or raise :class:`DispatchError` naming the sink."""
        ...


class TypeFilter:
    """Mixin implementing :meth:`Sink.accepts` from an optional set of types."""

    types: frozenset[str] | None = None

    def accepts(self, event_type: str) -> bool:
        """True when no filter is configured or the type is in it."""
        return self.types is None or event_type in self.types


class JsonlSink(TypeFilter):
    """Appends one event per line to a local file and fsyncs before returning.

    fsync before returning matters: the dispatcher records the delivery in the
    ledger right after, and a progress entry for events still in the page cache
    would skip them after a power loss.
    """

    def __init__(
        self, path: Path, name: str = "jsonl", types: frozenset[str] | None = None
    ) -> None:
        self.path = path
        self.name = name
        self.types = types

    def deliver(self, events: Sequence[CloudEvent]) -> None:
        """Append the events as JSON lines, flush and fsync."""
        if not events:
            return
        payload = b"".join(event.to_json() + b"\n" for event in events)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("ab") as handle:
                # A crash mid-write can leave a torn last line; start on a fresh
                # line so the torn one stays a single unparseable line.
                if handle.tell() > 0 and not _ends_with_newline(self.path):
                    payload = b"\n" + payload
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise DispatchError(
                f"sink {self.name!r}: cannot append to {self.path}: {exc.strerror or exc}"
            ) from exc


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"


def build_sink(config: SinkConfig) -> Sink:
    """Build the adapter for one sink configuration (reads secrets, creates clients)."""
    types = frozenset(config.types) if config.types is not None else None
    name = config.sink_name
    if isinstance(config, JsonlSinkConfig):
        return JsonlSink(config.path, name=name, types=types)
    if isinstance(config, SqsSinkConfig):
        from pipeline.emit.aws import SqsSink, aws_client

        return SqsSink(
            aws_client("sqs", config.region, config.endpoint_url),
            config.queue_url,
            name=name,
            types=types,
        )
    if isinstance(config, SnsSinkConfig):
        from pipeline.emit.aws import SnsSink, aws_client

        return SnsSink(
            aws_client("sns", config.region, config.endpoint_url),
            config.topic_arn,
            name=name,
            types=types,
        )
    if isinstance(config, EventBridgeSinkConfig):
        from pipeline.emit.aws import EventBridgeSink, aws_client

        return EventBridgeSink(
            aws_client("events", config.region, config.endpoint_url),
            config.bus_name,
            detail_source=config.detail_source,
            name=name,
            types=types,
        )
    if isinstance(config, WebhookSinkConfig):
        from pipeline.emit.webhook import WebhookSink

        return WebhookSink(
            config.url, config.read_secret(), timeout=config.timeout, name=name, types=types
        )
    raise DispatchError(f"unknown sink kind {getattr(config, 'kind', '?')!r}")  # pragma: no cover
