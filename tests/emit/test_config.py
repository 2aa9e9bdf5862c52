"""Sink configuration models: discriminated on kind, frozen, strict."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from pipeline.emit.config import (
    EmitConfig,
    JsonlSinkConfig,
    SinkConfig,
    SqsSinkConfig,
    WebhookSinkConfig,
)

adapter: TypeAdapter[Any] = TypeAdapter(SinkConfig)


def test_kind_selects_the_model() -> None:
    config = adapter.validate_python(
        {
            "kind": "sqs",
            "queue_url": "https://sqs.us-east-1.amazonaws.com/1/q",
            "types": ["message.escalated"],
        }
    )
    assert isinstance(config, SqsSinkConfig)
    assert config.types == ("message.escalated",)
    assert config.sink_name == "sqs"
    assert isinstance(
        adapter.validate_python({"kind": "jsonl", "path": "x.jsonl"}), JsonlSinkConfig
    )


def test_unknown_keys_are_rejected() -> None:
    with pytest.raises(ValidationError, match="queue_ulr"):
        adapter.validate_python({"kind": "sqs", "queue_ulr": "https://x"})


def test_unknown_event_types_are_rejected() -> None:
    with pytest.raises(ValidationError, match="unknown event types"):
        adapter.validate_python({"kind": "jsonl", "path": "x", "types": ["message.recieved"]})


def test_configs_are_frozen() -> None:
    config = JsonlSinkConfig(path=Path("x"))
    with pytest.raises(ValidationError):
        config.path = Path("y")  # type: ignore[misc]


def test_webhook_needs_exactly_one_secret_source() -> None:
    with pytest.raises(ValidationError, match="exactly one of secret_env or secret_file"):
        WebhookSinkConfig(url="https://h.example.com", secret_env="A", secret_file=Path("b"))
    with pytest.raises(ValidationError, match="exactly one of secret_env or secret_file"):
        WebhookSinkConfig(url="https://h.example.com")


def test_webhook_refuses_plain_http_off_this_machine() -> None:
    with pytest.raises(ValidationError, match="must be https"):
        WebhookSinkConfig(url="http://hooks.example.com/x", secret_env="A")
    assert WebhookSinkConfig(url="http://127.0.0.1:8080/x", secret_env="A").url.startswith("http:")


def test_sink_names_must_be_unique() -> None:
    with pytest.raises(ValidationError, match="sink names must be unique"):
        EmitConfig.model_validate(
            {"sinks": [{"kind": "jsonl", "path": "a"}, {"kind": "jsonl", "path": "b"}]}
        )
