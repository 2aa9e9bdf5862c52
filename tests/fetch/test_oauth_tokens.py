"""XOAUTH2 access tokens: from a configured command, or a client-credentials flow."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar
from urllib.parse import parse_qs

import pytest

from pipeline.config import OAuth2Config
from pipeline.errors import SecretError
from pipeline.fetch.oauth import access_token


class _TokenEndpoint(BaseHTTPRequestHandler):
    status = 200
    seen: ClassVar[list[dict[str, list[str]]]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        form = parse_qs(self.rfile.read(length).decode())
        type(self).seen.append(form)
        body = json.dumps({"access_token": "token-123", "token_type": "Bearer"}).encode()
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def token_url() -> Iterator[str]:
    _TokenEndpoint.status = 200
    _TokenEndpoint.seen = []
    server = HTTPServer(("127.0.0.1", 0), _TokenEndpoint)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/token"
    server.shutdown()


def test_token_command_output_is_the_token() -> None:
    config = OAuth2Config(token_command=[sys.executable, "-c", "print('abc.def')"])
    assert access_token(config, "servicing") == "abc.def"


def test_failing_token_command_names_the_mailbox_and_exit_status() -> None:
    config = OAuth2Config(token_command=[sys.executable, "-c", "import sys; sys.exit(3)"])
    with pytest.raises(SecretError, match="mailbox servicing: OAuth2 token command exited 3"):
        access_token(config, "servicing")


def test_client_credentials_flow_posts_the_client_and_scope(
    token_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_OAUTH_SECRET", "s3cr3t")
    config = OAuth2Config(
        token_url=token_url,
        client_id="client-1",
        client_secret_env="TEST_OAUTH_SECRET",
        scope="https://outlook.office365.com/.default",
    )
    assert access_token(config, "servicing") == "token-123"
    form = _TokenEndpoint.seen[0]
    assert form["grant_type"] == ["client_credentials"]
    assert form["client_id"] == ["client-1"]
    assert form["scope"] == ["https://outlook.office365.com/.default"]


def test_refused_client_credentials_error_gives_status_not_secret(
    token_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _TokenEndpoint.status = 401
    monkeypatch.setenv("TEST_OAUTH_SECRET", "s3cr3t")
    config = OAuth2Config(
        token_url=token_url, client_id="client-1", client_secret_env="TEST_OAUTH_SECRET"
    )
    with pytest.raises(SecretError) as error:
        access_token(config, "servicing")
    assert "HTTP 401" in str(error.value)
    assert "s3cr3t" not in str(error.value)


def test_missing_client_secret_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_OAUTH_SECRET", raising=False)
    config = OAuth2Config(
        token_url="http://127.0.0.1:9/token",
        client_id="client-1",
        client_secret_env="TEST_OAUTH_SECRET",
    )
    with pytest.raises(SecretError, match="TEST_OAUTH_SECRET is not set"):
        access_token(config, "servicing")
