"""Linking responses to the requests they answer; manual links and case actions."""

from __future__ import annotations

import pytest

from pipeline.cases.actions import (
    apply_action,
    find_record,
    plan_link,
    plan_reopen,
    plan_resolve,
)
from pipeline.cases.book import collect
from pipeline.cases.linking import find_references, link_responses
from pipeline.entries.references import reference_number
from pipeline.errors import CaseActionError, RecordNotFoundError
from pipeline.ledger.memory import MemoryLedger
from tests.cases.builders import DOMAIN, inbound, response, rid, utc


def _links(ledger: MemoryLedger, body_text=None):
    return link_responses(collect(ledger.entries()), body_text)


def test_links_by_in_reply_to():
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00", message_id="<q1@example.com>")
    response(ledger, rid(9), "2026-03-03T15:00", in_reply_to="<q1@example.com>")
    result = _links(ledger)
    (link,) = result.links
    assert (link.response_id, link.record_id, link.method) == (rid(9), rid(1), "in_reply_to")
    assert result.unlinked == ()


def test_links_by_references_when_in_reply_to_names_nothing_known():
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00", message_id="<q1@example.com>")
    response(
        ledger,
        rid(9),
        "2026-03-03T15:00",
        in_reply_to="<elsewhere@example.org>",
        references=["<older@example.org>", "q1@example.com"],  # brackets lost by a client
    )
    (link,) = _links(ledger).links
    assert link.method == "references" and link.record_id == rid(1)


def test_links_through_our_acknowledgment_message_id():
    # The borrower replied to the acknowledgment; we answered that thread.
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00")
    response(ledger, rid(9), "2026-03-04T15:00", in_reply_to=f"<ack.{rid(1)}@{DOMAIN}>")
    (link,) = _links(ledger).links
    assert link.record_id == rid(1) and link.method == "in_reply_to"


def test_links_by_reference_number_in_subject_without_headers():
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00")
    inbound(ledger, rid(2), "2026-03-02T16:00")
    ref = reference_number(rid(2))
    response(ledger, rid(9), "2026-03-05T15:00", subject=f"Your payoff statement [Ref {ref}]")
    (link,) = _links(ledger).links
    assert link.record_id == rid(2)
    assert link.method == "reference_number" and ref in link.detail


def test_links_by_reference_number_in_body_text():
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00")
    response(ledger, rid(9), "2026-03-05T15:00", subject="Hello", text_key="objects/x")
    ref = reference_number(rid(1)).lower()  # typed by hand in lower case
    result = _links(ledger, lambda r: f"Regarding reference {ref}, we have...")
    (link,) = result.links
    assert link.record_id == rid(1) and "in body" in link.detail


def test_response_with_nothing_to_link_is_listed_unlinked():
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00")
    response(ledger, rid(9), "2026-03-05T15:00", subject="Following up")
    result = _links(ledger)
    assert result.links == ()
    assert [r.record_id for r in result.unlinked] == [rid(9)]


def test_response_cannot_answer_a_request_received_after_it():
    ledger = MemoryLedger()
    response(ledger, rid(9), "2026-03-01T15:00", subject=f"[Ref {reference_number(rid(1))}]")
    inbound(ledger, rid(1), "2026-03-02T15:00")
    assert _links(ledger).links == ()


def test_manual_link_appends_case_linked_and_links_the_response():
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00", message_id="<q1@example.com>")
    resp = response(ledger, rid(9), "2026-03-05T15:00", message_id="<a9@servicer.example>")
    entry = apply_action(
        ledger,
        plan_link(
            "<a9@servicer.example>",
            "q1@example.com",
            "phone follow-up",
            "person:a",
            utc("2026-03-06T15:00"),
        ),
    )
    assert entry.type == "case.linked"
    assert entry.body == {
        "record_id": rid(1),
        "record_seq": 0,
        "response_record_id": rid(9),
        "response_seq": resp.seq,
        "reason": "phone follow-up",
        "schema": 1,
    }
    result = _links(ledger)
    (link,) = result.links
    assert link.method == "manual" and link.link_seq == entry.seq
    assert result.unlinked == ()


def test_manual_link_of_an_already_linked_pair_is_refused():
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00", message_id="<q1@example.com>")
    response(ledger, rid(9), "2026-03-03T15:00", in_reply_to="<q1@example.com>")
    with pytest.raises(CaseActionError, match="already linked"):
        apply_action(ledger, plan_link(rid(9), rid(1), None, "p", utc("2026-03-04T15:00")))


def test_record_found_by_id_message_id_or_reference_number():
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00", message_id="<q1@example.com>")
    book = collect(ledger.entries())
    for ref in (rid(1), "<q1@example.com>", "q1@example.com", reference_number(rid(1))):
        assert find_record(book, ref).record_id == rid(1)
    with pytest.raises(RecordNotFoundError):
        find_record(book, "ML-AAAA-AAAA")


def test_resolve_then_reopen_and_refusals():
    ledger = MemoryLedger()
    inbound(ledger, rid(1), "2026-03-02T15:00")
    with pytest.raises(CaseActionError, match="not resolved"):
        apply_action(ledger, plan_reopen(rid(1), None, "p", utc("2026-03-03T15:00")))
    done = apply_action(
        ledger, plan_resolve(rid(1), "answered by phone", "p", utc("2026-03-03T15:00"))
    )
    assert done.type == "case.resolved" and done.body["reason"] == "answered by phone"
    with pytest.raises(CaseActionError, match="already resolved"):
        apply_action(ledger, plan_resolve(rid(1), "again", "p", utc("2026-03-03T16:00")))
    again = apply_action(
        ledger, plan_reopen(rid(1), "borrower disagrees", "p", utc("2026-03-04T15:00"))
    )
    assert again.type == "case.reopened" and again.body["resolved_seq"] == done.seq


def test_find_references_normalises_case_and_deduplicates():
    assert find_references("ml-abcd-2345 and ML-ABCD-2345, ML-ZZZZ-7777") == [
        "ML-ABCD-2345",
        "ML-ZZZZ-7777",
    ]
