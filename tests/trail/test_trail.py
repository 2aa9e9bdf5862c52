"""Audit trails: order, verified proofs, deadlines, and recorded access through the CLI."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

import pipeline.trail.build as build
from pipeline.classify.clocks import DEFAULT_POLICY
from pipeline.cli.app import cli
from pipeline.merkle import verify_inclusion
from pipeline.trail import (
    AmbiguousReferenceError,
    build_trail,
    read_entries,
    trail_from_entries,
)
from pipeline.trail.build import SharedItems
from tests.index.factory import Scenario, build_scenario, make_raw, rid, write_config

NOW = datetime(2026, 11, 12, 15, 0, tzinfo=UTC)


@pytest.fixture
def scenario(tmp_path) -> Scenario:
    return build_scenario(tmp_path)


def _trail(scenario: Scenario, ref: str, now: datetime = NOW):
    env = scenario.env
    index = env.index()
    proofs = env.proofs()
    return build_trail(ref, index=index, ledger=env.runtime.ledger, proofs=proofs, now=now)


def test_trail_lists_record_ack_escalation_and_access_in_ledger_order(scenario):
    trail = _trail(scenario, scenario.notice.body["record_id"])
    assert [(i.seq, i.type) for i in trail.items] == [
        (scenario.notice.body["sealed"]["seq"], "message.sealed"),
        (scenario.notice.seq, "message.received"),
        (scenario.ack.seq, "acknowledgment.sent"),
        (scenario.escalation.seq, "escalation.notified"),
        (scenario.access.seq, "access.viewed"),
    ]


def test_every_trail_proof_verifies_against_the_signed_checkpoint(scenario):
    env = scenario.env
    trail = _trail(scenario, scenario.notice.body["record_id"])
    signed = env.runtime.ledger.latest_checkpoint()
    assert signed is not None and trail.checkpoint_size == signed.checkpoint.size
    for item in trail.items:
        entry = env.runtime.ledger.entry(item.seq)
        path = [bytes.fromhex(p) for p in item.proof.path]
        assert item.proof.verified
        assert verify_inclusion(
            entry.leaf_hash, item.seq, signed.checkpoint.size, path, signed.checkpoint.root
        )
    assert trail.verified


def test_trail_shows_ack_message_id_smtp_reply_and_rule_evidence(scenario):
    trail = _trail(scenario, scenario.notice.body["record_id"])
    received, ack = trail.items[1], trail.items[2]
    assert "250 2.0.0 Ok: queued as 4F1" in ack.summary
    assert scenario.ack.body["ack_message_id"] in ack.summary
    assert any("rule notice_of_error matched" in line for line in received.details)
    assert any("statement.pdf" in line and "ACCEPTED" in line for line in received.details)
    assert not any("1234567890" in line for line in received.details)  # masked


def test_acknowledge_deadline_met_on_time_respond_pending(scenario):
    trail = _trail(scenario, scenario.notice.body["record_id"])
    states = {d.name: (d.state, d.on_time, d.met_by_seq) for d in trail.deadlines}
    assert states["acknowledge"] == ("met", True, scenario.ack.seq)
    assert states["respond"][0] == "pending"


def test_unacknowledged_request_deadline_is_missed_after_its_due_date(scenario):
    record = scenario.payoff.body["record_id"]
    later = datetime(2027, 1, 15, 15, 0, tzinfo=UTC)
    states = {d.name: d.state for d in _trail(scenario, record, later).deadlines}
    assert set(states.values()) == {"missed"}
    early = {d.name: d.state for d in _trail(scenario, record).deadlines}
    assert set(early.values()) == {"pending"}


def test_case_resolved_meets_the_respond_deadline(scenario):
    env = scenario.env
    rid = scenario.notice.body["record_id"]
    resolved = env.append(
        "case.resolved", {"record_id": rid, "reason": "corrected"}, time=NOW, actor="person:x"
    )
    respond = next(d for d in _trail(scenario, rid).deadlines if d.name == "respond")
    assert (respond.state, respond.met_by_seq) == ("met", resolved.seq)


def test_reply_threaded_by_in_reply_to_joins_the_trail_and_meets_respond(scenario):
    env = scenario.env
    rid = scenario.notice.body["record_id"]
    reply = env.record(
        make_raw(
            sender="servicing@servicer.example",
            to="borrower@example.net",
            subject="Re: Notice of error - escrow",
            text="We corrected it.",
        ).replace(
            b"Subject:",
            b"In-Reply-To: "
            + scenario.notice.body["headers"]["message_id"].encode()
            + b"\r\nSubject:",
        ),
        outbound=True,
        folder="Sent",
        received=NOW,
    )
    trail = _trail(scenario, rid)
    assert reply.seq in [i.seq for i in trail.items]
    respond = next(d for d in trail.deadlines if d.name == "respond")
    assert respond.state == "met" and respond.met_by_seq == reply.seq


def test_shared_message_id_is_ambiguous_and_lists_the_records(scenario):
    env = scenario.env
    env.record(make_raw(subject="One", message_id="<dup@example.net>"))
    env.record(make_raw(subject="Two", message_id="<dup@example.net>"), folder="Archive")
    with pytest.raises(AmbiguousReferenceError) as caught:
        _trail(scenario, "dup@example.net")
    assert len(caught.value.candidates) == 2


# -- through the command line ------------------------------------------------------


def _run(scenario: Scenario, *args: str):
    config = write_config(scenario.env)
    return CliRunner().invoke(cli, ["--config", str(config), *args], catch_exceptions=False)


def _last_entry(scenario: Scenario):
    ledger = scenario.env.runtime.ledger
    return ledger.entry(ledger.size() - 1)


def test_show_raw_writes_the_original_bytes_and_records_the_access(scenario):
    rid = scenario.notice.body["record_id"]
    raw = scenario.env.runtime.store.get(scenario.notice.body["raw"]["key"])
    result = _run(scenario, "show", rid, "--raw", "--reason", "exam 2026-7")
    assert result.exit_code == 0
    assert result.stdout_bytes == raw
    entry = _last_entry(scenario)
    assert entry.type == "access.viewed"
    assert entry.body == {
        "record_ids": [rid],
        "what": "raw",
        "actor": "person:records.officer@servicer.example",
        "reason": "exam 2026-7",
        "schema": 1,
    }


def test_show_raw_out_file_is_byte_identical(scenario, tmp_path):
    target = tmp_path / "copy.eml"
    result = _run(
        scenario, "show", scenario.notice.body["raw"]["sha256"], "--raw", "--out", str(target)
    )
    assert result.exit_code == 0
    assert target.read_bytes() == scenario.env.runtime.store.get(scenario.notice.body["raw"]["key"])


def test_show_prints_headers_text_and_attachment_verdicts(scenario):
    result = _run(scenario, "show", scenario.notice.body["record_id"])
    assert result.exit_code == 0
    assert "Subject:     Notice of error - escrow" in result.output
    assert "misapplied" in result.output
    assert "statement.pdf" in result.output and "ACCEPTED" in result.output
    assert _last_entry(scenario).body["what"] == "message"


def test_trail_command_records_its_own_access_and_shows_it_verified(scenario):
    rid = scenario.notice.body["record_id"]
    result = _run(scenario, "trail", rid, "--json")
    assert result.exit_code == 0
    import json

    data = json.loads(result.output)
    assert data["verified"] is True
    last = data["items"][-1]
    assert last["type"] == "access.viewed" and last["data"]["what"] == "trail"
    assert last["seq"] == _last_entry(scenario).seq


def test_search_table_masks_account_numbers(scenario):
    result = _run(scenario, "search", "--account", "1234567890")
    assert result.exit_code == 0
    assert "****7890" in result.output and "1234567890" not in result.output
    assert "Notice of error - escrow" in result.output


def test_trail_shows_a_negated_complaint_as_suppressed_with_its_cue(scenario):
    entry = scenario.env.record(
        make_raw(
            subject="Escrow question",
            text="Hello, this is not a complaint, just a question about my escrow.",
        )
    )
    result = _run(scenario, "trail", entry.body["record_id"])
    assert result.exit_code == 0
    (line,) = [x for x in result.output.splitlines() if "SUPPRESSED" in x]
    assert "'complaint'" in line and "negation" in line and "(cue 'not')" in line
    assert "language en (confidence" in result.output
    assert "machine mail: no" in result.output


def _trails_with_shared_items(scenario: Scenario):
    """The trails of two records that share an access entry naming both and an
    ``event.delivered`` entry listing an event of each, made with and without
    :class:`SharedItems`."""
    env = scenario.env
    a, b = rid(scenario.notice), rid(scenario.payoff)
    viewed = env.append(
        "access.viewed",
        {"record_ids": [a, b], "what": "export", "actor": "person:examiner"},
        time=datetime(2026, 11, 11, 9, 0, tzinfo=UTC),
        actor="person:examiner",
    )
    delivered = env.append(
        "event.delivered",
        {
            "sink": "bus",
            "from_seq": scenario.notice.seq,
            "through_seq": scenario.payoff.seq,
            "events": [
                {"id": "e-1", "type": "message.received", "record_id": a, "entry_seq": 1},
                {"id": "e-2", "type": "message.received", "record_id": b, "entry_seq": 3},
            ],
        },
        time=datetime(2026, 11, 11, 9, 1, tzinfo=UTC),
    )
    index = env.index()
    ledger = env.runtime.ledger
    proofs = env.proofs()
    shared = SharedItems({viewed.seq, delivered.seq})
    out = {}
    for ref in (a, b):
        row = index.record(ref)
        assert row is not None
        entries = list(read_entries(ledger, [lk.seq for lk in index.links(ref)]))
        out[ref] = (
            trail_from_entries(row, entries, proofs, DEFAULT_POLICY, NOW, None, shared),
            trail_from_entries(row, entries, proofs, DEFAULT_POLICY, NOW),
        )
    return out, viewed.seq, delivered.seq


def _item(trail, seq):
    return next(i for i in trail.items if i.seq == seq)


def test_an_entry_naming_many_records_is_described_once_for_all_their_trails(scenario):
    trails, viewed, _ = _trails_with_shared_items(scenario)
    (a_shared, a_plain), (b_shared, b_plain) = trails.values()
    assert _item(a_shared, viewed).proof is _item(b_shared, viewed).proof
    assert _item(a_shared, viewed).summary == "person:examiner viewed the export"
    assert a_shared.to_json() == a_plain.to_json()
    assert b_shared.to_json() == b_plain.to_json()


def test_an_entry_naming_many_records_lists_only_the_trails_own_record(scenario):
    trails, viewed, _ = _trails_with_shared_items(scenario)
    (a, (a_shared, _)), (b, (b_shared, _)) = trails.items()

    assert _item(a_shared, viewed).data["record_ids"] == [a]
    assert _item(b_shared, viewed).data["record_ids"] == [b]


def test_every_entry_naming_many_records_is_decoded_once_however_many_there_are(
    scenario, monkeypatch
):
    # a log holding many full exports: each export.created and access.viewed names
    # every record (here 15,000, some 20 MB in all), and each must be described once,
    # not once per record's trail
    env = scenario.env
    a, b = rid(scenario.notice), rid(scenario.payoff)
    others = [f"r-{n:024x}" for n in range(15_000)]
    viewings = [
        env.append(
            "access.viewed",
            {"record_ids": [a, b, *others], "what": "export", "actor": "person:examiner"},
            time=datetime(2026, 11, 11, 9, n, tzinfo=UTC),
            actor="person:examiner",
        ).seq
        for n in range(40)
    ]
    decoded: list[int] = []
    real_decode = build.decode

    def counting_decode(entry):
        decoded.append(entry.seq)
        return real_decode(entry)

    monkeypatch.setattr(build, "decode", counting_decode)
    index = env.index()
    shared = SharedItems(set(viewings))
    for ref in (a, b):
        row = index.record(ref)
        entries = list(read_entries(env.runtime.ledger, [lk.seq for lk in index.links(ref)]))
        trail_from_entries(row, entries, env.proofs(), DEFAULT_POLICY, NOW, None, shared)

    assert sorted(s for s in decoded if s in viewings) == viewings


def test_a_shared_event_delivered_entry_still_lists_each_records_own_events(scenario):
    trails, _, delivered = _trails_with_shared_items(scenario)
    (a_shared, _), (b_shared, _) = trails.values()
    a_events = _item(a_shared, delivered).data["events"]
    b_events = _item(b_shared, delivered).data["events"]
    assert [e["id"] for e in a_events] == ["e-1"]
    assert [e["id"] for e in b_events] == ["e-2"]


def test_read_entries_gives_the_positions_asked_for_once_each_in_order(scenario):
    ledger = scenario.env.runtime.ledger
    last = ledger.size() - 1

    read = [e.seq for e in read_entries(ledger, [0, 2, 2, last])]

    assert read == [0, 2, last]


def test_read_entries_refuses_positions_out_of_order(scenario):
    ledger = scenario.env.runtime.ledger

    with pytest.raises(ValueError, match="ascending: 1 after 2"):
        list(read_entries(ledger, [2, 1]))


def test_read_entries_skips_a_position_past_the_end_of_the_log(scenario):
    ledger = scenario.env.runtime.ledger
    size = ledger.size()

    assert [e.seq for e in read_entries(ledger, [1, size + 3])] == [1]
