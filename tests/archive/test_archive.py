"""The archive service records every audited action itself, without the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.archive import Archive, ArchiveSettings
from pipeline.entries import decode, names
from pipeline.entries.models import AccessViewed, ExportCreated
from pipeline.errors import LedgerError
from pipeline.index.model import SearchCriteria
from tests.index.factory import Scenario, build_scenario

ACTOR = "person:examiner-liaison@servicer.example"


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_scenario(tmp_path)


def _archive(scenario: Scenario) -> Archive:
    env = scenario.env
    settings = ArchiveSettings(index_path=env.index_path)
    return Archive(env.runtime.store, env.runtime.ledger, settings, ACTOR)


def test_a_library_export_appends_access_and_export_entries(
    scenario: Scenario, tmp_path: Path
) -> None:
    ledger = scenario.env.runtime.ledger
    before = ledger.size()
    with _archive(scenario) as archive:
        outcome = archive.export(tmp_path / "exam", SearchCriteria(), "CFPB exam 2026-7")
    access, created = (decode(e) for e in ledger.entries(before))
    assert ledger.size() == before + 2
    assert isinstance(access.body, AccessViewed)
    assert (access.body.what, access.body.actor, access.actor) == ("export", ACTOR, ACTOR)
    assert isinstance(created.body, ExportCreated)
    assert created.body.manifest_sha256 == outcome.result.manifest_sha256
    assert set(created.body.record_ids) == set(outcome.result.record_ids)
    assert created.body.reason == "CFPB exam 2026-7"
    assert (tmp_path / "exam" / "manifest.json").is_file()


@pytest.mark.parametrize("name", ["exam", "exam.zip"])
def test_an_export_whose_audit_entry_fails_leaves_nothing_at_the_destination(
    scenario: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    ledger = scenario.env.runtime.ledger
    with _archive(scenario) as archive:
        archive.index()  # synced before the ledger starts refusing appends
        before = ledger.size()

        def refuse(drafts: object) -> object:
            raise LedgerError("the store refused the batch")

        monkeypatch.setattr(ledger, "append", refuse)
        with pytest.raises(LedgerError, match="refused the batch"):
            archive.export(tmp_path / name, SearchCriteria(), "exam")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("exam")) == []
    assert ledger.size() == before


def test_showing_a_message_records_the_access_with_reason(scenario: Scenario) -> None:
    rid = scenario.notice.body["record_id"]
    with _archive(scenario) as archive:
        shown = archive.show(rid, reason="borrower complaint")
    access = decode(shown.access).body
    assert isinstance(access, AccessViewed)
    assert (access.record_ids, access.what, access.reason) == (
        (rid,),
        "message",
        "borrower complaint",
    )
    assert "misapplied" in shown.text


def test_the_raw_bytes_come_back_only_with_their_access_entry(scenario: Scenario) -> None:
    rid = scenario.notice.body["record_id"]
    with _archive(scenario) as archive:
        original = archive.raw(rid)
    assert decode(original.access).type == names.ACCESS_VIEWED
    assert original.data == scenario.env.runtime.store.get(scenario.notice.body["raw"]["key"])


def test_a_trail_shows_the_viewing_that_produced_it(scenario: Scenario) -> None:
    rid = scenario.notice.body["record_id"]
    with _archive(scenario) as archive:
        trail = archive.trail(rid, reason="audit")
    last = trail.items[-1]
    assert last.type == names.ACCESS_VIEWED
    assert last.summary == f"{ACTOR} viewed the trail (reason: audit)"
    assert trail.verified


def test_a_search_appends_nothing(scenario: Scenario) -> None:
    ledger = scenario.env.runtime.ledger
    before = ledger.size()
    with _archive(scenario) as archive:
        rows = archive.search(SearchCriteria(mailbox="payoffs"))
    assert [r.record_id for r in rows] == [scenario.payoff.body["record_id"]]
    assert ledger.size() == before
