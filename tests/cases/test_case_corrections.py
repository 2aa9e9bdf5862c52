"""Corrections: ledger entries with actor, time and reason that recompute the clocks."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.cases import api
from pipeline.cases.deadlines import evaluate_cases
from pipeline.errors import CaseActionError
from pipeline.ledger.memory import MemoryLedger
from pipeline.report.render import render_text
from pipeline.report.sla import build_sla_report
from tests.cases.builders import inbound, response, rid, utc

WHO = "person:records.officer"


def _case(ledger: MemoryLedger, now: str = "2026-03-04T15:00"):
    (case,) = evaluate_cases(ledger.entries(), utc(now))
    return case


def _noe(ledger: MemoryLedger, **kw) -> None:
    inbound(ledger, rid(1), "2026-03-02T15:00", kinds=["notice_of_error"], **kw)


def test_reclassify_records_actor_time_reason_and_the_moved_due_dates():
    ledger = MemoryLedger()
    _noe(ledger)
    entry = api.reclassify(
        ledger,
        rid(1),
        ["notice_of_error"],
        ["payoff_balance_error"],
        reason="the borrower disputes the payoff figure",
        actor=WHO,
        now=utc("2026-03-03T15:00"),
    )
    assert (entry.type, entry.actor, entry.time) == (
        "case.reclassified",
        WHO,
        "2026-03-03T15:00:00.000000Z",
    )
    assert entry.body["reason"] == "the borrower disputes the payoff figure"
    assert entry.body["due_changes"] == [
        {"clock": "notice_of_error:respond", "previous_due": "2026-04-13", "due": "2026-03-11"}
    ]
    respond = _case(ledger).deadline("respond")
    assert (respond.due, respond.deadline.rule) == (date(2026, 3, 11), "12 CFR 1024.35(e)(3)(i)(A)")


def test_reclassify_to_a_request_for_information_starts_its_clocks():
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00")  # no regulated request: internal targets
    api.reclassify(
        ledger,
        rid(1),
        ["request_for_information"],
        ["owner_identity"],
        reason="asks who owns",
        actor=WHO,
        now=utc("2026-03-03T15:00"),
    )
    case = _case(ledger)
    assert case.kinds == ("request_for_information",)
    assert case.deadline("respond").due == date(2026, 3, 16)


def test_unknown_kind_is_refused_and_nothing_is_appended():
    ledger = MemoryLedger()
    _noe(ledger)
    with pytest.raises(CaseActionError, match="unknown request kind 'complaint'"):
        api.reclassify(ledger, rid(1), ["complaint"], reason="x", actor=WHO)
    assert ledger.size() == 1


def test_correction_without_a_reason_is_refused():
    ledger = MemoryLedger()
    _noe(ledger)
    with pytest.raises(CaseActionError, match="needs a reason"):
        api.mark_not_a_request(ledger, rid(1), reason=" ", actor=WHO)


def test_not_a_request_makes_the_clocks_not_applicable_until_reclassified():
    ledger = MemoryLedger()
    _noe(ledger)
    entry = api.mark_not_a_request(
        ledger, rid(1), reason="a thank-you note", actor=WHO, now=utc("2026-03-03T15:00")
    )
    assert {c["clock"] for c in entry.body["due_changes"]} == {
        "notice_of_error:acknowledge",
        "notice_of_error:respond",
    }
    assert all(c["due"] is None for c in entry.body["due_changes"])
    case = _case(ledger, "2026-06-01T15:00")
    assert (case.state, case.deadlines) == ("not_applicable", ())
    api.reclassify(
        ledger,
        rid(1),
        ["notice_of_error"],
        reason="it was one",
        actor=WHO,
        now=utc("2026-03-04T15:00"),
    )
    assert _case(ledger, "2026-06-01T15:00").state == "missed"


def test_sale_date_bounds_a_foreclosure_sale_error_and_a_change_moves_it_again():
    ledger = MemoryLedger()
    _noe(ledger, subkinds=["foreclosure_sale_error"])
    assert _case(ledger).deadline("respond").due == date(2026, 4, 13)
    first = api.set_sale_date(
        ledger,
        rid(1),
        date(2026, 3, 20),
        reason="sale notice in file",
        actor=WHO,
        now=utc("2026-03-03T15:00"),
    )
    assert first.body["due_changes"] == [
        {"clock": "notice_of_error:respond", "previous_due": "2026-04-13", "due": "2026-03-19"}
    ]
    second = api.set_sale_date(
        ledger,
        rid(1),
        date(2026, 3, 30),
        reason="sale postponed",
        actor=WHO,
        now=utc("2026-03-04T15:00"),
    )
    assert second.body["previous_sale_date"] == "2026-03-20"
    assert _case(ledger).deadline("respond").due == date(2026, 3, 27)


def test_sale_date_found_in_the_text_bounds_the_clock_without_a_correction():
    ledger = MemoryLedger()
    _noe(ledger, subkinds=["foreclosure_sale_error"], sale_date="2026-03-16")
    assert _case(ledger).deadline("respond").due == date(2026, 3, 13)


def test_escalation_added_and_removed_by_hand():
    ledger = MemoryLedger()
    _noe(ledger)
    added = api.add_escalation(
        ledger,
        rid(1),
        "lawsuit",
        "legal",
        reason="mentions an attorney",
        actor=WHO,
        now=utc("2026-03-03T15:00"),
    )
    assert (added.body["family"], added.body["route"]) == ("lawsuit", "legal")
    assert _case(ledger).classification.escalations == (("lawsuit", "legal"),)
    api.remove_escalation(
        ledger, rid(1), "lawsuit", reason="misread", actor=WHO, now=utc("2026-03-04T15:00")
    )
    assert _case(ledger).classification.escalations == ()


def test_adding_an_escalation_needs_a_route():
    ledger = MemoryLedger()
    _noe(ledger)
    with pytest.raises(CaseActionError, match="needs a route"):
        api.add_escalation(ledger, rid(1), "lawsuit", "", reason="x", actor=WHO)


def test_holding_reply_does_not_meet_the_respond_clock_but_a_later_response_does():
    ledger = MemoryLedger()
    _noe(ledger, message_id="<q1@example.com>")
    response(ledger, rid(8), "2026-03-03T15:00", in_reply_to="<q1@example.com>")
    api.mark_holding_reply(
        ledger,
        rid(8),
        rid(1),
        reason="says only that we got it",
        actor=WHO,
        now=utc("2026-03-03T16:00"),
    )
    case = _case(ledger, "2026-03-05T15:00")
    assert case.deadline("respond").state == "pending"
    assert case.holding_replies == (rid(8),)
    final = response(ledger, rid(9), "2026-03-20T15:00", in_reply_to="<q1@example.com>")
    respond = _case(ledger, "2026-03-25T15:00").deadline("respond")
    assert (respond.state, respond.met_by_seq) == ("met", final.seq)


def test_holding_reply_must_be_linked_to_the_request():
    ledger = MemoryLedger()
    _noe(ledger)
    response(ledger, rid(8), "2026-03-03T15:00", subject="unrelated")
    with pytest.raises(CaseActionError, match="is not linked"):
        api.mark_holding_reply(ledger, rid(8), rid(1), reason="x", actor=WHO)


def test_sla_report_lists_corrections_with_who_why_and_the_moved_due_dates():
    ledger = MemoryLedger()
    _noe(ledger)
    api.reclassify(
        ledger,
        rid(1),
        ["notice_of_error"],
        ["payoff_balance_error"],
        reason="payoff dispute",
        actor=WHO,
        now=utc("2026-03-03T15:00"),
    )
    cases = evaluate_cases(ledger.entries(), utc("2026-03-04T15:00"))
    report = build_sla_report(cases, utc("2026-03-04T15:00"))
    (row,) = report.corrections
    assert (row.record_id, row.type, row.actor, row.reason) == (
        rid(1),
        "case.reclassified",
        WHO,
        "payoff dispute",
    )
    assert row.due_changes == (("notice_of_error:respond", "2026-04-13", "2026-03-11"),)
    text = render_text(report)
    assert "case.reclassified by person:records.officer" in text
    assert "notice_of_error:respond 2026-04-13 -> 2026-03-11" in text
