"""Files given on the command line: one that is not UTF-8 text, or holds no key, is a usage
error (exit 2) naming it; an output file is created new, before anything is recorded, and
an existing file or symbolic link is never written through."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pipeline.cli.app import cli
from pipeline.config import load_config
from pipeline.runtime import open_runtime
from tests.cli.workdir import usage_error
from tests.index.factory import build_scenario, write_config

NOT_UTF8 = b"\xff\xfe not text\n"


@dataclass(frozen=True)
class World:
    """A ledger with three records, and an export of it."""

    root: Path
    config: Path
    record_id: str
    exam: Path

    def run(self, *args: str) -> Result:
        return CliRunner().invoke(cli, ["--config", str(self.config), *args])

    def ledger_types(self) -> list[str]:
        return [
            e.type for e in open_runtime(load_config(self.config), writable=False).ledger.entries()
        ]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("input-files")
    scenario = build_scenario(root)
    config = write_config(scenario.env, quiet=True)
    exam = root / "exam"
    done = CliRunner().invoke(cli, ["--config", str(config), "export", "--out", str(exam)])
    assert done.exit_code == 0, done.output
    return World(root, config, str(scenario.notice.body["record_id"]), exam)


def _not_utf8_file(tmp_path: Path) -> Path:
    path = tmp_path / "binary.txt"
    path.write_bytes(NOT_UTF8)
    return path


# -- files read ----------------------------------------------------------------------


def test_a_saved_checkpoint_that_is_not_utf8_is_a_usage_error_naming_it(
    world: World, tmp_path: Path
) -> None:
    path = _not_utf8_file(tmp_path)
    line = usage_error(world.run("verify", "--checkpoint", str(path)))
    assert f"Invalid value for --checkpoint: {path} is not UTF-8 text" in line


@pytest.mark.parametrize("command", [["verify"], ["verify-export", "EXAM"]])
def test_a_public_key_file_that_is_not_utf8_is_a_usage_error_naming_it(
    world: World, tmp_path: Path, command: list[str]
) -> None:
    path = _not_utf8_file(tmp_path)
    args = [str(world.exam) if a == "EXAM" else a for a in command]
    line = usage_error(world.run(*args, "--public-key", str(path)))
    assert f"Invalid value for --public-key: {path} is not UTF-8 text" in line


def test_verify_export_with_a_public_key_that_is_no_key_is_a_usage_error_as_verify_is(
    world: World,
) -> None:
    line = usage_error(world.run("verify-export", str(world.exam), "--public-key", "garbagekey"))
    assert "Invalid value for --public-key: a verifier key must look like" in line


# -- export --public-key-out ---------------------------------------------------------


def test_a_public_key_out_in_a_missing_folder_is_refused_before_anything_is_exported(
    world: World, tmp_path: Path
) -> None:
    before = world.ledger_types()
    out, key = tmp_path / "exam", tmp_path / "no-such-folder" / "log.pub"
    line = usage_error(world.run("export", "--out", str(out), "--public-key-out", str(key)))
    assert f"Invalid value for --public-key-out: cannot create {key}: folder" in line
    assert not out.exists()
    assert world.ledger_types() == before  # no export.created


def test_an_existing_public_key_out_is_never_overwritten_and_nothing_is_exported(
    world: World, tmp_path: Path
) -> None:
    before = world.ledger_types()
    out, key = tmp_path / "exam", tmp_path / "log.pub"
    key.write_text("kept\n", encoding="utf-8")
    line = usage_error(world.run("export", "--out", str(out), "--public-key-out", str(key)))
    assert f"Invalid value for --public-key-out: {key} already exists" in line
    assert key.read_text(encoding="utf-8") == "kept\n"
    assert not out.exists()
    assert world.ledger_types() == before


# -- show --raw --out ----------------------------------------------------------------


def test_show_raw_out_refuses_an_existing_file_and_records_no_viewing(
    world: World, tmp_path: Path
) -> None:
    before = world.ledger_types()
    target = tmp_path / "message.eml"
    target.write_bytes(b"earlier evidence\n")
    line = usage_error(world.run("show", world.record_id, "--raw", "--out", str(target)))
    assert f"Invalid value for --out: {target} already exists" in line
    assert target.read_bytes() == b"earlier evidence\n"
    assert world.ledger_types() == before  # no access.viewed


@pytest.mark.parametrize("dangling", [False, True], ids=["to-a-file", "dangling"])
def test_show_raw_out_never_writes_through_a_symbolic_link(
    world: World, tmp_path: Path, dangling: bool
) -> None:
    victim = tmp_path / "victim.txt"
    if not dangling:
        victim.write_bytes(b"someone else's file\n")
        victim.chmod(0o644)
    link = tmp_path / "message.eml"
    link.symlink_to(victim)
    line = usage_error(world.run("show", world.record_id, "--raw", "--out", str(link)))
    assert f"Invalid value for --out: {link} already exists" in line
    if dangling:
        assert not victim.exists()
    else:
        assert victim.read_bytes() == b"someone else's file\n"
