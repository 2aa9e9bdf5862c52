"""``import`` of files whose names are not UTF-8: every message is recorded, and the name
is kept as text with each undecodable byte written as ``\\xNN``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.fetch.files import path_text, read_messages
from pipeline.runtime import open_runtime
from tests.cli.workdir import local_workdir, run_in

LATIN1_NAME = os.fsdecode(b"caf\xe9.eml")  # "café.eml" written in Latin-1, not UTF-8


def _mail(n: int) -> bytes:
    return (
        f"From: borrower{n}@example.net\r\nTo: servicing@servicer.example\r\n"
        f"Subject: Letter {n}\r\nMessage-ID: <m{n}@borrower.example>\r\n\r\nHello {n}.\r\n"
    ).encode()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return local_workdir(
        tmp_path, "cli.example/ledger", "logging:\n  level: error\n  format: json\n"
    )


_run = run_in


def _sources(workdir: Path) -> dict[str, dict[str, object]]:
    """Each recorded message's source, by its record id."""
    ledger = open_runtime(load_config(workdir / "config.yaml"), writable=False).ledger
    return {
        str(e.body["record_id"]): e.body["source"]
        for e in ledger.entries()
        if e.type == "message.received"
    }


def test_a_folder_with_one_name_that_is_not_utf8_imports_every_message(workdir: Path) -> None:
    folder = workdir / "backfill"
    folder.mkdir()
    for n, name in enumerate(["a.eml", "b.eml", LATIN1_NAME, "d.eml"]):
        (folder / name).write_bytes(_mail(n))
    result = _run(workdir, "import", str(folder))
    assert result.exit_code == 0, result.output
    assert "read 4, recorded 4, already recorded 0" in result.stdout
    paths = sorted(str(s["path"]) for s in _sources(workdir).values())
    assert paths == sorted(
        [f"{folder}/a.eml", f"{folder}/b.eml", f"{folder}/caf\\xe9.eml", f"{folder}/d.eml"]
    )


def test_a_folder_name_that_is_not_utf8_is_recorded_with_its_bytes_escaped(
    workdir: Path,
) -> None:
    folder = workdir / os.fsdecode(b"archiv\xe9")
    folder.mkdir()
    (folder / "one.eml").write_bytes(_mail(1))
    result = _run(workdir, "import", "--json", str(folder / "one.eml"))
    assert result.exit_code == 0, result.output
    (source,) = _sources(workdir).values()
    assert source["folder"] == "archiv\\xe9"
    assert source["path"] == f"{workdir}/archiv\\xe9/one.eml"


def test_importing_the_same_file_again_finds_it_already_recorded(workdir: Path) -> None:
    eml = workdir / LATIN1_NAME
    eml.write_bytes(_mail(1))
    assert _run(workdir, "import", "--json", str(eml)).exit_code == 0
    again = _run(workdir, "import", "--json", str(eml))
    assert again.exit_code == 0, again.output
    (counts,) = json.loads(again.stdout)["imports"]
    assert (counts["read"], counts["recorded"], counts["already_recorded"]) == (1, 0, 1)
    assert len(_sources(workdir)) == 1


def test_the_text_of_a_name_keeps_every_byte_and_is_the_same_each_time() -> None:
    name = os.fsdecode(b"/in/caf\xe9-\xff.eml")
    assert path_text(name) == "/in/caf\\xe9-\\xff.eml"
    assert path_text(Path(name)) == path_text(name)
    assert path_text("/in/café.eml") == "/in/café.eml"  # UTF-8 names are unchanged


def test_messages_read_from_a_name_that_is_not_utf8_carry_valid_text(tmp_path: Path) -> None:
    (tmp_path / LATIN1_NAME).write_bytes(_mail(1))
    (message,) = read_messages(tmp_path / LATIN1_NAME)
    assert message.raw == _mail(1)
    assert message.path.encode("utf-8") == f"{tmp_path}/caf\\xe9.eml".encode()
