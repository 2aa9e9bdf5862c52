"""``mailledger keygen``, ``verify`` and ``checkpoint`` through the click command."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli.app import cli
from pipeline.ledger import layout
from pipeline.ledger.checkpoint import VerifierKey, verify_note
from pipeline.ledger.entry import EntryDraft, LedgerEntry
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


# -- empty stores, missing keys, writer keys, forged tails --------------------------------------


def test_verify_of_a_mistyped_store_path_fails_and_creates_no_folder(workdir) -> None:
    assert run(workdir, "keygen").exit_code == 0
    result = run(workdir, "verify")
    assert result.exit_code == 1
    assert result.stdout.startswith("FAILED at log: no ledger: local store at")
    assert "--allow-empty" in result.stdout
    assert not (workdir / "store").exists()


def test_verify_allow_empty_accepts_a_log_with_no_entries_yet(workdir) -> None:
    assert run(workdir, "keygen").exit_code == 0
    result = run(workdir, "verify", "--allow-empty")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 0 entries intact")
    assert not (workdir / "store").exists()


def test_verify_without_a_verifier_key_is_a_configuration_error(workdir) -> None:
    populated(workdir)
    (workdir / "keys" / "ledger.key").unlink()
    result = run(workdir, "verify")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "no verifier key is configured" in result.stderr


def _mail(n: int) -> bytes:
    return (
        f"From: b{n}@borrower.example\r\nTo: service@servicer.example\r\n"
        f"Subject: notice of error {n}\r\nMessage-ID: <m{n}@borrower.example>\r\n"
        f"Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n\r\nPlease correct my escrow ({n}).\r\n"
    ).encode()


def test_keygen_writer_certifies_a_key_a_worker_appends_with(workdir) -> None:
    vkey = run(workdir, "keygen").stdout.strip()
    out = str(workdir / "keys" / "worker.key")
    made = run(workdir, "keygen", "--writer", "--out", out, "--name", "worker-1")
    assert made.exit_code == 0, made.output
    assert VerifierKey.from_text(made.stdout.strip()).name == "worker-1"
    worker = workdir / "worker.yaml"
    worker.write_text(
        f"origin: {ORIGIN}\nstate_dir: state\n"
        "storage:\n  backend: local\n  path: store\n  fsync: false\n"
        "signing:\n  key_file: null\n  key_env: null\n"
        f"  writer_key_file: keys/worker.key\n  verifier_keys: ['{vkey}']\n"
    )
    (workdir / "one.eml").write_bytes(_mail(1))
    imported = CliRunner().invoke(
        cli, ["--config", str(worker), "import", str(workdir / "one.eml")]
    )
    assert imported.exit_code == 0, imported.output
    assert not list((workdir / "store" / "ledger" / "checkpoints").glob("*"))
    unsigned = CliRunner().invoke(cli, ["--config", str(worker), "checkpoint"])
    assert unsigned.exit_code == 1
    assert "run 'mailledger checkpoint' where the log key is" in unsigned.stderr
    verified = run(workdir, "verify")
    assert verified.exit_code == 0, verified.output
    assert "signed by their writers but not yet by the log key" in verified.stdout
    assert run(workdir, "checkpoint").exit_code == 0  # the log key signs what the worker wrote
    assert len(list((workdir / "store" / "ledger" / "checkpoints").glob("*"))) == 1


def test_honest_commands_refuse_a_forged_tail_in_one_line(workdir) -> None:
    (workdir / "config.yaml").write_text(
        (workdir / "config.yaml").read_text() + "state_dir: state\n"
    )
    assert run(workdir, "keygen").exit_code == 0
    (workdir / "one.eml").write_bytes(_mail(1))
    assert run(workdir, "import", str(workdir / "one.eml")).exit_code == 0
    key = read_signing_key(env=None, file=workdir / "keys" / "ledger.key")
    store = LocalStore(workdir / "store", fsync=False)
    ledger = Ledger(store, ORIGIN, [key.verifier])
    size = ledger.size()
    forged = EntryDraft("acknowledgment.sent", {"record_id": "r-0"}, "person:insider")
    last = ledger.entry(size - 1)
    store.put(layout.batch_key(size), LedgerEntry.build(size, last.entry_hash, forged).raw + b"\n")
    (workdir / "two.eml").write_bytes(_mail(2))
    for args in (
        ("import", str(workdir / "two.eml")),
        ("trail", "<m1@borrower.example>", "--reason", "exam"),
        ("show", "<m1@borrower.example>", "--reason", "exam"),
        ("checkpoint",),
    ):
        result = run(workdir, *args)
        assert result.exit_code == 1, (args, result.output)
        assert result.stderr.count("\n") == 1, args
        wanted = f"ledger entries {size} to {size} carry no signature of an authorised writer"
        assert wanted in result.stderr, args
    assert not store.exists(layout.checkpoint_key(size + 1))
    assert not store.exists(layout.batch_key(size + 1))


def test_revoke_writer_withdraws_a_worker_key_from_the_current_position(workdir) -> None:
    store = populated(workdir)
    made = run(workdir, "keygen", "--writer", "--out", str(workdir / "w.key"), "--name", "w-1")
    vkey = made.stdout.strip()
    result = run(workdir, "revoke-writer", vkey)
    assert result.exit_code == 0, result.output
    assert result.stdout == "writer key 'w-1' is revoked from ledger position 6\n"
    assert len(list(store.list(layout.WRITERS))) == 2
    assert run(workdir, "verify").exit_code == 0


def test_revoke_writer_with_a_malformed_key_is_a_usage_error(workdir) -> None:
    populated(workdir)
    result = run(workdir, "revoke-writer", "not-a-key")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1


def test_revoking_the_log_key_itself_is_refused_as_changing_nothing(workdir) -> None:
    store = populated(workdir)
    key = read_signing_key(env=None, file=workdir / "keys" / "ledger.key")
    assert key is not None
    log_vkey = key.verifier.to_text()
    before = sorted(store.list(layout.WRITERS))
    result = run(workdir, "revoke-writer", log_vkey)
    assert result.exit_code == 2
    assert "is a log key, not a certified writer key" in result.stderr
    assert sorted(store.list(layout.WRITERS)) == before


def test_checkpoint_out_never_overwrites_a_saved_checkpoint(workdir) -> None:
    populated(workdir)
    out = workdir / "saved.note"
    out.write_text("earlier evidence\n")
    result = run(workdir, "checkpoint", "--out", str(out))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert f"{out} already exists" in result.stderr
    assert out.read_text() == "earlier evidence\n"


def _resign_a_rewritten_history(workdir: Path) -> None:
    """An insider without the log key deletes the ledger, makes a key of their own in the key
    file's place and re-signs a history with one entry changed."""
    shutil.rmtree(workdir / "store" / "ledger")
    (workdir / "keys" / "ledger.key").unlink()
    assert run(workdir, "keygen").exit_code == 0
    key = read_signing_key(env=None, file=workdir / "keys" / "ledger.key")
    ledger = Ledger(LocalStore(workdir / "store", fsync=False), ORIGIN, [key.verifier], key)
    ledger.append([draft(0), draft(1, body={"n": 1, "rewritten": True})])


