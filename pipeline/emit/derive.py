"""Pure derivation of CloudEvents from committed ledger entries.

Which entries produce events:

* ``message.received`` with ``source.direction == "inbound"``:
  one ``message.received`` event (an acknowledgment is due unless the message was
  imported), one ``message.escalated`` event when ``classification.escalated`` is
  true, and one ``attachment.rejected`` event per rejected attachment.
* Every other entry type (including outbound ``message.received``-shaped bodies,
  ``response.sent``, and ``event.delivered`` itself) produces no events. In
  particular ``event.delivered`` must never produce events: that would feed the
  dispatcher its own progress records forever.

Payload safety: the builders below never copy a body wholesale. Each payload is
assembled from a fixed whitelist of fields, each read through a typed accessor:
hashes must look like SHA-256 hex, record ids must look like record ids, and every
free-text value passes through :func:`scrub_numbers`, which masks any run of five
or more digits (account numbers, SSNs, card numbers) down to its last four, but
leaves citations ("12 CFR 1024.35(d)"), ISO dates and reference numbers intact. Account
numbers are only ever emitted masked (``****4567``). Message bodies, subjects,
addresses and attachment bytes are not in the whitelist and cannot leak.

Expected shape of ``body.classification`` (from :mod:`pipeline.classify`); unknown
keys are ignored, missing ones default to empty::

    {"escalated": bool, "category": str | null,
     "matches": [{"rule", "field", "start", "end", "item", "matched", "severity", "route"}],
     "account_numbers": [str | {"number": str}]}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from pipeline.emit.cloudevent import CloudEvent, event_id
from pipeline.entries import RecordBody, decode_record, names
from pipeline.entries.models import Attachment, ClassificationBody
from pipeline.hashing import is_sha256_hex
from pipeline.ledger.entry import LedgerEntry
from pipeline.redact import evidence_words, mask_numbers

# The received event is named after the entry it comes from.
EVENT_MESSAGE_RECEIVED = names.MESSAGE_RECEIVED
EVENT_MESSAGE_ESCALATED = "message.escalated"
EVENT_ATTACHMENT_REJECTED = "attachment.rejected"
EVENT_TYPES = frozenset(
    {EVENT_MESSAGE_RECEIVED, EVENT_MESSAGE_ESCALATED, EVENT_ATTACHMENT_REJECTED}
)


_RECORD_ID = re.compile(r"r-[0-9a-f]{24}")
# Five or more digits, optionally separated by single spaces or dashes:
# "1234 5678 9012", "123-45-6789", "0001234567". Four digits alone (a year, a
# ZIP+4 tail, a masked account) are left alone.
_MASK_FROM_DIGITS = 5
_MAX_TEXT = 200
_SEVERITY_ORDER = {"low": 0, "medium": 1, "high": 2, "critical": 3}


def mask_account(number: str) -> str:
    """``****`` followed by the last four digits of ``number`` (fewer if it has fewer)."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return "****" + digits[-4:]


def scrub_numbers(text: str) -> str:
    """Mask every run of 5+ digits to its last four and cap the length.

    Applied to every free-text value that reaches a payload (mailbox names,
    filenames, rule names, matched words, reasons), so a number that slipped into
    any of them is masked even if nobody thought of that field.
    """
    masked = mask_numbers(text, min_digits=_MASK_FROM_DIGITS, inside_words=True)
    return masked[:_MAX_TEXT]


# -- whitelisted fields of the typed record ---------------------------------------


def _text(value: str | None) -> str | None:
    return scrub_numbers(value) if value is not None else None


def _sha256(value: str | None) -> str | None:
    return value if value is not None and is_sha256_hex(value) else None


def _record_id(value: str) -> str:
    # A record id is hex by construction; anything else is reported as unknown
    # rather than copied, because we cannot vouch for what it contains.
    return value if _RECORD_ID.fullmatch(value) else "r-unknown"


def _accounts(classification: ClassificationBody) -> list[str]:
    masked: list[str] = []
    for number in classification.account_numbers:
        value = mask_account(number)
        if value not in masked:
            masked.append(value)
    return masked


def _deadlines(body: RecordBody) -> list[dict[str, Any]]:
    return [
        {
            "name": _text(d.name),
            "due": d.due.isoformat(),
            "business_days": d.business_days,
            "rule": _text(d.rule),
        }
        for d in body.deadlines
    ]


