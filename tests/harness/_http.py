"""Shared pieces of the in-process HTTP test servers (threaded, stdlib only)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pipeline.demo.processes import LOOPBACK, Cleanup, ManagedServer

HOP_BY_HOP = frozenset(
    h.lower()
    for h in (
        "Connection",
        "Keep-Alive",
        "Proxy-Authenticate",
        "Proxy-Authorization",
        "TE",
        "Trailer",
        "Transfer-Encoding",
        "Upgrade",
    )
)


def read_body(handler: BaseHTTPRequestHandler) -> bytes:
    """The request body, from Content-Length or chunked transfer coding (RFC 9112 7.1)."""
    if "chunked" in handler.headers.get("Transfer-Encoding", "").lower():
        chunks: list[bytes] = []
        while True:
            size_line = handler.rfile.readline(65537)
            size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailer fields
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline(3)  # CRLF after the chunk
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


class LoopbackServer(ThreadingHTTPServer):
    """A threaded HTTP server that never outlives ``max_lifetime`` seconds."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        max_lifetime: float,
    ) -> None:
        """Bind ``address``; :meth:`run` serves in a daemon thread until stopped or expired."""
        super().__init__(address, handler)
        self.max_lifetime = max_lifetime
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None
        self.started_at = time.monotonic()

    def run(self, name: str) -> None:
        """Serve in a background thread; stop by itself after ``max_lifetime`` seconds."""
        self._thread = threading.Thread(target=self.serve_forever, name=name, daemon=True)
        self._thread.start()
        self._timer = threading.Timer(self.max_lifetime, self.halt)
        self._timer.daemon = True
        self._timer.start()

    def halt(self) -> None:
        """Stop serving and close the socket (idempotent, callable from any thread)."""
        if self.stopping.is_set():
            return
        self.stopping.set()
        if self._timer is not None:
            self._timer.cancel()
        if self._thread is not None and self._thread is not threading.current_thread():
            self.shutdown()
            self._thread.join(timeout=5)
        self.server_close()


class LoopbackService(ManagedServer):
    """A test service served by a :class:`LoopbackServer` thread: shared stop and close."""

    _server: LoopbackServer | None = None
    _cleanup: Cleanup | None = None

    def serve(self, handler: type[BaseHTTPRequestHandler], name: str, lifetime: float) -> None:
        """Start serving ``handler`` on a free loopback port in a background thread."""
        self._server = LoopbackServer((LOOPBACK, 0), handler, lifetime)
        self._server.run(name)
        self._cleanup = Cleanup(self.stop)

    def stop(self) -> None:
        """Stop serving (idempotent)."""
        server, self._server = self._server, None
        if server is not None:
            server.halt()
        if self._cleanup is not None:
            self._cleanup.cancel()
            self._cleanup = None

    def close(self) -> None:
        """Stop the server."""
        self.stop()
