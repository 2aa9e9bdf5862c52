"""The parts of a ``message.received`` ledger entry that the handlers use.

The ledger entry is the source of truth; events only point at it. The entry is
decoded through the entry catalogue (:mod:`pipeline.entries`), so every field read
here is one record assembly writes; this module narrows it to what acknowledgment
and escalation need and refuses entries that are not inbound message records, with
a message that says which position was wrong.

Account numbers are FULL numbers in the ledger: they are masked here, on reading, so
no handler output can ever carry a full number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pipeline.classify.accounts import mask_account
from pipeline.classify.clocks import DEFAULT_POLICY
from pipeline.entries import decode, names
from pipeline.entries.models import DeadlineBody as Deadline
from pipeline.entries.models import FamilyBody, MessageReceived, Party
from pipeline.entries.models import RuleMatchBody as Match
from pipeline.errors import EntryFormatError, HandlerError
from pipeline.ledger.entry import LedgerEntry

__all__ = ["Deadline", "InboundRecord", "Match", "Party", "record_from_entry"]


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
    deadlines: tuple[Deadline, ...]
    matches: tuple[Match, ...]
    routes: tuple[str, ...]
    """The routes classification decided to notify (families and rules at or above the
    escalation threshold); a match's route alone does not escalate."""
    families: tuple[FamilyBody, ...]
    """The escalation families found, each with its route, severity and evidence."""
    raw_key: str | None = None
    # The classifier's machine-mail verdict (pipeline.classify.machine): its kind, or
    # None for mail a person wrote.
    machine_kind: str | None = None
    ack_languages: tuple[str, ...] = ()
    """The acknowledgment's languages, in order (``("en",)``, ``("es",)`` or
    ``("en", "es")``); empty means the record's ``language`` alone."""

    @property
    def needs_acknowledgment(self) -> bool:
        """Backfilled (imported) mail is never acknowledged automatically."""
        return not self.imported

    def deadline(self, name: str) -> Deadline | None:
        """The deadline called ``name``, if the record has one."""
        for item in self.deadlines:
            if item.name == name:
                return item
        return None


def record_from_entry(entry: LedgerEntry, record_id: str | None = None) -> InboundRecord:
    """Read an inbound record from its ledger entry.

    Raises :class:`HandlerError` when the entry is not a ``message.received`` entry,
    does not decode, or belongs to another record than the event said (the event is
    stale or wrong).
    """
    if entry.type != names.MESSAGE_RECEIVED:
        raise HandlerError(
            f"ledger entry {entry.seq} is a {entry.type!r} entry, not"
            f" {names.MESSAGE_RECEIVED!r}; the event points at the wrong position"
        )
    try:
        body = decode(entry).body
    except EntryFormatError as exc:
        raise HandlerError(f"{exc}; the record is malformed, check the recording stage") from exc
    assert isinstance(body, MessageReceived)
    if record_id is not None and body.record_id != record_id:
        raise HandlerError(
            f"event names record {record_id} but ledger entry {entry.seq} holds record "
            f"{body.record_id}; the event is wrong, do not retry it"
        )
    source, headers, classification = body.source, body.headers, body.classification
    recorded_at = entry.moment
    language = (classification.language or "en").lower()
    masked: list[str] = []
    for number in classification.account_numbers:
        if mask_account(number) not in masked:
            masked.append(mask_account(number))
    return InboundRecord(
        seq=entry.seq,
        record_id=body.record_id,
        recorded_at=recorded_at,
        received_at=_received_at(source.internaldate, recorded_at),
        mailbox=source.mailbox,
        direction=source.direction,
        imported=source.is_imported,
        message_id=headers.message_id,
        references=headers.references,
        subject=headers.subject,
        from_=headers.from_,
        reply_to=headers.reply_to,
        return_path=headers.return_path,
        auto_submitted=headers.auto_submitted,
        precedence=headers.precedence,
        list_id=headers.list_id,
        list_headers=headers.list_headers,
        category=classification.category,
        language="es" if language.startswith("es") else "en",
        sensitive_numbers=bool(classification.sensitive),
        masked_accounts=tuple(masked),
        deadlines=body.deadlines,
        matches=classification.matches,
        routes=tuple(classification.routes),
        families=tuple(classification.escalation_families),
        raw_key=body.raw.key if body.raw is not None else None,
        ack_languages=_ack_languages(classification.ack_languages, language),
        machine_kind=(
            (classification.machine.kind or "machine")
            if classification.machine is not None and classification.machine.is_machine
            else None
        ),
    )


# The languages with a reviewed acknowledgment template; the composer has no other text.
_TEMPLATES = ("en", "es")


def _ack_languages(wanted: tuple[str, ...], language: str) -> tuple[str, ...]:
    """The acknowledgment languages: the classifier's choice, limited to reviewed templates.

    Entries written before the classifier chose (no ``ack_languages``) keep the old
    rule, Spanish for Spanish mail and English otherwise. A choice naming no reviewed
    template falls back to English and Spanish together: never a third language.
    """
    if not wanted:
        return ("es",) if language.startswith("es") else ("en",)
    chosen = {w.lower() for w in wanted}
    return tuple(t for t in _TEMPLATES if t in chosen) or _TEMPLATES


def _received_at(internaldate: str | None, fallback: datetime) -> datetime:
    """The server's INTERNALDATE when the record has one, else when it was recorded.

    An INTERNALDATE later than the recording (beyond the clock skew the clocks allow)
    is not believed: the acknowledgment must never tell a borrower their message was
    received in the future, and the clocks start from the recording too.
    """
    if internaldate is None:
        return fallback
    try:
        moment = datetime.fromisoformat(internaldate.replace("Z", "+00:00"))
    except ValueError:
        return fallback
    if moment.tzinfo is None or moment > fallback + DEFAULT_POLICY.future_skew:
        return fallback
    return moment
