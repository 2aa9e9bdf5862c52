"""`hold` and `dispose` as an operator runs them: ledger entries, store protection, verify.

Disposal counts a record's age from when the ledger recorded it, not from the Date
header a sender wrote (backfilled mail is kept at least as long as if it arrived now),
so these tests dispose with ``--older-than 0d`` (their config lowers the retention floor).
"""

from __future__ import annotations

import json
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.ingest.conftest import Deployment, make_deployment


def _mail(number: int, date: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"b{number}@borrower.example"
    message["Subject"] = f"Old letter {number}"
    message["Message-ID"] = f"<letter{number}@borrower.example>"
    message["Date"] = date
    message.set_content(f"Letter {number}")
    return bytes(message)


@pytest.fixture
def archive(tmp_path: Path) -> Deployment:
    deployment = make_deployment(
        tmp_path / "archive", [], extra={"retention": {"min_dispose_days": 0}}
    )
    folder = tmp_path / "letters"
    folder.mkdir()
    (folder / "1.eml").write_bytes(_mail(1, "Mon, 02 Mar 2015 10:00:00 -0500"))
    (folder / "2.eml").write_bytes(_mail(2, "Tue, 03 Mar 2015 10:00:00 -0500"))
    assert deployment.run("import", str(folder)).returncode == 0
    return deployment


def test_hold_add_protects_every_object_and_is_recorded(archive: Deployment) -> None:
    done = archive.run("hold", "add", "<letter1@borrower.example>", "--reason", "Smith v. Servicer")
    assert done.returncode == 0, done.stderr
    record = next(e for e in archive.records() if e.body["headers"]["subject"] == "Old letter 1")
    store = archive.runtime().store
    assert store.protection(record.body["raw"]["key"]).legal_hold is True
    added = [e for e in archive.entries() if e.type == "hold.added"]
    assert added[0].body["record_ids"] == [record.body["record_id"]]
    assert added[0].body["reason"] == "Smith v. Servicer"
    listing = json.loads(archive.run("hold", "list", "--json").stdout)
    assert json.dumps(listing).count(record.body["record_id"]) >= 1


def test_dispose_skips_held_records_and_disposes_the_rest(archive: Deployment) -> None:
    assert (
        archive.run("hold", "add", "<letter1@borrower.example>", "--reason", "matter").returncode
        == 0
    )
    done = archive.run(
        "dispose", "--older-than", "0d", "--reason", "schedule 4.2", "--yes", "--json"
    )
    assert done.returncode == 0, done.stderr
    disposed = [e for e in archive.entries() if e.type == "record.disposed"]
    subjects = {e.body["record_id"]: e.body["headers"]["subject"] for e in archive.records()}
    assert [subjects[e.body["record_id"]] for e in disposed] == ["Old letter 2"]
    verify = archive.run("verify")
    assert verify.returncode == 0, verify.stdout
    assert "disposed under policy" in verify.stdout


def test_dispose_dry_run_deletes_nothing(archive: Deployment) -> None:
    done = archive.run("dispose", "--older-than", "0d", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert not [e for e in archive.entries() if e.type == "record.disposed"]
    store = archive.runtime().store
    assert all(store.exists(e.body["raw"]["key"]) for e in archive.records())


def test_content_deleted_without_a_disposal_entry_fails_verify(archive: Deployment) -> None:
    record = archive.records()[0]
    path = archive.root / "store" / record.body["raw"]["key"]
    path.chmod(0o644)
    path.unlink()
    verify = archive.run("verify")
    assert verify.returncode == 1
    assert "content missing" in verify.stdout
