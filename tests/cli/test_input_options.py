"""Bad option values are usage errors (exit 2) in one line naming the option, refused
before anything is recorded: text that is not UTF-8, blank required reasons, numbers
and times out of range, empty date ranges, unknown escalation families and routes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pipeline.cli.app import cli
from pipeline.config import load_config
from pipeline.runtime import open_runtime
from tests.cli.workdir import usage_error
from tests.index.factory import build_scenario, write_config

NOT_UTF8 = "x\udcff"  # how Python hands over argv bytes that are not UTF-8 (here 0xff)


@dataclass(frozen=True)
class World:
    """A ledger with three records (the first an escalated notice of error)."""

    root: Path
    config: Path
    record_id: str

    def run(self, *args: str, config: Path | None = None) -> Result:
        return CliRunner().invoke(cli, ["--config", str(config or self.config), *args])

    def ledger_size(self) -> int:
        return open_runtime(load_config(self.config), writable=False).ledger.size()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("input-options")
    scenario = build_scenario(root)
    config = write_config(scenario.env, quiet=True)
    return World(root, config, str(scenario.notice.body["record_id"]))


# -- text that is not UTF-8 ----------------------------------------------------------

NOT_UTF8_OPTIONS: list[tuple[str, list[str], str]] = [
    ("trail-reason", ["trail", "REF", "--reason", NOT_UTF8], "--reason"),
    ("show-reason", ["show", "REF", "--reason", NOT_UTF8], "--reason"),
    ("export-reason", ["export", "--out", "OUT", "--reason", NOT_UTF8], "--reason"),
    ("search-sender", ["search", "--sender", NOT_UTF8], "--sender"),
    ("search-text", ["search", "--text", NOT_UTF8], "--text"),
    ("search-mailbox", ["search", "--mailbox", NOT_UTF8], "--mailbox"),
    ("resolve-reason", ["resolve", "REF", "--reason", NOT_UTF8], "--reason"),
    ("link-reason", ["link", "REF", "REF", "--reason", NOT_UTF8], "--reason"),
]


@pytest.mark.parametrize(
    ("name", "args", "option"), NOT_UTF8_OPTIONS, ids=[c[0] for c in NOT_UTF8_OPTIONS]
)
def test_text_that_is_not_utf8_is_refused_naming_the_option_and_records_nothing(
    world: World, tmp_path: Path, name: str, args: list[str], option: str
) -> None:
    before = world.ledger_size()
    out = tmp_path / "export"
    args = [{"REF": world.record_id, "OUT": str(out)}.get(a, a) for a in args]
    line = usage_error(world.run(*args))
    assert f"Invalid value for '{option}': not valid UTF-8 text" in line
    assert world.ledger_size() == before
    assert not out.exists()


# -- required reasons ----------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "blank"])
@pytest.mark.parametrize(
    "command",
    [["resolve", "REF"], ["correct", "not-a-request", "REF"], ["extend", "REF"]],
    ids=["resolve", "correct-not-a-request", "extend"],
)
def test_a_required_reason_that_says_nothing_is_refused(
    world: World, command: list[str], reason: str
) -> None:
    before = world.ledger_size()
    args = [world.record_id if a == "REF" else a for a in command]
    line = usage_error(world.run(*args, "--reason", reason))
    assert "Invalid value for '--reason': must not be empty or blank" in line
    assert world.ledger_size() == before


# -- numbers and times ---------------------------------------------------------------


def test_a_search_limit_beyond_any_index_is_refused_naming_it(world: World) -> None:
    line = usage_error(world.run("search", "--limit", "99999999999999999999999"))
    assert "Invalid value for '--limit'" in line
    assert "internal error" not in line


@pytest.mark.parametrize("days", ["0", "-5", "16", "100000"])
def test_an_extension_outside_1_to_15_business_days_is_refused_at_the_option(
    world: World, days: str
) -> None:
    before = world.ledger_size()
    line = usage_error(world.run("extend", world.record_id, "--days", days, "--reason", "r"))
    assert f"Invalid value for '--days': {days} is not in the range 1<=x<=15" in line
    assert world.ledger_size() == before


@pytest.mark.parametrize(
    "as_of", ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+00:00"], ids=["late", "early"]
)
def test_a_report_time_outside_the_accepted_range_is_refused_naming_it(
    world: World, as_of: str
) -> None:
    line = usage_error(world.run("report", "sla", "--as-of", as_of))
    assert f"Invalid value for --as-of: '{as_of}' is outside the accepted range" in line


@pytest.mark.parametrize(
    "args",
    [["search", "--to", "9999-12-31"], ["report", "sla", "--to", "9999-12-31"]],
    ids=["search", "report"],
)
def test_a_date_at_the_end_of_the_calendar_is_refused_naming_it(
    world: World, args: list[str]
) -> None:
    line = usage_error(world.run(*args))
    assert "Invalid value for --to: '9999-12-31' is outside the accepted range" in line


def test_a_search_whose_from_is_after_its_to_is_refused(world: World) -> None:
    line = usage_error(world.run("search", "--from", "2026-11-30", "--to", "2026-11-01"))
    assert "--from 2026-11-30 is after --to 2026-11-01" in line


def test_search_text_with_no_word_in_it_is_a_usage_error_naming_the_option(world: World) -> None:
    line = usage_error(world.run("search", "--text", "*"))
    assert "Invalid value for --text: the search text '*' has no word to look for" in line


# -- escalations by hand -------------------------------------------------------------


def test_escalating_by_hand_to_an_unknown_family_is_refused_listing_the_known_ones(
    world: World,
) -> None:
    before = world.ledger_size()
    result = world.run(
        "correct", "escalate", world.record_id, "nosuchfamily", "--route", "legal", "--reason", "r"
    )
    line = usage_error(result)
    assert "Invalid value for 'FAMILY': 'nosuchfamily' is not one of" in line
    assert "'legal_representation'" in line and "'bankruptcy'" in line
    assert world.ledger_size() == before


def test_escalating_by_hand_to_a_route_the_config_does_not_have_is_refused_listing_them(
    world: World,
) -> None:
    config = world.root / "with-routes.yaml"
    config.write_text(
        world.config.read_text(encoding="utf-8")
        + "escalation:\n  routes:\n"
        + "    legal: arn:aws:sns:us-east-1:123456789012:legal\n"
        + "    complaints: arn:aws:sns:us-east-1:123456789012:complaints\n",
        encoding="utf-8",
    )
    before = world.ledger_size()
    result = world.run(
        "correct",
        "escalate",
        world.record_id,
        "legal_representation",
        "--route",
        "nosuchroute",
        "--reason",
        "r",
        config=config,
    )
    line = usage_error(result)
    assert (
        "Invalid value for --route: 'nosuchroute' is not one of the configured escalation"
        " routes: complaints, legal" in line
    )
    assert world.ledger_size() == before
