"""Damaged files in ``state_dir``, which holds caches and reports, never evidence.

The witness status file is a report: one that holds something other than what a relay
writes counts as missing (with a warning naming it). The identity cache is derived from
the ledger: a damaged one is named, with the advice to delete it, and deleting it is
enough, because the next command rebuilds it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pipeline.cli.app import cli
from pipeline.ledger import relay
from pipeline.ledger.relay import read_statuses
from tests.ledger.log_capture import captured_logs

MAIL = (
    b"From: b1@borrower.example\r\nTo: service@servicer.example\r\n"
    b"Subject: notice of error\r\nMessage-ID: <m1@borrower.example>\r\n"
    b"Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n\r\nPlease correct my escrow.\r\n"
)


def run(workdir: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(workdir / "config.yaml"), *args])


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An installation with one imported message."""
    root = tmp_path_factory.mktemp("env-state")
    (root / "config.yaml").write_text(
        "origin: env.example/ledger\nstate_dir: state\n"
        "storage:\n  backend: local\n  path: store\n  fsync: false\n"
        "signing:\n  key_file: keys/ledger.key\n  key_env: null\n"
        "worker:\n  parse_workers: 1\n",
        encoding="utf-8",
    )
    (root / "m1.eml").write_bytes(MAIL)
    assert run(root, "keygen").exit_code == 0
    imported = run(root, "import", str(root / "m1.eml"))
    assert imported.exit_code == 0, imported.output
    return root


@pytest.fixture
def status_file(workdir: Path) -> Iterator[Path]:
    path = workdir / "state" / "witnesses.json"
    yield path
    path.unlink(missing_ok=True)


# -- the witness status file -------------------------------------------------------------


def test_checkpoint_status_reads_a_status_file_holding_a_json_list_as_no_status(
    workdir: Path, status_file: Path
) -> None:
    status_file.write_text("[1, 2]", encoding="utf-8")
    result = run(workdir, "checkpoint", "--status")
    assert result.exit_code == 0, result.output
    assert result.stdout == "no witness has been given a checkpoint by this installation\n"


def test_verify_is_not_stopped_by_a_status_file_holding_a_json_list(
    workdir: Path, status_file: Path
) -> None:
    status_file.write_text("[1, 2]", encoding="utf-8")
    result = run(workdir, "verify")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 2 entries intact")


def test_a_status_whose_size_is_not_a_number_is_unreadable_and_the_warning_names_the_file(
    status_file: Path,
) -> None:
    status = {"name": "w", "kind": "tlog", "size": "ten", "wanted": 3}
    status_file.write_text(json.dumps({"w": status}), encoding="utf-8")
    with captured_logs(relay) as logs:
        assert read_statuses(status_file) == {}
    assert [(e["event"], e["path"]) for e in logs] == [
        ("witness.status_unreadable", str(status_file))
    ]


# -- the identity cache ------------------------------------------------------------------


def test_a_damaged_identity_cache_is_named_and_deleting_it_as_advised_is_enough(
    workdir: Path,
) -> None:
    cache = workdir / "state" / "identities.sqlite"
    cache.write_bytes(b"this is not an SQLite database, " * 64)
    damaged = run(workdir, "import", str(workdir / "m1.eml"))
    assert damaged.exit_code == 3
    assert damaged.stderr.count("\n") == 1
    named = re.search(r"the identity cache (\S+) is damaged", damaged.stderr)
    assert named is not None, damaged.stderr
    assert Path(named.group(1)) == cache
    assert "delete it (with its -wal and -shm files)" in damaged.stderr
    for suffix in ("", "-wal", "-shm"):
        Path(f"{named.group(1)}{suffix}").unlink(missing_ok=True)
    again = run(workdir, "import", str(workdir / "m1.eml"))
    assert again.exit_code == 0, again.output
    assert again.stdout.endswith("read 1, recorded 0, already recorded 1\n")
