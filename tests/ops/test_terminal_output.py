"""Nothing an outsider wrote can drive the reader's terminal through show, search,
trail or cases, and ``search`` with no match is a normal answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pipeline.cli.app import cli
from pipeline.cli.output import fail, format_table, one_line, terminal_safe
from tests.index.factory import LedgerEnv, make_env, make_raw, write_config

OSC_TITLE = "\x1b]0;pwned\x07"
OSC_CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4=\x07"
CSI_CLEAR = "\x1b[2J"
RLO = "\u202e"
C1_CSI = "\x9b"
HOSTILE_SUBJECT = f"Escrow {OSC_TITLE}{CSI_CLEAR}{RLO}fdp.exe{C1_CSI}31m"
# quoted-printable, so the bare CR (=0D) survives transport and parsing
HOSTILE_BODY_QP = "Line one=0DFORGED line\r\nclip =1B]52;c;cm0gLXJmIH4=3D=07 tab\there\r\n"
FORBIDDEN = ("\x1b", "\x07", "\x9b", "\u202e", "\r")


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[LedgerEnv, str, Path]:
    env = make_env(tmp_path)
    head = make_raw(subject=HOSTILE_SUBJECT).split(b"\n\n", 1)[0].decode()
    head = "\n".join(
        line for line in head.split("\n") if not line.startswith("Content-Transfer-Encoding")
    )
    raw = f"{head}\nContent-Transfer-Encoding: quoted-printable\n\n{HOSTILE_BODY_QP}".encode()
    entry = env.record(raw)
    return env, str(entry.body["record_id"]), write_config(env)


def _run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), *args])


def _assert_inert(result: Result) -> None:
    assert result.exit_code == 0, result.output
    for char in FORBIDDEN:
        assert char not in result.stdout, repr(char)


def test_show_escapes_escape_sequences_bidi_and_bare_cr(
    hostile: tuple[LedgerEnv, str, Path],
) -> None:
    _env, record_id, config = hostile
    result = _run(config, "show", record_id, "--reason", "test")
    _assert_inert(result)
    assert "\\x1b]52;c;" in result.stdout  # visible, so the reader knows it was there
    assert "Line one\\x0dFORGED line" in result.stdout
    assert "tab\there" in result.stdout  # tabs in bodies stay


def test_search_escapes_hostile_subjects(hostile: tuple[LedgerEnv, str, Path]) -> None:
    _env, _record_id, config = hostile
    _assert_inert(_run(config, "search", "--text", "escrow"))


def test_trail_escapes_hostile_subjects(hostile: tuple[LedgerEnv, str, Path]) -> None:
    _env, record_id, config = hostile
    _assert_inert(_run(config, "trail", record_id, "--reason", "test"))


def test_cases_output_is_terminal_safe(hostile: tuple[LedgerEnv, str, Path]) -> None:
    _env, _record_id, config = hostile
    _assert_inert(_run(config, "cases"))


def test_search_without_a_match_says_so_and_exits_zero(
    hostile: tuple[LedgerEnv, str, Path],
) -> None:
    _env, _record_id, config = hostile
    result = _run(config, "search", "--sender", "nobody@nowhere.example")
    assert result.exit_code == 0
    assert result.stdout == "no records match\n"
    assert "Traceback" not in result.output


def test_terminal_safe_keeps_newlines_tabs_and_crlf_line_ends() -> None:
    assert terminal_safe("a\tb\r\nc\n") == "a\tb\nc\n"


def test_terminal_safe_escapes_c0_c1_del_and_bidi_isolates() -> None:
    assert terminal_safe("\x00\x08\x7f\x85\u2066\u2069") == "\\x00\\x08\\x7f\\x85\\u2066\\u2069"


def test_table_cells_cannot_start_a_new_line() -> None:
    assert format_table(("A", "B"), [("x\ny", "z")]).splitlines() == ["A       B", "x\\x0ay  z"]
    assert one_line("a\tb") == "a\\x09b"


def test_an_error_line_masks_a_number_quoted_from_a_message_but_keeps_positions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as done:
        fail("natives/ML00000001.0001_7004418825 statement.png: File name too long", 3)
    with pytest.raises(SystemExit):
        fail("no ledger entry at position 400008", 1)
    assert done.value.code == 3
    lines = capsys.readouterr().err.splitlines()
    assert "7004418825" not in lines[0] and lines[0].endswith(
        "8825 statement.png: File name too long"
    )
    assert lines[1] == "error: no ledger entry at position 400008"
