"""A record's searchable fields, derived from its ledger entry (no I/O).

The index stores exactly these; trails, ``show`` and exports derive them again from
entries proven against the signed root, so an edited index cannot change them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from email.utils import parsedate_to_datetime

from pipeline.cases.book import request_kinds_of
from pipeline.entries import RecordBody
from pipeline.entries.models import MessageSealed, Party
from pipeline.index.model import RecordRow, facet
from pipeline.ledger.entry import LedgerEntry, format_time

__all__ = [
    "facets_of",
    "normalize_message_id",
    "record_facets",
    "record_row",
    "sealed_row",
    "sender_domain",
]


def normalize_message_id(value: str) -> str:
    """A Message-ID without surrounding whitespace and angle brackets (RFC 5322 msg-id)."""
    return value.strip().removeprefix("<").removesuffix(">").strip()


def record_row(entry: LedgerEntry, body: RecordBody) -> RecordRow:
    """The searchable fields of one record entry (the index stores exactly these)."""
    source, headers, classification = body.source, body.headers, body.classification
    first = headers.from_[0] if headers.from_ else None
    return RecordRow(
        seq=entry.seq,
        record_id=body.record_id,
        type=entry.type,
        mailbox=source.mailbox,
        folder=source.folder,
        uidvalidity=source.uidvalidity,
        uid=source.uid,
        # INTERNALDATE is when the server received the message; backfilled files lack
        # it, and their Date header says more about when they arrived than the import does
        received=source.internaldate or _header_time(headers.date) or entry.time,
        recorded=entry.time,
        sender=first.address.strip().lower() if first else "",
        sender_name=first.name if first else "",
        recipients=" ".join(_addresses(headers.to) + _addresses(headers.cc)),
        subject=headers.subject,
        message_id=normalize_message_id(headers.message_id) if headers.message_id else None,
        raw_sha256=body.raw.sha256 if body.raw else "",
        raw_size=body.raw.size if body.raw else 0,
        category=classification.category,
        escalated=bool(classification.escalated),
        imported=bool(source.imported),
        direction=source.direction,
        accounts=tuple(classification.account_numbers),
        rules=tuple(classification.rules),
    )


def sealed_row(entry: LedgerEntry, body: MessageSealed) -> RecordRow:
    """The searchable fields of a message sealed but not yet assembled.

    Only its source, receipt and raw hash are known before parsing: no headers,
    classification or accounts, so those fields are empty until its record replaces it.
    """
    source = body.source
    return RecordRow(
        seq=entry.seq,
        record_id=body.record_id,
        type=entry.type,
        mailbox=source.mailbox,
        folder=source.folder,
        uidvalidity=source.uidvalidity,
        uid=source.uid,
        received=source.internaldate or entry.time,
        recorded=entry.time,
        sender="",
        sender_name="",
        recipients="",
        subject="",
        message_id=None,
        raw_sha256=body.raw.sha256,
        raw_size=body.raw.size,
        category=None,
        escalated=False,
        imported=source.is_imported,
        direction=source.direction,
        accounts=(),
        rules=(),
    )


def _header_time(value: str | None) -> str | None:
    """A Date header in the ledger time format, or None when it does not parse."""
    if value is None:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # RFC 5322 "-0000": the zone is unknown
    return format_time(moment)


def _addresses(parties: Sequence[Party]) -> list[str]:
    return [p.address.strip().lower() for p in parties]


def sender_domain(sender: str) -> str:
    """The domain of a (lower-cased) address: what follows its last ``@``, else empty."""
    return sender.rpartition("@")[2] if "@" in sender else ""


def record_facets(
    *,
    kinds: Sequence[str],
    families: Sequence[str],
    rules: Sequence[str],
    category: str | None,
    language: str | None,
    verdict: str,
    escalated: bool,
) -> tuple[str, ...]:
    """The facets a record is found by: request kinds, escalation families, the rules
    that matched, category, language, the attachment verdict (``none``,
    ``accepted``, ``rejected``) and whether it was escalated."""
    out = [facet("kind", k) for k in kinds]
    out += [facet("family", f) for f in families]
    out += [facet("rule", r) for r in rules]
    if category:
        out.append(facet("category", category))
    if language:
        out.append(facet("language", language))
    out.append(facet("verdict", verdict))
    out.append(facet("escalated", "yes" if escalated else "no"))
    return tuple(dict.fromkeys(out))


def facets_of(body: RecordBody) -> tuple[str, ...]:
    """The facets of a record entry (the index stores exactly these; exports check
    them against the entries a signed checkpoint covers)."""
    classification = body.classification
    verdicts = {a.verdict for a in body.attachments}
    # one word per record: any rejected attachment makes the record "rejected"
    verdict = "rejected" if "rejected" in verdicts else "accepted" if verdicts else "none"
    return record_facets(
        kinds=request_kinds_of(classification),
        families=[f.family for f in classification.escalation_families],
        rules=classification.rules,
        category=classification.category,
        language=classification.language,
        verdict=verdict,
        escalated=bool(classification.escalated),
    )
