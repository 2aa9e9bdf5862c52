"""Deadline evaluation: weekends, federal holidays, extensions, what meets a clock."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.cases.actions import apply_action, plan_extend
from pipeline.cases.deadlines import evaluate_cases
from pipeline.errors import CaseActionError
from pipeline.ledger.memory import MemoryLedger
from tests.cases.builders import (
    ack,
    action,
    extension_notice,
    inbound,
    response,
    rid,
    utc,
)


def _one(ledger: MemoryLedger, now: str):
    (case,) = evaluate_cases(ledger.entries(), utc(now))
    return case


def test_acknowledge_clock_skips_the_weekend():
    # Received Friday 2026-03-06 10:00 EST; five business days: Mar 9..13 -> due Fri Mar 13.
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-06T15:00", "notice_of_error")
    case = _one(ledger, "2026-03-10T15:00")
    ack_clock = case.deadline("acknowledge")
    assert ack_clock is not None
    assert ack_clock.due == date(2026, 3, 13)
    assert ack_clock.state == "pending"
    # From Tue Mar 10: Mar 11, 12, 13 remain.
    assert ack_clock.status.days_left == 3


def test_friday_evening_in_new_york_counts_as_friday_not_saturday():
    # 2026-03-07 03:30 UTC is Friday 22:30 in New York: day 0 is Friday Mar 6.
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-07T03:30", "notice_of_error")
    case = _one(ledger, "2026-03-07T12:00")
    assert case.deadline("acknowledge").due == date(2026, 3, 13)


def test_monday_federal_holiday_is_not_a_business_day():
    # Received Fri 2026-09-04; Mon Sep 7 is Labor Day: Sep 8, 9, 10, 11, 14 -> due Mon Sep 14.
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-09-04T14:00", "request_for_information")
    ack(ledger, rid(1), "2026-09-14T20:00")
    case = _one(ledger, "2026-09-20T12:00")
    clock = case.deadline("acknowledge")
    assert clock.due == date(2026, 9, 14)
    assert clock.state == "met" and clock.status.on_time
    assert clock.days_taken == 5


def test_observed_friday_of_a_saturday_holiday_still_counts():
    # July 4, 2026 is a Saturday, observed Fri Jul 3, which Regulation X still counts
    # (never-late reading). Received Mon Jun 29: Jun 30, Jul 1, 2, 3, 6 -> due Mon Jul 6.
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-06-29T14:00", "notice_of_error")
    ack(ledger, rid(1), "2026-07-08T14:00")
    case = _one(ledger, "2026-07-10T14:00")
    clock = case.deadline("acknowledge")
    assert clock.due == date(2026, 7, 6)
    assert clock.state == "met"
    assert clock.status.late_by == 2
    assert clock.met_by_seq == 1


def test_missed_clock_counts_business_days_past_due():
    # Due Fri Mar 13; as of Wed Mar 18 nothing was sent: Mar 16, 17, 18 -> missed by 3.
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-06T15:00", "notice_of_error")
    clock = _one(ledger, "2026-03-18T15:00").deadline("acknowledge")
    assert clock.state == "missed"
    assert clock.status.late_by == 3


def test_respond_met_by_first_linked_response_at_its_internaldate():
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00", "notice_of_error", message_id="<q1@example.com>")
    first = response(ledger, rid(2), "2026-03-10T15:00", in_reply_to="<q1@example.com>")
    response(ledger, rid(3), "2026-03-12T15:00", in_reply_to="<q1@example.com>")
    clock = _one(ledger, "2026-03-20T15:00").deadline("respond")
    assert clock.state == "met"
    assert clock.met_by_seq == first.seq
    assert clock.met_by_type == "response.sent"
    # Mar 3, 4, 5, 6, 9, 10 -> 6 business days.
    assert clock.days_taken == 6


def test_respond_met_by_resolution_and_undone_by_reopening():
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00", "payoff_statement")
    resolved = action(ledger, "case.resolved", rid(1), "2026-03-05T15:00")
    case = _one(ledger, "2026-03-06T15:00")
    assert case.deadline("respond").met_by_seq == resolved.seq
    assert case.resolved
    action(ledger, "case.reopened", rid(1), "2026-03-06T15:00")
    case = _one(ledger, "2026-03-06T16:00")
    assert case.deadline("respond").state == "pending"
    assert not case.resolved


def test_payoff_statement_has_only_a_seven_business_day_respond_clock():
    # 12 CFR 1026.36(c)(3): received Wed Mar 4 -> Mar 5, 6, 9, 10, 11, 12, 13 -> due Fri Mar 13.
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-04T20:00", "payoff_statement")
    case = _one(ledger, "2026-03-04T21:00")
    assert [d.name for d in case.deadlines] == ["respond"]
    assert case.deadline("respond").due == date(2026, 3, 13)


def test_extension_moves_respond_deadline_by_fifteen_business_days():
    # NOE received Mon Mar 2, 2026: 30 business days -> Mon Apr 13; +15 -> Mon May 4.
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00", "notice_of_error")
    entry = apply_action(
        ledger,
        plan_extend(rid(1), 15, "need servicing history", "person:a", utc("2026-04-01T15:00")),
    )
    assert entry.type == "case.extended"
    assert entry.body["previous_due"] == "2026-04-13"
    assert entry.body["due"] == "2026-05-04"
    assert entry.body["record_id"] == rid(1) and entry.body["reason"] == "need servicing history"
    extension_notice(ledger, entry, "2026-04-01T16:00")
    clock = _one(ledger, "2026-04-20T15:00").deadline("respond")
    assert clock.due == date(2026, 5, 4)
    assert clock.original_due == date(2026, 4, 13)
    assert clock.extension_seq == entry.seq
    assert clock.state == "pending"


def test_extension_without_a_sent_notice_keeps_the_original_due_date_and_is_reported():
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00", "notice_of_error")
    entry = apply_action(
        ledger, plan_extend(rid(1), 15, "history", "person:a", utc("2026-04-01T15:00"))
    )
    case = _one(ledger, "2026-04-20T15:00")
    assert case.deadline("respond").due == date(2026, 4, 13)
    assert case.deadline("respond").state == "missed"
    assert case.extension_unnoticed == entry.seq


def test_extension_notice_sent_after_the_original_due_date_does_not_extend():
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00", "notice_of_error")
    entry = apply_action(
        ledger, plan_extend(rid(1), 15, "history", "person:a", utc("2026-04-10T15:00"))
    )
    extension_notice(ledger, entry, "2026-04-14T15:00")
    case = _one(ledger, "2026-04-20T15:00")
    assert case.deadline("respond").due == date(2026, 4, 13)
    assert any("ignored" in note for note in case.notes)


def test_second_extension_is_refused():
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00", "notice_of_error")
    apply_action(ledger, plan_extend(rid(1), 15, "first", "person:a", utc("2026-04-01T15:00")))
    with pytest.raises(CaseActionError, match="already extended"):
        apply_action(ledger, plan_extend(rid(1), 15, "again", "person:a", utc("2026-04-02T15:00")))
    assert ledger.size() == 2


def test_extension_after_the_deadline_passed_is_refused():
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00", "notice_of_error")
    with pytest.raises(CaseActionError, match="passed on 2026-04-13"):
        apply_action(ledger, plan_extend(rid(1), 15, "late", "person:a", utc("2026-04-14T15:00")))
    assert ledger.size() == 1


def test_extension_on_the_due_date_is_allowed():
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00", "notice_of_error")
    entry = apply_action(ledger, plan_extend(rid(1), 15, "x", "person:a", utc("2026-04-13T20:00")))
    assert entry.body["due"] == "2026-05-04"


@pytest.mark.parametrize("kind", ["payoff_statement", "general"])
def test_request_kinds_without_extendable_clock_refuse_extension(kind):
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00", kind)
    with pytest.raises(CaseActionError, match="allows no extension"):
        apply_action(ledger, plan_extend(rid(1), 15, "x", "person:a", utc("2026-03-03T15:00")))


def test_extension_longer_than_fifteen_days_is_refused():
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00", "notice_of_error")
    with pytest.raises(CaseActionError, match="1 to 15"):
        apply_action(ledger, plan_extend(rid(1), 20, "x", "person:a", utc("2026-03-03T15:00")))


def test_invalid_extension_entry_in_ledger_is_ignored_and_noted():
    # A second case.extended written by some other tool must not stretch the clock again.
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00", "notice_of_error")
    first = action(ledger, "case.extended", rid(1), "2026-04-01T15:00", days=15, due="2026-05-04")
    extension_notice(ledger, first, "2026-04-01T15:00")
    bad = action(ledger, "case.extended", rid(1), "2026-04-02T15:00", days=15, due="2026-05-25")
    extension_notice(ledger, bad, "2026-04-02T15:00")
    case = _one(ledger, "2026-04-03T15:00")
    assert case.deadline("respond").due == date(2026, 5, 4)
    assert any(f"position {bad.seq}" in note for note in case.notes)


def test_imported_mail_starts_clocks_marked_imported():
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00", "notice_of_error", imported=True)
    case = _one(ledger, "2026-03-03T15:00")
    assert case.record.imported
    assert [d.due for d in case.deadlines] == [date(2026, 3, 9), date(2026, 4, 13)]
