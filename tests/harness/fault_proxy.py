"""A fault-injecting HTTP reverse proxy for S3 clients (in front of moto or Ceph RGW).

The test decides, at run time and reproducibly (a seeded :class:`random.Random`), what
fraction of requests fail and how:

- ``error_500``: ``500 InternalError`` with an S3 XML error body (request not forwarded)
- ``slowdown_503``: ``503 SlowDown`` with an S3 XML error body (request not forwarded)
- ``reset``: the connection is reset (TCP RST) before anything is forwarded
- ``reset_after``: the request IS forwarded and applied upstream, then the connection is
  reset before the answer reaches the client: the "did my write happen?" case
- ``delay``: the answer is held ``delay_seconds`` (set it above the client's read timeout),
  then the request is forwarded anyway (it may be applied after the client gave up)

Deterministic one-offs: :meth:`FaultProxy.fail_next`. Counts of every injected fault and
of forwarded requests are in :attr:`FaultProxy.counts`. The proxy is bounded: it serves
at most ``max_requests`` requests and stops by itself after ``max_lifetime`` seconds.
The Host header is passed through unchanged, so SigV4 signatures made for the proxy's
address still verify upstream.
"""

from __future__ import annotations

import collections
import http.client
import random
import socket
import struct
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler

from pipeline.demo.processes import LOOPBACK
from tests.harness._http import HOP_BY_HOP, LoopbackService, read_body

FAULTS = ("error_500", "slowdown_503", "reset", "reset_after", "delay")

_ERRORS = {
    "error_500": (500, "InternalError", "We encountered an internal error. Please try again."),
    "slowdown_503": (503, "SlowDown", "Please reduce your request rate."),
}


def s3_error_body(code: str, message: str) -> bytes:
    """An S3 REST error document (``<Error><Code>...``) as AWS returns it."""
    request_id = uuid.uuid4().hex[:16].upper()
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>"
        f"<RequestId>{request_id}</RequestId><HostId>fault-proxy</HostId></Error>"
    ).encode()


