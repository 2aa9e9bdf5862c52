"""``mailledger keygen``, ``verify`` and ``checkpoint`` through the click command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli.app import cli
from pipeline.ledger import layout
from pipeline.ledger.checkpoint import VerifierKey, verify_note
from pipeline.ledger.keys import read_signing_key
from pipeline.ledger.log import Ledger
from pipeline.storage.local import LocalStore
from tests.ledger.ledger_helpers import draft, edited, read_lines, remove, write_lines

ORIGIN = "cli.example/ledger"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "config.yaml").write_text(
        f"origin: {ORIGIN}\n"
        "storage:\n  backend: local\n  path: store\n  fsync: false\n"
        "signing:\n  key_file: keys/ledger.key\n  key_env: null\n"
    )
    return tmp_path


def run(workdir: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(workdir / "config.yaml"), *args])


def populated(workdir: Path, batches: int = 3) -> LocalStore:
    assert run(workdir, "keygen").exit_code == 0
    key = read_signing_key(env=None, file=workdir / "keys" / "ledger.key")
    store = LocalStore(workdir / "store", fsync=False)
    ledger = Ledger(store, ORIGIN, [key.verifier], key)
    for b in range(batches):
        ledger.append([draft(2 * b), draft(2 * b + 1)])
    return store


def test_keygen_writes_a_key_file_and_prints_its_verifier_key(workdir) -> None:
    result = run(workdir, "keygen")
    assert result.exit_code == 0, result.output
    vkey = VerifierKey.from_text(result.stdout.strip())
    assert vkey.name == ORIGIN
    key = read_signing_key(env=None, file=workdir / "keys" / "ledger.key")
    assert key is not None and key.verifier == vkey


def test_keygen_refuses_to_overwrite_an_existing_key(workdir) -> None:
    run(workdir, "keygen")
    before = (workdir / "keys" / "ledger.key").read_bytes()
    result = run(workdir, "keygen")
    assert result.exit_code == 2
    assert "never overwritten" in result.stderr
    assert (workdir / "keys" / "ledger.key").read_bytes() == before


def test_verify_exits_zero_on_an_intact_ledger(workdir) -> None:
    populated(workdir)
    result = run(workdir, "verify")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 6 entries intact, 3 checkpoints verified")


def test_verify_exits_one_and_names_the_first_bad_position_on_a_tampered_ledger(workdir) -> None:
    store = populated(workdir)
    lines = read_lines(store)
    lines[3] = (lines[3][0], edited(lines[3][1], body={"n": 3, "tampered": True}))
    write_lines(store, lines)
    result = run(workdir, "verify")
    assert result.exit_code == 1
    assert result.stdout.startswith("FAILED at position 3: modified:")


def test_verify_json_reports_the_first_problem(workdir) -> None:
    store = populated(workdir)
    lines = read_lines(store)
    del lines[2]
    write_lines(store, lines)
    result = run(workdir, "verify", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["size"] == 5
    assert report["first_problem"]["position"] == 2
    assert report["first_problem"]["fault"] == "missing"
    assert report["checkpoints_checked"] == 3


def test_verify_json_of_an_intact_ledger(workdir) -> None:
    populated(workdir)
    result = run(workdir, "verify", "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert (report["ok"], report["size"], report["problems"], report["unsigned_tail"]) == (
        True,
        6,
        [],
        0,
    )
    assert len(report["root"]) == 64


def test_verify_exits_two_on_an_unknown_config_option_naming_its_line(workdir) -> None:
    config = workdir / "config.yaml"
    config.write_text(config.read_text() + "storage_typo: 1\n")
    result = run(workdir, "verify")
    assert result.exit_code == 2
    assert "line 9" in result.stderr
    assert "storage_typo" in result.stderr
    assert "unknown option" in result.stderr


def test_checkpoint_out_saves_a_note_that_verifies(workdir) -> None:
    populated(workdir)
    out = workdir / "saved.note"
    result = run(workdir, "checkpoint", "--out", str(out))
    assert result.exit_code == 0, result.output
    key = read_signing_key(env=None, file=workdir / "keys" / "ledger.key")
    signed = verify_note(out.read_text(), [key.verifier], origin=ORIGIN)
    assert signed.checkpoint.size == 6


def test_verify_with_a_saved_checkpoint_detects_a_truncated_tail(workdir) -> None:
    store = populated(workdir)
    out = workdir / "saved.note"
    run(workdir, "checkpoint", "--out", str(out))
    for key in (layout.batch_key(4), layout.checkpoint_key(6)):
        remove(store, key)
    assert run(workdir, "verify").exit_code == 0  # the cut is invisible without the saved note
    result = run(workdir, "verify", "--checkpoint", str(out))
    assert result.exit_code == 1
    assert result.stdout.startswith("FAILED at position 4: missing:")
