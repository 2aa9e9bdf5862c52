"""The case and report commands end to end on a local store with a real signed ledger."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from pipeline.cli.app import cli
from pipeline.config import load_config
from pipeline.entries.references import reference_number
from pipeline.ledger.entry import EntryDraft, format_time
from pipeline.runtime import open_runtime
from tests.cases import builders
from tests.report import fixture


@pytest.fixture
def config_file(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(
        "storage: {backend: local, path: store, fsync: false}\n"
        "signing: {key_file: keys/ledger.key, key_env: null}\n"
        "state_dir: state\n"
        "actor: person:officer\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--config", str(path), "keygen"])
    assert result.exit_code == 0, result.output
    return path


def _ledger(config_file):
    return open_runtime(load_config(config_file), writable=True).ledger


def _run(config_file, *args):
    return CliRunner().invoke(cli, ["--config", str(config_file), *args])


def test_report_sla_formats_from_the_real_ledger(config_file, tmp_path):
    ledger = _ledger(config_file)
    memory, _ = fixture.build()
    ledger.append([EntryDraft(e.type, e.body, e.actor, e.moment) for e in memory.entries()])
    as_of = fixture.NOW.isoformat()
    out = tmp_path / "sla.html"
    result = _run(
        config_file, "report", "sla", "--format", "html", "--out", str(out), "--as-of", as_of
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.count("<svg") == 4 and "66.7%" in html
    result = _run(config_file, "report", "sla", "--format", "json", "--as-of", as_of)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["total"]["received"] == 7
    result = _run(
        config_file,
        "report",
        "sla",
        "--format",
        "csv",
        "--as-of",
        as_of,
        "--from",
        "2026-03-03",
        "--to",
        "2026-03-11",
    )
    assert result.exit_code == 0
    assert "summary,total,all,received,4" in result.output
    result = _run(config_file, "report", "sla", "--as-of", as_of)
    assert "missed or late deadlines: 3" in result.output
    # Reproducible: the same ledger and time give the same bytes.
    again = tmp_path / "again.html"
    _run(config_file, "report", "sla", "--format", "html", "--out", str(again), "--as-of", as_of)
    assert again.read_bytes() == out.read_bytes()


def test_report_refuses_reversed_period(config_file):
    result = _run(config_file, "report", "sla", "--from", "2026-03-10", "--to", "2026-03-01")
    assert result.exit_code == 2
    assert "after --to" in result.output


def test_case_commands_end_to_end(config_file):
    ledger = _ledger(config_file)
    now = datetime.now(UTC)
    noe = builders.rid(1)
    builders.inbound(
        ledger,
        noe,
        format_time(now - timedelta(days=1))[:16],
        "notice_of_error",
        message_id="<noe@example.com>",
    )
    payoff = builders.rid(2)
    builders.inbound(ledger, payoff, format_time(now - timedelta(days=1))[:16], "payoff_statement")
    builders.response(ledger, builders.rid(9), format_time(now)[:16], subject="Following up")

    result = _run(config_file, "unlinked")
    assert builders.rid(9) in result.output

    result = _run(
        config_file, "link", builders.rid(9), reference_number(noe), "--reason", "same loan"
    )
    assert result.exit_code == 0, result.output
    assert "case.linked" in result.output
    assert _run(config_file, "unlinked", "--json").output.strip() == "[]"

    result = _run(config_file, "extend", "<noe@example.com>", "--days", "15", "--reason", "records")
    assert result.exit_code == 1  # already answered by the linked response
    assert "already answered" in result.output

    result = _run(config_file, "extend", payoff, "--reason", "x")
    assert result.exit_code == 1
    assert "allows no extension" in result.output

    result = _run(config_file, "resolve", payoff, "--reason", "statement mailed")
    assert result.exit_code == 0, result.output
    result = _run(config_file, "resolve", payoff, "--reason", "again")
    assert result.exit_code == 1 and "already resolved" in result.output
    result = _run(config_file, "reopen", payoff, "--reason", "wrong amount")
    assert result.exit_code == 0, result.output

    types = [e.type for e in _ledger(config_file).entries()]
    assert types[-3:] == ["case.linked", "case.resolved", "case.reopened"]
    assert _ledger(config_file).entry(3).actor == "person:officer"

    listing = json.loads(_run(config_file, "cases", "--json").output)
    by_id = {c["record_id"]: c for c in listing}
    assert by_id[noe]["responses"] == [builders.rid(9)]
    assert by_id[payoff]["resolved"] is False


def test_extend_on_real_ledger(config_file):
    ledger = _ledger(config_file)
    now = datetime.now(UTC)
    builders.inbound(
        ledger,
        builders.rid(1),
        format_time(now - timedelta(days=1))[:16],
        "request_for_information",
    )
    result = _run(config_file, "extend", builders.rid(1), "--reason", "gathering records")
    assert result.exit_code == 0, result.output
    assert "respond deadline moves from" in result.output
    result = _run(config_file, "extend", builders.rid(1), "--reason", "more")
    assert result.exit_code == 1
    assert "already extended" in result.output


def test_unknown_reference_is_reported(config_file):
    result = _run(config_file, "resolve", "ML-AAAA-AAAA", "--reason", "x")
    assert result.exit_code == 1
    assert "no inbound record matches" in result.output


def test_extension_without_a_sent_notice_is_reported_by_cases(config_file):
    ledger = _ledger(config_file)
    now = datetime.now(UTC)
    builders.inbound(
        ledger, builders.rid(1), format_time(now - timedelta(days=1))[:16], "notice_of_error"
    )
    assert _run(config_file, "extend", builders.rid(1), "--reason", "records").exit_code == 0
    listing = json.loads(_run(config_file, "cases", "--json").output)
    assert listing[0]["extension_without_notice"] == 1
    assert "EXTENSION WITHOUT NOTICE (ledger position 1)" in _run(config_file, "cases").output


def test_correct_subcommands_append_corrections_and_print_the_moved_due_dates(config_file):
    ledger = _ledger(config_file)
    now = datetime.now(UTC)
    noe = builders.rid(1)
    builders.inbound(ledger, noe, format_time(now - timedelta(days=1))[:16], "notice_of_error")
    result = _run(
        config_file,
        "correct",
        "kind",
        noe,
        "--kind",
        "notice_of_error",
        "--subkind",
        "foreclosure_sale_error",
        "--reason",
        "sale scheduled",
    )
    assert result.exit_code == 0, result.output
    assert "case.reclassified for " + noe in result.output
    result = _run(config_file, "correct", "sale-date", noe, "2099-01-05", "--reason", "notice")
    assert result.exit_code == 0, result.output
    result = _run(
        config_file,
        "correct",
        "escalate",
        noe,
        "legal_representation",
        "--route",
        "legal",
        "--reason",
        "attorney letter",
    )
    assert result.exit_code == 0, result.output
    result = _run(config_file, "correct", "not-a-request", noe, "--reason", "duplicate")
    assert result.exit_code == 0, result.output
    assert "notice_of_error:acknowledge due" in result.output
    types = [e.type for e in _ledger(config_file).entries()]
    assert types[1:] == [
        "case.reclassified",
        "case.sale_date_set",
        "case.escalation_added",
        "case.not_a_request",
    ]
    listing = json.loads(_run(config_file, "cases", "--json").output)
    assert listing[0]["state"] == "not_applicable"
    assert [c["type"] for c in listing[0]["corrections"]] == types[1:]


def test_correct_with_a_bad_sale_date_is_a_one_line_error(config_file):
    builders.inbound(_ledger(config_file), builders.rid(1), "2026-03-02T15:00", "notice_of_error")
    result = _run(config_file, "correct", "sale-date", builders.rid(1), "soon", "--reason", "x")
    assert result.exit_code != 0
    assert result.output.strip().splitlines() == [
        "error: sale date 'soon' is not a date (use YYYY-MM-DD)"
    ]
