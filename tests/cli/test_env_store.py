"""The store and the export folder as the machine leaves them: a folder this user cannot
write, a full disk, a store path that names nothing, or a file, are each one line on
stderr naming the path, with README's exit code (3 for the machine, 2 for the config or
the command line), and the ledger is left as it was.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pipeline.cli.app import cli
from pipeline.errors import CannotWriteError, StorageError
from pipeline.storage.local import LocalStore
from tests.index.factory import Scenario, build_scenario, rid, write_config


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return build_scenario(tmp_path_factory.mktemp("env-store"))


@pytest.fixture(scope="module")
def config(scenario: Scenario) -> Path:
    return write_config(scenario.env)


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args])


def one_error_line(result: Result) -> str:
    """The single ``error:`` line a failed command printed (and nothing else on stderr)."""
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit | None), repr(result.exception)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


def ledger_size(config: Path) -> int:
    return len(list(LocalStore(config.parent / "store", fsync=False).list("ledger/entries/")))


def refuse_links_into(folder: str, code: int) -> Callable[..., None]:
    """``os.link`` as the kernel answers it for a folder it will not write into."""
    real_link = os.link

    def link(src: str | Path, dst: str | Path, *args: object, **kwargs: object) -> None:
        if f"/{folder}/" in str(dst):
            raise OSError(code, os.strerror(code), str(dst))
        real_link(src, dst)

    return link


# -- a store this user cannot write ---------------------------------------------------------


def test_a_ledger_folder_this_user_cannot_write_exits_3_naming_it_and_appends_nothing(
    scenario: Scenario, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = ledger_size(config)
    monkeypatch.setattr(os, "link", refuse_links_into("ledger/entries", errno.EACCES))
    result = run(config, "hold", "add", rid(scenario.payoff), "--reason", "Smith v. Servicer")
    line = one_error_line(result)
    assert result.exit_code == 3
    assert f"{config.parent / 'store' / 'ledger' / 'entries'}" in line
    assert "Permission denied" in line
    assert ledger_size(config) == before


def test_a_full_store_disk_exits_3_and_says_to_free_space(
    scenario: Scenario, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "link", refuse_links_into("ledger/entries", errno.ENOSPC))
    result = run(config, "show", rid(scenario.payoff), "--reason", "audit")
    line = one_error_line(result)
    assert result.exit_code == 3
    assert "No space left on device" in line
    assert "free space there, then run the command again" in line


def test_a_file_where_a_store_folder_belongs_is_damage_not_the_environment(
    tmp_path: Path,
) -> None:
    (tmp_path / "ledger").write_text("not a folder", encoding="utf-8")
    store = LocalStore(tmp_path, fsync=False)
    with pytest.raises(StorageError) as raised:
        store.put("ledger/entries/0", b"entry")
    assert not isinstance(raised.value, CannotWriteError)
    assert raised.value.exit_code == 1


# -- the export's folder ----------------------------------------------------------------------


def test_export_into_a_missing_folder_exits_3_as_other_outputs_do(
    config: Path, tmp_path: Path
) -> None:
    out = tmp_path / "no-such-folder" / "exam"
    result = run(config, "export", "--out", str(out), "--reason", "exam 7")
    line = one_error_line(result)
    assert result.exit_code == 3
    assert str(out) in line


def test_export_into_a_read_only_folder_exits_3(
    config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(*_args: object, **kwargs: object) -> str:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(kwargs.get("dir")))

    monkeypatch.setattr("pipeline.export.bundle.tempfile.mkdtemp", read_only)
    out = tmp_path / "exam"
    result = run(config, "export", "--out", str(out), "--reason", "exam 7")
    line = one_error_line(result)
    assert result.exit_code == 3
    assert "Read-only file system" in line


def test_export_onto_an_existing_path_is_a_usage_error(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "exam"
    out.mkdir()
    result = run(config, "export", "--out", str(out), "--reason", "exam 7")
    line = one_error_line(result)
    assert result.exit_code == 2
    assert f"{out} already exists" in line


# -- a store path that names no store -----------------------------------------------------------


def _config_with_store(root: Path, store: Path) -> Path:
    path = root / "config.yaml"
    path.write_text(
        "origin: env.example/ledger\nstate_dir: state\n"
        f"storage:\n  backend: local\n  path: {store}\n  fsync: false\n"
        "signing:\n  key_file: keys/ledger.key\n  key_env: null\n",
        encoding="utf-8",
    )
    return path


READ_COMMANDS = {
    "search": ["search"],
    "cases": ["cases"],
    "hold-list": ["hold", "list"],
    "report-sla": ["report", "sla"],
    "unlinked": ["unlinked"],
    "index": ["index"],
    "dispose-dry-run": ["dispose", "--older-than", "7y", "--dry-run"],
}


@pytest.mark.parametrize("command", sorted(READ_COMMANDS))
def test_reading_a_store_that_does_not_exist_is_a_config_error_naming_the_path(
    tmp_path: Path, command: str
) -> None:
    store = tmp_path / "mistyped-store"
    config = _config_with_store(tmp_path, store)
    result = run(config, *READ_COMMANDS[command])
    line = one_error_line(result)
    assert result.exit_code == 2
    assert f"the store {store} (storage.path in {config}) does not exist" in line
    assert not store.exists()
    assert not (tmp_path / "state").exists()


def test_a_store_path_that_is_a_file_is_a_config_error(tmp_path: Path) -> None:
    store = tmp_path / "store-file"
    store.write_text("not a store", encoding="utf-8")
    config = _config_with_store(tmp_path, store)
    result = run(config, "search")
    line = one_error_line(result)
    assert result.exit_code == 2
    assert f"the store {store} (storage.path in {config}) is not a folder" in line