def _matches(classification: ClassificationBody) -> list[dict[str, Any]]:
    return [
        {
            "rule": _text(m.rule),
            "field": _text(m.field),
            "item": m.item,
            "span": [m.start, m.end],
            # Only the words the rule matched, a long match cut to the words at its
            # ends (evidence_words), and those scrubbed like any other free text.
            "matched": _text(evidence_words(m.matched)),
            "severity": _text(m.severity),
            "route": _text(m.route),
        }
        for m in classification.matches
    ]


def _highest_severity(matches: Iterable[Mapping[str, Any]]) -> str | None:
    best: str | None = None
    for match in matches:
        severity = match.get("severity")
        if (
            isinstance(severity, str)
            and severity in _SEVERITY_ORDER
            and (best is None or _SEVERITY_ORDER[severity] > _SEVERITY_ORDER[best])
        ):
            best = severity
    return best


def _common(entry: LedgerEntry, body: RecordBody) -> dict[str, Any]:
    """Fields every event of a received message carries: references and routing."""
    return {
        "record_id": _record_id(body.record_id),
        "entry_seq": entry.seq,
        "entry_hash": entry.entry_hash,
        "raw_sha256": _sha256(body.raw.sha256 if body.raw else None),
        "mailbox": _text(body.source.mailbox),
        "folder": _text(body.source.folder),
        "recorded_at": entry.time,
        "category": _text(body.classification.category),
        # "spoofed" (mail failing DMARC) is no escalation but is the security team's:
        # a subscriber takes it from here, as a fraud desk's identity-theft program must.
        "subcategory": _text(body.classification.subcategory),
        "accounts": _accounts(body.classification),
        "deadlines": _deadlines(body),
    }


def _received(entry: LedgerEntry, body: RecordBody) -> dict[str, Any]:
    data = _common(entry, body)
    data["escalated"] = body.classification.escalated
    if body.source.imported:
        # RFC 3834 spirit and our own rule: backfilled mail is never auto-acknowledged.
        data["needs_acknowledgment"] = False
        data["needs_acknowledgment_reason"] = "imported"
    else:
        data["needs_acknowledgment"] = True
    return data


def _escalated(entry: LedgerEntry, body: RecordBody) -> dict[str, Any]:
    data = _common(entry, body)
    matches = _matches(body.classification)
    data["matches"] = matches
    data["severity"] = _highest_severity(matches)
    data["routes"] = sorted({m["route"] for m in matches if m["route"]})
    return data


def _rejected(
    entry: LedgerEntry, body: RecordBody, attachment: Attachment, index: int
) -> dict[str, Any]:
    data = _common(entry, body)
    data["attachment"] = {
        "index": index,
        "sha256": _sha256(attachment.sha256),
        "size": attachment.size,
        # The sanitised name only: the declared filename is attacker-controlled.
        "safe_filename": _text(attachment.safe_filename),
        "detected_type": _text(attachment.detected_type),
        "reasons": [r for r in (_text(x) for x in attachment.reasons) if r],
    }
    return data


def events_for_entry(entry: LedgerEntry, source: str) -> tuple[CloudEvent, ...]:
    """The events one committed entry gives rise to (empty for most entry types).

    ``source`` is the CloudEvents ``source`` and the prefix of every event id
    (typically the ledger's origin), so ids are unique across ledgers. A
    ``message.received`` entry that does not decode raises
    :class:`pipeline.errors.EntryFormatError` naming its position and field.
    """
    if entry.type != names.MESSAGE_RECEIVED:
        return ()
    body = decode_record(entry).body
    if body.source.direction != "inbound":
        return ()
    record_id = _record_id(body.record_id)

    def make(event_type: str, data: Mapping[str, Any], n: int | None = None) -> CloudEvent:
        return CloudEvent(
            id=event_id(source, entry.seq, event_type, n),
            source=source,
            type=event_type,
            time=entry.time,
            subject=record_id,
            data=data,
        )

    events = [make(EVENT_MESSAGE_RECEIVED, _received(entry, body))]
    if body.classification.escalated:
        events.append(make(EVENT_MESSAGE_ESCALATED, _escalated(entry, body)))
    for index, attachment in enumerate(body.attachments):
        if attachment.verdict == "rejected":
            events.append(
                make(
                    EVENT_ATTACHMENT_REJECTED,
                    _rejected(entry, body, attachment, index),
                    index,
                )
            )
    return tuple(events)
