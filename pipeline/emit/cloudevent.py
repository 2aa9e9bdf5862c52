"""CloudEvents 1.0 envelopes in the JSON event format.

Only the attributes mailledger uses are modelled: the required ``specversion``,
``id``, ``source`` and ``type``, plus the optional ``time``, ``subject`` and
``datacontenttype`` (always ``application/json``) and the ``data`` member
(CloudEvents 1.0 core spec section 3.1; JSON event format section 3).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SPEC_VERSION = "1.0"
DATA_CONTENT_TYPE = "application/json"
STRUCTURED_CONTENT_TYPE = "application/cloudevents+json"


def event_id(origin: str, seq: int, event_type: str, n: int | None = None) -> str:
    """Deterministic, readable event id: ``<origin>/<seq>/<type>[/<n>]``.

    The same ledger entry always yields the same ids, so a redelivery after a crash
    carries ids a consumer has already seen. ``n`` tells apart several events of one
    type from one entry (one per rejected attachment).
    """
    base = f"{origin}/{seq}/{event_type}"
    return base if n is None else f"{base}/{n}"


def short_id(identifier: str) -> str:
    """A 64-hex digest of an id, for transports that limit id length (SQS FIFO: 128)."""
    return hashlib.sha256(identifier.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CloudEvent:
    """One CloudEvents 1.0 event. ``data`` holds JSON values only (no floats)."""

    id: str
    source: str
    type: str
    time: str
    subject: str
    data: Mapping[str, Any]
    specversion: str = SPEC_VERSION
    datacontenttype: str = DATA_CONTENT_TYPE

    def to_dict(self) -> dict[str, Any]:
        """The event as the JSON event format's top-level object."""
        return {
            "specversion": self.specversion,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "time": self.time,
            "subject": self.subject,
            "datacontenttype": self.datacontenttype,
            "data": self.data,
        }

    def to_json(self) -> bytes:
        """UTF-8 JSON with sorted keys and no whitespace: the same event, the same bytes."""
        return json.dumps(
            self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")

    @property
    def record_id(self) -> str:
        """The record the event is about (the CloudEvents ``subject``)."""
        return self.subject

    @property
    def entry_seq(self) -> int:
        """Ledger position of the entry the event was derived from."""
        seq = self.data.get("entry_seq")
        if not isinstance(seq, int):
            raise ValueError(f"event {self.id!r} carries no entry_seq")
        return seq

    @classmethod
    def from_json(cls, raw: bytes | str) -> CloudEvent:
        """Parse an event written by :meth:`to_json` (used by tests and consumers)."""
        document = json.loads(raw)
        if not isinstance(document, dict) or document.get("specversion") != SPEC_VERSION:
            raise ValueError("not a CloudEvents 1.0 JSON event")
        return cls(
            id=document["id"],
            source=document["source"],
            type=document["type"],
            time=document["time"],
            subject=document["subject"],
            data=document["data"],
            datacontenttype=document.get("datacontenttype", DATA_CONTENT_TYPE),
        )
