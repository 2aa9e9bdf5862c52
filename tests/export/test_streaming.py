"""Exports are written a record at a time: long lists go through scratch files, and the
result is the same bytes as the whole document written at once."""

from __future__ import annotations

import json
import tempfile
import threading
import zipfile
from pathlib import Path

import pytest

import pipeline.export.bundle as bundle
from pipeline.archive import Archive, ArchiveSettings
from pipeline.errors import ExportError, LedgerError
from pipeline.index.db import SearchCriteria
from tests.index.factory import Scenario, build_scenario


@pytest.fixture
def scenario(tmp_path) -> Scenario:
    return build_scenario(tmp_path / "ledger")


def _export(scenario: Scenario, out: Path, as_of: int) -> None:
    env = scenario.env
    settings = ArchiveSettings(index_path=env.index_path)
    with Archive(env.runtime.store, env.runtime.ledger, settings, "person:liaison") as archive:
        archive.export(out, SearchCriteria(), "exam", as_of=as_of)


def test_manifest_written_in_pieces_is_json_dumps_of_the_whole_document(tmp_path):
    small = {
        "format": "mailledger-export/1",
        "reason": 'exam "2026" ¶ þ – naïve \\ "@@not-a-marker@@"',
        "checkpoint": {"size": 3, "root": "ab" * 32, "file": "checkpoint.txt"},
        "criteria": {"mailbox": None, "types": ["message.received"]},
    }
    lists = {
        "files": [{"path": "natives/ML00000001.eml", "sha256": "c" * 64, "size": 5}],
        "entries": [
            {"seq": 0, "file": "ledger/0.json", "leaf_hash": "d" * 64, "proof": []},
            {"seq": 1, "file": "ledger/1.json", "leaf_hash": "e" * 64, "proof": ["f" * 64]},
        ],
        "records": [],
    }
    streamed = {}
    for name, items in lists.items():
        spill = bundle._JsonList(tmp_path / f"{name}.json")
        for item in items:
            spill.add(item)
        streamed[name] = spill.chunks()
    text = "".join(bundle._manifest_chunks(small, streamed))
    whole = json.dumps(small | lists, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    assert text == whole


def test_file_list_merges_its_sorted_runs_into_path_order(tmp_path, monkeypatch):
    monkeypatch.setattr(bundle, "_RUN", 2)
    files = bundle._FileList(tmp_path)
    for path in ("text/b", "natives/ML2.eml", "natives/ML1.0001_a.pdf", "index.html", "html/x"):
        files.add(path, "0" * 64, 1)
    assert [p for p, _, _ in files.sorted()] == [
        "html/x",
        "index.html",
        "natives/ML1.0001_a.pdf",
        "natives/ML2.eml",
        "text/b",
    ]


def test_file_list_refuses_two_files_with_one_path_across_runs(tmp_path, monkeypatch):
    monkeypatch.setattr(bundle, "_RUN", 2)
    files = bundle._FileList(tmp_path)
    for path in ("a", "b", "c", "a"):
        files.add(path, "0" * 64, 1)
    with pytest.raises(ExportError, match="two files in the export would be named a"):
        list(files.sorted())


def test_export_with_many_file_runs_is_byte_identical_to_one_run(scenario, tmp_path, monkeypatch):
    size = scenario.env.runtime.ledger.size()
    _export(scenario, tmp_path / "one.zip", size)
    monkeypatch.setattr(bundle, "_RUN", 3)  # the file list spills and merges several runs
    _export(scenario, tmp_path / "runs.zip", size)
    with (
        zipfile.ZipFile(tmp_path / "one.zip") as one,
        zipfile.ZipFile(tmp_path / "runs.zip") as runs,
    ):
        names = [n for n in one.namelist() if not n.startswith("seal/")]
        assert names == [n for n in runs.namelist() if not n.startswith("seal/")]
        assert all(one.read(n) == runs.read(n) for n in names)
        manifest = json.loads(runs.read("manifest.json"))
    paths = [f["path"] for f in manifest["files"]]
    assert paths == sorted(paths) and len(paths) > 3


def test_export_leaves_no_scratch_files_beside_it(scenario, tmp_path):
    out_dir = tmp_path / "exports"
    out_dir.mkdir()
    _export(scenario, out_dir / "exam", scenario.env.runtime.ledger.size())
    assert sorted(p.name for p in out_dir.iterdir()) == ["exam"]


@pytest.fixture
def no_system_temp(tmp_path, monkeypatch) -> None:
    """Any scratch file made in the system temp directory fails: it must not be used."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "system-temp-not-to-be-used"))


def test_export_keeps_every_scratch_file_beside_it_not_in_the_system_temp_directory(
    scenario, tmp_path, no_system_temp
):
    out_dir = tmp_path / "exports"
    out_dir.mkdir()
    _export(scenario, out_dir / "exam", scenario.env.runtime.ledger.size())
    assert sorted(p.name for p in out_dir.iterdir()) == ["exam"]
    assert not (tmp_path / "system-temp-not-to-be-used").exists()


def test_a_failed_export_leaves_no_scratch_files_beside_it(
    scenario, tmp_path, no_system_temp, monkeypatch
):
    def refuse(*bodies: object) -> None:
        raise LedgerError("the ledger refused the export's entries")

    out_dir = tmp_path / "exports"
    out_dir.mkdir()
    monkeypatch.setattr(Archive, "append_audited", lambda self, *bodies: refuse(*bodies))
    with pytest.raises(LedgerError, match="refused"):
        _export(scenario, out_dir / "exam", scenario.env.runtime.ledger.size())
    assert list(out_dir.iterdir()) == []


def test_the_folder_writer_holds_back_a_file_until_the_bytes_in_flight_fit():
    budget = bundle._ByteBudget(10)
    budget.take(6)
    taken = threading.Event()

    def take_five() -> None:
        budget.take(5)
        taken.set()

    waiter = threading.Thread(target=take_five)
    waiter.start()
    held_back = not taken.wait(0.2)
    budget.give(6)
    waiter.join(5)

    assert held_back
    assert taken.is_set()


def test_the_folder_writer_lets_a_file_larger_than_its_budget_go_alone():
    budget = bundle._ByteBudget(10)

    budget.take(64)  # returns at once: nothing else is in flight

    assert budget._used == 64


def test_an_entry_in_every_trail_is_made_into_its_item_when_read_and_not_kept_decoded(
    scenario, tmp_path
):
    # the access entry names every record: its item is made once, and the export's
    # scratch copy lets go of the decoded entry (at 200,000 messages each is some 6 MB)
    access = scenario.access
    spill = bundle._EntrySpill(tmp_path / "entries", {access.seq})
    spill.add(scenario.env.runtime.ledger.entry(access.seq))
    shared = bundle.SharedItems({access.seq})
    proofs = scenario.env.proofs()
    record_id = scenario.notice.body["record_id"]

    given = bundle._trail_entry(access.seq, record_id, spill, shared, proofs)

    assert given == access.seq
    assert shared.holds(access.seq)
    assert spill._cache == {}
    spill.close()


def test_a_record_entry_in_two_trails_is_given_whole_to_each(scenario, tmp_path):
    notice = scenario.notice
    spill = bundle._EntrySpill(tmp_path / "entries", {notice.seq})
    spill.add(scenario.env.runtime.ledger.entry(notice.seq))
    shared = bundle.SharedItems({notice.seq})

    given = bundle._trail_entry(notice.seq, "r-reply", spill, shared, scenario.env.proofs())

    assert given.seq == notice.seq
    assert not shared.holds(notice.seq)
    spill.close()


def test_an_entry_is_shared_while_more_than_one_trail_left_to_write_is_in_it():
    marks = bundle._Marks(5)
    marks.add([0, 2])
    marks.add([1, 2])
    marks.add([2, 3])

    assert list(marks.wanted()) == [0, 1, 2, 3]
    assert [s for s in range(5) if s in marks.shared] == [2]
    assert marks.written([0, 2]) == [0]
    assert 2 in marks.shared
    assert marks.written([1, 2]) == [1]
    assert 2 not in marks.shared  # one trail left: nothing to keep it for
    assert marks.written([2, 3]) == [2, 3]


def test_an_export_lets_go_of_each_kept_item_after_the_last_trail_that_shows_it(
    scenario, tmp_path, monkeypatch
):
    released: list[int] = []
    real_release = bundle.SharedItems.release

    def counting_release(self, seq):
        released.append(seq)
        real_release(self, seq)

    monkeypatch.setattr(bundle.SharedItems, "release", counting_release)
    out = tmp_path / "out"
    _export(scenario, out, scenario.env.runtime.ledger.size())

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    included = [e["seq"] for e in manifest["entries"]]
    assert sorted(released) == included  # each once, after its last trail
