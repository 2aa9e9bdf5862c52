"""A real SMTP server (aiosmtpd) in a separate process that stores every message it receives.

Each accepted message becomes ``<seq>.eml`` (raw bytes as sent) plus ``<seq>.json``
(envelope: mail from, rcpt tos, whether the session used TLS and who authenticated),
written so that a ``.json`` file only appears once its ``.eml`` is complete.
Optional STARTTLS (throwaway certificate) and AUTH PLAIN/LOGIN with a fixed user.

The test can make the server refuse the next N messages with a given reply
(:meth:`SmtpSink.fail_next`), to exercise retry paths.

Run as a script (that is how :class:`SmtpSink` starts it)::

    python smtp_sink.py --dir D --port P [--cert C --key K] [--user U --password W]
"""

from __future__ import annotations

import argparse
import email
import email.message
import email.policy
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.demo.processes import ManagedServer

SMTP_USER = "sink-user"
SMTP_PASSWORD = "sink-password"  # fixed test credential, loopback only


@dataclass(frozen=True)
class ReceivedMessage:
    """One message as the sink received it."""

    seq: int
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    tls: bool
    auth_user: str | None

    @property
    def message(self) -> email.message.EmailMessage:
        """The raw bytes parsed with the modern email policy."""
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        return parsed


