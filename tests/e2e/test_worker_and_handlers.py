"""End to end: the long-running worker on IMAP IDLE, and a message's way from Dovecot
through poll, dispatch and both handlers to the acknowledgment and escalation mail."""

from __future__ import annotations

import signal
import time
import urllib.request
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest

from pipeline.demo.processes import free_port
from tests.conftest import ImapAccount
from tests.harness.smtp_sink import SmtpSink
from tests.ingest.conftest import Deployment, mailbox_entry, make_deployment


def _mail(sender: str, subject: str, body: str, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "service@servicer.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<{abs(hash((sender, subject)))}@borrower.example>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return bytes(message)


def _wait_for(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def worker(tmp_path: Path, imap_user: ImapAccount) -> Deployment:
    port = free_port()
    return make_deployment(
        tmp_path / "worker",
        [mailbox_entry(imap_user)],
        extra={
            "metrics": {"textfile": None, "listen_host": "127.0.0.1", "listen_port": port},
            "worker": {"parse_workers": 1, "dispatch_after_poll": False, "idle_seconds": 10},
        },
    )


def test_run_records_mail_appended_while_it_waits_in_idle(
    worker: Deployment, imap_user: ImapAccount
) -> None:
    process = worker.popen("run")
    try:
        time.sleep(2)  # first cycle done, watcher in IDLE
        imap_user.server.append(
            imap_user.user, "INBOX", _mail("a@borrower.example", "Escrow", "Hi")
        )
        assert _wait_for(lambda: len(worker.records()) == 1, 20), "record not committed after IDLE"
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=20)
    assert code == 0
    assert worker.records()[0].body["headers"]["subject"] == "Escrow"


def test_run_serves_prometheus_metrics(worker: Deployment, imap_user: ImapAccount) -> None:
    imap_user.server.append(imap_user.user, "INBOX", _mail("b@borrower.example", "Hello", "Hi"))
    port = worker.config.metrics.listen_port
    process = worker.popen("run", "--no-idle")
    try:
        assert _wait_for(lambda: len(worker.records()) == 1, 20)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            text = response.read().decode()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    assert 'mailledger_messages_recorded_total{mailbox="inbox"} 1.0' in text
    assert "mailledger_last_success_timestamp_seconds" in text


def _serving(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=1):
            return True
    except OSError:
        return False


def test_sigterm_ends_a_running_worker_with_exit_status_zero(worker: Deployment) -> None:
    process = worker.popen("run")
    # /metrics is served once the worker is up; from then on SIGTERM must end it cleanly
    assert _wait_for(lambda: _serving(worker.config.metrics.listen_port), 30)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0


@pytest.fixture
def servicing(tmp_path: Path, imap_user: ImapAccount, smtp_inbox: SmtpSink) -> Deployment:
    transport = {
        "kind": "smtp",
        "host": smtp_inbox.host,
        "port": smtp_inbox.port,
        "tls": "starttls",
        "ca_file": str(smtp_inbox.ca_file),
        "username": smtp_inbox.user,
        "password_env": "MAILLEDGER_TEST_SMTP_PASSWORD",
    }
    deployment = make_deployment(
        tmp_path / "servicing",
        [mailbox_entry(imap_user)],
        extra={
            "worker": {"parse_workers": 1, "dispatch_after_poll": True},
            "events": {"sinks": [{"kind": "jsonl", "path": "outbox/events.jsonl"}]},
            "acknowledgment": {
                "from_address": "service@servicer.example",
                "from_name": "Customer Service",
                "portal_url": "https://portal.servicer.example/secure",
                "own_addresses": ["service@servicer.example"],
                "transport": transport,
            },
            "escalation": {
                "routes": {
                    "error-resolution": "errors@servicer.example",
                    "legal": "legal@servicer.example",
                    "complaints": "complaints@servicer.example",
                    "supervisor": "supervisor@servicer.example",
                    "loss-mitigation": "lossmit@servicer.example",
                    "bankruptcy": "legal@servicer.example",
                },
                "from_address": "service@servicer.example",
                "transport": transport,
            },
        },
    )
    deployment.env["MAILLEDGER_TEST_SMTP_PASSWORD"] = smtp_inbox.password
    return deployment


def test_poll_dispatch_and_handlers_acknowledge_escalate_and_seal_the_ledger(
    servicing: Deployment, imap_user: ImapAccount, smtp_inbox: SmtpSink
) -> None:
    notice = _mail(
        "James Carter <jcarter@borrower.example>",
        "Notice of error: late fee",
        "This is a notice of error. A late fee was charged in error. Account Number 5521904.",
    )
    auto_reply = _mail(
        "Out Of Office <tom@borrower.example>",
        "Automatic reply",
        "Away",
        Auto_Submitted="auto-replied",
    )
    imap_user.server.append_many(imap_user.user, "INBOX", [notice, auto_reply])

    assert servicing.run("poll").returncode == 0
    ack = servicing.run("handle", "acknowledge")
    escalate = servicing.run("handle", "escalate")
    assert ack.returncode == 0, ack.stdout + ack.stderr
    assert escalate.returncode == 0, escalate.stdout + escalate.stderr

    received = smtp_inbox.wait_for(2, timeout=10)
    by_rcpt = {tuple(m.rcpt_tos): message_from_bytes(m.raw, policy=default) for m in received}
    acknowledgment = by_rcpt[("jcarter@borrower.example",)]
    original_id = message_from_bytes(notice, policy=default)["Message-ID"]
    assert acknowledgment["Auto-Submitted"] == "auto-replied"
    assert acknowledgment["In-Reply-To"] == original_id
    assert "[Ref ML-" in acknowledgment["Subject"]
    assert "5521904" not in acknowledgment.as_string()
    assert ("errors@servicer.example",) in by_rcpt
    assert ("tom@borrower.example",) not in by_rcpt

    types = [e.type for e in servicing.entries()]
    assert types.count("acknowledgment.sent") == 1
    assert types.count("acknowledgment.skipped") == 1
    assert types.count("escalation.notified") >= 1
    assert servicing.verify().returncode == 0


def test_handlers_run_twice_send_nothing_twice(
    servicing: Deployment, imap_user: ImapAccount, smtp_inbox: SmtpSink
) -> None:
    imap_user.server.append(
        imap_user.user,
        "INBOX",
        _mail(
            "Ana Ruiz <ana@borrower.example>",
            "Pregunta sobre mi pago",
            "Hola, ¿recibieron mi pago?",
        ),
    )
    assert servicing.run("poll").returncode == 0
    for _ in range(2):
        done = servicing.run("handle", "acknowledge")
        assert done.returncode == 0, done.stdout + done.stderr
    time.sleep(0.5)
    assert len(smtp_inbox.messages()) == 1
    spanish = message_from_bytes(smtp_inbox.messages()[0].raw, policy=default)
    assert spanish["Subject"].startswith("Recibimos su mensaje")


def test_run_reconnects_after_the_imap_server_restarts(
    worker: Deployment, imap_user: ImapAccount
) -> None:
    process = worker.popen("run")
    try:
        assert _wait_for(lambda: _serving(worker.config.metrics.listen_port), 30)
        imap_user.server.restart(hard=True)
        # The first write after a kill may wait on what the killed server left behind,
        # longer than the 10 s a test's own append allows by default on a loaded machine.
        imap_user.server.append(
            imap_user.user, "INBOX", _mail("c@borrower.example", "After", "x"), timeout=60
        )
        assert _wait_for(lambda: len(worker.records()) == 1, 60), "not recorded after restart"
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
    assert code == 0
