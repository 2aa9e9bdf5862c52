"""The verifier reads nothing into memory on the strength of a declared size alone.

A zip member of a few hundred kilobytes can inflate to gigabytes. Every file the
verifier reads whole has a bound, checked before and while reading; ledger entries
and the manifest are parsed as they stream past; content files are hashed in chunks.
Going over a bound is a failure of the bundle, named in the report, never a crash.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import pipeline.export.bundle_verifier as bundle_verifier
from pipeline.archive import Archive, ArchiveSettings
from pipeline.export.bundle_verifier import (
    MAX_LISTED_PROBLEMS,
    Problem,
    Report,
    _JsonStream,
    _read_entry,
    verify_bundle,
)
from pipeline.index.db import SearchCriteria
from tests.index.factory import build_scenario

MIB = 1 << 20
KEY_BOUND = "TOO LARGE: over 64 KiB (65,536 bytes), the bound for a verifier key file; not read"
FORMAT_ONLY = b'{"format": "mailledger-export/1", "files": []}'


@dataclass(frozen=True)
class Export:
    path: Path  # a genuine export, as a .zip
    key: str  # the log's verifier key text


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Export:
    root = tmp_path_factory.mktemp("bounds")
    scenario = build_scenario(root)
    env = scenario.env
    settings = ArchiveSettings(index_path=env.index_path)
    with Archive(env.runtime.store, env.runtime.ledger, settings, "person:liaison") as archive:
        # a hold in one record's trail, its entry larger than any read whole
        reason = "litigation hold " + "x" * (2 * MIB)
        archive.add_hold([scenario.notice.body["record_id"]], reason)
        archive.export(root / "export.zip", SearchCriteria(), "CFPB exam 2026-7")
    return Export(root / "export.zip", env.key.verifier.to_text())


def write_member(archive: zipfile.ZipFile, name: str, content: bytes | int) -> None:
    """Deflate ``content`` into the archive; an int is that many zero bytes, streamed."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w") as out:
        if isinstance(content, bytes):
            out.write(content)
            return
        zeros = bytes(MIB)
        while content > 0:
            out.write(zeros[: min(content, MIB)])
            content -= MIB


