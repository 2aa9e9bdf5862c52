"""Every CLI command against bad input: one line on stderr naming what and where, the
documented exit code (README "Exit codes"), never a traceback.

Codes: 1 a failure the command reports (including a reference that matches no record),
2 usage or configuration error, 3 operational failure (files, disk, index database).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli.app import cli
from tests.index.factory import build_scenario, write_config


@dataclass(frozen=True)
class World:
    """A working installation (three records) and broken variants of its config."""

    root: Path
    config: Path
    record_id: str

    def variant(self, name: str, text: str) -> Path:
        path = self.root / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    def config_text(self) -> str:
        return self.config.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("bad-input")
    scenario = build_scenario(root)
    config = write_config(scenario.env, quiet=True)
    return World(root, config, str(scenario.notice.body["record_id"]))


def _check(args: list[str], code: int, where: str, *, env: dict[str, str] | None = None) -> None:
    result = CliRunner(env=env).invoke(cli, args)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.output + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == code, (result.exit_code, result.stderr, result.stdout)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert where in lines[0], (where, lines[0])


# Every command, with arguments that would be valid, so only the config can fail it.
COMMANDS: dict[str, list[str]] = {
    "cases": ["cases"],
    "checkpoint": ["checkpoint"],
    "dispatch": ["dispatch"],
    "dispose": ["dispose", "--older-than", "7y", "--dry-run"],
    "export": ["export", "--out", "never-written"],
    "extend": ["extend", "REF", "--days", "15", "--reason", "r"],
    "handle-acknowledge": ["handle", "acknowledge"],
    "handle-escalate": ["handle", "escalate"],
    "hold-add": ["hold", "add", "REF", "--reason", "r"],
    "hold-list": ["hold", "list"],
    "hold-remove": ["hold", "remove", "REF", "--reason", "r"],
    "index": ["index"],
    "keygen": ["keygen", "--out", "never-written.key"],
    "link": ["link", "REF", "REF", "--reason", "r"],
    "poll": ["poll"],
    "reopen": ["reopen", "REF", "--reason", "r"],
    "report-sla": ["report", "sla"],
    "resolve": ["resolve", "REF", "--reason", "r"],
    "run": ["run", "--once"],
    "search": ["search"],
    "show": ["show", "REF"],
    "trail": ["trail", "REF"],
    "unlinked": ["unlinked"],
    "verify": ["verify"],
    "import": ["import", "IMPORT"],
}


def _args(world: World, name: str) -> list[str]:
    eml = world.root / "one.eml"
    if not eml.exists():
        eml.write_bytes(b"From: a@b.example\r\nSubject: x\r\n\r\nhi\r\n")
    out = []
    for arg in COMMANDS[name]:
        out.append({"REF": world.record_id, "IMPORT": str(eml)}.get(arg, arg))
    return out


BROKEN_CONFIGS: dict[str, tuple[Callable[[World], str], str]] = {
    # name: (config file text from the working one, what the error must name)
    "bad-yaml": (lambda w: w.config_text() + "storage: [unclosed\n", "bad-yaml.yaml"),
    "unknown-key": (lambda w: w.config_text() + "colour: blue\n", "colour"),
    "wrong-type": (lambda w: w.config_text().replace("fsync: false", "fsync: maybe"), "fsync"),
    "literal-secret": (
        lambda w: (
            w.config_text() + "events:\n  sinks:\n  - kind: webhook\n"
            "    url: https://x.example/\n    password: hunter2\n"
        ),
        "password",
    ),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_missing_config_file_is_a_configuration_error(world: World, command: str) -> None:
    missing = world.root / "nowhere" / "config.yaml"
    _check(["--config", str(missing), *_args(world, command)], 2, str(missing))


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_config_path_that_is_a_folder_is_a_configuration_error(world: World, command: str) -> None:
    folder = world.root / "config-folder"
    folder.mkdir(exist_ok=True)
    _check(["--config", str(folder), *_args(world, command)], 2, str(folder))


@pytest.mark.parametrize("broken", sorted(BROKEN_CONFIGS))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_broken_config_is_a_configuration_error_naming_the_problem(
    world: World, command: str, broken: str
) -> None:
    make, where = BROKEN_CONFIGS[broken]
    path = world.variant(broken, make(world))
    _check(["--config", str(path), *_args(world, command)], 2, where)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_unknown_option_is_a_usage_error_naming_the_option(world: World, command: str) -> None:
    _check(
        ["--config", str(world.config), *_args(world, command), "--no-such-option"],
        2,
        "--no-such-option",
    )


def test_config_from_the_environment_that_does_not_exist_is_named(world: World) -> None:
    missing = str(world.root / "env-config.yaml")
    _check(["search"], 2, missing, env={"MAILLEDGER_CONFIG": missing})


def test_unknown_command_is_a_usage_error(world: World) -> None:
    _check(["frobnicate"], 2, "frobnicate")


def test_bad_log_level_is_a_usage_error(world: World) -> None:
    _check(["--log-level", "loud", "search"], 2, "--log-level")


USAGE_CASES: list[tuple[str, list[str], str]] = [
    ("search-bad-from", ["search", "--from", "2026-13-01"], "2026-13-01"),
    ("search-bad-to", ["search", "--to", "yesterday"], "yesterday"),
    ("search-zero-limit", ["search", "--limit", "0"], "--limit"),
    ("search-text-limit", ["search", "--limit", "many"], "--limit"),
    ("export-no-out", ["export"], "--out"),
    ("export-bad-from", ["export", "--out", "x", "--from", "31/12/2026"], "31/12/2026"),
    ("export-bad-as-of", ["export", "--out", "x", "--as-of", "0"], "--as-of"),
    ("show-no-ref", ["show"], "REF"),
    ("show-out-without-raw", ["show", "REF", "--out", "x.eml"], "--out"),
    ("trail-no-ref", ["trail"], "REF"),
    ("extend-no-reason", ["extend", "REF"], "--reason"),
    ("extend-bad-days", ["extend", "REF", "--days", "fifteen", "--reason", "r"], "--days"),
    ("resolve-no-reason", ["resolve", "REF"], "--reason"),
    ("link-one-ref", ["link", "REF", "--reason", "r"], "INBOUND_REF"),
    ("hold-add-no-ref", ["hold", "add", "--reason", "r"], "REF"),
    ("hold-remove-no-reason", ["hold", "remove", "REF"], "--reason"),
    ("hold-unknown-subcommand", ["hold", "lift", "REF"], "lift"),
    ("handle-unknown-kind", ["handle", "thank"], "thank"),
    ("report-unknown", ["report", "volume"], "volume"),
    ("report-bad-format", ["report", "sla", "--format", "pdf"], "--format"),
    ("report-bad-from", ["report", "sla", "--from", "Q4"], "Q4"),
    ("report-reversed", ["report", "sla", "--from", "2026-03-10", "--to", "2026-03-01"], "--to"),
    ("dispose-bad-period", ["dispose", "--older-than", "seven years", "--dry-run"], "seven years"),
    ("dispose-no-period", ["dispose", "--dry-run"], "--older-than"),
    ("import-missing-file", ["import", "/nonexistent/backfill.mbox"], "/nonexistent/backfill.mbox"),
    ("import-no-paths", ["import"], "PATHS"),
    ("verify-export-missing", ["verify-export", "/nonexistent/exam.zip"], "/nonexistent/exam.zip"),
    ("verify-missing-checkpoint", ["verify", "--checkpoint", "/nonexistent/cp.txt"], "cp.txt"),
    ("poll-unknown-mailbox", ["poll", "--mailbox", "nosuch"], "nosuch"),
]


@pytest.mark.parametrize(("name", "args", "where"), USAGE_CASES, ids=[c[0] for c in USAGE_CASES])
def test_bad_arguments_are_usage_errors(
    world: World, name: str, args: list[str], where: str
) -> None:
    args = [world.record_id if a == "REF" else a for a in args]
    _check(["--config", str(world.config), *args], 2, where)


REFERENCE_CASES: list[tuple[str, list[str], str]] = [
    ("show-unknown-record", ["show", "r-000000000000000000000000"], "r-000000000000000000000000"),
    ("trail-unknown-msgid", ["trail", "<nobody@nowhere.example>"], "<nobody@nowhere.example>"),
    ("show-bad-position", ["show", "999999"], "999999"),
    ("resolve-unknown-reference", ["resolve", "ML-AAAA-AAAA", "--reason", "r"], "ML-AAAA-AAAA"),
    (
        "hold-add-unknown",
        ["hold", "add", "r-000000000000000000000001", "--reason", "r"],
        "r-000000000000000000000001",
    ),
]


@pytest.mark.parametrize(
    ("name", "args", "where"), REFERENCE_CASES, ids=[c[0] for c in REFERENCE_CASES]
)
def test_references_that_match_nothing_are_reported(
    world: World, name: str, args: list[str], where: str
) -> None:
    _check(["--config", str(world.config), *args], 1, where)


def test_missing_signing_key_file_is_a_configuration_error(world: World) -> None:
    missing = world.root / "keys" / "gone.key"
    text = world.config_text()
    start = text.index("key_file: ") + len("key_file: ")
    end = text.index("\n", start)
    path = world.variant("no-key", text[:start] + str(missing) + text[end:])
    _check(["--config", str(path), "show", world.record_id], 2, str(missing))


def test_checkpoint_out_into_a_missing_folder_is_an_operational_failure(world: World) -> None:
    target = world.root / "no-such-folder" / "cp.txt"
    _check(["--config", str(world.config), "checkpoint", "--out", str(target)], 3, str(target))


def test_state_dir_that_is_a_file_is_an_operational_failure(world: World) -> None:
    blocker = world.root / "state-is-a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    text = world.config_text()
    start = text.index("state_dir: ") + len("state_dir: ")
    end = text.index("\n", start)
    path = world.variant("state-file", text[:start] + str(blocker) + text[end:])
    _check(["--config", str(path), "search"], 3, str(blocker))


# -- full and read-only file systems (real mounts; skipped where mounting is not allowed)


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    mounts: list[Path] = []

    def mount(name: str, *options: str) -> Path:
        point = tmp_path / name
        point.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", ",".join(("size=256k", *options)), "tmpfs", str(point)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here (needs CAP_SYS_ADMIN): {done.stderr}")
        mounts.append(point)
        return point

    yield mount
    for point in mounts:
        subprocess.run(["umount", "-l", str(point)], check=False)


def _fill(folder: Path) -> None:
    with (folder / "ballast").open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError:
            pass


def test_a_full_state_dir_is_an_operational_failure_naming_it(
    world: World, tmpfs: Callable[..., Path]
) -> None:
    state = tmpfs("state")
    _fill(state)
    text = world.config_text()
    start = text.index("state_dir: ") + len("state_dir: ")
    end = text.index("\n", start)
    path = world.variant("full-state", text[:start] + str(state) + text[end:])
    _check(["--config", str(path), "search"], 3, str(state))


def test_a_read_only_store_is_an_operational_failure_naming_it(
    world: World, tmpfs: Callable[..., Path]
) -> None:
    store = tmpfs("store")
    shutil.copytree(world.root / "store", store, dirs_exist_ok=True)
    subprocess.run(["mount", "-o", "remount,ro", str(store)], check=True)
    text = world.config_text()
    start = text.index("  path: ") + len("  path: ")
    end = text.index("\n", start)
    path = world.variant("ro-store", text[:start] + str(store) + text[end:])
    # showing a record appends its access entry first, which the store refuses
    _check(["--config", str(path), "show", world.record_id, "--reason", "r"], 3, str(store))
