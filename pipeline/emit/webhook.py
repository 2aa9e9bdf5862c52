"""HTTPS webhook sink: one POST per event in CloudEvents structured mode.

Signature scheme (the receiver recomputes it with the shared secret)::

    X-Mailledger-Timestamp: <unix seconds>
    X-Mailledger-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>

Signing the timestamp with the body lets the receiver reject replays older than
its tolerance window; comparing with a constant-time function is the receiver's
job (:func:`verify_signature` does it for Python receivers and tests).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Sequence

import httpx
import structlog

from pipeline.emit.cloudevent import STRUCTURED_CONTENT_TYPE, CloudEvent
from pipeline.emit.sinks import TypeFilter
from pipeline.errors import DispatchError

log = structlog.get_logger(__name__)

TIMESTAMP_HEADER = "X-Mailledger-Timestamp"
SIGNATURE_HEADER = "X-Mailledger-Signature"


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` HMAC-SHA256 over ``<timestamp>.<body>``."""
    digest = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify_signature(
    secret: bytes,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    now: float | None = None,
    tolerance: int = 300,
) -> bool:
    """True when ``signature`` is valid and ``timestamp`` is within ``tolerance`` seconds."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - sent) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


class WebhookSink(TypeFilter):
    """POSTs each event; any 2xx is delivered, anything else raises."""

    def __init__(
        self,
        url: str,
        secret: bytes,
        *,
        timeout: float = 10.0,
        name: str = "webhook",
        types: frozenset[str] | None = None,
        clock: Callable[[], float] = time.time,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url
        self.name = name
        self.types = types
        self._secret = secret
        self._clock = clock
        # One client for the sink's lifetime: keep-alive saves a TLS handshake per event.
        self._client = httpx.Client(timeout=timeout, transport=transport, follow_redirects=False)

    def deliver(self, events: Sequence[CloudEvent]) -> None:
        """POST the events one by one, stopping at the first failure."""
        for event in events:
            body = event.to_json()
            timestamp = str(int(self._clock()))
            headers = {
                "Content-Type": STRUCTURED_CONTENT_TYPE,
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: sign(self._secret, timestamp, body),
            }
            try:
                response = self._client.post(self.url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                raise DispatchError(
                    f"sink {self.name!r}: POST to webhook failed for event {event.id}: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            if not 200 <= response.status_code < 300:
                raise DispatchError(
                    f"sink {self.name!r}: webhook answered HTTP {response.status_code} "
                    f"for event {event.id}"
                )

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()
