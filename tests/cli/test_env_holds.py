"""Lifting a legal hold that is not there is refused, in the library and so in the CLI:
a ``hold.removed`` entry for a record never held would record the end of a hold that
never was, and a mistyped reference would look like a release.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.archive_app import open_archive
from pipeline.cli.app import cli
from pipeline.errors import RetentionError
from tests.index.factory import Scenario, build_scenario, rid, write_config


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return build_scenario(tmp_path_factory.mktemp("env-holds"))


@pytest.fixture(scope="module")
def config(scenario: Scenario) -> Path:
    return write_config(scenario.env)


def _hold_entries(scenario: Scenario) -> list[str]:
    ledger = scenario.env.runtime.ledger
    ledger.refresh()
    return [e.type for e in ledger.entries() if e.type.startswith("hold.")]


def test_hold_remove_of_a_record_not_held_exits_1_and_appends_nothing(
    scenario: Scenario, config: Path
) -> None:
    before = _hold_entries(scenario)
    record = rid(scenario.payoff)
    result = CliRunner().invoke(
        cli, ["--config", str(config), "hold", "remove", record, "--reason", "matter closed"]
    )
    assert result.exit_code == 1
    # the line names the record as the archive does (long digit runs may be masked)
    assert result.stderr.startswith("error: record r-")
    assert result.stderr.endswith(" is not under legal hold; nothing was released\n")
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""
    assert _hold_entries(scenario) == before


def test_the_archive_refuses_to_lift_any_hold_when_one_named_record_is_not_held(
    scenario: Scenario,
) -> None:
    held, free = rid(scenario.notice), rid(scenario.imported)
    with open_archive(scenario.env.runtime) as archive:
        archive.add_hold([held], "Smith v. Servicer")
        with pytest.raises(RetentionError, match=f"record {free} is not under legal hold"):
            archive.remove_hold([held, free], "matter closed")
        (view,) = [v for v in archive.holds() if v.record_id == held]
    assert view.unheld_keys == []
    assert _hold_entries(scenario)[-1] == "hold.added"
