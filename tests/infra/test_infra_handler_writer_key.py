"""The stack's handler Lambdas start with a certified writer key from Secrets Manager
(``MAILLEDGER_WRITER_KEY_SECRET_ARN``), never the checkpoint signing key."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from pipeline.handler_app import build_handler_context
from pipeline.ledger.checkpoint import SigningKey
from pipeline.ledger.keys import encode_signing_key


def test_handler_context_opens_with_the_writer_key_secret_and_no_signing_key(
    moto_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_key = SigningKey.generate("mailledger.test/log")
    writer = SigningKey.generate("handler-1")
    config = (
        "origin: mailledger.test/log\n"
        f"state_dir: {tmp_path / 'state'}\n"
        f"storage:\n  backend: local\n  path: {tmp_path / 'store'}\n  fsync: false\n"
        "signing:\n  key_env: null\n  key_file: null\n"
        "  writer_key_env: MAILLEDGER_WRITER_KEY\n"
        f"  verifier_keys: ['{log_key.verifier.to_text()}']\n"
        "acknowledgment:\n  transport: {kind: ses, region: us-east-1}\n"
        "  from_address: servicing@example.com\n  from_name: Servicing\n"
        "  portal_url: https://servicing.example.com\n"
    )
    ssm = moto_server.client("ssm")
    ssm.put_parameter(Name="/mailledger/test/config.yaml", Value=config, Type="String")
    secret = moto_server.client("secretsmanager").create_secret(
        Name=f"mailledger/test/handler-writer-key-{os.getpid()}",
        SecretString=encode_signing_key(writer),
    )
    for name, value in moto_server.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("MAILLEDGER_CONFIG_PARAMETER", "/mailledger/test/config.yaml")
    monkeypatch.setenv("MAILLEDGER_WRITER_KEY_SECRET_ARN", secret["ARN"])
    monkeypatch.delenv("MAILLEDGER_SIGNING_KEY_SECRET_ARN", raising=False)
    monkeypatch.delenv("MAILLEDGER_WRITER_KEY", raising=False)

    context = build_handler_context()

    assert os.environ["MAILLEDGER_WRITER_KEY"] == encode_signing_key(writer)
    assert context is not None