# --------------------------------------------------------------------------- server side
def _serve(args: argparse.Namespace) -> None:  # pragma: no cover - runs in the child
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

    directory = Path(args.dir)
    lock = threading.Lock()
    counter = {"seq": len(list(directory.glob("*.json")))}
    control = directory / "control.json"

    def take_failure() -> str | None:
        """Consume one planned failure from control.json, if any."""
        with lock:
            try:
                plan = json.loads(control.read_text())
            except (OSError, ValueError):
                return None
            if plan.get("count", 0) <= 0:
                return None
            plan["count"] -= 1
            tmp = control.with_suffix(".tmp")
            tmp.write_text(json.dumps(plan))
            tmp.replace(control)
            return str(plan.get("reply", "451 4.3.0 try again later"))

    refusals = directory / "refuse.json"

    def refusal(stage: str, addresses: list[str]) -> str | None:
        """The planned reply refusing one of ``addresses`` at ``stage`` (rcpt or data)."""
        try:
            plan = json.loads(refusals.read_text())
        except (OSError, ValueError):
            return None
        table = {k.lower(): v for k, v in plan.get(stage, {}).items()}
        for address in addresses:
            if address.lower() in table:
                return str(table[address.lower()])
        return None

    class Handler:
        async def handle_RCPT(
            self, server: Any, session: Session, envelope: Envelope, address: str, options: Any
        ) -> str:
            refused = refusal("rcpt", [address])
            if refused is not None:
                return refused
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
            refused = refusal("data", list(envelope.rcpt_tos))
            if refused is not None:
                return refused
            failure = take_failure()
            if failure is not None:
                return failure
            raw = envelope.original_content or b""
            with lock:
                seq = counter["seq"]
                counter["seq"] += 1
            stem = directory / f"{seq:06d}"
            tmp = stem.with_suffix(".eml.tmp")
            tmp.write_bytes(raw)
            tmp.replace(stem.with_suffix(".eml"))
            meta = {
                "seq": seq,
                "mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "tls": session.ssl is not None,
                "auth_user": (
                    session.auth_data.login.decode()
                    if isinstance(session.auth_data, LoginPassword)
                    else None
                ),
            }
            tmp = stem.with_suffix(".json.tmp")
            tmp.write_text(json.dumps(meta))
            tmp.replace(stem.with_suffix(".json"))
            return "250 2.0.0 OK queued"

    def authenticator(
        server: Any, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == args.user
            and auth_data.password.decode() == args.password
        )
        if ok:
            return AuthResult(success=True, auth_data=auth_data)
        # handled=False makes aiosmtpd answer 535 itself (handled=True would say nothing).
        return AuthResult(success=False, handled=False)

    kwargs: dict[str, Any] = {"hostname": "127.0.0.1", "port": args.port}
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        kwargs["tls_context"] = ctx
        kwargs["require_starttls"] = bool(args.require_tls)
    if args.user:
        kwargs["authenticator"] = authenticator
        kwargs["auth_require_tls"] = bool(args.cert)
        kwargs["auth_required"] = True
    else:
        kwargs["auth_require_tls"] = False
    controller = Controller(Handler(), **kwargs)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    (directory / "ready").write_text(str(os.getpid()))
    while not stop.wait(1.0):
        if os.getppid() == 1:  # parent died without cleaning up
            break
    controller.stop()


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - runs in the child
    """Command-line entry: run the sink until SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--require-tls", action="store_true")
    parser.add_argument("--user")
    parser.add_argument("--password")
    _serve(parser.parse_args(argv))


# --------------------------------------------------------------------------- test side
class SmtpSink(ManagedServer):
    """Start and talk to the sink process."""

    def __init__(
        self,
        *,
        starttls: bool = True,
        require_tls: bool = False,
        auth: bool = True,
        user: str = SMTP_USER,
        password: str = SMTP_PASSWORD,
        startup_timeout: float = 20.0,
    ) -> None:
        """Prepare (not start) a sink.

        With ``auth``, clients must AUTH (PLAIN or LOGIN) as ``user``/``password``, and when
        ``starttls`` is on too, only after STARTTLS (aiosmtpd refuses AUTH in clear then).
        """
        from pipeline.demo.processes import LOOPBACK

        self.host = LOOPBACK
        self.port = 0
        self.starttls = starttls
        self.require_tls = require_tls
        self.auth = auth
        self.user = user
        self.password = password
        self.startup_timeout = startup_timeout
        self.startup_seconds = 0.0
        self.root = Path(tempfile.mkdtemp(prefix="mailledger-smtp-"))
        self.inbox = self.root / "messages"
        self.inbox.mkdir()
        self.log_file = self.root / "smtp.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._cleanup: Any = None
        self.tls: Any = None
        if starttls:
            from tests.harness.tls import make_tls_files

            self.tls = make_tls_files(self.root / "tls")

    def start(self) -> SmtpSink:
        """Start the sink and wait for its ready file and open port."""
        from pipeline.demo.processes import (
            Cleanup,
            free_port,
            popen,
            port_accepts,
            tail,
            wait_until,
        )

        if self._proc is not None and self._proc.poll() is None:
            return self
        began = time.monotonic()
        self.port = free_port()
        (self.inbox / "ready").unlink(missing_ok=True)
        args = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--dir",
            str(self.inbox),
            "--port",
            str(self.port),
        ]
        if self.tls is not None:
            args += ["--cert", str(self.tls.cert_file), "--key", str(self.tls.key_file)]
            if self.require_tls:
                args.append("--require-tls")
        if self.auth:
            args += ["--user", self.user, "--password", self.password]
        self._proc = popen(args, self.log_file)
        if self._cleanup is None:
            self._cleanup = Cleanup(self.close)

        def ready() -> bool:
            if self._proc is not None and self._proc.poll() is not None:
                raise RuntimeError(f"smtp sink exited\n{tail(self.log_file)}")
            return (self.inbox / "ready").exists() and port_accepts(self.port)

        wait_until(
            ready,
            self.startup_timeout,
            f"smtp sink on port {self.port}",
            lambda: tail(self.log_file),
        )
        self.startup_seconds = time.monotonic() - began
        return self

    def stop(self) -> None:
        """Stop the sink process (received messages stay on disk until :meth:`close`)."""
        from pipeline.demo.processes import stop_process

        proc, self._proc = self._proc, None
        stop_process(proc)

    def close(self) -> None:
        """Stop the sink and remove its temporary directory."""
        from pipeline.demo.processes import remove_tree

        try:
            self.stop()
        finally:
            if self._cleanup is not None:
                self._cleanup.cancel()
                self._cleanup = None
            remove_tree(self.root)

    @property
    def ca_file(self) -> Path | None:
        """CA that signed the STARTTLS certificate (None without STARTTLS)."""
        return None if self.tls is None else Path(self.tls.ca_file)

    def messages(self) -> list[ReceivedMessage]:
        """Every message received so far, in arrival order."""
        out: list[ReceivedMessage] = []
        for meta_path in sorted(self.inbox.glob("*.json")):
            if meta_path.name in ("control.json", "refuse.json"):
                continue
            meta = json.loads(meta_path.read_text())
            out.append(
                ReceivedMessage(
                    seq=int(meta["seq"]),
                    mail_from=str(meta["mail_from"]),
                    rcpt_tos=tuple(meta["rcpt_tos"]),
                    raw=meta_path.with_suffix(".eml").read_bytes(),
                    tls=bool(meta["tls"]),
                    auth_user=meta["auth_user"],
                )
            )
        out.sort(key=lambda m: m.seq)
        return out

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedMessage]:
        """Wait until at least ``count`` messages arrived; return all messages."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.messages()
            if len(got) >= count:
                return got
            if time.monotonic() >= deadline:
                raise TimeoutError(f"smtp sink got {len(got)} of {count} messages in {timeout}s")
            time.sleep(0.02)

    def clear(self) -> None:
        """Forget received messages (files are deleted; sequence numbers keep counting)."""
        for path in self.inbox.iterdir():
            if path.suffix in (".eml", ".json") and path.name not in (
                "control.json",
                "refuse.json",
            ):
                path.unlink(missing_ok=True)

    def refuse(
        self, rcpt: dict[str, str] | None = None, data: dict[str, str] | None = None
    ) -> None:
        """Refuse these recipients at RCPT, or messages to them at DATA, with the given replies."""
        plan = self.inbox / "refuse.json"
        tmp = plan.with_suffix(".tmp")
        tmp.write_text(json.dumps({"rcpt": rcpt or {}, "data": data or {}}))
        tmp.replace(plan)

    def fail_next(self, count: int, reply: str = "451 4.3.0 try again later") -> None:
        """Refuse the next ``count`` messages at end of DATA with ``reply``."""
        control = self.inbox / "control.json"
        tmp = control.with_suffix(".tmp")
        tmp.write_text(json.dumps({"count": count, "reply": reply}))
        tmp.replace(control)


if __name__ == "__main__":  # pragma: no cover
    main()
