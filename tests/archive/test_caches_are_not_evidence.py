"""Caches are never evidence: edits to the search index in the state folder do not change
what trail, show and exports say, because those read the signed log."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pipeline.archive import Archive, ArchiveSettings
from pipeline.export.loadfile import read_dat
from pipeline.index.db import SearchCriteria
from tests.index.factory import Scenario, build_scenario

ACTOR = "person:records.officer@servicer.example"


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_scenario(tmp_path)


def _archive(scenario: Scenario) -> Archive:
    env = scenario.env
    return Archive(
        env.runtime.store, env.runtime.ledger, ArchiveSettings(index_path=env.index_path), ACTOR
    )


def _edit_index(scenario: Scenario, *statements: tuple[str, tuple[object, ...]]) -> None:
    """Sync the index, then edit it as an insider with access to the state folder would."""
    scenario.env.index().close()
    db = sqlite3.connect(scenario.env.index_path)
    with db:
        for sql, args in statements:
            db.execute(sql, args)
    db.close()


def test_a_deleted_index_row_does_not_remove_the_record_from_its_trail(scenario):
    rid = scenario.notice.body["record_id"]
    _edit_index(scenario, ("delete from records where record_id = ?", (rid,)))
    with _archive(scenario) as archive:
        trail = archive.trail(rid, reason="exam")
    assert trail.record.record_id == rid
    assert trail.record.escalated is True
    assert {scenario.notice.seq, scenario.ack.seq, scenario.escalation.seq} <= {
        i.seq for i in trail.items
    }


def test_a_deleted_index_row_does_not_remove_the_record_from_an_export(scenario, tmp_path):
    rid = scenario.notice.body["record_id"]
    _edit_index(scenario, ("delete from records where record_id = ?", (rid,)))
    with _archive(scenario) as archive:
        outcome = archive.export(tmp_path / "exam", SearchCriteria(escalated=True), "exam")
    assert outcome.result.record_ids == (rid,)


def test_an_edited_escalated_flag_does_not_change_the_load_file(scenario, tmp_path):
    rid = scenario.notice.body["record_id"]
    _edit_index(scenario, ("update records set escalated = 0 where record_id = ?", (rid,)))
    with _archive(scenario) as archive:
        archive.export(tmp_path / "exam", SearchCriteria(mailbox="servicing"), "exam")
    rows = read_dat((tmp_path / "exam" / "loadfiles" / "export.dat").read_bytes())
    by_subject = {r["Subject"]: r["Escalated"] for r in rows if r["Subject"]}
    assert by_subject["Notice of error - escrow"] == "Y"


def test_a_row_pointed_at_another_borrowers_message_shows_the_requested_one(scenario):
    notice, payoff = scenario.notice.body["record_id"], scenario.payoff.body["record_id"]
    _edit_index(
        scenario,
        ("update records set record_id = 'r-moved' where record_id = ?", (notice,)),
        ("update records set record_id = ? where record_id = ?", (notice, payoff)),
    )
    with _archive(scenario) as archive:
        shown = archive.show(notice, reason="exam")
    assert shown.body.record_id == notice
    assert shown.record.seq == scenario.notice.seq
    assert "escrow payment was misapplied" in shown.text
    assert shown.access.body["record_ids"] == [notice]


def test_hidden_acknowledgment_and_access_entries_still_appear_in_the_trail(scenario):
    rid = scenario.notice.body["record_id"]
    _edit_index(
        scenario,
        ("delete from links where seq in (?, ?)", (scenario.ack.seq, scenario.access.seq)),
    )
    with _archive(scenario) as archive:
        trail = archive.trail(rid, reason="exam")
    types = {i.seq: i.type for i in trail.items}
    assert types[scenario.ack.seq] == "acknowledgment.sent"
    assert types[scenario.access.seq] == "access.viewed"
    assert trail.verified
