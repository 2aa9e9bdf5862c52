"""A local SMTP server that keeps what it receives (the demo's stand-in for a relay)."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from pipeline.demo.processes import free_port


@dataclass(frozen=True)
class ReceivedMail:
    """One message the sink accepted."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    subject: str
    raw: bytes


class _Handler:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.received: list[ReceivedMail] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = bytes(envelope.content)
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        mail = ReceivedMail(
            envelope.mail_from, tuple(envelope.rcpt_tos), str(parsed["Subject"]), raw
        )
        self.received.append(mail)
        (self.folder / f"{len(self.received):04d}.eml").write_bytes(raw)
        return "250 Message accepted for delivery"


class LocalSmtpSink:
    """aiosmtpd on a loopback port, writing each message to a folder."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self._handler = _Handler(folder)
        self._controller = Controller(self._handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        """Start serving."""
        self._controller.start()

    def stop(self) -> None:
        """Stop serving (safe to call twice)."""
        try:
            self._controller.stop()
        except AssertionError:  # aiosmtpd asserts when stopping a controller that never started
            return

    def messages(self) -> list[ReceivedMail]:
        """Everything received, in order."""
        return list(self._handler.received)
