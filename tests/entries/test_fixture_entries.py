"""Every entry the suite's fixtures and the demo samples write decodes through the catalogue."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.demo.samples import sample_messages
from pipeline.entries import decode, decode_record, names
from pipeline.ledger.entry import EntryDraft
from pipeline.ledger.memory import MemoryLedger
from pipeline.record.assemble import assemble
from pipeline.record.source import MessageSource
from pipeline.worker.build import record_settings
from tests.cases import builders
from tests.emit.conftest import message_body
from tests.handlers.conftest import record_body
from tests.index.factory import build_scenario

NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


def test_demo_samples_assemble_into_records_that_decode_to_the_same_model() -> None:
    settings = record_settings(Config())
    ledger = MemoryLedger()
    for uid, raw in enumerate(sample_messages(NOW), start=1):
        source = MessageSource(
            kind="imap", mailbox="servicing", folder="INBOX", uidvalidity=1, uid=uid
        )
        record = assemble(raw, source, settings, received_at=NOW)
        (entry,) = ledger.append(
            [EntryDraft(record.entry_type, record.body, "w", NOW, body_json=record.body_json)]
        )
        assert decode_record(entry).body == record.record


def test_case_builder_entries_decode() -> None:
    ledger = MemoryLedger()
    rid = builders.rid(1)
    builders.inbound(ledger, rid, "2026-03-02T15:00", "notice_of_error", rules=("x",))
    builders.ack(ledger, rid, "2026-03-03T15:00")
    builders.response(ledger, builders.rid(2), "2026-03-04T15:00", in_reply_to="<a@b>")
    builders.action(ledger, names.CASE_RESOLVED, rid, "2026-03-05T15:00")
    builders.action(ledger, names.CASE_REOPENED, rid, "2026-03-06T15:00")
    builders.action(ledger, names.CASE_EXTENDED, rid, "2026-03-06T16:00", days=15, due="2026-04-30")
    builders.action(
        ledger, names.CASE_LINKED, rid, "2026-03-07T15:00", response_record_id=builders.rid(2)
    )
    assert [decode(e).type for e in ledger.entries()] == [e.type for e in ledger.entries()]


@pytest.mark.parametrize(
    "body",
    [
        message_body(1),
        message_body(2, imported=True, escalated=True, rejected=1),
        message_body(3, direction="outbound"),
        record_body(),
        record_body(sensitive=True, imported=True),
    ],
    ids=["emit", "emit-imported", "emit-outbound", "handlers", "handlers-sensitive"],
)
def test_record_bodies_of_emit_and_handler_fixtures_decode(body: dict[str, object]) -> None:
    ledger = MemoryLedger()
    (entry,) = ledger.append([EntryDraft(names.MESSAGE_RECEIVED, body, "w", NOW)])
    assert decode_record(entry).body.record_id == body["record_id"]


def test_every_entry_of_the_index_scenario_decodes(tmp_path: Path) -> None:
    scenario = build_scenario(tmp_path)
    entries = list(scenario.env.runtime.ledger.entries())
    assert len(entries) >= 6
    assert [decode(e).seq for e in entries] == [e.seq for e in entries]
