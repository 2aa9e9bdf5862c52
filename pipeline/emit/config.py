"""Configuration models for event sinks (a discriminated union on ``kind``).

Models are frozen and reject unknown keys so that a typo in the configuration
file fails loudly at start-up instead of silently dropping events.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pipeline.emit.derive import EVENT_TYPES
from pipeline.errors import SecretError

_NAME = r"^[a-z0-9][a-z0-9._-]{0,62}$"
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class _SinkBase(BaseModel):
    """Fields every sink has."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = Field(default=None, pattern=_NAME)
    """Stable name recorded in ``event.delivered`` entries; defaults to ``kind``.

    Renaming a sink makes it start again from the beginning of the ledger.
    """
    types: tuple[str, ...] | None = None
    """Event types to send; ``None`` sends all."""

    @field_validator("types")
    @classmethod
    def _known_types(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is None:
            return None
        unknown = sorted(set(value) - EVENT_TYPES)
        if unknown:
            known = ", ".join(sorted(EVENT_TYPES))
            raise ValueError(f"unknown event types {unknown}; known types are {known}")
        return value

    @property
    def sink_name(self) -> str:
        """The configured name or, by default, the kind."""
        kind: str = getattr(self, "kind")  # noqa: B009 - every subclass defines kind
        return self.name or kind


class _AwsSinkBase(_SinkBase):
    region: str | None = None
    endpoint_url: str | None = None
    """Override of the service endpoint (a local emulator or a VPC endpoint)."""


class JsonlSinkConfig(_SinkBase):
    """Append events to a local JSON Lines file (the embedded default)."""

    kind: Literal["jsonl"] = "jsonl"
    path: Path


class SqsSinkConfig(_AwsSinkBase):
    """Send events to an SQS queue; a ``.fifo`` URL gets FIFO de-duplication and grouping."""

    kind: Literal["sqs"] = "sqs"
    queue_url: str = Field(min_length=1)


class SnsSinkConfig(_AwsSinkBase):
    """Publish events to an SNS topic with a ``type`` message attribute for filtering."""

    kind: Literal["sns"] = "sns"
    topic_arn: str = Field(pattern=r"^arn:[^:]+:sns:")


class EventBridgeSinkConfig(_AwsSinkBase):
    """Put events on an EventBridge bus; ``DetailType`` is the event type."""

    kind: Literal["eventbridge"] = "eventbridge"
    bus_name: str = Field(default="default", min_length=1)
    detail_source: str = Field(default="mailledger", min_length=1)
    """EventBridge ``Source`` of each entry (``aws.*`` is reserved by AWS)."""

    @field_validator("detail_source")
    @classmethod
    def _not_aws(cls, value: str) -> str:
        if value.startswith("aws."):
            raise ValueError("EventBridge sources starting with 'aws.' are reserved by AWS")
        return value


class WebhookSinkConfig(_SinkBase):
    """POST each event to an HTTPS endpoint, signed with HMAC-SHA256."""

    kind: Literal["webhook"] = "webhook"
    url: str
    secret_env: str | None = None
    secret_file: Path | None = None
    timeout: float = Field(default=10.0, gt=0, le=300)

    @field_validator("url")
    @classmethod
    def _https_only(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme == "https" and parts.hostname:
            return value
        # Plain HTTP only to this machine (a sidecar or a test server): the body is
        # signed but not encrypted, so it must not cross a network in clear text.
        if parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS:
            return value
        raise ValueError("webhook url must be https:// (http:// only to a loopback address)")

    @model_validator(mode="after")
    def _one_secret(self) -> WebhookSinkConfig:
        if (self.secret_env is None) == (self.secret_file is None):
            raise ValueError("webhook sink needs exactly one of secret_env or secret_file")
        return self

    def read_secret(self) -> bytes:
        """The signing secret; raises :class:`SecretError` naming where it was looked for."""
        if self.secret_env is not None:
            value = os.environ.get(self.secret_env)
            if not value:
                raise SecretError(
                    f"webhook sink {self.sink_name!r}: environment variable "
                    f"{self.secret_env} is not set or empty"
                )
            return value.encode("utf-8")
        assert self.secret_file is not None
        try:
            secret = self.secret_file.read_bytes().strip()
        except OSError as exc:
            raise SecretError(
                f"webhook sink {self.sink_name!r}: cannot read secret file "
                f"{self.secret_file}: {exc.strerror}"
            ) from exc
        if not secret:
            raise SecretError(
                f"webhook sink {self.sink_name!r}: secret file {self.secret_file} is empty"
            )
        return secret


SinkConfig = Annotated[
    JsonlSinkConfig | SqsSinkConfig | SnsSinkConfig | EventBridgeSinkConfig | WebhookSinkConfig,
    Field(discriminator="kind"),
]
"""Any sink configuration; pydantic picks the model from ``kind``."""


class EmitConfig(BaseModel):
    """The ``emit`` section: the sinks events go to."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sinks: tuple[SinkConfig, ...] = ()
    chunk_size: int = Field(default=100, ge=1, le=10_000)
    max_attempts: int = Field(default=5, ge=1, le=20)

    @model_validator(mode="after")
    def _unique_names(self) -> EmitConfig:
        names = [sink.sink_name for sink in self.sinks]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(
                f"sink names must be unique (progress is recorded per name): {duplicates}; "
                "set 'name' on each sink of the same kind"
            )
        return self
