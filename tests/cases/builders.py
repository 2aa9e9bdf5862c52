"""Hand-made ledger entries at fixed times for case and report tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pipeline.classify.clocks import RequestKind, deadlines_for
from pipeline.ledger.entry import EntryDraft, LedgerEntry, format_time
from pipeline.ledger.memory import MemoryLedger

DOMAIN = "servicer.example"


def utc(text: str) -> datetime:
    """``2026-03-02T15:00`` as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def rid(n: int) -> str:
    """A well-formed record id."""
    return f"r-{n:024x}"


def inbound(
    ledger: MemoryLedger,
    record_id: str,
    at: str,
    kind: RequestKind = "general",
    *,
    category: str = "other",
    rules: Sequence[str] = (),
    message_id: str | None = None,
    sender: str = "borrower@example.com",
    subject: str = "Question about my loan",
    accounts: Sequence[str] = (),
    sensitive: Sequence[str] = (),
    imported: bool = False,
    auto_submitted: str | None = None,
    internaldate: str | None = None,
    kinds: Sequence[str] | None = None,
    subkinds: Sequence[str] = (),
    sale_date: str | None = None,
    language: str = "en",
) -> LedgerEntry:
    """Append a ``message.received`` entry with clocks computed as at receipt.

    ``at`` is when the ledger recorded it; ``internaldate`` (default ``at``) when the
    server says it arrived. ``kinds`` writes the newer ``request_kinds`` list.
    """
    moment = utc(at)
    deadlines = (
        []
        if imported
        else [
            {
                "name": d.name,
                "due": d.due.isoformat(),
                "start": d.start.isoformat(),
                "business_days": d.business_days,
                "rule": d.rule,
                "extendable": d.extendable,
            }
            for d in deadlines_for(kind, moment)
        ]
    )
    body: dict[str, Any] = {
        "record_id": record_id,
        "source": {
            "kind": "import" if imported else "imap",
            "mailbox": "servicing",
            "folder": "INBOX",
            "internaldate": format_time(utc(internaldate) if internaldate else moment),
            "direction": "inbound",
            "imported": imported,
        },
        "headers": {
            "message_id": message_id or f"<{record_id}@example.com>",
            "from": [{"name": "Borrower", "address": sender}],
            "subject": subject,
            "in_reply_to": None,
            "references": [],
            "auto_submitted": auto_submitted,
        },
        "bodies": {"text": None, "html": None, "html_text": None},
        "classification": {
            "category": category,
            "subcategory": "general",
            "request_kind": kind,
            **({"request_kinds": list(kinds)} if kinds is not None else {}),
            "request_subkinds": list(subkinds),
            "foreclosure_sale_date": sale_date,
            "language": language,
            "escalated": bool(rules),
            "account_numbers": list(accounts),
            "matches": [{"rule": r, "matched": "x"} for r in rules],
            "sensitive": [
                {"kind": k, "field": "text", "start": 0, "end": 11, "masked": "***-**-****"}
                for k in sensitive
            ],
        },
        "deadlines": deadlines,
    }
    return ledger.append([EntryDraft("message.received", body, "worker:test", moment)])[0]


def ack(ledger: MemoryLedger, record_id: str, at: str) -> LedgerEntry:
    """Append an ``acknowledgment.sent`` entry."""
    # the full body the acknowledgment handler writes (the catalogue refuses less)
    body = {
        "record_id": record_id,
        "entry_seq": 0,
        "intent_seq": 0,
        "ack_message_id": f"<ack.{record_id}@{DOMAIN}>",
        "time": format_time(utc(at)),
        "to": "borrower@example.com",
        "transport": "smtp",
        "provider_id": None,
        "reply": "250 2.0.0 Ok",
        "reply_code": 250,
        "ack_sha256": "0" * 64,
        "ack_size": 1,
    }
    return ledger.append([EntryDraft("acknowledgment.sent", body, "handler:test", utc(at))])[0]


def response(
    ledger: MemoryLedger,
    record_id: str,
    at: str,
    *,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    subject: str = "Re: your letter",
    message_id: str | None = None,
    text_key: str | None = None,
) -> LedgerEntry:
    """Append a ``response.sent`` entry (the record body shape, outbound)."""
    moment = utc(at)
    body = {
        "record_id": record_id,
        "source": {
            "kind": "imap",
            "mailbox": "servicing",
            "folder": "Sent",
            "internaldate": format_time(moment),
            "direction": "outbound",
            "imported": False,
        },
        "headers": {
            "message_id": message_id or f"<{record_id}@{DOMAIN}>",
            "from": [{"name": "Servicing", "address": f"help@{DOMAIN}"}],
            "subject": subject,
            "in_reply_to": in_reply_to,
            "references": list(references),
        },
        "bodies": {
            "text": {"sha256": "0" * 64, "size": 1, "key": text_key} if text_key else None,
            "html": None,
            "html_text": None,
        },
        "classification": {},
        "deadlines": [],
    }
    return ledger.append([EntryDraft("response.sent", body, "worker:test", moment)])[0]


def action(ledger: MemoryLedger, kind: str, record_id: str, at: str, **fields: Any) -> LedgerEntry:
    """Append a ``case.*`` entry directly (as a person's earlier decision)."""
    body = {"record_id": record_id, "reason": "test", **fields}
    return ledger.append([EntryDraft(kind, body, "person:test", utc(at))])[0]


def extension_notice(ledger: MemoryLedger, extension: LedgerEntry, at: str) -> LedgerEntry:
    """Append the ``extension_notice.sent`` entry for a ``case.extended`` entry."""
    record_id = extension.body["record_id"]
    body = {
        "record_id": record_id,
        "entry_seq": extension.body.get("record_seq") or 0,
        "extension_seq": extension.seq,
        "intent_seq": extension.seq,
        "time": format_time(utc(at)),
        "notice_message_id": f"<extension.{record_id}@{DOMAIN}>",
        "to": "borrower@example.com",
        "language": "en",
        "transport": "test",
        "notice_sha256": "0" * 64,
        "notice_size": 1,
    }
    return ledger.append([EntryDraft("extension_notice.sent", body, "handler:test", utc(at))])[0]
