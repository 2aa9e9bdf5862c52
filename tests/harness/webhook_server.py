"""A local HTTP server that records every request (for webhook sink tests).

Answers 200 ``{"ok": true}`` unless told otherwise: :meth:`WebhookServer.respond_with`
queues statuses (e.g. two 500s, then the default) to exercise retries, and
``delay_seconds`` holds each answer to exercise client timeouts.
"""

from __future__ import annotations

import collections
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from pipeline.demo.processes import LOOPBACK
from tests.harness._http import LoopbackService, read_body


@dataclass(frozen=True)
class RecordedRequest:
    """One request as received."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    received_at: float
    status: int

    def header(self, name: str) -> str | None:
        """First value of header ``name`` (case-insensitive), or None."""
        lower = name.lower()
        return next((v for n, v in self.headers if n.lower() == lower), None)

    def json(self) -> Any:
        """The body parsed as JSON."""
        import json

        return json.loads(self.body)


class WebhookServer(LoopbackService):
    """Threaded HTTP server on 127.0.0.1:<free port> recording requests in order."""

    def __init__(self, max_lifetime: float = 600.0) -> None:
        """Prepare (not start) the server; it stops by itself after ``max_lifetime`` s."""
        self.max_lifetime = max_lifetime
        self.delay_seconds = 0.0
        self.default_status = 200
        self._requests: list[RecordedRequest] = []
        self._planned: collections.deque[int] = collections.deque()
        self._cond = threading.Condition()

    @property
    def port(self) -> int:
        """The listening port."""
        if self._server is None:
            raise RuntimeError("webhook server not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>/hook``: a URL to configure the webhook sink with."""
        return f"http://{LOOPBACK}:{self.port}/hook"

    def respond_with(self, *statuses: int) -> None:
        """Answer the next requests with these statuses, in order, then the default."""
        with self._cond:
            self._planned.extend(statuses)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far (a copy)."""
        with self._cond:
            return list(self._requests)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[RecordedRequest]:
        """Wait until ``count`` requests arrived; return all of them."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._requests) >= count, timeout):
                raise TimeoutError(
                    f"webhook server got {len(self._requests)} of {count} requests in {timeout}s"
                )
            return list(self._requests)

    def clear(self) -> None:
        """Forget recorded requests and planned statuses."""
        with self._cond:
            self._requests.clear()
            self._planned.clear()

    def _record(self, handler: BaseHTTPRequestHandler) -> None:
        body = read_body(handler)
        with self._cond:
            status = self._planned.popleft() if self._planned else self.default_status
            self._requests.append(
                RecordedRequest(
                    method=handler.command,
                    path=handler.path,
                    headers=tuple(handler.headers.items()),
                    body=body,
                    received_at=time.time(),
                    status=status,
                )
            )
            self._cond.notify_all()
        if self.delay_seconds:
            time.sleep(min(self.delay_seconds, 60.0))
        payload = b'{"ok": true}' if status < 400 else b'{"ok": false}'
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            if handler.command != "HEAD":
                handler.wfile.write(payload)
        except OSError:
            handler.close_connection = True

    def start(self) -> WebhookServer:
        """Listen and serve in background threads."""
        if self._server is not None:
            return self
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: tests read :attr:`WebhookServer.requests`."""

            def _handle(self) -> None:
                owner._record(self)

            do_POST = do_PUT = do_GET = do_DELETE = do_PATCH = do_HEAD = _handle

        self.serve(Handler, "webhook-server", self.max_lifetime)
        return self
