"""Records and links read from the signed log (``LedgerRecords``) keep rows packed and
links in one flat array; what they answer must be what the entries say, row by row."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.entries import RecordBody, decode
from pipeline.entries.models import MessageSealed
from pipeline.index.model import EntryLink, RecordRow, SearchCriteria
from pipeline.index.rows import record_row, sealed_row
from pipeline.record.identities import IdentityIndex
from pipeline.record.recorder import Received, Recorder
from pipeline.record.source import MessageSource
from pipeline.trail.evidence import LedgerRecords
from pipeline.worker.assembly_pool import Item, assemble_and_store
from tests.index.factory import Scenario, build_scenario, make_raw


@pytest.fixture
def scenario(tmp_path) -> Scenario:
    scenario = build_scenario(tmp_path / "ledger")
    # one message sealed and never assembled: a record until its record entry exists
    env = scenario.env
    source = MessageSource(
        kind="imap",
        mailbox="servicing",
        folder="INBOX",
        uidvalidity=7,
        uid=9001,
        internaldate=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
        direction="inbound",
        path=None,
    )
    recorder = Recorder(env.runtime.store, env.runtime.ledger, IdentityIndex(None), "worker:t/1")
    try:
        raw = make_raw(subject="Sealed only", text="Not parsed yet.")
        recorder.seal([Received.of(raw, source, source.internaldate)])
    finally:
        recorder.close()
    return scenario


def _records(scenario: Scenario, scratch: Path) -> LedgerRecords:
    ledger = scenario.env.runtime.ledger
    signed = ledger.read_checkpoint_text(ledger.checkpoint_note(ledger.size()))
    return LedgerRecords.build(signed, ledger.entries(0, signed.checkpoint.size), scratch)


def _expected(scenario: Scenario) -> tuple[list[RecordRow], dict[str, list[int]]]:
    """Rows and links read the plain way: a row object per record entry, and per seal
    whose record never came; every entry linked to each record it concerns."""
    rows: list[RecordRow] = []
    seals: dict[str, RecordRow] = {}
    links: dict[str, list[int]] = {}
    for entry in scenario.env.runtime.ledger.entries():
        body = decode(entry).body
        if isinstance(body, RecordBody):
            rows.append(record_row(entry, body))
        elif isinstance(body, MessageSealed):
            seals.setdefault(body.record_id, sealed_row(entry, body))
        for rid in body.concerns():
            links.setdefault(rid, []).append(entry.seq)
    assembled = {r.record_id for r in rows}
    rows += [r for rid, r in seals.items() if rid not in assembled]
    return sorted(rows, key=lambda r: r.seq), links


def test_packed_rows_read_back_equal_to_the_rows_their_entries_give(scenario, tmp_path):
    records = _records(scenario, tmp_path)
    expected, _ = _expected(scenario)

    assert list(records.rows) == expected
    assert [records.record(r.record_id) for r in expected] == expected
    assert [records.at(r.seq) for r in expected] == expected


def test_a_seal_whose_record_came_is_not_a_record_but_one_never_assembled_is(scenario, tmp_path):
    records = _records(scenario, tmp_path)
    kinds = sorted((r.type, r.subject) for r in records.rows)

    assert kinds == [
        ("message.received", "Notice of error - escrow"),
        ("message.received", "Payoff statement request"),
        ("message.received", "Thanks"),
        ("message.sealed", ""),
    ]


def test_seals_read_long_before_their_records_leave_no_row_and_the_rest_keep_ledger_order(
    scenario, tmp_path
):
    # a backfill seals every message before it assembles any: here three seals in one
    # batch, then the first and the third assembled, the second left sealed
    env = scenario.env
    recorder = Recorder(env.runtime.store, env.runtime.ledger, IdentityIndex(None), "worker:t/1")
    try:
        messages = [
            Received.of(
                make_raw(subject=f"Backfilled {n}", text="Old mail."),
                MessageSource(
                    kind="imap",
                    mailbox="servicing",
                    folder="Archive",
                    uidvalidity=8,
                    uid=n,
                    internaldate=datetime(2025, 3, n, 9, 0, tzinfo=UTC),
                    direction="inbound",
                    path=None,
                ),
                datetime(2025, 3, n, 9, 0, tzinfo=UTC),
            )
            for n in (1, 2, 3)
        ]
        sealed = recorder.seal(messages).sealed
        for message, (_, seal) in [(messages[0], sealed[0]), (messages[2], sealed[2])]:
            (assembled,) = assemble_and_store(
                [Item.held(message, seal.seq)], env.settings(), env.runtime.store
            )
            recorder.append([assembled])
    finally:
        recorder.close()

    records = _records(scenario, tmp_path)
    expected, _ = _expected(scenario)
    backfilled = [(r.type, r.subject) for r in records.rows if r.folder == "Archive"]

    assert backfilled == [
        ("message.sealed", ""),
        ("message.received", "Backfilled 1"),
        ("message.received", "Backfilled 3"),
    ]
    assert records.record(messages[1].record_id).seq == sealed[1][1].seq
    assert list(records.rows) == expected


def test_links_from_the_flat_array_are_every_entry_naming_the_record_in_order(scenario, tmp_path):
    records = _records(scenario, tmp_path)
    _, expected = _expected(scenario)

    for rid, seqs in expected.items():
        assert [(lk.record_id, lk.seq) for lk in records.links(rid)] == [(rid, s) for s in seqs]
    notice = scenario.notice.body["record_id"]
    assert EntryLink(notice, scenario.ack.seq, "acknowledgment.sent") in records.links(notice)
    assert records.links("r-unknown") == []


def test_a_position_resolves_to_its_record_or_to_the_records_its_entry_names(scenario, tmp_path):
    records = _records(scenario, tmp_path)
    notice = records.record(scenario.notice.body["record_id"])

    assert records.resolve(str(scenario.notice.seq)) == [notice]
    assert records.resolve(str(scenario.ack.seq)) == [notice]
    assert records.at(scenario.ack.seq) is None


def test_select_reads_flags_and_facets_from_the_packed_rows(scenario, tmp_path):
    records = _records(scenario, tmp_path)

    escalated = [r.record_id for r in records.select(SearchCriteria(escalated=True), None)]
    payoffs = [r.record_id for r in records.select(SearchCriteria(mailbox="payoffs"), None)]

    assert escalated == [scenario.notice.body["record_id"]]
    assert payoffs == [scenario.payoff.body["record_id"]]


def test_closing_the_records_closes_their_scratch_file_at_once(scenario, tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    records = _records(scenario, scratch)
    fd = records._rows._fd
    os.fstat(fd)  # open while the records are in use
    records.close()
    with pytest.raises(OSError):
        os.fstat(fd)
    assert list(scratch.iterdir()) == []  # removed by name as soon as it was made
