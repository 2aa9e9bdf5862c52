"""A real OpenID provider for the web tests (oidc-provider-mock), and a site that uses it.

The provider is served on 127.0.0.1 (the app under test is on ``localhost``, another
site to a browser, as a real provider is). Its people are set with ``PUT /users/<sub>``;
every claim given there goes into their ID tokens as given, which is how tests make a
provider-signed token with the wrong audience.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import oidc_provider_mock
import werkzeug.serving

from tests.ingest.conftest import Deployment, make_deployment

CLIENT_ID = "mailledger-records"
GROUPS = {
    "officer": "grp-records",
    "supervisor": "grp-compliance",
    "examiner": "grp-exam",
    "admin": "grp-admins",
}
ROLE_GROUPS = {
    "grp-records": ["records_officer"],
    "grp-compliance": ["compliance_supervisor"],
    "grp-exam": ["examiner"],
    "grp-admins": ["administrator"],
}


@dataclass
class Provider:
    """The running provider."""

    issuer: str

    def put_user(self, sub: str, **claims: Any) -> None:
        """Set the claims the provider gives ``sub`` (replacing earlier ones)."""
        done = httpx.put(f"{self.issuer}/users/{quote(sub, safe='')}", json=claims, timeout=10)
        assert done.status_code == 204, done.text

    def approve(self, authorize_url: str, sub: str) -> str:
        """Sign ``sub`` in at the provider's page; returns where it sends the browser back."""
        assert authorize_url.startswith(self.issuer), authorize_url
        done = httpx.post(authorize_url, data={"sub": sub}, timeout=10)
        assert done.status_code == 302, done.text
        return done.headers["location"]


@contextmanager
def running_provider() -> Iterator[Provider]:
    """The provider on a free port of 127.0.0.1, until the block ends."""
    server = werkzeug.serving.make_server(
        "127.0.0.1", 0, oidc_provider_mock.app(require_nonce=True), threaded=True
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield Provider(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(10)
        server.server_close()


def oidc_section(provider: Provider, secret_file: Path, **overrides: Any) -> dict[str, Any]:
    """The ``web.oidc`` config for ``provider``."""
    section: dict[str, Any] = {
        "issuer": provider.issuer,
        "client_id": CLIENT_ID,
        "client_secret_file": str(secret_file),
        "groups_claim": "groups",
        "role_groups": ROLE_GROUPS,
        "allowed_domains": ["servicer.example"],
    }
    section.update(overrides)
    return section


def oidc_deployment(root: Path, provider: Provider, **overrides: Any) -> Deployment:
    """A deployment (no mailboxes) whose web app signs in through ``provider``."""
    root.mkdir(parents=True, exist_ok=True)
    secret = root / "oidc-client-secret"
    secret.write_text("not-checked-by-the-test-provider\n", encoding="utf-8")
    return make_deployment(
        root,
        [],
        extra={
            "web": {
                "workers": 1,
                "sign_in_limit": "10000 per minute",
                "oidc": oidc_section(provider, secret, **overrides),
            }
        },
    )


def query_of(url: str) -> dict[str, str]:
    """The query parameters of ``url`` (each once)."""
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
