"""A records site for the web tests: real mail APPENDed to Dovecot, polled by the CLI.

``site`` (one per test module) is a deployment whose ledger holds the demo's servicing
mail plus a hostile message (script-laden HTML, markup in headers), and four local
accounts, one per role, created with ``mailledger web user add``. ``client(role)``
signs in with Flask's test client against the app built from that deployment.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pipeline.demo.samples import sample_messages
from pipeline.runtime import open_runtime
from pipeline.web.app import create_app
from tests.conftest import ImapAccount
from tests.harness.dovecot import DovecotServer
from tests.ingest.conftest import Deployment, mailbox_entry, make_deployment

PASSWORD = "correct horse battery staple"
ROLES = {
    "officer": "records_officer",
    "supervisor": "compliance_supervisor",
    "examiner": "examiner",
    "admin": "administrator",
}
HOSTILE_SUBJECT = '<script>window.pwned=1</script> Notice of error "><img src=x onerror=alert(1)>'
HOSTILE_NAME = '<img src=x onerror="window.pwned=2">'


def hostile_message() -> bytes:
    """A notice of error whose HTML part and headers try to run script and load remotely."""
    message = EmailMessage()
    message["From"] = f'"{HOSTILE_NAME}" <attacker@hostile.example>'
    message["To"] = "service@servicer.example"
    message["Subject"] = HOSTILE_SUBJECT
    message["Message-ID"] = "<hostile-1@hostile.example>"
    message["Date"] = "Mon, 30 Nov 2026 09:00:00 -0500"
    message.set_content(
        "I am writing to dispute an error on my mortgage account 1234567890. "
        "This is a notice of error under RESPA."
    )
    message.add_alternative(
        "<html><head><script>window.pwned=3</script><style>body{background:url(https://tracker.example/s.png)}</style>"
        '<meta http-equiv="refresh" content="0;url=https://phish.example/"></head>'
        '<body onload="window.pwned=4"><p>Notice of <b>error</b> on my loan.</p>'
        '<img src="https://tracker.example/pixel.gif" alt="">'
        '<a href="javascript:window.pwned=5">click</a>'
        '<iframe src="https://phish.example/"></iframe>'
        '<form action="https://phish.example/"><input name="ssn"></form>'
        '<svg onload="window.pwned=6"></svg></body></html>',
        subtype="html",
    )
    return bytes(message)


class HttpsClient(FlaskClient):
    """A test client that speaks HTTPS (the session cookie is Secure) from a same-origin page."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("base_url", "https://localhost")
        headers = dict(kwargs.pop("headers", None) or {})
        headers.setdefault("Referer", "https://localhost/")
        kwargs["headers"] = headers
        return super().open(*args, **kwargs)


@dataclass
class Site:
    """A deployment with records and accounts, and the app built on it."""

    deployment: Deployment
    app: Flask
    record_ids: list[str]
    hostile_id: str

    def client(self, role: str | None = None) -> FlaskClient:
        """A test client over HTTPS, signed in as the account of ``role`` (None: anonymous)."""
        self.app.test_client_class = HttpsClient
        client = self.app.test_client()
        if role is not None:
            sign_in(client, role)
        return client

    def entries(self) -> list[Any]:
        """Every ledger entry, in order."""
        return self.deployment.entries()

    def entries_of(self, type_: str) -> list[Any]:
        """Entries of one type."""
        return [e for e in self.entries() if e.type == type_]


def csrf(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form on ``path``."""
    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: FlaskClient, role: str, password: str = PASSWORD) -> Any:
    """Post the sign-in form as the account of ``role``."""
    token = csrf(client, "/sign-in")
    return client.post(
        "/sign-in",
        data={"csrf_token": token, "name": role, "password": password},
    )


def seed_site(
    root: Path, dovecot: DovecotServer, extra: list[bytes] = ()
) -> tuple[Deployment, list[str], str]:  # type: ignore[assignment]
    """Deliver the demo mail and the hostile message, poll, and create one account per role."""
    user = f"web-{uuid.uuid4().hex[:8]}"
    dovecot.add_user(user)
    account = ImapAccount(server=dovecot, user=user, password=dovecot.password(user))
    now = datetime.now(UTC)
    for raw in [*sample_messages(now), hostile_message(), *extra]:
        dovecot.append(user, "INBOX", raw)
    deployment = make_deployment(
        root,
        [mailbox_entry(account)],
        # many sign-ins per minute from one address: the limit has its own test
        extra={
            "web": {"session_idle_minutes": 30, "workers": 1, "sign_in_limit": "10000 per minute"}
        },
    )
    deployment.poll_json()
    env = {"WEB_TEST_PASSWORD": PASSWORD}
    deployment.env.update(env)
    for name, role in ROLES.items():
        done = deployment.run(
            "web", "user", "add", name, "--role", role, "--password-env", "WEB_TEST_PASSWORD"
        )
        assert done.returncode == 0, done.stderr
    records = [e for e in deployment.records()]
    hostile = next(e for e in records if "hostile.example" in str(e.body["headers"]["from"]))
    return deployment, [e.body["record_id"] for e in records], hostile.body["record_id"]


def build_app(deployment: Deployment, web: dict[str, Any] | None = None, **kwargs: Any) -> Flask:
    """The app on the deployment's store and ledger (writable: views append).

    ``web`` overrides settings of the config's ``web`` section.
    """
    config = deployment.config
    if web:
        config = config.model_copy(update={"web": config.web.model_copy(update=web)})
    app = create_app(config, runtime=open_runtime(config, writable=True), **kwargs)
    app.config["TESTING"] = False  # keep CSRF and rate limits on, as served
    return app


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, dovecot: DovecotServer) -> Iterator[Site]:
    """One seeded site per test module."""
    root = tmp_path_factory.mktemp("site")
    deployment, ids, hostile = seed_site(root, dovecot)
    yield Site(deployment, build_app(deployment), ids, hostile)


RouteCall = Callable[[FlaskClient], Any]