def test_verify_pinned_to_the_published_key_fails_on_a_history_resigned_with_a_new_key(
    workdir,
) -> None:
    populated(workdir, batches=1)
    published = workdir / "published.vkey"
    key = read_signing_key(env=None, file=workdir / "keys" / "ledger.key")
    published.write_text(key.verifier.to_text() + "\n")
    _resign_a_rewritten_history(workdir)
    assert run(workdir, "verify").exit_code == 0  # the substituted key vouches for itself
    result = run(workdir, "verify", "--public-key", str(published))
    assert result.exit_code == 1
    assert "checkpoint ledger/checkpoints/" in result.stdout
    assert result.stdout.startswith("FAILED at ")


def test_verify_accepts_the_published_key_as_text_on_an_intact_ledger(workdir) -> None:
    populated(workdir)
    key = read_signing_key(env=None, file=workdir / "keys" / "ledger.key")
    result = run(workdir, "verify", "--public-key", key.verifier.to_text())
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 6 entries intact, 3 checkpoints verified")
    assert "warning" not in result.stderr


def test_verify_warns_when_the_only_trusted_key_comes_from_the_signing_key_file(workdir) -> None:
    populated(workdir)
    result = run(workdir, "verify")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("warning: the only trusted key comes from the signing key file")
    assert "--public-key" in result.stderr


def test_verify_with_a_malformed_public_key_is_a_usage_error(workdir) -> None:
    populated(workdir)
    result = run(workdir, "verify", "--public-key", "not-a-key")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "--public-key" in result.stderr
