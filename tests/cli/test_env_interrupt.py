"""A one-shot command stopped by a signal says so, in one line saying what it did, and
exits as shells report a command a signal ended (128 + the signal: 130 for Ctrl-C,
143 for SIGTERM); the batch in hand is committed and the rest is left for a rerun.

The signals are raised in this process while the command runs, where the commands'
handlers take them, as they would take the operator's Ctrl-C.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from pipeline.archive import Archive
from pipeline.fetch import files
from pipeline.worker.assembler import Assembler
from pipeline.worker.poll import Poller
from tests.cli.workdir import local_workdir, run_in


@pytest.fixture(autouse=True)
def signal_handlers() -> Iterator[None]:
    """The commands install their own handlers; the test process gets its own back."""
    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return local_workdir(
        tmp_path,
        "env.example/ledger",
        "worker:\n  parse_workers: 1\n  dispatch_after_poll: false\nlogging:\n  level: warning\n",
    )


run = run_in


def _folder(root: Path, name: str, count: int) -> Path:
    folder = root / name
    folder.mkdir()
    for n in range(count):
        message = EmailMessage()
        message["From"] = f"b{n}@{name}.example"
        message["Subject"] = f"Letter {n} from {name}"
        message["Message-ID"] = f"<{name}-{n}@borrower.example>"
        message["Date"] = "Tue, 01 Dec 2026 10:00:00 +0000"
        message.set_content(f"Please correct my escrow ({n}).")
        (folder / f"{n}.eml").write_bytes(bytes(message))
    return folder


def _signal_while_reading(
    monkeypatch: pytest.MonkeyPatch, folder: Path, number: signal.Signals
) -> list[Path]:
    """Raise ``number`` after the first message of ``folder`` is read; returns the paths
    given to the import that it opened."""
    real = files.read_messages
    opened: list[Path] = []

    def reading(path: Path) -> Iterator[Any]:
        if path.parent == folder.parent:  # not the files of a folder, read one by one
            opened.append(path)
        for n, message in enumerate(real(path)):
            yield message
            if path == folder and n == 0:
                signal.raise_signal(number)

    monkeypatch.setattr(files, "read_messages", reading)
    return opened


def _subjects(workdir: Path) -> list[str]:
    result = run(workdir, "search", "--json")
    assert result.exit_code == 0, result.output
    return sorted(row["subject"] for row in json.loads(result.stdout))


@pytest.mark.parametrize(
    ("number", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"]
)
def test_an_import_stopped_by_a_signal_says_what_it_did_and_exits_128_plus_the_signal(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, number: signal.Signals, code: int
) -> None:
    first, second = _folder(workdir, "first", 3), _folder(workdir, "second", 2)
    _signal_while_reading(monkeypatch, first, number)
    result = run(workdir, "import", str(first), str(second))
    assert result.exit_code == code
    assert result.stderr == (
        f"error: stopped by {number.name} after 0 of 2 paths (3 messages read, 3 recorded);"
        " run the same import again to continue: messages already recorded are skipped\n"
    )


def test_an_import_stopped_while_reading_the_first_path_never_opens_the_second(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = _folder(workdir, "first", 3), _folder(workdir, "second", 2)
    opened = _signal_while_reading(monkeypatch, first, signal.SIGINT)
    assert run(workdir, "import", str(first), str(second)).exit_code == 130
    assert opened == [first]
    assert _subjects(workdir) == [f"Letter {n} from first" for n in range(3)]


def test_a_poll_stopped_by_sigint_exits_130(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = Poller.poll

    def poll(self: Poller, names: Any = ()) -> Any:
        signal.raise_signal(signal.SIGINT)
        return real(self, names)

    monkeypatch.setattr(Poller, "poll", poll)
    result = run(workdir, "poll")
    assert result.exit_code == 130
    assert result.stderr == (
        "error: stopped by SIGINT before the poll finished; what it sealed is kept, and the"
        " next poll continues from there\n"
    )


def test_assembling_the_pending_messages_stopped_by_sigterm_exits_143(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Assembler.assemble_pending

    def assemble_pending(self: Assembler, *args: Any, **kwargs: Any) -> Any:
        signal.raise_signal(signal.SIGTERM)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Assembler, "assemble_pending", assemble_pending)
    result = run(workdir, "assemble")
    assert result.exit_code == 143
    assert result.stderr.startswith("error: stopped by SIGTERM after assembling 0 messages;")


def test_ctrl_c_in_a_command_without_a_stop_flag_exits_130_in_one_line(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(workdir, "import", str(_folder(workdir, "one", 1))).exit_code == 0

    def interrupted(*_args: Any, **_kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(Archive, "search_proven", interrupted)
    result = run(workdir, "search")
    assert result.exit_code == 130
    # after the blank line that moves past the terminal's "^C"
    assert result.stderr == (
        "\nerror: stopped by SIGINT before the command finished; run it again\n"
    )


def test_assembly_worker_processes_leave_ctrl_c_to_the_command(tmp_path: Path) -> None:
    # Ctrl-C reaches the whole process group: a worker it interrupted would fail the
    # batch in hand. A process of its own, so that the test's SIGINT handling is untouched.
    root = Path(__file__).resolve().parents[2]
    code = (
        "import signal\n"
        "from pathlib import Path\n"
        "from pipeline.config import load_config\n"
        "from pipeline.logs import LogSettings\n"
        "from pipeline.storage.settings import LocalSettings\n"
        "from pipeline.worker.assembly_pool import init_worker_process\n"
        "from pipeline.worker.build import record_settings\n"
        f"settings = record_settings(load_config(Path({str(root / 'config.yaml')!r})))\n"
        f"init_worker_process(settings, LocalSettings(root=Path({str(tmp_path)!r})),"
        " LogSettings())\n"
        "print(signal.getsignal(signal.SIGINT).name)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.stdout == "SIG_IGN\n", done.stderr
