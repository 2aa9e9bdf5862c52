"""Backfill: .eml files, mbox files and Maildir folders are recorded like polled mail,
marked as imported, and never acknowledged."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.ingest.conftest import Deployment, make_deployment


def _mail(number: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"Borrower {number} <b{number}@borrower.example>"
    message["To"] = "service@servicer.example"
    message["Subject"] = f"Old payoff request {number}"
    message["Message-ID"] = f"<old{number}@borrower.example>"
    message["Date"] = "Tue, 03 Mar 2020 10:00:00 -0500"
    message.set_content(f"Please send a payoff statement ({number}).")
    return bytes(message)


@pytest.fixture
def deployment(tmp_path: Path) -> Deployment:
    return make_deployment(tmp_path / "backfill", [])


def _records(deployment: Deployment) -> list[dict[str, object]]:
    return [dict(e.body) for e in deployment.records()]


def test_eml_mbox_and_maildir_are_all_recorded_as_imported(
    deployment: Deployment, tmp_path: Path
) -> None:
    eml_dir = tmp_path / "eml"
    eml_dir.mkdir()
    (eml_dir / "one.eml").write_bytes(_mail(1))
    box = mailbox.mbox(str(tmp_path / "old.mbox"))
    box.add(_mail(2))
    box.add(_mail(3))
    box.flush()
    maildir = mailbox.Maildir(str(tmp_path / "Maildir"))
    maildir.add(_mail(4))
    done = deployment.run(
        "import", str(eml_dir), str(tmp_path / "old.mbox"), str(tmp_path / "Maildir"), "--json"
    )
    assert done.returncode == 0, done.stderr
    records = _records(deployment)
    subjects = sorted(r["headers"]["subject"] for r in records)  # type: ignore[index]
    assert subjects == [f"Old payoff request {n}" for n in (1, 2, 3, 4)]
    assert all(r["source"]["imported"] for r in records)  # type: ignore[index]
    assert all(r["deadlines"] == [] for r in records)


def test_maildir_import_keeps_the_exact_bytes(deployment: Deployment, tmp_path: Path) -> None:
    maildir = mailbox.Maildir(str(tmp_path / "Maildir"))
    maildir.add(_mail(7))
    assert deployment.run("import", str(tmp_path / "Maildir")).returncode == 0
    record = deployment.records()[0]
    assert deployment.stored(record.body["raw"]["key"]) == _mail(7)


def test_importing_the_same_files_twice_records_nothing_new(
    deployment: Deployment, tmp_path: Path
) -> None:
    (tmp_path / "a.eml").write_bytes(_mail(5))
    assert deployment.run("import", str(tmp_path / "a.eml")).returncode == 0
    again = deployment.run("import", str(tmp_path / "a.eml"))
    assert again.returncode == 0
    assert "recorded 0, already recorded 1" in again.stdout
    assert len(deployment.records()) == 1


def test_imported_mail_is_never_acknowledged(deployment: Deployment, tmp_path: Path) -> None:
    (tmp_path / "a.eml").write_bytes(_mail(6))
    assert deployment.run("import", str(tmp_path / "a.eml")).returncode == 0
    assert deployment.run("dispatch").returncode == 0
    outbox = (deployment.root / "var" / "outbox" / "events.jsonl").read_text()
    assert '"needs_acknowledgment":false' in outbox.replace(" ", "")


def test_import_of_a_missing_path_is_a_usage_error(deployment: Deployment) -> None:
    done = deployment.run("import", "/nonexistent/backfill.mbox")
    assert done.returncode == 2
    assert "/nonexistent/backfill.mbox" in done.stderr
