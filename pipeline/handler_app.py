"""Builds the acknowledgment and escalation handlers from the application config.

This is the handlers' composition root, above both ``handlers`` and
``pipeline.config``/``pipeline.runtime``, so the handlers never import the
application config. It also holds the Lambda entry points the deployment names
(``pipeline.handler_app.acknowledge`` and ``.escalate``): importing it installs
:func:`build_handler_context` as the context builder of :mod:`handlers.lambda_entry`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from handlers import lambda_entry
from handlers.acknowledge import AcknowledgmentHandler
from handlers.escalate import EscalationHandler, build_notifiers
from handlers.extension_notice import ExtensionNoticeHandler
from handlers.index import LedgerHandlerIndex
from handlers.lambda_entry import EventHandler, HandlerContext
from handlers.transports import build_transport
from pipeline.config import Config, config_path, load_config
from pipeline.errors import ConfigError, HandlerError
from pipeline.hashing import object_key, sha256_hex
from pipeline.runtime import Runtime, actor_name, open_runtime


class _Unconfigured:
    """Stands in for a handler whose config section is absent: fails with the fix to make."""

    def __init__(self, section: str) -> None:
        self.section = section

    def handle(self, event: object) -> object:
        raise HandlerError(f"the config has no '{self.section}' section; add one to enable it")


def handlers_for(config: Config, runtime: Runtime) -> HandlerContext:
    """The two handlers, sharing one ledger index."""
    actor = actor_name(config, "handler")
    index = LedgerHandlerIndex(runtime.ledger)

    def store_put(data: bytes) -> str:
        digest = sha256_hex(data)
        runtime.store.put(object_key(digest), data)
        return digest

    ack: EventHandler = _Unconfigured("acknowledgment")
    if config.acknowledgment is not None:
        ack = AcknowledgmentHandler(
            runtime.ledger,
            store_put,
            build_transport(config.acknowledgment.transport),
            config.acknowledgment,
            actor,
            index=index,
            raw_reader=runtime.store.get,
        )
    escalation: EventHandler = _Unconfigured("escalation")
    if config.escalation is not None:
        transport = (
            build_transport(config.escalation.transport) if config.escalation.transport else None
        )
        escalation = EscalationHandler(
            runtime.ledger,
            config.escalation,
            actor,
            build_notifiers(config.escalation, transport=transport),
            index=index,
        )
    return HandlerContext(acknowledgment=ack, escalation=escalation)


def extension_notice_handler(config: Config, runtime: Runtime) -> ExtensionNoticeHandler:
    """The handler that sends written notices of extensions, over the acknowledgment transport."""
    if config.acknowledgment is None:
        raise ConfigError(
            "extension notices go out through the acknowledgment transport; the config has no"
            " 'acknowledgment' section"
        )

    def store_put(data: bytes) -> str:
        digest = sha256_hex(data)
        runtime.store.put(object_key(digest), data)
        return digest

    return ExtensionNoticeHandler(
        runtime.ledger,
        store_put,
        build_transport(config.acknowledgment.transport),
        config.acknowledgment,
        actor_name(config, "handler"),
    )


def build_handler_context() -> HandlerContext:
    """For Lambda: config from ``$MAILLEDGER_CONFIG_PARAMETER`` (SSM) or ``$MAILLEDGER_CONFIG``,
    signing key from ``$MAILLEDGER_SIGNING_KEY_SECRET_ARN`` and certified writer key from
    ``$MAILLEDGER_WRITER_KEY_SECRET_ARN`` (Secrets Manager), or the config."""
    parameter = os.environ.get("MAILLEDGER_CONFIG_PARAMETER")
    if parameter:
        import boto3

        text = boto3.client("ssm").get_parameter(Name=parameter, WithDecryption=True)
        path = Path(tempfile.mkdtemp()) / "config.yaml"
        path.write_text(text["Parameter"]["Value"], encoding="utf-8")
    else:
        path = config_path(None)
    secret_arn = os.environ.get("MAILLEDGER_SIGNING_KEY_SECRET_ARN")
    config = load_config(path)
    if secret_arn:
        import boto3

        secret = boto3.client("secretsmanager").get_secret_value(SecretId=secret_arn)
        env_name = config.signing.key_env
        if not env_name:
            raise ConfigError("signing.key_env must be set to receive the key from Secrets Manager")
        os.environ[env_name] = secret["SecretString"]
    # The stack gives the handlers a certified writer key, not the signing key.
    writer_arn = os.environ.get("MAILLEDGER_WRITER_KEY_SECRET_ARN")
    if writer_arn:
        import boto3

        secret = boto3.client("secretsmanager").get_secret_value(SecretId=writer_arn)
        writer_env = config.signing.writer_key_env
        if not writer_env:
            raise ConfigError(
                "signing.writer_key_env must be set to receive the writer key from Secrets Manager"
            )
        os.environ[writer_env] = secret["SecretString"]
    return handlers_for(config, open_runtime(config, writable=True))


lambda_entry.build_context = build_handler_context
acknowledge = lambda_entry.acknowledge
"""Lambda handler: acknowledgments for ``message.received`` events."""
escalate = lambda_entry.escalate
"""Lambda handler: notifications for ``message.escalated`` events."""
