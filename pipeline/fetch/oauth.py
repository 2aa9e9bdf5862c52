"""OAuth2 access tokens for IMAP XOAUTH2 (Microsoft 365 and Gmail refuse passwords)."""

from __future__ import annotations

import subprocess

import httpx

from pipeline.errors import SecretError
from pipeline.fetch.settings import OAuth2Settings
from pipeline.secrets import read_secret


def access_token(config: OAuth2Settings, mailbox: str) -> str:
    """A fresh access token from the configured command or client-credentials flow."""
    if config.token_command:
        try:
            done = subprocess.run(
                config.token_command, capture_output=True, text=True, timeout=60, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SecretError(
                f"mailbox {mailbox}: OAuth2 token command failed to run: {exc}"
            ) from exc
        token = done.stdout.strip()
        if done.returncode != 0 or not token:
            raise SecretError(
                f"mailbox {mailbox}: OAuth2 token command exited {done.returncode}"
                " without printing a token"
            )
        return token
    if config.token_url and config.client_id:
        secret = read_secret(
            env=config.client_secret_env,
            file=config.client_secret_file,
            what=f"mailbox {mailbox} OAuth2 client secret",
        )
        form = {
            "grant_type": "client_credentials",
            "client_id": config.client_id,
            "client_secret": secret,
        }
        if config.scope:
            form["scope"] = config.scope
        try:
            response = httpx.post(config.token_url, data=form, timeout=30)
        except httpx.HTTPError as exc:
            raise SecretError(
                f"mailbox {mailbox}: OAuth2 token endpoint unreachable: {exc}"
            ) from exc
        if response.status_code != 200:
            raise SecretError(
                f"mailbox {mailbox}: OAuth2 token endpoint answered HTTP {response.status_code}"
            )
        token = response.json().get("access_token")
        if not isinstance(token, str) or not token:
            raise SecretError(f"mailbox {mailbox}: OAuth2 token response has no access_token")
        return token
    raise SecretError(f"mailbox {mailbox}: oauth2 needs token_command, or token_url and client_id")
