"""Runs the demo: a local Dovecot with sample mail, a local SMTP sink, and every
step of the pipeline as the real commands an operator would type."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import click

from pipeline.demo.dovecot import DovecotServer
from pipeline.demo.processes import free_port, port_accepts
from pipeline.demo.samples import SERVICER, agent_reply, sample_messages
from pipeline.demo.smtp import LocalSmtpSink
from pipeline.errors import ConfigError

PASSWORD_ENV = "MAILLEDGER_DEMO_IMAP_PASSWORD"  # noqa: S105 -- the variable name, not a secret
WEB_PASSWORD_ENV = "MAILLEDGER_DEMO_WEB_PASSWORD"  # noqa: S105 -- the variable name
WEB_USER = "demo"
WEB_PASSWORD = "demo-records-2026"  # noqa: S105 -- printed on screen: a local demo's sign-in
WEB_PORT = 8080


def _config_text(root: Path, imap: DovecotServer, user: str, smtp_port: int) -> str:
    return f"""# Written by `mailledger demo`: a local IMAP server and SMTP sink on this machine.
origin: demo.mailledger.example/servicing
state_dir: {root}/state
storage: {{backend: local, path: {root}/store}}
signing: {{key_file: {root}/keys/ledger.key, key_env: null}}
mailboxes:
  - name: servicing
    host: {imap.host}
    port: {imap.port}
    tls: starttls
    ca_file: {imap.tls.ca_file}
    username: {user}
    password_env: {PASSWORD_ENV}
    after_record: {{action: flag, flag: $Recorded}}
  - name: servicing-sent
    host: {imap.host}
    port: {imap.port}
    tls: starttls
    ca_file: {imap.tls.ca_file}
    username: {user}
    password_env: {PASSWORD_ENV}
    folders: [Sent]
    direction: outbound
events:
  sinks: [{{kind: jsonl, path: {root}/outbox/events.jsonl}}]
acknowledgment:
  from_address: {SERVICER}
  from_name: Customer Service
  portal_url: https://portal.servicer.example/secure-messages
  own_addresses: [{SERVICER}]
  transport: {{kind: smtp, host: 127.0.0.1, port: {smtp_port}, tls: none, allow_plaintext: true}}
escalation:
  routes:
    error-resolution: error-resolution@servicer.example
    legal: legal@servicer.example
    bankruptcy: legal@servicer.example
    complaints: complaints@servicer.example
    loss-mitigation: loss-mitigation@servicer.example
    supervisor: supervisor@servicer.example
    fraud: fraud@servicer.example
  from_address: {SERVICER}
  transport: {{kind: smtp, host: 127.0.0.1, port: {smtp_port}, tls: none, allow_plaintext: true}}
