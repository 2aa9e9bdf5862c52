"""A local cache ahead of the ledger is a loud failure, never a silent rebuild."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli.app import cli
from pipeline.ledger import layout
from pipeline.storage.local import LocalStore
from tests.ledger.ledger_helpers import remove

ORIGIN = "cli.example/ledger"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "config.yaml").write_text(
        f"origin: {ORIGIN}\nstate_dir: state\n"
        "storage:\n  backend: local\n  path: store\n  fsync: false\n"
        "signing:\n  key_file: keys/ledger.key\n  key_env: null\n"
    )
    return tmp_path


def run(workdir: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(workdir / "config.yaml"), *args])


def _import(workdir: Path, n: int) -> None:
    mail = workdir / f"{n}.eml"
    mail.write_bytes(
        (
            f"From: b{n}@borrower.example\r\nTo: service@servicer.example\r\n"
            f"Subject: notice of error {n}\r\nMessage-ID: <m{n}@borrower.example>\r\n"
            f"Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n\r\nPlease correct my escrow ({n}).\r\n"
        ).encode()
    )
    result = run(workdir, "import", str(mail))
    assert result.exit_code == 0, result.output


def _cut_last_import(workdir: Path) -> tuple[int, int]:
    """Import two messages, search (so the index holds both), then cut every batch and
    checkpoint the second import wrote (its seal and its record) the way an insider with
    write access to the store would; returns the indexed size and the size left."""
    assert run(workdir, "keygen").exit_code == 0
    _import(workdir, 1)
    store = LocalStore(workdir / "store", fsync=False)
    kept = set(store.list(layout.ENTRIES)) | set(store.list(layout.CHECKPOINTS))
    _import(workdir, 2)
    assert run(workdir, "search").exit_code == 0
    added = (set(store.list(layout.ENTRIES)) | set(store.list(layout.CHECKPOINTS))) - kept
    batches = sorted(k for k in added if k.startswith(layout.ENTRIES))
    assert len(batches) == 2  # the seal, then the assembled record
    cut_to = min(layout.seq_of(k) or 0 for k in batches)
    indexed = max(layout.seq_of(k) or 0 for k in added if k.startswith(layout.CHECKPOINTS))
    for key in added:
        remove(store, key)
    return indexed, cut_to


def test_search_fails_in_one_line_when_the_index_is_ahead_of_a_cut_ledger(workdir) -> None:
    indexed, cut_to = _cut_last_import(workdir)
    result = run(workdir, "search")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert f"search index records {indexed} ledger entries but the ledger has {cut_to}" in (
        result.stderr
    )
    assert "run 'mailledger verify'" in result.stderr
    assert "'mailledger index --rebuild'" in result.stderr


def test_the_index_stays_ahead_until_it_is_rebuilt_explicitly(workdir) -> None:
    _cut_last_import(workdir)
    assert run(workdir, "search").exit_code == 1
    assert run(workdir, "search").exit_code == 1  # a failed sync kept the evidence
    rebuilt = run(workdir, "index", "--rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    result = run(workdir, "search")
    assert result.exit_code == 0, result.output
    assert "notice of error 1" in result.stdout
    assert "notice of error 2" not in result.stdout


def test_import_fails_in_one_line_when_the_identity_cache_is_ahead_of_the_ledger(
    workdir,
) -> None:
    assert run(workdir, "keygen").exit_code == 0
    _import(workdir, 1)
    store = LocalStore(workdir / "store", fsync=False)
    kept = set(store.list(layout.ENTRIES)) | set(store.list(layout.CHECKPOINTS))
    _import(workdir, 2)
    _import(workdir, 3)  # its sync stored the size after message 2 in the identity cache
    added = (set(store.list(layout.ENTRIES)) | set(store.list(layout.CHECKPOINTS))) - kept
    cut_to = min(layout.seq_of(k) or 0 for k in added if k.startswith(layout.ENTRIES))
    for key in added:
        remove(store, key)
    result = run(workdir, "import", str(workdir / "2.eml"))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "identity cache records" in result.stderr
    assert f"ledger entries but the ledger has {cut_to}" in result.stderr


def test_the_cut_message_is_imported_again_after_an_explicit_rebuild(workdir) -> None:
    _cut_last_import(workdir)
    assert run(workdir, "index", "--rebuild").exit_code == 0
    result = run(workdir, "import", "--json", str(workdir / "2.eml"))
    assert result.exit_code == 0, result.output
    assert run(workdir, "search", "--text", "escrow").stdout.count("notice of error") == 2


def test_search_before_anything_is_recorded_says_so_and_creates_no_state_folder(
    workdir,
) -> None:
    assert run(workdir, "keygen").exit_code == 0
    result = run(workdir, "search")
    assert result.exit_code == 2, result.output
    assert "does not exist: nothing has been recorded there" in result.output
    assert not (workdir / "state").exists()


def test_verify_finds_a_cut_tail_against_the_witness_folder(workdir) -> None:
    config = workdir / "config.yaml"
    config.write_text(config.read_text() + "ledger:\n  witness_dir: witness\n")
    _, cut_to = _cut_last_import(workdir)
    witnessed = sorted(LocalStore(workdir / "witness").list(layout.CHECKPOINTS))
    indexed = layout.seq_of(witnessed[-1])
    result = run(workdir, "verify")
    assert result.exit_code == 1
    assert result.stdout.startswith(
        f"FAILED at position {cut_to}: missing: the witnessed checkpoint covers {indexed}"
        f" entries but the log has {cut_to}"
    )


def test_verify_of_an_intact_ledger_with_a_witness_folder_passes(workdir) -> None:
    config = workdir / "config.yaml"
    config.write_text(config.read_text() + "ledger:\n  witness_dir: witness\n")
    assert run(workdir, "keygen").exit_code == 0
    _import(workdir, 1)
    _import(workdir, 2)
    # one checkpoint per batch: each import seals, then assembles
    witnessed = list(LocalStore(workdir / "witness").list(layout.CHECKPOINTS))
    assert witnessed == list(LocalStore(workdir / "store").list(layout.CHECKPOINTS))
    assert len(witnessed) == 4
    result = run(workdir, "verify")
    assert result.exit_code == 0, result.output


def test_checkpoint_gives_the_head_to_a_witness_configured_after_the_log(workdir) -> None:
    assert run(workdir, "keygen").exit_code == 0
    _import(workdir, 1)
    config = workdir / "config.yaml"
    config.write_text(config.read_text() + "ledger:\n  witness_dir: witness\n")
    assert not (workdir / "witness").exists()
    result = run(workdir, "checkpoint")
    assert result.exit_code == 0, result.output
    head = sorted(LocalStore(workdir / "store").list(layout.CHECKPOINTS))[-1]
    assert list(LocalStore(workdir / "witness").list(layout.CHECKPOINTS)) == [head]
    assert (workdir / "witness" / head).read_text() == result.stdout
