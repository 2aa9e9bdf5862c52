"""``dispose`` needs a reason and a confirmation (or --yes), and never goes under the
configured retention floor; the shipped config sets retention."""

from __future__ import annotations

import os
import subprocess
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import load_config
from tests.ingest.conftest import MAILLEDGER, Deployment, make_deployment

REPO = Path(__file__).resolve().parents[2]


def _archive(root: Path, **retention: Any) -> Deployment:
    extra = {"retention": retention} if retention else {}
    deployment = make_deployment(root, [], extra=extra)
    message = EmailMessage()
    message["From"] = "b@borrower.example"
    message["Subject"] = "Old letter"
    message["Message-ID"] = "<old-letter@borrower.example>"
    message.set_content("Letter")
    eml = root / "old.eml"
    eml.write_bytes(bytes(message))
    assert deployment.run("import", str(eml)).returncode == 0
    return deployment


def _disposed(app: Deployment) -> int:
    return sum(1 for e in app.entries() if e.type == "record.disposed")


def _run_with_input(app: Deployment, answer: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MAILLEDGER), "--config", str(app.config_path), *args],
        input=answer,
        capture_output=True,
        text=True,
        env={**os.environ, **app.env},
        timeout=120,
        check=False,
    )


@pytest.fixture
def unguarded(tmp_path: Path) -> Deployment:
    """An archive whose floor is 0 days, so today's records may be disposed of."""
    return _archive(tmp_path / "archive", min_dispose_days=0)


def test_dispose_without_a_reason_is_refused_and_disposes_nothing(unguarded: Deployment) -> None:
    done = _run_with_input(unguarded, "y\n", "dispose", "--older-than", "0d")
    assert done.returncode == 2
    assert "--reason" in done.stderr
    assert _disposed(unguarded) == 0


def test_dispose_declined_at_the_prompt_disposes_nothing(unguarded: Deployment) -> None:
    done = _run_with_input(unguarded, "n\n", "dispose", "--older-than", "0d", "--reason", "x")
    assert done.returncode == 1
    assert "Dispose of the stored content of 1 records" in done.stderr
    assert _disposed(unguarded) == 0


def test_dispose_without_a_terminal_or_yes_disposes_nothing(unguarded: Deployment) -> None:
    done = _run_with_input(unguarded, "", "dispose", "--older-than", "0d", "--reason", "x")
    assert done.returncode == 1
    assert _disposed(unguarded) == 0


def test_dispose_confirmed_at_the_prompt_disposes(unguarded: Deployment) -> None:
    done = _run_with_input(unguarded, "y\n", "dispose", "--older-than", "0d", "--reason", "x")
    assert done.returncode == 0, done.stderr
    assert _disposed(unguarded) == 1


def test_dispose_under_the_default_six_year_floor_is_refused(tmp_path: Path) -> None:
    app = _archive(tmp_path / "archive")
    done = app.run("dispose", "--older-than", "0d", "--reason", "x", "--yes")
    assert done.returncode == 1
    assert "2190 days" in done.stderr and "min_dispose_days" in done.stderr
    assert _disposed(app) == 0


def test_dispose_at_the_floor_is_allowed(tmp_path: Path) -> None:
    app = _archive(tmp_path / "archive", min_dispose_days=30)
    done = app.run("dispose", "--older-than", "30d", "--reason", "x", "--yes")
    assert done.returncode == 0, done.stderr
    assert _disposed(app) == 0  # nothing that old; the period itself was accepted


def test_shipped_config_sets_retention_and_the_disposal_floor() -> None:
    config = load_config(REPO / "config.yaml")
    assert config.retention.min_dispose_days >= 2190
    assert getattr(config.storage, "retain_days", None) == 2557