metrics: {{textfile: {root}/metrics/mailledger.prom, listen_port: 0}}
logging: {{level: warning}}
"""


# The sample messages (pipeline.demo.samples.sample_messages) the demo shows in detail:
# the Spanish sender, and the positions of two English messages in the inbox.
SPANISH_SENDER = "ana.ruiz@example.org"
NOE_IN_OWN_WORDS = 14
NEGATED_COMPLAINT = 15


def _show_acknowledgment(smtp: LocalSmtpSink, to: str, title: str, lines: int = 4) -> None:
    """Print the subject and first body lines of the acknowledgment sent to ``to``."""
    from email import message_from_bytes
    from email.message import EmailMessage
    from email.policy import default

    click.secho(f"\n## {title}", bold=True)
    for mail in smtp.messages():
        if to in mail.rcpt_tos:
            parsed = message_from_bytes(mail.raw, policy=default)
            assert isinstance(parsed, EmailMessage)
            part = parsed.get_body(("plain",))
            text = part.get_content() if isinstance(part, EmailMessage) else ""
            click.echo(f"  Subject: {mail.subject}")
            click.echo(f"  Content-Language: {parsed['Content-Language']}")
            body = [line for line in text.replace("\r\n", "\n").splitlines() if line.strip()]
            for line in body[:lines]:
                click.echo(f"  | {line}")
            return
    click.echo(f"  no acknowledgment was sent to {to}")


def _message_id(raw: bytes) -> str:
    from email import message_from_bytes

    return str(message_from_bytes(raw)["Message-ID"])


class Demo:
    """Runs each step as a subprocess, printing the command first."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        self.env = env
        self.config = root / "config.yaml"

    def step(self, title: str, *args: str, ok_codes: tuple[int, ...] = (0,)) -> str:
        """Run ``mailledger --config ... ARGS`` and echo its output."""
        click.secho(f"\n## {title}", bold=True)
        shown = " ".join(
            shlex.quote(a) for a in ("mailledger", "--config", str(self.config), *args)
        )
        click.secho(f"$ {shown}", fg="cyan")
        done = subprocess.run(
            [sys.executable, "-m", "pipeline", "--config", str(self.config), *args],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        output = (done.stdout + done.stderr).rstrip()
        if output:
            click.echo(output)
        if done.returncode not in ok_codes:
            raise click.ClickException(f"step '{title}' exited {done.returncode}")
        return done.stdout


@contextmanager
def demo_servers(root: Path) -> Iterator[tuple[DovecotServer, str, LocalSmtpSink, list[bytes]]]:
    """A seeded Dovecot and an SMTP sink, stopped afterwards."""
    (root / "imap").mkdir(parents=True, exist_ok=True)
    imap = DovecotServer(root / "imap")
    try:
        imap.start()
    except (OSError, RuntimeError) as exc:
        raise ConfigError(
            f"could not start a local Dovecot for the demo ({exc}); install it with"
            " 'bash scripts/install-system-deps.sh' (Debian package dovecot-imapd)"
        ) from exc
    smtp = LocalSmtpSink(root / "smtp")
    try:
        user = imap.add_user("servicing")
        inbox = sample_messages()
        imap.append_many(user, "INBOX", inbox)
        imap.create_folder(user, "Sent")
        imap.append(user, "Sent", agent_reply(inbox[1], datetime.now(UTC)))
        smtp.start()
        yield imap, user, smtp, inbox
    finally:
        smtp.stop()
        imap.close()


def serve_web(demo: Demo) -> None:
    """Serve the records web app on the demo's ledger.

    At a terminal it runs until interrupted; without one (CI, tests) it stops
    after checking that the app answers.
    """
    port = WEB_PORT if not port_accepts(WEB_PORT) else free_port()
    command = [sys.executable, "-m", "pipeline", "--config", str(demo.config), "serve"]
    click.secho("\n## The records web app", bold=True)
    click.secho(f"$ mailledger --config {demo.config} serve --port {port}", fg="cyan")
    server = subprocess.Popen([*command, "--port", str(port)], env=demo.env)
    try:
        if not _answers(f"http://localhost:{port}/healthz", server):
            raise click.ClickException("the web app did not answer; see the messages above")
        click.secho(
            f"\nRecords web app: http://localhost:{port}/  sign in as {WEB_USER!r},"
            f" password {WEB_PASSWORD!r}",
            bold=True,
        )
        if sys.stdin.isatty():
            click.echo("Press Ctrl-C to stop it.")
            try:
                server.wait()
            except KeyboardInterrupt:
                click.echo("")
        else:
            click.echo("The app answered; no terminal, so it is stopped now.")
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=30)


