"""A minimal SMTP sink run as its own process for the handler tests.

Usage: python _sink_server.py PORT CERT KEY OUTDIR USER PASSWORD MODE (starttls|implicit)
Each accepted message is written as <n>.eml with <n>.json (envelope) next to it.
"""

from __future__ import annotations

import json
import signal
import ssl
import sys
import threading
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.n = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.n += 1
            n = self.n
        (self.out / f"{n}.eml").write_bytes(envelope.original_content or envelope.content)
        (self.out / f"{n}.json").write_text(
            json.dumps({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos})
        )
        return f"250 2.0.0 Ok: queued as SINK{n:04d}"


def main() -> None:
    port, cert, key, out, user, password, mode = sys.argv[1:8]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)

    def auth(server, session, envelope, mechanism, data):
        ok = (
            isinstance(data, LoginPassword)
            and data.login == user.encode()
            and (data.password == password.encode())
        )
        return AuthResult(success=ok)

    kwargs = {"authenticator": auth, "auth_required": True}
    if mode == "implicit":
        # aiosmtpd only knows about STARTTLS sessions; the whole connection is TLS here.
        kwargs.update(ssl_context=ctx, auth_require_tls=False)
    else:
        kwargs.update(tls_context=ctx, require_starttls=True)
    controller = Controller(Sink(Path(out)), hostname="127.0.0.1", port=int(port), **kwargs)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
