"""The parts of a ``message.received`` ledger entry that the handlers use.

The ledger entry is the source of truth; events only point at it. This module
turns an entry body (see ``docs/architecture.md``) into small frozen values and
refuses entries that are not inbound message records, with a message that says
which position was wrong.

The ``classification`` object is produced by ``pipeline.classify``; only these keys
are read, each optional: ``category`` (str), ``language`` (``"en"``/``"es"``),
``sensitive`` (findings of sensitive numbers; any finding sets the reminder),
``account_numbers`` (FULL numbers in the ledger: they are masked here, on reading, so
no handler output can ever carry a full number), ``matches`` (escalation rule matches
with ``rule``, ``field``, ``start``/``end``, ``matched``, ``severity``, ``route``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pipeline.classify.accounts import mask_account
from pipeline.errors import HandlerError
from pipeline.ledger.entry import LedgerEntry

MESSAGE_RECEIVED = "message.received"


@dataclass(frozen=True, slots=True)
class Party:
    """A display name and address as recorded (not yet validated for sending)."""

    name: str
    address: str


@dataclass(frozen=True, slots=True)
class Deadline:
    """One regulatory clock from the record (``acknowledge`` or ``respond``)."""

    name: str
    due: date
    business_days: int
    rule: str


@dataclass(frozen=True, slots=True)
class Match:
    """One escalation-rule match: the evidence a notification carries."""

    rule: str
    field: str
    start: int
    end: int
    matched: str
    severity: str
    route: str


@dataclass(frozen=True, slots=True)
class InboundRecord:
    """A recorded message, as far as acknowledgment and escalation need it."""

    seq: int
    record_id: str
    recorded_at: datetime
    received_at: datetime
    mailbox: str
    direction: str
    imported: bool
    message_id: str | None
    references: tuple[str, ...]
    subject: str
    from_: tuple[Party, ...]
    reply_to: tuple[Party, ...]
    return_path: str | None
    auto_submitted: str | None
    precedence: str | None
    list_id: str | None
    list_headers: tuple[str, ...]
    category: str | None
    language: str
    sensitive_numbers: bool
    masked_accounts: tuple[str, ...]
    needs_acknowledgment: bool
    deadlines: tuple[Deadline, ...]
    matches: tuple[Match, ...]
    raw_key: str | None = None

    def deadline(self, name: str) -> Deadline | None:
        """The deadline called ``name``, if the record has one."""
        for item in self.deadlines:
            if item.name == name:
                return item
        return None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _parties(value: Any) -> tuple[Party, ...]:
    out: list[Party] = []
    if isinstance(value, list):
        for item in value:
            if isinstance(item, Mapping) and isinstance(item.get("address"), str):
                out.append(Party(name=_str(item.get("name")) or "", address=item["address"]))
    return tuple(out)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, Mapping):
        return bool(value.get("found") or value.get("count") or value.get("kinds"))
    if isinstance(value, Sequence) and not isinstance(value, str):
        return len(value) > 0
    return False


def _masked(value: Any) -> tuple[str, ...]:
    out: list[str] = []
    if isinstance(value, list):
        for item in value:
            text = item.get("masked") if isinstance(item, Mapping) else item
            if isinstance(text, str):
                masked = mask_account(text)
                if masked not in out:
                    out.append(masked)
    return tuple(out)


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _matches(value: Any) -> tuple[Match, ...]:
    out: list[Match] = []
    if not isinstance(value, list):
        return ()
    for item in value:
        if not isinstance(item, Mapping) or not isinstance(item.get("rule"), str):
            continue
        start, end = _int(item.get("start")), _int(item.get("end"))
        span = item.get("span")
        if isinstance(span, list) and len(span) == 2:
            start, end = _int(span[0]), _int(span[1])
        out.append(
            Match(
                rule=item["rule"],
                field=_str(item.get("field")) or "",
                start=start,
                end=end,
                matched=_str(item.get("matched")) or "",
                severity=_str(item.get("severity")) or "unknown",
                route=_str(item.get("route")) or "",
            )
        )
    return tuple(out)


def _deadlines(value: Any, seq: int) -> tuple[Deadline, ...]:
    out: list[Deadline] = []
    if not isinstance(value, list):
        return ()
    for item in value:
        if not isinstance(item, Mapping):
            continue
        try:
            due = date.fromisoformat(str(item.get("due")))
        except ValueError as exc:
            raise HandlerError(
                f"ledger entry {seq}: deadline {item.get('name')!r} has no valid due date; "
                "the record is malformed, check the recording stage"
            ) from exc
        out.append(
            Deadline(
                name=_str(item.get("name")) or "",
                due=due,
                business_days=_int(item.get("business_days")),
                rule=_str(item.get("rule")) or "",
            )
        )
    return tuple(out)


def _time(value: Any, fallback: datetime) -> datetime:
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return fallback
        return moment if moment.tzinfo is not None else fallback
    return fallback


def record_from_entry(entry: LedgerEntry, record_id: str | None = None) -> InboundRecord:
    """Read an inbound record from its ledger entry.

    Raises :class:`HandlerError` when the entry is not a ``message.received`` entry or
    belongs to another record than the event said (the event is stale or wrong).
    """
    if entry.type != MESSAGE_RECEIVED:
        raise HandlerError(
            f"ledger entry {entry.seq} is a {entry.type!r} entry, not {MESSAGE_RECEIVED!r}; "
            "the event points at the wrong position"
        )
    body = entry.body
    found_id = body.get("record_id")
    if not isinstance(found_id, str):
        raise HandlerError(f"ledger entry {entry.seq} has no record_id; the record is malformed")
    if record_id is not None and found_id != record_id:
        raise HandlerError(
            f"event names record {record_id} but ledger entry {entry.seq} holds record "
            f"{found_id}; the event is wrong, do not retry it"
        )
    source = body.get("source") if isinstance(body.get("source"), Mapping) else {}
    headers = body.get("headers") if isinstance(body.get("headers"), Mapping) else {}
    classification = (
        body.get("classification") if isinstance(body.get("classification"), Mapping) else {}
    )
    assert isinstance(source, Mapping)
    assert isinstance(headers, Mapping)
    assert isinstance(classification, Mapping)
    recorded_at = entry.moment
    refs = headers.get("references")
    list_headers = headers.get("list_headers")
    language = _str(classification.get("language")) or "en"
    return InboundRecord(
        seq=entry.seq,
        record_id=found_id,
        recorded_at=recorded_at,
        received_at=_time(source.get("internaldate"), recorded_at),
        mailbox=_str(source.get("mailbox")) or "",
        direction=_str(source.get("direction")) or "inbound",
        imported=bool(source.get("imported")) or source.get("kind") == "import",
        message_id=_str(headers.get("message_id")),
        references=tuple(r for r in refs if isinstance(r, str)) if isinstance(refs, list) else (),
        subject=_str(headers.get("subject")) or "",
        from_=_parties(headers.get("from")),
        reply_to=_parties(headers.get("reply_to")),
        return_path=_str(headers.get("return_path")),
        auto_submitted=_str(headers.get("auto_submitted")),
        precedence=_str(headers.get("precedence")),
        list_id=_str(headers.get("list_id")),
        list_headers=(
            tuple(h for h in list_headers if isinstance(h, str))
            if isinstance(list_headers, list)
            else ()
        ),
        category=_str(classification.get("category")),
        language="es" if language.lower().startswith("es") else "en",
        sensitive_numbers=_flag(classification.get("sensitive"))
        or _flag(classification.get("sensitive_numbers")),
        masked_accounts=_masked(classification.get("account_numbers")),
        needs_acknowledgment=bool(classification.get("needs_acknowledgment", True))
        and not (bool(source.get("imported")) or source.get("kind") == "import"),
        deadlines=_deadlines(body.get("deadlines"), entry.seq),
        matches=_matches(classification.get("matches")),
        raw_key=_str(raw.get("key")) if isinstance(raw := body.get("raw"), Mapping) else None,
    )
