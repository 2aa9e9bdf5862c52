"""Fixtures for the emit tests: ledger entry builders and moto in server mode."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.config import Config

from pipeline.ledger.entry import EntryDraft

SOURCE = "mailledger.test/ledger"
ACTOR = "worker:test/1"
RAW_SHA = "ab" * 32
ATTACHMENT_SHA = "cd" * 32
RECEIVED_AT = datetime(2026, 11, 28, 8, 30, tzinfo=UTC)


def message_body(
    n: int = 0,
    *,
    imported: bool = False,
    direction: str = "inbound",
    escalated: bool = False,
    accounts: tuple[str, ...] = ("1234567",),
    rejected: int = 0,
    subject: str = "Question about my escrow",
    text_hint: str = "",
) -> dict[str, Any]:
    """A ``message.received`` body shaped as the architecture notes describe."""
    attachments = [
        {
            "sha256": ATTACHMENT_SHA,
            "size": 1000 + i,
            "key": "quarantine/sha256/cd/cd/" + ATTACHMENT_SHA,
            "filename": f"evil {text_hint}.exe",
            "safe_filename": f"evil_{i}.exe",
            "declared_type": "application/pdf",
            "detected_type": "application/vnd.microsoft.portable-executable",
            "extension": ".exe",
            "verdict": "rejected",
            "reasons": ["executable"],
            "flags": [],
        }
        for i in range(rejected)
    ]
    matches = (
        [
            {
                "rule": "notice_of_error",
                "field": "subject",
                "start": 0,
                "end": 15,
                "matched": "Notice of Error",
                "severity": "high",
                "route": "qwr-team",
                "item": 0,
            },
            {
                "rule": "attorney",
                "field": "text",
                "start": 40,
                "end": 48,
                "matched": "attorney",
                "severity": "critical",
                "route": "legal",
                "item": 0,
            },
        ]
        if escalated
        else []
    )
    return {
        "record_id": f"r-{n:024x}",
        "source": {
            "kind": "import" if imported else "imap",
            "mailbox": "servicing@example.com",
            "folder": "INBOX",
            "uidvalidity": 7,
            "uid": n + 1,
            "internaldate": "2026-11-28T08:29:59Z",
            "direction": direction,
            "imported": imported,
            "path": None,
        },
        "raw": {"sha256": RAW_SHA, "size": 2048, "key": "objects/sha256/ab/ab/" + RAW_SHA},
        "headers": {
            "message_id": f"<m{n}@example.com>",
            "from": [{"name": "Pat Borrower", "address": "pat@example.org"}],
            "to": [{"name": "", "address": "servicing@example.com"}],
            "cc": [],
            "reply_to": [],
            "date": "Sat, 28 Nov 2026 08:29:00 +0000",
            "subject": subject,
            "in_reply_to": None,
            "references": [],
            "auto_submitted": None,
            "precedence": None,
            "list_id": None,
            "return_path": "pat@example.org",
        },
        "bodies": {
            "text": {"sha256": RAW_SHA, "size": 100, "key": "objects/sha256/ab/ab/" + RAW_SHA},
            "html": None,
            "html_text": None,
        },
        "attachments": attachments,
        "defects": [],
        "parse_error": None,
        "classification": {
            "escalated": escalated,
            "category": "notice_of_error" if escalated else "general",
            "matches": matches,
            "account_numbers": list(accounts),
        },
        "deadlines": [
            {
                "name": "acknowledge",
                "due": "2026-12-04",
                "business_days": 5,
                "rule": "12 CFR 1024.35(d)",
            },
            {
                "name": "respond",
                "due": "2027-01-12",
                "business_days": 30,
                "rule": "12 CFR 1024.35(e)",
            },
        ],
    }


def received(n: int = 0, **kwargs: Any) -> EntryDraft:
    """A draft ``message.received`` entry."""
    return EntryDraft("message.received", message_body(n, **kwargs), ACTOR, RECEIVED_AT)


# -- moto in server mode ----------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class _MinimalMoto:
    """Fallback when the shared harness is absent: ``python -m moto.server`` on loopback."""

    endpoint_url: str = ""
    proc: Any = None

    def start(self) -> _MinimalMoto:
        port = _free_port()
        self.endpoint_url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                conn.request("GET", "/moto-api/data.json")
                if conn.getresponse().status == 200:
                    return self
            except OSError:
                time.sleep(0.05)
        self.close()
        raise RuntimeError("moto server did not start")

    def close(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)


@pytest.fixture(scope="session")
def aws_endpoint(request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of moto running in server mode in its own process (shared harness if present)."""
    try:
        server = request.getfixturevalue("moto_server")
    except pytest.FixtureLookupError:
        own = _MinimalMoto().start()
        try:
            yield own.endpoint_url
        finally:
            own.close()
        return
    yield server.endpoint_url


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials so the sinks' own boto3 clients can sign requests to moto."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def aws(aws_endpoint: str, aws_env: None) -> Any:
    """A factory of boto3 clients pointed at the moto server."""

    def client(service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=aws_endpoint,
            region_name="us-east-1",
            config=Config(retries={"mode": "standard"}),
        )

    return client


def read_jsonl(path: Any) -> list[dict[str, Any]]:
    """Every event line in a JSONL sink file."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
