"""The archive service itself enforces the disposal floor, the reason and the
confirmation, so no caller (CLI or library) can skip them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from pipeline.archive import Archive, ArchiveSettings
from pipeline.errors import RetentionError
from tests.index.factory import Scenario, build_scenario

ACTOR = "person:records.officer@servicer.example"


@pytest.fixture
def scenario(tmp_path: Path) -> Scenario:
    return build_scenario(tmp_path)


def _archive(scenario: Scenario, min_days: int) -> Archive:
    env = scenario.env
    settings = ArchiveSettings(index_path=env.index_path, min_dispose_days=min_days)
    return Archive(env.runtime.store, env.runtime.ledger, settings, ACTOR)


def _disposals(scenario: Scenario) -> int:
    return sum(1 for e in scenario.env.runtime.ledger.entries() if e.type == "record.disposed")


def test_a_period_under_the_floor_is_refused_before_anything_is_planned(
    scenario: Scenario,
) -> None:
    with pytest.raises(RetentionError, match="2190 days"):
        _archive(scenario, 2190).dispose("0d", "schedule 4.2")
    assert _disposals(scenario) == 0


def test_a_disposal_without_a_reason_is_refused(scenario: Scenario) -> None:
    with pytest.raises(RetentionError, match="reason"):
        _archive(scenario, 0).dispose("0d", "  ")
    assert _disposals(scenario) == 0


def test_a_confirmation_that_raises_stops_the_disposal(scenario: Scenario) -> None:
    asked: list[int] = []

    def decline(count: int, _cutoff: datetime) -> None:
        asked.append(count)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _archive(scenario, 0).dispose("0d", "schedule 4.2", confirm=decline)
    assert asked and asked[0] > 0
    assert _disposals(scenario) == 0
