"""Bad configuration and key files: a configuration error (exit 2) in one line that names
the file, line and key, or the environment variable, never an internal error."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pipeline.cli.app import cli
from pipeline.config import parse_config
from pipeline.errors import ConfigError
from pipeline.ledger.checkpoint import SigningKey
from pipeline.ledger.keys import encode_signing_key

BASE = (
    "origin: cli.example/ledger\n"
    "state_dir: state\n"
    "storage:\n  backend: local\n  path: store\n  fsync: false\n"
)


def _config(tmp_path: Path, text: str) -> Path:
    (tmp_path / "store").mkdir(exist_ok=True)
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _search(config: Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner(env=env).invoke(cli, ["--config", str(config), "search"])


def _one_error(result: Result, code: int) -> str:
    """The single ``error:`` line of a failed command, after checking its exit code."""
    assert result.exit_code == code, (result.exit_code, result.output)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert "internal error" not in lines[0]
    return lines[0]


def test_a_config_file_that_is_not_utf8_is_a_configuration_error_naming_it(
    tmp_path: Path,
) -> None:
    config = tmp_path / "config.yaml"
    config.write_bytes(b"\xff\xfeorigin: x\n")
    line = _one_error(_search(config), 2)
    assert f"config file {config} is not UTF-8 text" in line


@pytest.mark.parametrize("mode", ["400", "600", "640", "0640"])
def test_an_unquoted_file_mode_is_refused_asking_for_it_quoted(tmp_path: Path, mode: str) -> None:
    config = _config(tmp_path, BASE + f"files:\n  file_mode: {mode}\n")
    line = _one_error(_search(config), 2)
    quoted = "0" + mode.lstrip("0")
    assert f"{config} line 8: files.file_mode: write the mode quoted, as in '{quoted}'" in line


def test_an_unquoted_dir_mode_is_refused_too(tmp_path: Path) -> None:
    config = _config(tmp_path, BASE + "files:\n  dir_mode: 750\n")
    line = _one_error(_search(config), 2)
    assert f"{config} line 8: files.dir_mode: write the mode quoted, as in '0750'" in line


def test_a_quoted_mode_still_reads_as_octal_where_an_unquoted_one_is_refused() -> None:
    quoted = parse_config('files:\n  file_mode: "0400"\n')
    assert quoted.files.file_mode == 0o400
    with pytest.raises(ConfigError, match="write the mode quoted"):
        parse_config("files:\n  file_mode: 400\n")


def test_a_malformed_verifier_key_is_refused_when_the_config_loads(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        BASE + "signing:\n  key_file: null\n  key_env: null\n  verifier_keys:\n    - garbage\n",
    )
    line = _one_error(_search(config), 2)
    assert f"{config} line 11: signing.verifier_keys.0:" in line
    assert "'garbage': verifier key is not in '<name>+<id>+<key>' form" in line


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"garbage\n", ": signing key is not in 'PRIVATE+KEY+<name>+<id>+<key>' form"),
        (b"", " is empty"),
        (b"\xff\xfe\n", " is not UTF-8 text"),
    ],
    ids=["garbage", "empty", "not-utf8"],
)
def test_a_bad_signing_key_file_is_a_configuration_error_naming_the_file(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    key_file = tmp_path / "ledger.key"
    key_file.write_bytes(content)
    config = _config(tmp_path, BASE + f"signing:\n  key_file: {key_file}\n  key_env: null\n")
    line = _one_error(_search(config), 2)
    assert f"signing key file {key_file}{problem}" in line


def test_a_bad_signing_key_in_the_environment_is_a_configuration_error_naming_it(
    tmp_path: Path,
) -> None:
    config = _config(
        tmp_path, BASE + "signing:\n  key_file: null\n  key_env: TEST_INPUT_SIGNING_KEY\n"
    )
    line = _one_error(_search(config, env={"TEST_INPUT_SIGNING_KEY": "garbage"}), 2)
    assert "environment variable TEST_INPUT_SIGNING_KEY: signing key is not in" in line


def test_a_bad_signing_key_message_never_shows_the_key_material(tmp_path: Path) -> None:
    good = SigningKey.generate("cli.example/ledger")
    name, _, blob = encode_signing_key(good).removeprefix("PRIVATE+KEY+").split("+", 2)
    key_file = tmp_path / "ledger.key"
    key_file.write_text(f"PRIVATE+KEY+{name}+00000000+{blob}\n", encoding="utf-8")
    config = _config(tmp_path, BASE + f"signing:\n  key_file: {key_file}\n  key_env: null\n")
    line = _one_error(_search(config), 2)
    assert f"signing key file {key_file}: signing key id does not match" in line
    assert blob not in line