def _answers(url: str, server: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 -- localhost
                return bool(response.status == 200)
        except OSError:
            time.sleep(0.3)
    return False


def run_demo(root: Path) -> None:
    """The whole demo."""
    root = root.resolve()
    marker = root / ".mailledger-demo"
    if marker.exists():
        # A previous demo's folder: start again from nothing so every run shows the same steps.
        shutil.rmtree(root)
    elif root.exists() and any(root.iterdir()):
        raise ConfigError(f"{root} is not empty and not a demo folder; pass another --dir")
    root.mkdir(parents=True, exist_ok=True)
    marker.write_text("written by mailledger demo; removed by the next demo run\n")
    with demo_servers(root) as (imap, user, smtp, inbox):
        (root / "config.yaml").write_text(_config_text(root, imap, user, smtp.port))
        env = {**os.environ, PASSWORD_ENV: imap.password(user), WEB_PASSWORD_ENV: WEB_PASSWORD}
        demo = Demo(root, env)
        click.secho(
            f"Local IMAP server on {imap.host}:{imap.port} with {imap.message_count(user)}"
            f" sample messages; SMTP sink on 127.0.0.1:{smtp.port}; records under {root}",
            bold=True,
        )
        demo.step("Create the checkpoint signing key", "keygen")
        demo.step("Poll the mailbox (fetch, parse, check, record, dispatch events)", "poll")
        demo.step("Poll again: nothing is recorded twice", "poll")
        demo.step("Acknowledge senders (loop-safe, at most once)", "handle", "acknowledge")
        demo.step("Notify escalation routes", "handle", "escalate")
        demo.step("Verify the whole ledger", "verify")
        demo.step(
            "Save the signed checkpoint for the records officer",
            "checkpoint",
            "--out",
            str(root / "checkpoint.txt"),
        )
        demo.step("Find escalated messages", "search", "--escalated")
        notice = _message_id(inbox[1])
        demo.step("The audit trail of the notice of error", "trail", notice, "--reason", "demo")
        demo.step(
            "A notice of error in the borrower's own words (no 'notice of error' in it)",
            "trail",
            _message_id(inbox[NOE_IN_OWN_WORDS]),
            "--reason",
            "demo",
        )
        demo.step(
            "A false alarm: the only escalation word is negated, and the trail says why",
            "trail",
            _message_id(inbox[NEGATED_COMPLAINT]),
            "--reason",
            "demo",
        )
        demo.step(
            "The original bytes, exactly as received",
            "show",
            notice,
            "--raw",
            "--out",
            str(root / "original.eml"),
            "--reason",
            "demo",
        )
        demo.step("Cases and their deadlines", "cases")
        demo.step("SLA report", "report", "sla")
        demo.step(
            "SLA report as a self-contained HTML page with charts",
            "report",
            "sla",
            "--format",
            "html",
            "--out",
            str(root / "sla-report.html"),
        )
        demo.step(
            "Examination export for a regulator",
            "export",
            "--out",
            str(root / "examination.zip"),
            "--reason",
            "demo examination",
            "--public-key-out",
            str(root / "public-key.txt"),
        )
        demo.step(
            "Verify the export as the regulator would",
            "verify-export",
            str(root / "examination.zip"),
            "--public-key",
            str(root / "public-key.txt"),
        )
        demo.step(
            "Verify the ledger against the saved checkpoint",
            "verify",
            "--checkpoint",
            str(root / "checkpoint.txt"),
        )
        click.secho(f"\n## Mail the SMTP sink received: {len(smtp.messages())}", bold=True)
        for envelope in smtp.messages()[:6]:
            click.echo(f"  to {', '.join(envelope.rcpt_tos)}: {envelope.subject}")
        _show_acknowledgment(smtp, SPANISH_SENDER, "The Spanish sender's acknowledgment")
        demo.step(
            "A sign-in for the records web app (supervisor and administrator)",
            "web",
            "user",
            "add",
            WEB_USER,
            "--role",
            "compliance_supervisor",
            "--role",
            "administrator",
            "--password-env",
            WEB_PASSWORD_ENV,
            "--reason",
            "demo",
        )
    click.secho(f"\nDone. Try: mailledger --config {root}/config.yaml verify --json", bold=True)
    serve_web(demo)