class FaultProxy(LoopbackService):
    """Reverse proxy to ``upstream_url`` that injects faults chosen by a seeded RNG."""

    def __init__(
        self,
        upstream_url: str,
        *,
        seed: int = 0,
        max_lifetime: float = 600.0,
        max_requests: int = 100_000,
        upstream_timeout: float = 30.0,
    ) -> None:
        """Prepare (not start) the proxy; it injects nothing until :meth:`configure`."""
        parsed = urllib.parse.urlsplit(upstream_url)
        if parsed.scheme != "http" or parsed.hostname is None:
            raise ValueError(f"upstream must be http://host:port, not {upstream_url!r}")
        self.upstream_host = parsed.hostname
        self.upstream_port = parsed.port or 80
        self.max_lifetime = max_lifetime
        self.max_requests = max_requests
        self.upstream_timeout = upstream_timeout
        self.counts: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self._rates: dict[str, float] = dict.fromkeys(FAULTS, 0.0)
        self._methods: frozenset[str] | None = None
        self._scripted: collections.deque[str] = collections.deque()
        self.delay_seconds = 5.0

    # ----------------------------------------------------------------- control
    def configure(
        self,
        *,
        error_500: float = 0.0,
        slowdown_503: float = 0.0,
        reset: float = 0.0,
        reset_after: float = 0.0,
        delay: float = 0.0,
        delay_seconds: float | None = None,
        methods: tuple[str, ...] | None = None,
        seed: int | None = None,
    ) -> None:
        """Set the probability of each fault per request (sum <= 1); zeros turn faults off.

        ``methods`` limits faults to those HTTP methods (e.g. ``("PUT",)``); ``seed``
        restarts the random sequence.
        """
        rates = {
            "error_500": error_500,
            "slowdown_503": slowdown_503,
            "reset": reset,
            "reset_after": reset_after,
            "delay": delay,
        }
        if any(r < 0 for r in rates.values()) or sum(rates.values()) > 1.0 + 1e-9:
            raise ValueError(f"fault rates must be >= 0 and sum to at most 1: {rates}")
        if delay_seconds is not None and not 0 <= delay_seconds <= 60:
            raise ValueError("delay_seconds must be within 0..60")
        with self._lock:
            self._rates = rates
            self._methods = None if methods is None else frozenset(m.upper() for m in methods)
            if delay_seconds is not None:
                self.delay_seconds = delay_seconds
            if seed is not None:
                self._rng = random.Random(seed)

    def fail_next(self, fault: str, count: int = 1) -> None:
        """Inject ``fault`` into the next ``count`` matching requests, before random faults."""
        if fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; one of {FAULTS}")
        with self._lock:
            self._scripted.extend([fault] * count)

    def clear(self) -> None:
        """Stop injecting (rates to zero, scripted faults dropped); counts are kept."""
        self.configure()
        with self._lock:
            self._scripted.clear()

    def injected(self) -> int:
        """Total number of faults injected so far."""
        with self._lock:
            return sum(self.counts[f] for f in FAULTS)

    def _choose(self, method: str) -> str | None:
        with self._lock:
            self.counts["requests"] += 1
            if self._methods is not None and method not in self._methods:
                return None
            if self._scripted:
                fault = self._scripted.popleft()
            else:
                roll = self._rng.random()
                fault = None
                edge = 0.0
                for name in FAULTS:
                    edge += self._rates[name]
                    if roll < edge:
                        fault = name
                        break
            if fault is not None:
                self.counts[fault] += 1
            return fault

    # ----------------------------------------------------------------- life cycle
    @property
    def port(self) -> int:
        """The proxy's port on 127.0.0.1."""
        if self._server is None:
            raise RuntimeError("proxy not started")
        return int(self._server.server_address[1])

    @property
    def endpoint_url(self) -> str:
        """``http://127.0.0.1:<port>``: give this to the client instead of the upstream."""
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> FaultProxy:
        """Listen on a free loopback port and serve in background threads."""
        if self._server is not None:
            return self
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: tests read :attr:`FaultProxy.counts` instead."""

            def _handle(self) -> None:
                proxy._serve(self)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _handle

        self.serve(Handler, "fault-proxy", self.max_lifetime)
        return self

    # ----------------------------------------------------------------- request path
    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        body = read_body(handler)
        if self.counts["requests"] >= self.max_requests:
            self._send_error(handler, 503, "SlowDown", "fault proxy request budget spent")
            handler.close_connection = True
            return
        fault = self._choose(handler.command)
        if fault in _ERRORS:
            status, code, message = _ERRORS[fault]
            self._send_error(handler, status, code, message)
            return
        if fault == "reset":
            self._reset(handler)
            return
        if fault == "delay":
            server = self._server
            deadline = time.monotonic() + self.delay_seconds
            while time.monotonic() < deadline and server is not None:
                if server.stopping.wait(min(0.1, max(0.0, deadline - time.monotonic()))):
                    break
        try:
            status, reason, headers, payload = self._forward(handler, body)
        except OSError as exc:
            self._send_error(handler, 502, "BadGateway", f"upstream failed: {exc}")
            return
        self.counts["forwarded"] += 1
        if fault == "reset_after":
            self._reset(handler)
            return
        try:
            handler.send_response(status, reason)
            for name, value in headers:
                handler.send_header(name, value)
            if not any(n.lower() == "content-length" for n, _ in headers):
                handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            if handler.command != "HEAD" and payload:
                handler.wfile.write(payload)
        except OSError:
            handler.close_connection = True  # the client gave up (e.g. after a delay)

    def _forward(
        self, handler: BaseHTTPRequestHandler, body: bytes
    ) -> tuple[int, str, list[tuple[str, str]], bytes]:
        conn = http.client.HTTPConnection(
            self.upstream_host, self.upstream_port, timeout=self.upstream_timeout
        )
        try:
            conn.putrequest(
                handler.command, handler.path, skip_host=True, skip_accept_encoding=True
            )
            for name, value in handler.headers.items():
                if name.lower() in HOP_BY_HOP or name.lower() == "content-length":
                    continue
                conn.putheader(name, value)
            if body or handler.command in ("PUT", "POST", "PATCH"):
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body or None)
            response = conn.getresponse()
            payload = response.read()
            headers = [(n, v) for n, v in response.getheaders() if n.lower() not in HOP_BY_HOP]
            if "chunked" in (response.getheader("Transfer-Encoding") or "").lower():
                headers = [(n, v) for n, v in headers if n.lower() != "content-length"]
            return response.status, response.reason, headers, payload
        finally:
            conn.close()

    @staticmethod
    def _send_error(handler: BaseHTTPRequestHandler, status: int, code: str, msg: str) -> None:
        payload = s3_error_body(code, msg)
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/xml")
            handler.send_header("Content-Length", str(len(payload)))
            if status == 503:
                handler.send_header("Retry-After", "1")
            handler.end_headers()
            if handler.command != "HEAD":
                handler.wfile.write(payload)
        except OSError:
            handler.close_connection = True

    @staticmethod
    def _reset(handler: BaseHTTPRequestHandler) -> None:
        """Abort the connection with a TCP RST (SO_LINGER with a zero timeout)."""
        handler.close_connection = True
        sock = handler.connection
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
        except OSError:
            pass
