"""XOAUTH2 against a real Dovecot that checks tokens with an RFC 7662 introspection endpoint."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from pipeline.demo.dovecot import DovecotServer, dovecot_available
from tests.conftest import ImapAccount
from tests.ingest.conftest import mailbox_entry, make_deployment

GOOD_TOKEN = "good-token-0123"
USER = "oauth-user"


class _Introspection(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        active = form.get("token") == [GOOD_TOKEN]
        body = json.dumps({"active": active, "username": USER} if active else {"active": False})
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def oauth_dovecot() -> Iterator[DovecotServer]:
    if not dovecot_available():
        pytest.skip("dovecot is not installed (scripts/install-system-deps.sh)")
    endpoint = HTTPServer(("127.0.0.1", 0), _Introspection)
    threading.Thread(target=endpoint.serve_forever, daemon=True).start()
    # its own temporary root: Dovecot's unprivileged processes must be able to enter it
    server = DovecotServer(
        oauth2_introspection_url=f"http://127.0.0.1:{endpoint.server_address[1]}/"
    )
    server.start()
    server.add_user(USER)
    message = EmailMessage()
    message["From"] = "b@borrower.example"
    message["Subject"] = "Escrow question"
    message.set_content("Why did my payment change?")
    server.append(USER, "INBOX", bytes(message))
    yield server
    server.close()
    endpoint.shutdown()


def _deployment(tmp_path: Path, server: DovecotServer, token: str) -> object:
    account = ImapAccount(server=server, user=USER, password="unused")
    item, _env = mailbox_entry(account, tls="starttls")
    item.pop("password_env")
    item["auth"] = "xoauth2"
    item["oauth2"] = {"token_command": [sys.executable, "-c", f"print({token!r})"]}
    return make_deployment(tmp_path, [(item, {})])


def test_poll_logs_in_with_an_xoauth2_token_and_records_the_mail(
    tmp_path: Path, oauth_dovecot: DovecotServer
) -> None:
    deployment = _deployment(tmp_path, oauth_dovecot, GOOD_TOKEN)
    report = deployment.poll_json()  # type: ignore[attr-defined]
    assert report["mailboxes"][0]["recorded"] == 1
    subjects = [e.body["headers"]["subject"] for e in deployment.records()]  # type: ignore[attr-defined]
    assert subjects == ["Escrow question"]


def test_a_token_the_server_rejects_fails_that_mailbox_with_its_name(
    tmp_path: Path, oauth_dovecot: DovecotServer
) -> None:
    deployment = _deployment(tmp_path, oauth_dovecot, "expired-token")
    report = deployment.poll_json(expect=1)  # type: ignore[attr-defined]
    errors = report["mailboxes"][0]["errors"]
    assert errors and errors[0].startswith("mailbox inbox: cannot connect or log in")
    assert "expired-token" not in json.dumps(report)
