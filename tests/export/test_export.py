"""Examination exports: load files, offline verification, determinism, the export entry."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

import pipeline.export.bundle_verifier as bundle_verifier
from pipeline.archive import Archive, ArchiveSettings
from pipeline.cli.app import cli
from pipeline.export.loadfile import FIELDS, read_csv, read_dat, write_csv, write_dat
from pipeline.index.db import SearchCriteria
from tests.index.factory import PDF, Scenario, build_scenario, make_env, make_raw, write_config

VERIFIER = Path(bundle_verifier.__file__)


@pytest.fixture
def scenario(tmp_path) -> Scenario:
    return build_scenario(tmp_path)


def _export(scenario: Scenario, out: Path, as_of: int | None = None, **criteria):
    env = scenario.env
    settings = ArchiveSettings(index_path=env.index_path)
    with Archive(env.runtime.store, env.runtime.ledger, settings, "person:examiner-liaison") as a:
        return a.export(out, SearchCriteria(**criteria), "CFPB exam 2026-7", as_of=as_of).result


def _verify_py(bundle: Path, key: str, verifier: Path) -> subprocess.CompletedProcess[str]:
    # run as an examiner would: a separate, isolated interpreter, no site packages
    return subprocess.run(
        [sys.executable, "-I", "-S", str(verifier), str(bundle), "--public-key", key],
        capture_output=True,
        text=True,
        check=False,
    )


def _standard_dat_reader(data: bytes) -> list[dict[str, str]]:
    # Written to the Concordance convention, independently of our writer: a value runs
    # from one þ to the next, values are separated by 0x14, records end with CRLF, and
    # every ® is a line break. There is no escape of any kind.
    text = data.decode("utf-8").removeprefix("\ufeff")
    records = []
    for line in text.split("\r\n")[:-1]:
        assert line.startswith("\xfe") and line.endswith("\xfe"), line
        values = line[1:-1].split("\xfe\x14\xfe")
        records.append([v.replace("\xae", "\n") for v in values])
    return [dict(zip(records[0], r, strict=True)) for r in records[1:]]


def test_dat_round_trips_separators_quotes_and_line_breaks_through_a_standard_reader():
    tricky = 'a\x14b ¶ "quoted", comma\nsecond line\r\nthird'
    rows = [{f: "" for f in FIELDS} | {"Subject": tricky, "From": "x@example.net", "DocID": "ML1"}]
    data = write_dat(rows)
    assert data.startswith(b"\xef\xbb\xbf\xc3\xbeDocID\xc3\xbe\x14")
    expected = [rows[0] | {"Subject": 'a\x14b ¶ "quoted", comma\nsecond line\nthird'}]
    assert _standard_dat_reader(data) == expected
    assert read_dat(data) == expected
    assert read_csv(write_csv(rows)) == expected


def test_dat_writes_a_literal_registered_mark_once_so_standard_readers_see_one_break():
    data = write_dat([{"Subject": "Acme® Servicing"}], ["Subject"])
    assert "þAcme® Servicingþ\r\n".encode() in data
    assert _standard_dat_reader(data) == [{"Subject": "Acme\n Servicing"}]


def test_dat_replaces_a_literal_qualifier_with_capital_thorn_so_the_value_stays_whole():
    rows = [{"Custodian": "Þórr þórsson", "Subject": "Re: þ"}]
    data = write_dat(rows, ["Custodian", "Subject"])
    assert _standard_dat_reader(data) == [{"Custodian": "Þórr Þórsson", "Subject": "Re: Þ"}]
    assert read_csv(write_csv(rows, ["Custodian", "Subject"])) == rows


def test_dat_writes_crlf_line_breaks_inside_values_as_one_newline_mark():
    rows = [{"DocID": "a\r\nb\rc"}]
    assert read_dat(write_dat(rows, ["DocID"])) == [{"DocID": "a\nb\nc"}]


def test_export_folder_verifies_with_shipped_verify_py_in_a_separate_process(scenario, tmp_path):
    out = tmp_path / "export"
    result = _export(scenario, out)
    key = scenario.env.key.verifier.to_text()
    proc = _verify_py(out, key, out / "verify.py")
    assert proc.returncode == 0, proc.stdout
    assert "VERIFIED: 3 records" in proc.stdout
    assert result.record_ids == tuple(
        e.body["record_id"] for e in (scenario.notice, scenario.payoff, scenario.imported)
    )


def test_export_zip_verifies_with_verify_py_in_a_separate_process(scenario, tmp_path):
    out = tmp_path / "export.zip"
    _export(scenario, out, mailbox="servicing")
    verifier = tmp_path / "verify.py"
    with zipfile.ZipFile(out) as archive:
        verifier.write_bytes(archive.read("verify.py"))
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in archive.infolist())
    proc = _verify_py(out, scenario.env.key.verifier.to_text(), verifier)
    assert proc.returncode == 0, proc.stdout
    assert "VERIFIED: 2 records" in proc.stdout


def test_export_natives_are_byte_identical_and_attachments_named_by_control_number(
    scenario, tmp_path
):
    out = tmp_path / "export"
    _export(scenario, out)
    store = scenario.env.runtime.store
    assert (out / "natives/ML00000001.eml").read_bytes() == store.get(
        scenario.notice.body["raw"]["key"]
    )
    assert (out / "natives/ML00000001.0001_statement.pdf").exists()
    assert (out / "verify.py").read_bytes() == Path(
        "pipeline/export/bundle_verifier.py"
    ).read_bytes()


def test_export_load_files_describe_messages_and_attachments(scenario, tmp_path):
    out = tmp_path / "export"
    _export(scenario, out)
    dat = read_dat((out / "loadfiles/export.dat").read_bytes())
    assert dat == read_csv((out / "loadfiles/export.csv").read_bytes())
    first, attachment = dat[0], dat[1]
    assert first["DocID"] == "ML00000001"
    assert first["EndAttach"] == attachment["DocID"] == "ML00000001.0001"
    assert first["CC"] == "attorney@lawfirm.example"
    assert first["SHA256"] == scenario.notice.body["raw"]["sha256"]
    assert first["Escalated"] == "Y" and first["Custodian"] == "servicing"
    assert attachment["FileName"] == "statement.pdf"
    assert [r["DocID"] for r in dat[2:]] == ["ML00000002", "ML00000003"]


def test_export_includes_every_trail_entry_and_summary_counts(scenario, tmp_path):
    out = tmp_path / "export"
    _export(scenario, out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    seqs = [e["seq"] for e in manifest["entries"]]
    records = (scenario.notice, scenario.payoff, scenario.imported)
    assert seqs == sorted(
        [
            *(r.body["sealed"]["seq"] for r in records),  # each record's seal
            scenario.notice.seq,
            scenario.payoff.seq,
            scenario.imported.seq,
            scenario.ack.seq,
            scenario.escalation.seq,
            scenario.access.seq,
        ]
    )
    page = (out / "html/ML00000001.html").read_text(encoding="utf-8")
    assert "acknowledgment.sent" in page and "verified (" in page
    summary = (out / "index.html").read_text(encoding="utf-8")
    assert "Deadline compliance" in summary and "on time" in summary


def test_re_export_against_the_same_checkpoint_is_identical_but_for_its_seal(scenario, tmp_path):
    size = scenario.env.runtime.ledger.size()
    first = _export(scenario, tmp_path / "a.zip", as_of=size)
    scenario.env.append(
        "access.viewed",
        {"record_ids": [], "what": "search", "actor": "person:x"},
        time=datetime.now(UTC),
    )
    second = _export(scenario, tmp_path / "b.zip", as_of=size)
    # everything but the seal (each export's own export.created entry and the checkpoint
    # that covers it) is the same bytes, and both re-exports verify
    with zipfile.ZipFile(tmp_path / "a.zip") as za, zipfile.ZipFile(tmp_path / "b.zip") as zb:
        names = [n for n in za.namelist() if not n.startswith("seal/")]
        assert names == [n for n in zb.namelist() if not n.startswith("seal/")]
        assert all(za.read(n) == zb.read(n) for n in names)
    assert first.manifest_sha256 == second.manifest_sha256
    _export(scenario, tmp_path / "a-dir", as_of=size)
    _export(scenario, tmp_path / "b-dir", as_of=size)
    files_a = sorted(p.relative_to(tmp_path / "a-dir") for p in (tmp_path / "a-dir").rglob("*"))
    assert files_a == sorted(
        p.relative_to(tmp_path / "b-dir") for p in (tmp_path / "b-dir").rglob("*")
    )
    for rel in files_a:
        a, b = tmp_path / "a-dir" / rel, tmp_path / "b-dir" / rel
        assert a.is_dir() or rel.parts[0] == "seal" or a.read_bytes() == b.read_bytes(), rel
    key = scenario.env.key.verifier.to_text()
    for bundle in ("a.zip", "b.zip", "a-dir", "b-dir"):
        proc = _verify_py(tmp_path / bundle, key, VERIFIER)
        assert proc.returncode == 0, proc.stdout


def test_export_command_appends_export_created_after_writing(scenario, tmp_path):
    config = write_config(scenario.env)
    out = tmp_path / "exam.zip"
    key_file = tmp_path / "log-key.txt"
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(config),
            "export",
            "--out",
            str(out),
            "--escalated",
            "--reason",
            "exam",
            "--public-key-out",
            str(key_file),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    ledger = scenario.env.runtime.ledger
    access, created = ledger.entry(ledger.size() - 2), ledger.entry(ledger.size() - 1)
    with zipfile.ZipFile(out) as archive:
        manifest = archive.read("manifest.json")
    assert created.type == "export.created"
    assert created.body["record_ids"] == [scenario.notice.body["record_id"]]
    assert created.body["manifest_sha256"] == hashlib.sha256(manifest).hexdigest()
    assert created.body["actor"] == "person:records.officer@servicer.example"
    assert access.type == "access.viewed" and access.body["what"] == "export"
    assert json.loads(manifest)["checkpoint"]["size"] < created.seq
    check = CliRunner().invoke(
        cli, ["verify-export", str(out), "--public-key", str(key_file)], catch_exceptions=False
    )
    assert check.exit_code == 0 and "VERIFIED: 1 records" in check.output


def test_export_with_one_native_edited_fails_verification(scenario, tmp_path):
    out = tmp_path / "export"
    _export(scenario, out)
    native = out / "natives/ML00000002.eml"
    native.write_bytes(native.read_bytes().replace(b"payoff", b"PAYOFF"))
    proc = _verify_py(out, scenario.env.key.verifier.to_text(), out / "verify.py")
    assert proc.returncode == 1
    assert "natives/ML00000002.eml" in proc.stdout and "CHANGED" in proc.stdout


def test_a_folder_export_ships_an_attachment_whose_safe_name_fills_a_whole_name(tmp_path):
    # a Chinese name cut to the safe name's 240 bytes, with the document number before
    # it, was longer than a filesystem allows, and the whole export failed
    long_name = "贷款账户对账单和身份证明文件" * 8 + ".pdf"
    env = make_env(tmp_path / "env")
    env.record(
        make_raw(subject="statement", attachment=(long_name, PDF)),
        received=datetime(2026, 11, 2, 14, 5, tzinfo=UTC),
    )
    settings = ArchiveSettings(index_path=env.index_path)
    out = tmp_path / "export"
    with Archive(env.runtime.store, env.runtime.ledger, settings, "person:liaison") as a:
        a.export(out, SearchCriteria(), "CFPB exam 2026-7")
    (native,) = [p for p in (out / "natives").iterdir() if p.suffix == ".pdf"]
    assert native.name.startswith("ML00000001.0001_贷款账户对账单")
    assert len(native.name.encode("utf-8")) <= 255
    assert native.read_bytes() == PDF
