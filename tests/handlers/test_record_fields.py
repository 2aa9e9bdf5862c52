"""The handlers read the record fields that record assembly writes."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage

from handlers.loop_safety import RateState, SourceFacts, facts_from_record, should_auto_reply
from handlers.record import record_from_entry
from pipeline.config import Config
from pipeline.ledger.entry import EntryDraft
from pipeline.ledger.memory import MemoryLedger
from pipeline.record.assemble import assemble
from pipeline.record.source import MessageSource
from pipeline.worker.build import record_settings

NOW = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)


def _recorded(**extra_headers: str):
    msg = EmailMessage()
    msg["From"] = "News <news@lender-updates.example>"
    msg["To"] = "service@servicer.example"
    msg["Subject"] = "Rates this week"
    msg["Message-ID"] = "<bulk-1@lender-updates.example>"
    for name, value in extra_headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content("Our rates this week.")
    source = MessageSource(kind="imap", mailbox="service", folder="INBOX", uidvalidity=1, uid=1)
    record = assemble(bytes(msg), source, record_settings(Config()), received_at=NOW)
    ledger = MemoryLedger()
    (entry,) = ledger.append(
        [EntryDraft(record.entry_type, record.body, "w", NOW, body_json=record.body_json)]
    )
    return record_from_entry(entry)


def test_recorded_list_unsubscribe_without_list_id_reaches_the_loop_safety_check() -> None:
    record = _recorded(List_Unsubscribe="<mailto:leave@lender-updates.example>")
    assert record.list_headers == ("list-unsubscribe",)
    headers, source = facts_from_record(record)
    decision = should_auto_reply(headers, source, ("service@servicer.example",), RateState(5, {}))
    assert (decision.reply, decision.reason) == (False, "mailing-list")


def test_a_message_without_list_fields_records_none() -> None:
    record = _recorded()
    assert record.list_headers == ()
    assert facts_from_record(record)[1] == SourceFacts(direction="inbound", imported=False)
