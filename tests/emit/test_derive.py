"""Which events a ledger entry yields, and what their payloads may contain."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.emit.cloudevent import CloudEvent
from pipeline.emit.derive import events_for_entry, scrub_numbers
from pipeline.entries import draft
from pipeline.entries.models import AcknowledgmentSkipped
from pipeline.ledger.entry import EntryDraft
from pipeline.ledger.memory import MemoryLedger
from tests.emit.conftest import (
    ACTOR,
    ATTACHMENT_SHA,
    RAW_SHA,
    RECEIVED_AT,
    SOURCE,
    message_body,
    received,
)


def commit(*drafts: EntryDraft) -> MemoryLedger:
    ledger = MemoryLedger()
    ledger.append(list(drafts))
    return ledger


def test_inbound_message_yields_one_received_event_needing_acknowledgment() -> None:
    entry = commit(received(5)).entry(0)
    (event,) = events_for_entry(entry, SOURCE)
    assert event.type == "message.received"
    assert event.id == f"{SOURCE}/0/message.received"
    assert event.source == SOURCE
    assert event.subject == "r-" + "0" * 23 + "5"
    assert event.time == "2026-11-28T08:30:00.000000Z"
    assert event.data["needs_acknowledgment"] is True
    assert "needs_acknowledgment_reason" not in event.data
    assert event.data["record_id"] == event.subject
    assert event.data["entry_seq"] == 0
    assert event.data["raw_sha256"] == RAW_SHA
    assert event.data["mailbox"] == "servicing@example.com"
    assert event.data["category"] == "general"
    assert event.data["accounts"] == ["****4567"]
    assert [d["name"] for d in event.data["deadlines"]] == ["acknowledge", "respond"]
    assert event.data["deadlines"][0]["due"] == "2026-12-04"


def test_received_event_names_the_subcategory_so_spoofed_mail_reaches_security() -> None:
    body = message_body(6)
    body["classification"]["category"] = "other"
    body["classification"]["subcategory"] = "spoofed"
    entry = commit(EntryDraft("message.received", body, ACTOR, RECEIVED_AT)).entry(0)
    (event,) = events_for_entry(entry, SOURCE)
    assert (event.data["category"], event.data["subcategory"]) == ("other", "spoofed")


def test_imported_message_does_not_need_acknowledgment_and_says_why() -> None:
    (event,) = events_for_entry(commit(received(imported=True)).entry(0), SOURCE)
    assert event.data["needs_acknowledgment"] is False
    assert event.data["needs_acknowledgment_reason"] == "imported"


def test_escalated_message_yields_escalation_event_with_matched_rules() -> None:
    events = events_for_entry(commit(received(escalated=True)).entry(0), SOURCE)
    assert [e.type for e in events] == ["message.received", "message.escalated"]
    escalated = events[1]
    assert escalated.id == f"{SOURCE}/0/message.escalated"
    assert escalated.data["severity"] == "critical"
    assert escalated.data["routes"] == ["legal", "qwr-team"]
    assert escalated.data["matches"][0] == {
        "rule": "notice_of_error",
        "field": "subject",
        "item": 0,
        "span": [0, 15],
        "matched": "Notice of Error",
        "severity": "high",
        "route": "qwr-team",
    }


def test_each_rejected_attachment_yields_its_own_event() -> None:
    events = events_for_entry(commit(received(rejected=2)).entry(0), SOURCE)
    rejected = [e for e in events if e.type == "attachment.rejected"]
    assert [e.id for e in rejected] == [
        f"{SOURCE}/0/attachment.rejected/0",
        f"{SOURCE}/0/attachment.rejected/1",
    ]
    assert rejected[1].data["attachment"] == {
        "index": 1,
        "sha256": ATTACHMENT_SHA,
        "size": 1001,
        "safe_filename": "evil_1.exe",
        "detected_type": "application/vnd.microsoft.portable-executable",
        "reasons": ["executable"],
    }


def test_accepted_attachments_yield_no_event() -> None:
    body = message_body(rejected=1)
    body["attachments"][0]["verdict"] = "accepted"
    entry = commit(EntryDraft("message.received", body, ACTOR)).entry(0)
    assert [e.type for e in events_for_entry(entry, SOURCE)] == ["message.received"]


def test_outbound_messages_and_other_entry_types_yield_no_events() -> None:
    ledger = commit(
        received(direction="outbound"),
        EntryDraft("response.sent", message_body(direction="outbound"), ACTOR),
        draft(AcknowledgmentSkipped(record_id="r-" + "0" * 24, entry_seq=0, reason="t"), ACTOR),
        EntryDraft(
            "event.delivered",
            {"sink": "jsonl", "from_seq": 0, "through_seq": 2, "events": []},
            ACTOR,
        ),
    )
    assert [events_for_entry(e, SOURCE) for e in ledger.entries()] == [(), (), (), ()]


def test_event_ids_and_bytes_are_deterministic() -> None:
    first = events_for_entry(commit(received(3, escalated=True, rejected=1)).entry(0), SOURCE)
    second = events_for_entry(commit(received(3, escalated=True, rejected=1)).entry(0), SOURCE)
    assert [e.id for e in first] == [e.id for e in second]
    assert [e.to_json() for e in first] == [e.to_json() for e in second]
    assert len({e.id for e in first}) == 3


def test_cloudevent_json_has_spec_attributes_in_sorted_order() -> None:
    (event,) = events_for_entry(commit(received()).entry(0), SOURCE)
    document = json.loads(event.to_json())
    assert list(document) == sorted(document)
    assert document["specversion"] == "1.0"
    assert document["datacontenttype"] == "application/json"
    assert CloudEvent.from_json(event.to_json()) == event


def test_payload_never_carries_subject_addresses_or_filenames_as_sent() -> None:
    draft = received(subject="Help with loan 99887766", rejected=1, text_hint="77665544")
    text = b"".join(e.to_json() for e in events_for_entry(commit(draft).entry(0), SOURCE))
    assert b"Help with loan" not in text
    assert b"pat@example.org" not in text
    assert b"evil 77665544.exe" not in text


def test_scrub_masks_digit_runs_keeping_last_four() -> None:
    assert scrub_numbers("acct 1234-5678-9012 ssn 123-45-6789 year 2026") == (
        "acct ****9012 ssn ****6789 year 2026"
    )


account_numbers = st.text(alphabet="0123456789", min_size=8, max_size=20)


@settings(max_examples=200, deadline=None)
@given(
    number=account_numbers,
    where=st.sampled_from(["accounts", "matched", "filename", "mailbox", "rule"]),
)
def test_full_account_numbers_never_appear_in_event_json(number: str, where: str) -> None:
    body = message_body(escalated=True, rejected=1, accounts=(number,), subject=f"loan {number}")
    body["record_id"] = "r-" + "abcdef" * 4  # no digit runs of its own to confuse the check
    body["headers"]["subject"] = f"Loan {number}"
    body["bodies"]["text"]["key"] = f"objects/{number}"
    if where == "matched":
        body["classification"]["matches"][0]["matched"] = f"account {number}"
    elif where == "filename":
        body["attachments"][0]["safe_filename"] = f"statement_{number}.pdf"
    elif where == "mailbox":
        body["source"]["mailbox"] = f"{number}@example.com"
    elif where == "rule":
        body["classification"]["matches"][1]["rule"] = f"acct-{number}"
    entry = commit(EntryDraft("message.received", body, ACTOR)).entry(0)
    events = events_for_entry(entry, SOURCE)
    serialized = b"".join(e.to_json() for e in events).decode()
    assert number not in serialized
    assert "****" + number[-4:] in serialized


def test_citations_dates_and_references_in_event_text_are_not_masked() -> None:
    body = message_body(escalated=True, rejected=0)
    body["classification"]["matches"][0]["matched"] = (
        "12 CFR 1024.35(d) by 2026-12-10, ref ML-2345-6789"
    )
    entry = commit(EntryDraft("message.received", body, ACTOR)).entry(0)
    escalated = events_for_entry(entry, SOURCE)[1]
    assert escalated.data["matches"][0]["matched"] == (
        "12 CFR 1024.35(d) by 2026-12-10, ref ML-2345-6789"
    )
