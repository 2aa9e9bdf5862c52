"""The webhook sink against a local HTTP receiver: structured mode and HMAC signature."""

from __future__ import annotations

import hashlib
import hmac
import time
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from pipeline.emit.cloudevent import CloudEvent
from pipeline.emit.config import SinkConfig, WebhookSinkConfig
from pipeline.emit.derive import events_for_entry
from pipeline.emit.dispatch import Dispatcher
from pipeline.emit.sinks import build_sink
from pipeline.emit.webhook import WebhookSink, verify_signature
from pipeline.errors import DispatchError, SecretError
from pipeline.ledger.memory import MemoryLedger
from tests.emit.conftest import ACTOR, SOURCE, received
from tests.harness.webhook_server import WebhookServer

SECRET = "s3cret-for-tests"


def sample_events(count: int) -> list[CloudEvent]:
    ledger = MemoryLedger()
    ledger.append([received(n) for n in range(count)])
    return [e for entry in ledger.entries() for e in events_for_entry(entry, SOURCE)]


def test_webhook_posts_structured_cloudevent_signed_over_timestamp_and_body(
    webhook_server: WebhookServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    config = TypeAdapter(SinkConfig).validate_python(
        {"kind": "webhook", "url": webhook_server.url, "secret_env": "HOOK_SECRET", "timeout": 5}
    )
    events = sample_events(2)
    before = int(time.time())
    build_sink(config).deliver(events)
    assert [r.body for r in webhook_server.requests] == [e.to_json() for e in events]
    for request in webhook_server.requests:
        assert request.method == "POST"
        assert request.header("Content-Type") == "application/cloudevents+json"
        timestamp = request.header("X-Mailledger-Timestamp")
        signature = request.header("X-Mailledger-Signature")
        assert timestamp is not None and signature is not None
        assert before <= int(timestamp) <= int(time.time())
        expected = hmac.new(
            SECRET.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256
        ).hexdigest()
        assert signature == "sha256=" + expected
        assert verify_signature(SECRET.encode(), timestamp, request.body, signature)


def test_signature_does_not_verify_with_changed_body_or_stale_timestamp() -> None:
    sink_sig = "sha256=" + hmac.new(b"k", b"100.{}", hashlib.sha256).hexdigest()
    assert verify_signature(b"k", "100", b"{}", sink_sig, now=150)
    assert not verify_signature(b"k", "100", b"{ }", sink_sig, now=150)
    assert not verify_signature(b"k", "100", b"{}", sink_sig, now=1000)


def test_webhook_non_2xx_raises_naming_the_sink(webhook_server: WebhookServer) -> None:
    webhook_server.respond_with(503)
    sink = WebhookSink(webhook_server.url, b"k", name="partner")
    with pytest.raises(DispatchError, match="sink 'partner': webhook answered HTTP 503"):
        sink.deliver(sample_events(1))


def test_webhook_unreachable_raises_naming_the_sink() -> None:
    sink = WebhookSink("http://127.0.0.1:9/none", b"k", name="partner", timeout=1)
    with pytest.raises(DispatchError, match="sink 'partner': POST to webhook failed"):
        sink.deliver(sample_events(1))


def test_dispatcher_retries_webhook_after_server_error(webhook_server: WebhookServer) -> None:
    webhook_server.respond_with(500)
    ledger = MemoryLedger()
    ledger.append([received(0)])
    report = Dispatcher(
        ledger, [WebhookSink(webhook_server.url, b"k")], SOURCE, ACTOR, sleep=lambda _: None
    ).dispatch()
    assert report["webhook"].delivered == 1
    assert report["webhook"].attempts == 2
    assert len(webhook_server.requests) == 2
    assert webhook_server.requests[0].body == webhook_server.requests[1].body


def test_webhook_config_reads_secret_from_file(tmp_path: Path) -> None:
    secret = tmp_path / "hook.key"
    secret.write_text("from-file\n")
    config = WebhookSinkConfig(url="https://hooks.example.com/x", secret_file=secret)
    assert config.read_secret() == b"from-file"


def test_webhook_config_missing_secret_env_is_a_secret_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NO_SUCH_HOOK_SECRET", raising=False)
    config = WebhookSinkConfig(url="https://hooks.example.com/x", secret_env="NO_SUCH_HOOK_SECRET")
    with pytest.raises(SecretError, match="NO_SUCH_HOOK_SECRET is not set"):
        config.read_secret()
