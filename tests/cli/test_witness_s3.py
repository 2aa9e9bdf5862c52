"""``ledger.witness_s3``: the CLI keeps every checkpoint in an Object Lock bucket with its
own credentials, and ``verify`` checks the ledger against the newest one there."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli.app import cli
from pipeline.ledger import layout
from pipeline.storage.local import LocalStore
from tests.harness.moto_server import REGION, MotoServer, fake_credentials_env
from tests.ledger.ledger_helpers import remove
from tests.storage.backends import new_bucket

ORIGIN = "cli.example/ledger"
# The witness's own credentials, named in the config; moto accepts any values.
WITNESS_ENV = {"WITNESS_KEY_ID": "witness-writer", "WITNESS_SECRET": "witness-writer-secret"}


@pytest.fixture
def workdir(tmp_path: Path, moto_server: MotoServer) -> Path:
    bucket = new_bucket(moto_server, object_lock=True)
    (tmp_path / "config.yaml").write_text(
        f"origin: {ORIGIN}\nstate_dir: state\n"
        "storage:\n  backend: local\n  path: store\n  fsync: false\n"
        "signing:\n  key_file: keys/ledger.key\n  key_env: null\n"
        "ledger:\n  witness_s3:\n"
        f"    bucket: {bucket}\n    prefix: checkpoints-witness\n"
        f"    endpoint_url: {moto_server.endpoint_url}\n    region: {REGION}\n"
        "    addressing_style: path\n    max_attempts: 2\n"
        "    object_lock:\n      mode: GOVERNANCE\n      retain_days: 1\n"
        "    access_key_id_env: WITNESS_KEY_ID\n    secret_access_key_env: WITNESS_SECRET\n"
    )
    (tmp_path / "bucket").write_text(bucket)
    return tmp_path


def run(workdir: Path, *args: str, env: dict[str, str] | None = None):
    environment = {**fake_credentials_env(), **WITNESS_ENV, **(env or {})}
    return CliRunner().invoke(
        cli, ["--config", str(workdir / "config.yaml"), *args], env=environment
    )


def _import(workdir: Path, n: int) -> None:
    mail = workdir / f"{n}.eml"
    mail.write_bytes(
        (
            f"From: b{n}@borrower.example\r\nTo: service@servicer.example\r\n"
            f"Subject: question {n}\r\nMessage-ID: <w{n}@borrower.example>\r\n"
            f"Date: Tue, 01 Dec 2026 10:00:00 +0000\r\n\r\nWhat is my balance? ({n})\r\n"
        ).encode()
    )
    result = run(workdir, "import", str(mail))
    assert result.exit_code == 0, result.output


def _witnessed(workdir: Path, moto_server: MotoServer) -> list[str]:
    listing = moto_server.client("s3").list_objects_v2(
        Bucket=(workdir / "bucket").read_text(), Prefix="checkpoints-witness/"
    )
    return sorted(item["Key"] for item in listing.get("Contents", []))


def test_every_checkpoint_the_cli_signs_is_kept_in_the_witness_bucket(
    workdir: Path, moto_server: MotoServer
) -> None:
    assert run(workdir, "keygen").exit_code == 0
    _import(workdir, 1)
    _import(workdir, 2)
    kept = list(LocalStore(workdir / "store").list(layout.CHECKPOINTS))
    assert len(kept) == 4  # each import signs its seal batch and its record batch
    assert _witnessed(workdir, moto_server) == [f"checkpoints-witness/{key}" for key in kept]
    result = run(workdir, "verify")
    assert result.exit_code == 0, result.output
    size = layout.seq_of(kept[-1])
    bucket = (workdir / "bucket").read_text()
    assert (
        f"note: the log extends the newest witnessed checkpoint (size {size}, {kept[-1]} in"
        f" the witness (bucket {bucket} (prefix checkpoints-witness)))\n"
    ) in result.stdout


def test_verify_fails_at_a_cut_tail_whose_checkpoints_were_deleted_from_the_store(
    workdir: Path,
) -> None:
    assert run(workdir, "keygen").exit_code == 0
    _import(workdir, 1)
    store = LocalStore(workdir / "store", fsync=False)
    kept = len(list(store.list(layout.ENTRIES)))
    _import(workdir, 2)
    batches = sorted(store.list(layout.ENTRIES))
    checkpoints = sorted(store.list(layout.CHECKPOINTS))
    cut_to = layout.seq_of(batches[kept])
    witnessed = layout.seq_of(checkpoints[-1])
    assert cut_to is not None and witnessed is not None
    for key in batches[kept:]:
        remove(store, key)
    for key in checkpoints:
        if (layout.seq_of(key) or 0) > cut_to:
            remove(store, key)
    result = run(workdir, "verify")
    assert result.exit_code == 1
    assert result.stdout.startswith(
        f"FAILED at position {cut_to}: missing: the witnessed checkpoint covers {witnessed}"
        f" entries but the log has {cut_to}: entries {cut_to} to {witnessed - 1} were removed"
    )


def test_verify_without_the_witness_credentials_is_a_configuration_error(workdir: Path) -> None:
    published = run(workdir, "keygen").stdout.strip()
    result = run(workdir, "verify", "--public-key", published, env={"WITNESS_SECRET": ""})
    assert result.exit_code == 2
    assert result.stderr == (
        "error: the witness bucket's credentials (ledger.witness_s3): environment variable"
        " WITNESS_SECRET is not set or empty\n"
    )


def test_a_witness_s3_without_object_lock_settings_is_refused_by_the_config(
    workdir: Path,
) -> None:
    config = workdir / "config.yaml"
    text = config.read_text()
    config.write_text(
        text.replace("    object_lock:\n      mode: GOVERNANCE\n      retain_days: 1\n", "")
    )
    result = run(workdir, "verify")
    assert result.exit_code == 2
    assert "ledger.witness_s3.object_lock: Field required" in result.stderr


def test_read_only_commands_need_no_witness_credentials(workdir: Path) -> None:
    published = run(workdir, "keygen").stdout.strip()
    _import(workdir, 1)
    config = workdir / "config.yaml"  # a reader's host: the published key, no log key
    config.write_text(
        config.read_text().replace(
            "signing:\n  key_file: keys/ledger.key\n",
            f"signing:\n  key_file: null\n  verifier_keys: ['{published}']\n",
        )
    )
    result = run(workdir, "search", env={"WITNESS_SECRET": ""})
    assert result.exit_code == 0, result.output
    assert "question 1" in result.stdout
