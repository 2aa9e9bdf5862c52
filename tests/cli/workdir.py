"""A fresh installation in a folder for CLI tests, and what a refused command prints."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from click.testing import CliRunner, Result

from pipeline.cli.app import cli


def local_workdir(root: Path, origin: str, extra: str = "") -> Path:
    """``root`` with a config for a local store under it (``extra`` YAML appended) and
    a signing key made by ``keygen``."""
    (root / "config.yaml").write_text(
        f"origin: {origin}\nstate_dir: state\n"
        "storage:\n  backend: local\n  path: store\n  fsync: false\n"
        "signing:\n  key_file: keys/ledger.key\n  key_env: null\n" + extra,
        encoding="utf-8",
    )
    assert run_in(root, "keygen").exit_code == 0
    return root


def run_in(workdir: Path, *args: str, env: Mapping[str, str | None] | None = None) -> Result:
    """The CLI run with ``workdir``'s config."""
    return CliRunner(env=env).invoke(cli, ["--config", str(workdir / "config.yaml"), *args])


def usage_error(result: Result) -> str:
    """The single ``error:`` line of a command refused as a usage error (exit 2)."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]
