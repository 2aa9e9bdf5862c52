"""Searching and exporting by deadline status and the other facets: the index holds
candidates written from the case model, refreshed when the ledger grows or the day
changes; an export decides membership from the signed entries and the case model."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.archive import Archive, ArchiveSettings
from pipeline.cases.read import DEADLINE_FILTERS, deadline_filters, read_cases
from pipeline.classify.clocks import DEFAULT_POLICY, local_date
from pipeline.entries import decode
from pipeline.entries.models import ExportCreated
from pipeline.index.model import SearchCriteria
from tests.index.factory import Scenario, build_scenario, make_raw

ACTOR = "person:records-officer@servicer.example"
# the payoff request arrives 2026-11-10, is never answered, and is due 2026-11-20
BEFORE_DUE = datetime(2026, 11, 16, 15, 0, tzinfo=UTC)
AFTER_DUE = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_scenario(tmp_path)


class Clock:
    """A clock the test moves."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _archive(scenario: Scenario, clock: Clock) -> Archive:
    settings = ArchiveSettings(index_path=scenario.env.index_path)
    return Archive(
        scenario.env.runtime.store, scenario.env.runtime.ledger, settings, ACTOR, clock=clock
    )


def _ids(archive: Archive, status: str) -> set[str]:
    return {r.record_id for r in archive.search(SearchCriteria(deadline_status=status))}


def test_each_deadline_status_finds_exactly_what_the_case_model_says(scenario: Scenario) -> None:
    clock = Clock(AFTER_DUE)
    env = scenario.env
    view = read_cases(env.runtime.ledger.entries(), env.runtime.store, AFTER_DUE)
    today = local_date(AFTER_DUE, DEFAULT_POLICY)
    with _archive(scenario, clock) as archive:
        for status in DEADLINE_FILTERS:
            expected = {s.record_id for s in view.statuses if status in deadline_filters(s, today)}
            assert _ids(archive, status) == expected, status


def test_an_unanswered_payoff_request_moves_from_due_this_week_to_overdue(
    scenario: Scenario,
) -> None:
    payoff = scenario.payoff.body["record_id"]
    clock = Clock(BEFORE_DUE)
    with _archive(scenario, clock) as archive:
        assert payoff in _ids(archive, "due_this_week")
        assert payoff in _ids(archive, "pending")
        assert payoff not in _ids(archive, "overdue")
        clock.now = AFTER_DUE  # same ledger, a later day: the states are written again
        assert payoff in _ids(archive, "overdue")
        assert payoff in _ids(archive, "missed")
        assert payoff not in _ids(archive, "due_this_week")


def test_a_record_appended_after_the_states_were_written_gets_its_state(
    scenario: Scenario,
) -> None:
    clock = Clock(AFTER_DUE)
    states = ("met", "pending", "missed", "not_applicable")
    with _archive(scenario, clock) as archive:
        before = {state: _ids(archive, state) for state in states}
    late = scenario.env.record(make_raw(subject="Escrow question", text="Why did my escrow rise?"))
    with _archive(scenario, clock) as archive:  # the next request, on the same index file
        after = {state: _ids(archive, state) for state in states}
    view = read_cases(scenario.env.runtime.ledger.entries(), scenario.env.runtime.store, AFTER_DUE)
    case = view.for_record(late.body["record_id"])
    assert case is not None
    assert after[case.state] == before[case.state] | {late.body["record_id"]}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"request_kind": "notice_of_error"}, "notice"),
        ({"escalation_family": "notice_of_error"}, "notice"),
        ({"attachment_verdict": "accepted"}, "notice"),
        ({"deadline_status": "overdue"}, "payoff"),
        ({"deadline_status": "missed", "language": "en"}, "payoff"),
    ],
    ids=["kind", "family", "verdict", "overdue", "missed-en"],
)
def test_an_export_of_a_filtered_search_holds_and_records_exactly_its_matches(
    scenario: Scenario, tmp_path: Path, filters: dict[str, str], expected: str
) -> None:
    ledger = scenario.env.runtime.ledger
    with _archive(scenario, Clock(AFTER_DUE)) as archive:
        outcome = archive.export(tmp_path / "exam.zip", SearchCriteria(**filters), "exam 2026-7")
    created = decode(ledger.entry(outcome.created.seq)).body
    assert isinstance(created, ExportCreated)
    assert created.record_ids == (getattr(scenario, expected).body["record_id"],)
    recorded = created.criteria.model_dump()
    assert {name: recorded[name] for name in filters} == filters
