"""Commands that read the record do not load what only ingestion uses.

The IMAP client, the MIME parsers, the attachment checkers and boto3 take some 70 MiB
once imported. A ``verify`` or an ``export`` over a large log on local storage must stay
under 300 MB, so it must not carry them: each is imported by the commands (and the
storage backend) that use it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.index.factory import LedgerEnv, make_env, make_raw, write_config

INGESTION_ONLY = ("imapclient", "mailparser", "pypdf", "magic", "PIL", "boto3", "botocore")

_PROBE = """
import sys
from pipeline.cli.app import cli
try:
    cli(sys.argv[1:], prog_name="mailledger")
except SystemExit as done:
    if done.code:
        raise
print("loaded:" + ",".join(sorted(m for m in {names!r} if m in sys.modules)))
"""


@pytest.fixture
def env(tmp_path) -> LedgerEnv:
    env = make_env(tmp_path / "ledger")
    env.record(make_raw(subject="Escrow", text="My escrow payment was misapplied."))
    env.record(make_raw(subject="Payoff", text="Please send me a payoff statement."))
    return env


def _loaded(*args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE.format(names=INGESTION_ONLY), *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("loaded:"), result.stdout
    return [name for name in last.removeprefix("loaded:").split(",") if name]


def test_verify_on_local_storage_loads_no_ingestion_library(env):
    config = write_config(env)

    assert _loaded("--config", str(config), "verify") == []


def test_export_on_local_storage_loads_no_ingestion_library(env, tmp_path):
    config = write_config(env)
    out = tmp_path / "production"

    loaded = _loaded("--config", str(config), "export", "--out", str(out), "--reason", "exam")

    assert out.is_dir()
    assert loaded == []
