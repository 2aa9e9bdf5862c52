"""Files and folders mailledger creates are owner-only (0600/0700) under umask 022,
unless ``files.file_mode`` / ``files.dir_mode`` say otherwise."""

from __future__ import annotations

import os
import stat
import subprocess
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from tests.ingest.conftest import MAILLEDGER, Deployment, make_deployment


def _run(app: Deployment, *args: str) -> None:
    done = subprocess.run(
        [str(MAILLEDGER), "--config", str(app.config_path), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **app.env},
        timeout=120,
        check=False,
        preexec_fn=lambda: os.umask(0o022),  # the usual login umask
    )
    assert done.returncode == 0, (args, done.stderr[-2000:])


def _letter() -> bytes:
    message = EmailMessage()
    message["From"] = "pat@borrower.example"
    message["To"] = "service@servicer.example"
    message["Subject"] = "Escrow question, loan 1234567"
    message["Message-ID"] = "<escrow@borrower.example>"
    message.set_content("My escrow payment was misapplied.")
    return bytes(message)


def _everything(root: Path) -> set[Path]:
    return {root, *root.rglob("*")}


def _exercise(tmp_path: Path, extra: dict[str, Any]) -> tuple[Deployment, set[Path]]:
    app = make_deployment(
        tmp_path / "app",
        [],
        extra={"events": {"sinks": [{"kind": "jsonl", "path": "outbox/events.jsonl"}]}, **extra},
    )
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "one.eml").write_bytes(_letter())
    before = _everything(app.root)
    _run(app, "import", str(inbox))
    _run(app, "dispatch")
    _run(app, "search", "--text", "escrow")
    record_id = str(app.records()[0].body["record_id"])
    _run(app, "show", record_id, "--raw", "--out", str(app.root / "dump.eml"))
    _run(app, "export", "--out", str(app.root / "exam"), "--reason", "exam")
    _run(app, "export", "--out", str(app.root / "exam.zip"), "--reason", "exam")
    _run(app, "checkpoint", "--out", str(app.root / "checkpoint.txt"))
    created = _everything(app.root) - before
    return app, created


def _loose(paths: set[Path], file_bits: int, dir_bits: int) -> list[str]:
    out = []
    for path in sorted(paths):
        mode = stat.S_IMODE(path.lstat().st_mode)
        allowed = dir_bits if path.is_dir() else file_bits
        if mode & ~allowed:
            out.append(f"{path} {oct(mode)}")
    return out


def test_everything_created_under_umask_022_is_owner_only(tmp_path: Path) -> None:
    app, created = _exercise(tmp_path, {})
    names = {p.name for p in created}
    # the things the requirement names are all there, and so checked
    assert {"dump.eml", "exam", "exam.zip", "checkpoint.txt", "events.jsonl"} <= names
    assert any(p.is_relative_to(app.root / "store" / "objects") for p in created)
    assert any(p.is_relative_to(app.root / "state") for p in created)
    assert _loose(created, 0o600, 0o700) == []


def test_configured_modes_let_a_group_read(tmp_path: Path) -> None:
    _app, created = _exercise(tmp_path, {"files": {"file_mode": "0640", "dir_mode": "0750"}})
    assert _loose(created, 0o640, 0o750) == []
    dump = next(p for p in created if p.name == "dump.eml")
    assert stat.S_IMODE(dump.stat().st_mode) == 0o640
