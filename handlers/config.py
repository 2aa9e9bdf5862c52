"""Configuration models for the handlers (frozen, unknown keys rejected).

Secrets are never values in these models: they name an environment variable or a
file, read when a transport is built (:func:`read_secret`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from handlers.loop_safety import normalize_address
from pipeline.errors import SecretError


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SmtpConfig(_Frozen):
    """An SMTP submission server."""

    kind: Literal["smtp"] = "smtp"
    host: str = Field(min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    tls: Literal["implicit", "starttls", "none"] = "starttls"
    username: str | None = None
    password_env: str | None = None
    password_file: Path | None = None
    ca_file: Path | None = None
    allow_plaintext: bool = False
    timeout_seconds: int = Field(default=30, ge=1, le=600)
    envelope_from: str | None = None
    """MAIL FROM for every message; unset, each message's own (null ``<>`` for
    acknowledgments, as RFC 3834 section 3.3 recommends; the From address otherwise)."""

    @model_validator(mode="after")
    def _check(self) -> SmtpConfig:
        if self.tls == "none" and not self.allow_plaintext:
            raise ValueError(
                "tls: none sends mail and passwords in clear text; set allow_plaintext: true "
                "only for a loopback relay"
            )
        if self.username is not None and (self.password_env is None) == (
            self.password_file is None
        ):
            raise ValueError("with username, set exactly one of password_env or password_file")
        return self


class SesConfig(_Frozen):
    """Amazon SES (``SendRawEmail``)."""

    kind: Literal["ses"] = "ses"
    region: str = Field(min_length=1)
    endpoint_url: str | None = None
    configuration_set: str | None = None


TransportConfig = Annotated[SmtpConfig | SesConfig, Field(discriminator="kind")]


class AckConfig(_Frozen):
    """Automatic acknowledgments."""

    from_address: str
    from_name: str = Field(min_length=1)
    portal_url: str = Field(pattern=r"^https://\S+$")
    own_addresses: tuple[str, ...] = ()
    rate_limit_per_sender_per_day: int = Field(default=3, ge=0)
    rate_limit_per_domain_per_day: int | None = Field(default=None, ge=0)
    rate_limit_global_per_day: int | None = Field(default=None, ge=0)
    subaddress_separator: str = Field(default="+", max_length=1)
    dot_folding_domains: tuple[str, ...] = ("gmail.com", "googlemail.com")
    require_authentication: bool = False
    """Acknowledge only senders our receiving MTA authenticated (DMARC, or aligned SPF/DKIM)."""
    authserv_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9.-]+$")
    """The authserv-id our receiving MTA writes in Authentication-Results."""
    retry_base_seconds: int = Field(default=300, ge=1)
    """Back-off after a temporary refusal: this, doubled per further refusal."""
    retry_max_seconds: int = Field(default=6 * 3600, ge=1)
    echo_subject: bool = True
    """Quote the (masked) subject back to authenticated senders; never to others."""
    time_zone: str = "America/New_York"
    transport: TransportConfig
    message_id_domain: str | None = None

    @model_validator(mode="after")
    def _check_authentication(self) -> AckConfig:
        if self.require_authentication and self.authserv_id is None:
            raise ValueError(
                "require_authentication needs authserv_id: the authserv-id your receiving "
                "MTA writes in Authentication-Results"
            )
        return self

    @field_validator("from_address")
    @classmethod
    def _address(cls, value: str) -> str:
        if normalize_address(value) is None:
            raise ValueError(f"not a plain email address: {value!r}")
        return value.strip()

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @property
    def domain(self) -> str:
        """Right-hand side of our Message-IDs."""
        return self.message_id_domain or self.from_address.rsplit("@", 1)[1].lower()

    @property
    def zone(self) -> ZoneInfo:
        """The servicer's time zone."""
        return ZoneInfo(self.time_zone)


def route_kind(target: str) -> Literal["sns", "email", "webhook"]:
    """Classify a route target: SNS topic ARN, ``mailto:``/plain address, or URL."""
    if target.startswith("arn:aws:sns:"):
        return "sns"
    if target.startswith(("https://", "http://")):
        return "webhook"
    address = target.removeprefix("mailto:")
    if normalize_address(address) is not None:
        return "email"
    raise ValueError(
        f"route target {target!r} is not an SNS topic ARN, an email address or an http(s) URL"
    )


def _loopback(url: str) -> bool:
    # Plain http only to this machine (a local relay or a test receiver).
    host = url.removeprefix("http://").split("/", 1)[0].rsplit(":", 1)[0]
    return host in ("127.0.0.1", "localhost", "[::1]")


class EscalationConfig(_Frozen):
    """Where each rule route is notified."""

    routes: dict[str, str]
    from_address: str | None = None
    transport: TransportConfig | None = None
    sns_region: str | None = None
    sns_endpoint_url: str | None = None
    webhook_secret_env: str | None = None
    webhook_secret_file: Path | None = None
    webhook_timeout_seconds: int = Field(default=10, ge=1, le=120)

    @model_validator(mode="after")
    def _check(self) -> EscalationConfig:
        kinds = {name: route_kind(target) for name, target in self.routes.items()}
        if "email" in kinds.values() and (self.from_address is None or self.transport is None):
            raise ValueError("email routes need from_address and transport")
        if "webhook" in kinds.values() and (self.webhook_secret_env is None) == (
            self.webhook_secret_file is None
        ):
            raise ValueError(
                "webhook routes need exactly one of webhook_secret_env or webhook_secret_file"
            )
        for name, target in self.routes.items():
            if kinds[name] == "webhook" and target.startswith("http://") and not _loopback(target):
                raise ValueError(f"route {name!r}: webhook URLs must use https")
        return self


def read_secret(env: str | None, file: Path | None, what: str) -> str:
    """Read a secret from an environment variable or a file; raise :class:`SecretError`."""
    if env is not None:
        value = os.environ.get(env)
        if not value:
            raise SecretError(f"{what}: environment variable {env} is not set or empty")
        return value
    if file is not None:
        try:
            value = file.read_text("utf-8").strip()
        except OSError as exc:
            raise SecretError(f"{what}: cannot read secret file {file}: {exc.strerror}") from exc
        if not value:
            raise SecretError(f"{what}: secret file {file} is empty")
        return value
    raise SecretError(f"{what}: no secret configured")
