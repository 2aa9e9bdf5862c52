"""Fixtures for the handler tests: records in a memory ledger, config, fake and real transports."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from handlers.config import AckConfig, SmtpConfig
from handlers.outbound import OutboundMessage
from handlers.transports import SendResult
from pipeline.demo.processes import free_port, popen, port_accepts, stop_process, wait_until
from pipeline.hashing import sha256_hex
from pipeline.ledger.entry import EntryDraft
from pipeline.ledger.memory import MemoryLedger
from tests.harness.tls import TlsFiles, make_tls_files

T0 = datetime(2026, 11, 30, 14, 5, tzinfo=UTC)


def record_body(
    record_id: str = "r-0123456789abcdef01234567",
    *,
    from_: list[dict[str, str]] | None = None,
    subject: str = "Question about my escrow",
    language: str = "en",
    category: str = "account_inquiry",
    sensitive: bool = False,
    imported: bool = False,
    direction: str = "inbound",
    headers: dict[str, Any] | None = None,
    matches: list[dict[str, Any]] | None = None,
    deadlines: list[dict[str, Any]] | None = None,
    classification_extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A ``message.received`` body shaped like the architecture document's."""
    head: dict[str, Any] = {
        "message_id": "<orig-1@borrower.example>",
        "from": from_
        if from_ is not None
        else [{"name": "Ana Borrower", "address": "ana@borrower.example"}],
        "to": [{"name": "", "address": "service@servicer.example"}],
        "cc": [],
        "reply_to": [],
        "date": "Mon, 30 Nov 2026 09:00:00 -0500",
        "subject": subject,
        "in_reply_to": None,
        "references": ["<older@borrower.example>"],
        "auto_submitted": None,
        "precedence": None,
        "list_id": None,
        "return_path": "<ana@borrower.example>",
    }
    head.update(headers or {})
    return {
        "record_id": record_id,
        "source": {
            "kind": "import" if imported else "imap",
            "mailbox": "service",
            "folder": "INBOX",
            "uidvalidity": 7,
            "uid": 42,
            "internaldate": "2026-11-30T14:00:00+00:00",
            "direction": direction,
            "imported": imported,
            "path": None,
        },
        "raw": {"sha256": "a" * 64, "size": 100, "key": "objects/sha256/aa/aa/" + "a" * 64},
        "headers": head,
        "bodies": {"text": None, "html": None, "html_text": None},
        "attachments": [],
        "defects": [],
        "parse_error": None,
        "classification": {
            "category": category,
            "language": language,
            "account_numbers": ["0012345678"],
            "matches": matches or [],
            # as the classifier writes them: the routes of the escalating matches
            "escalated": bool(matches),
            "routes": list(
                dict.fromkeys(m["route"] for m in matches or [] if m["route"] != "none")
            ),
            "sensitive": (
                [{"kind": "ssn", "field": "text", "start": 1, "end": 12, "masked": "***-**-6789"}]
                if sensitive
                else []
            ),
            **(classification_extra or {}),
        },
        "deadlines": deadlines
        if deadlines is not None
        else [
            {"name": "acknowledge", "due": "2026-12-07", "business_days": 5, "rule": "1024.36(c)"},
            {"name": "respond", "due": "2027-01-13", "business_days": 30, "rule": "1024.36(d)"},
        ],
    }


def event_for(
    record_id: str, seq: int, type_: str = "message.received", eid: str = ""
) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": eid or f"ev-{seq}",
        "source": "mailledger/test",
        "type": type_,
        "datacontenttype": "application/json",
        "data": {"record_id": record_id, "entry_seq": seq},
    }


@pytest.fixture
def ledger() -> MemoryLedger:
    return MemoryLedger()


@pytest.fixture
def add_record(ledger: MemoryLedger) -> Callable[..., tuple[dict[str, Any], int]]:
    """Append a ``message.received`` entry; returns (event, seq)."""

    def add(**kwargs: Any) -> tuple[dict[str, Any], int]:
        body = record_body(**kwargs)
        (entry,) = ledger.append([EntryDraft("message.received", body, "recorder:test", T0)])
        return event_for(body["record_id"], entry.seq), entry.seq

    return add


@dataclass
class MemoryStore:
    objects: dict[str, bytes] = field(default_factory=dict)

    def put(self, data: bytes) -> str:
        digest = sha256_hex(data)
        self.objects[digest] = data
        return digest


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@dataclass
class FakeTransport:
    """Records messages; ``fail`` is raised on send when set."""

    name: str = "fake"
    sent: list[OutboundMessage] = field(default_factory=list)
    fail: Exception | None = None

    def send(self, msg: OutboundMessage) -> SendResult:
        if self.fail is not None:
            raise self.fail
        self.sent.append(msg)
        return SendResult(msg.message_id, f"fake-{len(self.sent)}", "250 ok", 250)


@pytest.fixture
def transport() -> FakeTransport:
    return FakeTransport()


def ack_config(**overrides: Any) -> AckConfig:
    values: dict[str, Any] = {
        "from_address": "service@servicer.example",
        "from_name": "Example Mortgage Servicing",
        "portal_url": "https://portal.servicer.example/secure",
        "own_addresses": ("escalations@servicer.example",),
        "rate_limit_per_sender_per_day": 2,
        "time_zone": "America/New_York",
        "transport": SmtpConfig(host="127.0.0.1", port=25, tls="none", allow_plaintext=True),
    }
    values.update(overrides)
    return AckConfig(**values)


@dataclass(frozen=True)
class LocalSink:
    """An implicit-TLS SMTP sink process (the shared ``smtp_sink`` only does STARTTLS)."""

    port: int
    tls: TlsFiles
    out: Path
    user: str
    password: str

    def messages(self) -> list[tuple[dict[str, Any], bytes]]:
        files = sorted(self.out.glob("*.eml"), key=lambda p: int(p.stem))
        return [(json.loads(p.with_suffix(".json").read_text()), p.read_bytes()) for p in files]

    def wait_for(self, n: int, timeout: float = 10.0) -> list[tuple[dict[str, Any], bytes]]:
        wait_until(lambda: len(list(self.out.glob("*.json"))) >= n, timeout, f"{n} message(s)")
        return self.messages()


def _start_sink(tmp: Path, mode: str) -> Iterator[LocalSink]:
    tls = make_tls_files(tmp / "tls")
    out = tmp / "mail"
    out.mkdir()
    port = free_port()
    server = Path(__file__).with_name("_sink_server.py")
    proc = popen(
        [
            sys.executable,
            str(server),
            str(port),
            str(tls.cert_file),
            str(tls.key_file),
            str(out),
            "acks",
            "s3cret-pw",
            mode,
        ],
        tmp / "sink.log",
    )
    try:
        wait_until(
            lambda: port_accepts(port),
            15,
            "SMTP sink",
            lambda: (tmp / "sink.log").read_text(errors="replace"),
        )
        yield LocalSink(port, tls, out, "acks", "s3cret-pw")
    finally:
        stop_process(proc)


@pytest.fixture
def smtp_implicit_sink(tmp_path: Path) -> Iterator[LocalSink]:
    yield from _start_sink(tmp_path, "implicit")
