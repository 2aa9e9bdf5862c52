"""Reading the pointer out of a CloudEvent: which ledger entry and which record."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.errors import HandlerError


@dataclass(frozen=True, slots=True)
class EventRef:
    """The parts of a ``message.received`` / ``message.escalated`` event the handlers use."""

    id: str
    type: str
    record_id: str
    entry_seq: int


def parse_event(event: Mapping[str, Any] | str | bytes) -> EventRef:
    """Parse a CloudEvents 1.0 JSON event (structured mode) into an :class:`EventRef`.

    Only the pointer is taken from the event; everything else is read from the ledger.
    """
    if isinstance(event, str | bytes):
        try:
            loaded = json.loads(event)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise HandlerError(f"event is not valid JSON ({exc.__class__.__name__})") from exc
        if not isinstance(loaded, dict):
            raise HandlerError("event is not a JSON object")
        event = loaded
    event_id = event.get("id")
    event_type = event.get("type")
    if event.get("specversion") != "1.0" or not isinstance(event_id, str):
        raise HandlerError("event is not a CloudEvents 1.0 event (specversion/id missing)")
    if not isinstance(event_type, str) or not event_type:
        # Other types (attachment.rejected, ...) share the outbox and queues; each
        # handler ignores what is not addressed to it, so only a missing type is an error.
        raise HandlerError(f"event {event_id}: has no type")
    data = event.get("data")
    if not isinstance(data, Mapping):
        raise HandlerError(f"event {event_id}: no JSON data object")
    record_id, seq = data.get("record_id"), data.get("entry_seq")
    if not isinstance(record_id, str) or not isinstance(seq, int) or isinstance(seq, bool):
        raise HandlerError(f"event {event_id}: data lacks record_id or integer entry_seq")
    return EventRef(id=event_id, type=event_type, record_id=record_id, entry_seq=seq)
