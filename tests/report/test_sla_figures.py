"""SLA figures checked against the hand-computed expectations in tests/report/fixture.py."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.cases.book import collect
from pipeline.cases.deadlines import evaluate_book
from pipeline.cases.linking import link_responses
from pipeline.report.sla import SlaReport, build_sla_report, nearest_rank
from tests.report import fixture
from tests.report.fixture import NOW, B, C, D, E


def make_report(**period) -> tuple[SlaReport, dict[str, int]]:
    ledger, seq = fixture.build()
    book = collect(ledger.entries())
    linked = link_responses(book)
    cases = evaluate_book(book, linked, NOW)
    report = build_sla_report(cases, NOW, ledger_size=book.size, unlinked=linked.unlinked, **period)
    return report, seq


@pytest.fixture(scope="module")
def report_and_seq():
    return make_report()


def test_totals(report_and_seq):
    total = report_and_seq[0].total
    assert (total.received, total.not_applicable) == (7, 1)
    assert (total.ack_on_time, total.ack_late, total.ack_missed, total.ack_pending) == (2, 1, 1, 0)
    assert (total.respond_on_time, total.respond_late, total.respond_open) == (2, 1, 3)
    assert total.respond_overdue == 0
    assert sorted(total.ack_days) == [1, 2, 6]
    assert total.ack_median == 2 and total.ack_p90 == 6
    assert sorted(total.respond_days) == [8, 10, 12]
    assert total.respond_median == 10 and total.respond_p90 == 12
    assert total.on_time_rate == pytest.approx(2 / 3)


def test_by_category(report_and_seq):
    by = {g.key: g for g in report_and_seq[0].by_category}
    assert sorted(by) == [
        "account_inquiry",
        "complaint_legal",
        "document_request",
        "other",
        "payment_clarification",
    ]
    docs = by["document_request"]
    assert (docs.received, docs.respond_on_time, docs.respond_late, docs.respond_open) == (
        2,
        0,
        1,
        1,
    )
    assert docs.on_time_rate == 0.0
    assert docs.ack_on_time + docs.ack_late + docs.ack_missed + docs.ack_pending == 0
    other = by["other"]
    assert (other.ack_missed, other.respond_open, other.on_time_rate) == (1, 1, None)
    assert (other.received, other.not_applicable) == (2, 1)
    assert by["account_inquiry"].ack_late == 1 and by["account_inquiry"].ack_days == (6,)


def test_by_escalation_rule(report_and_seq):
    by = {g.key: g for g in report_and_seq[0].by_rule}
    assert sorted(by) == ["lawsuit", "notice_of_error", "request_for_information"]
    noe = by["notice_of_error"]
    assert (noe.received, noe.ack_on_time, noe.respond_on_time) == (2, 2, 2)
    assert noe.respond_median == 11  # (10 + 12) / 2
    assert by["lawsuit"].respond_days == (12,)


def test_missed_deadlines_with_ledger_positions(report_and_seq):
    report, seq = report_and_seq
    rows = [
        (m.record_id, m.deadline, m.state, m.late_by, m.due, m.positions) for m in report.missed
    ]
    assert rows == [
        (B, "acknowledge", "late", 1, date(2026, 3, 10), (seq["B"], seq["ackB"])),
        (C, "respond", "late", 1, date(2026, 3, 13), (seq["C"], seq["R_C"])),
        (D, "acknowledge", "missed", 4, date(2026, 3, 16), (seq["D"],)),
    ]
    d_row = report.missed[2]
    assert d_row.masked_accounts == ("****7890",)
    assert d_row.sender == "dan@example.com"


def test_due_in_next_five_business_days(report_and_seq):
    upcoming = [(u.record_id, u.deadline, u.due, u.days_left) for u in report_and_seq[0].upcoming]
    assert upcoming == [
        (E, "respond", date(2026, 3, 20), 0),
        (D, "respond", date(2026, 3, 26), 4),
    ]


def test_volume_by_day_and_hour(report_and_seq):
    report = report_and_seq[0]
    days = dict(report.volume_by_day)
    assert min(days) == date(2026, 3, 2) and max(days) == date(2026, 3, 12)
    assert len(days) == 11
    assert days[date(2026, 3, 2)] == 2 and days[date(2026, 3, 6)] == 0
    assert sum(days.values()) == 7
    hours = report.volume_by_hour
    assert (hours[10], hours[11], hours[15]) == (5, 1, 1)
    assert sum(hours) == 7


def test_sensitive_flags_count_kinds_only(report_and_seq):
    report = report_and_seq[0]
    assert [(f.record_id, f.kinds) for f in report.sensitive] == [(D, ("ssn",))]
    assert report.sensitive_by_kind == {"ssn": 1}


def test_unlinked_and_machine_mail(report_and_seq):
    report, seq = report_and_seq
    assert report.unlinked_responses == ((fixture.R_X, seq["R_X"]),)
    assert report.imported == 0
    assert fixture.G not in {m.record_id for m in report.missed}
    assert report.ledger_size == 14


def test_period_filter_counts_only_receipts_in_range():
    report, _ = make_report(date_from=date(2026, 3, 3), date_to=date(2026, 3, 11))
    assert report.total.received == 4  # B, C, E and the auto-reply G
    assert {g.key for g in report.by_category} == {"account_inquiry", "document_request", "other"}
    assert len(report.volume_by_day) == 9
    # Upcoming deadlines look forward whatever the period.
    assert [u.record_id for u in report.upcoming] == [E, D]


def test_nearest_rank_percentile():
    assert nearest_rank([], 90) is None
    assert nearest_rank([5], 90) == 5
    assert nearest_rank(list(range(1, 11)), 90) == 9
    assert nearest_rank(list(range(1, 12)), 90) == 10