def make_zip(path: Path, members: Mapping[str, bytes | int]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            write_member(archive, name, content)
    return path


def rezip(source: Path, target: Path, replace: Mapping[str, bytes | int]) -> Path:
    """A copy of the zip ``source`` with the members named in ``replace`` rewritten."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename in replace:
                write_member(new, info.filename, replace[info.filename])
            else:
                new.writestr(info, old.read(info))
    return target


def understate(path: Path, name: str, size: int) -> None:
    """Make the zip's local and central headers of member ``name`` declare ``size`` bytes."""
    data = bytearray(path.read_bytes())
    wanted = name.encode()
    for signature, name_at, size_at in ((b"PK\x03\x04", 30, 22), (b"PK\x01\x02", 46, 24)):
        at = data.find(signature)
        while data[at + name_at : at + name_at + len(wanted)] != wanted:
            at = data.find(signature, at + 1)
        data[at + size_at : at + size_at + 4] = size.to_bytes(4, "little")
    path.write_bytes(bytes(data))


@dataclass(frozen=True)
class Measured:
    result: Any
    peak: int  # bytes of Python memory allocated at the peak, over what was held before
    seconds: float


def measured(run: Callable[[], Any]) -> Measured:
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Measured(result, peak, time.perf_counter() - start)


def problems(report: Report) -> list[str]:
    return [str(p) for p in report.problems]


# --- a genuine export ---------------------------------------------------------------------


def test_a_genuine_export_zip_still_verifies_against_the_log_key(export: Export):
    with zipfile.ZipFile(export.path) as archive:
        sizes = [i.file_size for i in archive.infolist() if i.filename.startswith("ledger/")]
    assert max(sizes) > bundle_verifier.WHOLE_ENTRY_BYTES  # the hold: parsed as it streams
    report = verify_bundle(export.path, export.key)
    assert report.problems == []
    assert report.verified is True
    assert (report.records, report.entries, report.key_source) == (3, 10, "command line")


# --- files read whole ---------------------------------------------------------------------


def test_a_deflated_50_mib_public_key_is_refused_by_its_declared_size_unread(tmp_path: Path):
    bomb = make_zip(
        tmp_path / "bomb.zip", {"manifest.json": FORMAT_ONLY, "public-key.txt": 50 * MIB}
    )
    assert bomb.stat().st_size < MIB
    run = measured(lambda: verify_bundle(bomb))
    assert Problem("public-key.txt", KEY_BOUND) in run.result.problems
    assert run.result.verified is False
    assert run.peak < MIB  # nothing of the 50 MiB was read
    assert run.seconds < 5


def test_a_public_key_larger_than_its_declared_size_is_refused_while_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    bomb = make_zip(
        tmp_path / "bomb.zip", {"manifest.json": FORMAT_ONLY, "public-key.txt": 50 * MIB}
    )
    real_size = bundle_verifier._ZipBundle.size
    monkeypatch.setattr(
        bundle_verifier._ZipBundle,
        "size",
        lambda self, path: 82 if path == "public-key.txt" else real_size(self, path),
    )
    run = measured(lambda: verify_bundle(bomb))
    assert Problem("public-key.txt", KEY_BOUND) in run.result.problems
    assert run.peak < 4 * MIB  # at most the bound and one inflated chunk, not 50 MiB


def test_a_zip_directory_understating_a_member_is_read_no_further_than_declared(
    tmp_path: Path,
):
    bomb = make_zip(
        tmp_path / "bomb.zip", {"manifest.json": FORMAT_ONLY, "public-key.txt": 50 * MIB}
    )
    understate(bomb, "public-key.txt", 100)
    run = measured(lambda: verify_bundle(bomb))
    assert "public-key.txt: cannot be read: Bad CRC-32 for file 'public-key.txt'" in problems(
        run.result
    )
    assert run.peak < MIB


def test_with_the_callers_own_keys_public_key_txt_is_never_read_whole(
    export: Export, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    bomb = rezip(export.path, tmp_path / "export.zip", {"public-key.txt": 50 * MIB})
    opened: list[str] = []
    real_open_bounded = bundle_verifier._Bundle.open_bounded

    def spy(self: Any, path: str, limit: int, what: str) -> Any:
        opened.append(path)
        return real_open_bounded(self, path, limit, what)

    monkeypatch.setattr(bundle_verifier._Bundle, "open_bounded", spy)
    report = verify_bundle(bomb, export.key)
    assert "public-key.txt" not in opened
    assert "checkpoint.txt" in opened
    assert not any("TOO LARGE" in p.what for p in report.problems)


def test_a_listed_50_mib_file_is_hashed_in_chunks_never_read_whole(export: Export, tmp_path: Path):
    bomb = rezip(export.path, tmp_path / "export.zip", {"index.html": 50 * MIB})
    run = measured(lambda: verify_bundle(bomb, export.key))
    changed = [p for p in run.result.problems if p.where == "index.html"]
    assert len(changed) == 1
    assert changed[0].what.startswith(f"CHANGED: {50 * MIB} bytes, SHA-256 ")
    assert run.peak < 8 * MIB


def test_a_ledger_entry_over_its_bound_is_refused_unread(export: Export, tmp_path: Path):
    entry = "ledger/0000000000000003.json"
    bomb = rezip(export.path, tmp_path / "export.zip", {entry: 256 * MIB + 1})
    run = measured(lambda: verify_bundle(bomb, export.key))
    assert (
        Problem(
            f"ledger seq 3 ({entry})",
            "TOO LARGE: over 256 MiB (268,435,456 bytes), the bound for a ledger entry; not read",
        )
        in run.result.problems
    )
    assert run.peak < 8 * MIB


def test_a_seal_proof_over_its_bound_is_refused(export: Export, tmp_path: Path):
    bomb = rezip(export.path, tmp_path / "export.zip", {"seal/proof.json": 50 * MIB})
    report = verify_bundle(bomb, export.key)
    assert (
        Problem(
            "seal/proof.json",
            "TOO LARGE: over 64 KiB (65,536 bytes), the bound for an inclusion proof; not read",
        )
        in report.problems
    )


def test_verify_py_exits_not_verified_with_one_line_naming_the_member_and_bound(
    tmp_path: Path,
):
    bomb = make_zip(
        tmp_path / "bomb.zip", {"manifest.json": FORMAT_ONLY, "public-key.txt": 50 * MIB}
    )
    proc = subprocess.run(
        [sys.executable, "-I", "-S", bundle_verifier.__file__, str(bomb)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"  - public-key.txt: {KEY_BOUND}\n" in proc.stdout
    assert proc.stderr == ""


# --- JSON parsed as it streams past -------------------------------------------------------


def test_a_manifest_value_over_its_bound_is_refused_before_it_is_built(tmp_path: Path):
    manifest = b'{"format": "mailledger-export/1", "reason": "' + b"x" * (50 * MIB) + b'"}'
    bomb = make_zip(tmp_path / "bomb.zip", {"manifest.json": manifest})
    run = measured(lambda: verify_bundle(bomb))
    assert (
        Problem(
            "manifest.json",
            "TOO LARGE: over 4,194,304 characters, the bound for one manifest value;"
            " not read further",
        )
        in run.result.problems
    )
    assert run.peak < 32 * MIB


def read_entry(text: bytes) -> Measured:
    return measured(lambda: _read_entry(_JsonStream(io.BytesIO(text), "one field"), True))


def test_a_ledger_entry_naming_many_records_is_parsed_without_being_held_whole():
    ids = [f"r-{i:024x}" for i in range(8 * MIB // 30)]  # a hold on some 280,000 records
    body = {"record_ids": ids, "raw": {"sha256": "ab" * 32}}
    text = json.dumps({"seq": 7, "type": "hold.added", "body": body}).encode()
    run = read_entry(text)
    is_object, seq, logged = run.result
    assert (is_object, seq, logged.type, logged.raw_sha256) == (True, 7, "hold.added", "ab" * 32)
    assert run.peak < 6 * MIB < len(text)


def test_a_ledger_entry_field_no_check_reads_is_passed_over_without_being_built():
    # 400,000 empty objects: 1.3 MiB of text that json.loads would build into some 25 MiB
    body = {"padding": [{}] * 400_000, "attachments": [{"sha256": "cd" * 32}]}
    text = json.dumps({"seq": 7, "type": "message.received", "body": body}).encode()
    run = read_entry(text)
    _, _, logged = run.result
    assert logged.attachments == (("cd" * 32, False),)
    assert run.peak < 4 * MIB


@pytest.mark.parametrize("depth", [100_000, 2 * MIB], ids=["read-whole", "streamed"])
def test_a_ledger_entry_nested_too_deeply_is_malformed_not_a_crash(
    export: Export, tmp_path: Path, depth: int
):
    entry = "ledger/0000000000000003.json"
    bomb = rezip(export.path, tmp_path / "export.zip", {entry: b"[" * depth})
    report = verify_bundle(bomb, export.key)
    reasons = [p.what for p in report.problems if p.where == f"ledger seq 3 ({entry})"]
    assert any(r.startswith("entry is not UTF-8 JSON: values nested too deeply") for r in reasons)


# --- many items ---------------------------------------------------------------------------


def test_a_manifest_listing_more_files_than_the_bundle_holds_is_read_no_further(
    tmp_path: Path,
):
    files = b",".join([b"{}"] * 200_000)
    manifest = b'{"format": "mailledger-export/1", "files": [' + files + b"]}"
    bomb = make_zip(tmp_path / "bomb.zip", {"manifest.json": manifest, "index.html": b"<p>"})
    report = verify_bundle(bomb)
    assert (
        "manifest.json files: lists more than 2 items, one per file of the bundle;"
        " the rest were not read"
    ) in problems(report)
    assert len(report.problems) < 10


def test_problems_past_the_listing_bound_are_counted_not_kept(tmp_path: Path):
    record = {
        "record_id": "r-1",
        "received_seq": 0,
        "raw_sha256": "ab" * 32,
        "native": "natives/1.eml",
        "attachments": [{}] * (MAX_LISTED_PROBLEMS + 5000),
    }
    manifest = {"format": "mailledger-export/1", "files": [], "records": [record]}
    bomb = make_zip(
        tmp_path / "bomb.zip",
        {"manifest.json": json.dumps(manifest).encode(), "natives/1.eml": b"x"},
    )
    report = verify_bundle(bomb)
    assert len(report.problems) == MAX_LISTED_PROBLEMS
    assert report.problems_not_listed > 5000 - 10
    assert report.to_dict()["problems_not_listed"] == report.problems_not_listed
    total = MAX_LISTED_PROBLEMS + report.problems_not_listed
    assert f"FAILED: {total} problems" in report.render()
