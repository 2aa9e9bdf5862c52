"""``ledger.tlog_witnesses``: ``mailledger checkpoint`` has each external witness cosign the
checkpoint, and fails when a witness refuses a cut log."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli.app import cli
from pipeline.ledger import layout
from pipeline.ledger.checkpoint import SigningKey, VerifierKey
from pipeline.ledger.cosignature import verify_cosignature
from pipeline.storage.local import LocalStore
from tests.harness.tlog_witness import TlogWitnessServer
from tests.ledger.ledger_helpers import remove

ORIGIN = "cli.example/ledger"
COSIGNER = SigningKey.from_seed("witness.example/w1", hashlib.sha256(b"cli witness").digest())
CONFIG = (
    f"origin: {ORIGIN}\nstate_dir: state\n"
    "storage:\n  backend: local\n  path: store\n  fsync: false\n"
    "signing:\n  key_file: keys/ledger.key\n  key_env: null\n"
)


def run(workdir: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(workdir / "config.yaml"), *args])


@pytest.fixture
def witnessed(tmp_path: Path) -> Iterator[tuple[Path, TlogWitnessServer]]:
    """A workdir whose log key the witness trusts, configured with that witness."""
    (tmp_path / "config.yaml").write_text(CONFIG)
    published = run(tmp_path, "keygen").stdout.strip()
    server = TlogWitnessServer(
        COSIGNER, {ORIGIN: [VerifierKey.from_text(published)]}, tmp_path / "witness.json"
    ).start()
    (tmp_path / "config.yaml").write_text(
        CONFIG
        + f"ledger:\n  tlog_witnesses:\n    - url: {server.url}\n"
        + f"      key: {server.key.to_text()}\n"
    )
    (tmp_path / "published.vkey").write_text(published)
    yield tmp_path, server
    server.close()


def _import(workdir: Path, n: int) -> None:
    mail = workdir / f"{n}.eml"
    mail.write_bytes(
        (
            f"From: b{n}@borrower.example\r\nTo: service@servicer.example\r\n"
            f"Subject: question {n}\r\nMessage-ID: <t{n}@borrower.example>\r\n"
            f"Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n\r\nWhat is my balance? ({n})\r\n"
        ).encode()
    )
    result = run(workdir, "import", str(mail))
    assert result.exit_code == 0, result.output


def test_checkpoint_saves_the_note_with_the_witness_cosignature_and_verify_accepts_it(
    witnessed: tuple[Path, TlogWitnessServer],
) -> None:
    workdir, server = witnessed
    _import(workdir, 1)
    result = run(workdir, "checkpoint", "--out", str(workdir / "cosigned.txt"))
    assert result.exit_code == 0, result.output
    note = (workdir / "cosigned.txt").read_text()
    body, _, signatures = note.partition("\n\n")
    lines = signatures.splitlines()
    assert [line.split(" ")[1] for line in lines] == [ORIGIN, "witness.example/w1"]
    assert verify_cosignature(body + "\n", lines[1], server.key).witness == "witness.example/w1"
    size = int(body.split("\n")[1])
    assert server.cosigned(ORIGIN) is not None and server.cosigned(ORIGIN)[0] == size  # type: ignore[index]
    verified = run(
        workdir,
        "verify",
        "--checkpoint",
        str(workdir / "cosigned.txt"),
        "--public-key",
        str(workdir / "published.vkey"),
    )
    assert verified.exit_code == 0, verified.output


def test_checkpoint_fails_in_one_line_when_the_witness_refuses_a_cut_log(
    witnessed: tuple[Path, TlogWitnessServer],
) -> None:
    workdir, _server = witnessed
    _import(workdir, 1)
    store = LocalStore(workdir / "store", fsync=False)
    kept = len(list(store.list(layout.ENTRIES)))
    _import(workdir, 2)
    assert run(workdir, "checkpoint").exit_code == 0
    batches = sorted(store.list(layout.ENTRIES))
    checkpoints = sorted(store.list(layout.CHECKPOINTS))
    cut_to, cosigned = layout.seq_of(batches[kept]), layout.seq_of(checkpoints[-1])
    assert cut_to is not None and cosigned is not None
    for key in batches[kept:]:
        remove(store, key)
    for key in checkpoints:
        if (layout.seq_of(key) or 0) > cut_to:
            remove(store, key)
    result = run(workdir, "checkpoint")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: witness 'witness.example/w1' has cosigned a checkpoint of size {cosigned} but"
        f" the log has {cut_to} entries: entries {cut_to} to {cosigned - 1} were removed"
        " (truncated tail)\n"
    )


def test_a_malformed_witness_key_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        CONFIG
        + "ledger:\n  tlog_witnesses:\n    - url: http://127.0.0.1:9/witness\n      key: nonsense\n"
    )
    assert run(tmp_path, "keygen").exit_code == 0
    # every command that signs checkpoints hands them to the witnesses, so each says so
    for args in (("import", str(tmp_path / "config.yaml")), ("checkpoint",)):
        result = run(tmp_path, *args)
        assert result.exit_code == 2
        assert result.stderr == (
            "error: ledger.tlog_witnesses[0].key: witness key is not in '<name>+<id>+<key>' form\n"
        )
