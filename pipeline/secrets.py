"""Secrets come from environment variables or files, never from the config file itself."""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.errors import SecretError


def read_secret(*, env: str | None, file: Path | None, what: str) -> str:
    """Return the secret named by ``env`` or ``file`` (env wins when both are set).

    Errors name the variable or file and what the secret is for, never its value.
    """
    if env:
        value = os.environ.get(env)
        if value:
            return value
        if file is None:
            raise SecretError(f"{what}: environment variable {env} is not set or empty")
    if file is not None:
        try:
            value = file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SecretError(f"{what}: cannot read secret file {file}: {exc.strerror}") from exc
        if not value:
            raise SecretError(f"{what}: secret file {file} is empty")
        return value
    raise SecretError(f"{what}: no secret configured (set an *_env or *_file option)")
