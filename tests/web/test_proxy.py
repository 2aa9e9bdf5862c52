"""Behind a TLS proxy: X-Forwarded-* headers count only when the configured proxy sends them.

The app on a real ledger (no mailboxes needed), Flask's test client with the peer address
set per request, as a WSGI server sets REMOTE_ADDR.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pipeline.config import Config, parse_config
from pipeline.errors import ConfigError
from tests.ingest.conftest import make_deployment
from tests.web.conftest import HttpsClient, build_app, csrf
from tests.web.oidc_provider import oidc_section, query_of, running_provider

PROXY = "10.20.30.40"
STRANGER = "192.0.2.9"


def proxied_app(root: Path, **web: Any) -> Flask:
    deployment = make_deployment(
        root,
        [],
        extra={
            "web": {
                "workers": 1,
                "sign_in_limit": "2 per minute",
                "trusted_proxies": 1,
                "proxy_addresses": ["10.20.30.0/24"],
                **web,
            }
        },
    )
    return build_app(deployment)


def client_of(app: Flask) -> FlaskClient:
    app.test_client_class = HttpsClient
    return app.test_client()


def attempts(client: FlaskClient, peer: str, forwarded_for: list[str]) -> list[int]:
    """One wrong-password sign-in per forwarded address, all from ``peer``."""
    token = csrf(client, "/sign-in")
    return [
        client.post(
            "/sign-in",
            data={"csrf_token": token, "name": "nobody", "password": "wrong password here"},
            headers={"X-Forwarded-For": address},
            environ_base={"REMOTE_ADDR": peer},
        ).status_code
        for address in forwarded_for
    ]


def test_a_direct_client_cannot_escape_the_sign_in_limit_by_writing_x_forwarded_for(
    tmp_path: Path,
) -> None:
    client = client_of(proxied_app(tmp_path))
    codes = attempts(client, STRANGER, ["198.51.100.1", "198.51.100.2", "198.51.100.3"])
    assert codes == [401, 401, 429]  # one address to the limiter: the real peer


def test_the_configured_proxy_passes_each_clients_address_to_the_limiter(tmp_path: Path) -> None:
    client = client_of(proxied_app(tmp_path))
    codes = attempts(client, PROXY, ["198.51.100.1", "198.51.100.2", "198.51.100.3"])
    assert codes == [401, 401, 401]  # three clients, one attempt each


def test_forwarded_host_and_scheme_shape_the_sso_callback_address_only_from_the_proxy(
    tmp_path: Path,
) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s\n", encoding="utf-8")
    with running_provider() as provider:
        client = client_of(proxied_app(tmp_path / "app", oidc=oidc_section(provider, secret)))
        headers = {"X-Forwarded-Host": "records.servicer.example", "X-Forwarded-Proto": "https"}

        def callback_from(peer: str) -> str:
            answer = client.get(
                "/sign-in/sso",
                base_url="http://app.internal:8080",
                headers=headers,
                environ_base={"REMOTE_ADDR": peer},
            )
            assert answer.status_code == 302
            return query_of(answer.headers["Location"])["redirect_uri"]

        assert callback_from(PROXY) == "https://records.servicer.example/sign-in/sso/callback"
        assert callback_from(STRANGER) == "http://app.internal:8080/sign-in/sso/callback"


def test_trusted_proxies_without_proxy_addresses_is_refused_with_what_to_set() -> None:
    with pytest.raises(ConfigError, match="proxy_addresses"):
        parse_config("web:\n  trusted_proxies: 1\n")
    assert Config().web.trusted_proxies == 0
