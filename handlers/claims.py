"""The claim protocol that makes a side effect happen at most once per key.

A handler that is about to send something appends ``<kind>.intent`` first, then
sends, then appends the confirmation (``acknowledgment.sent``/``escalation.notified``).
The ledger orders every entry, so when two deliveries of the same event race, both
may append an intent but exactly one intent is first: only its writer sends.

States for one key (a record, or a record and route), from its earlier entries:

* a confirmation, a ``.skipped`` or a ``.unconfirmed`` entry, or a ``.failed`` entry
  marked ``permanent`` (the provider refused the recipient or message with 5xx):
  done, nothing to do;
* an intent released by a ``.failed`` entry (the send was refused before the message
  left, so nothing went out): as if there were no intent, claim again;
* an unreleased intent younger than the in-flight grace: another delivery may still
  be sending; raise so the event is redelivered later;
* an unreleased, older intent: the sender crashed between claim and confirmation; we
  cannot know whether the message left, so append ``.unconfirmed`` once for a person.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

from handlers.index import AckIndex, LedgerHandlerIndex
from pipeline.entries import decode, draft
from pipeline.entries.models import (
    AcknowledgmentFailed,
    EscalationFailed,
    ExtensionNoticeFailed,
    HandlerBody,
    SendFailure,
)
from pipeline.errors import HandlerError, LedgerError
from pipeline.ledger.entry import LedgerEntry, parse_time
from pipeline.ledger.protocols import LedgerReader, LedgerWriter

ClaimState = Literal["free", "done", "in-flight", "stale"]


class Ledger(LedgerReader, LedgerWriter, Protocol):
    """A ledger the handlers read and append to."""


@dataclass(frozen=True, slots=True)
class ClaimView:
    """The state of one key and the entries that decided it."""

    state: ClaimState
    done_by: LedgerEntry | None = None
    intent: LedgerEntry | None = None


def claim_view(
    entries: Sequence[LedgerEntry],
    kind: str,
    confirmations: tuple[str, ...],
    now: datetime,
    grace: timedelta,
    key: Callable[[LedgerEntry], bool] = lambda _: True,
) -> ClaimView:
    """Classify the earlier entries of one key (see the module docstring)."""
    mine = [e for e in entries if key(e)]
    final = (*confirmations, f"{kind}.skipped", f"{kind}.unconfirmed")
    for entry in mine:
        if entry.type in final or _permanent_failure(entry, kind):
            return ClaimView("done", done_by=entry)
    released = _released(mine, kind)
    active = [e for e in mine if e.type == f"{kind}.intent" and e.seq not in released]
    if not active:
        return ClaimView("free")
    first = active[0]
    if now - first.moment < grace:
        return ClaimView("in-flight", intent=first)
    return ClaimView("stale", intent=first)


def first_active_intent(
    entries: Sequence[LedgerEntry], kind: str, key: Callable[[LedgerEntry], bool] = lambda _: True
) -> LedgerEntry | None:
    """The earliest unreleased intent for a key: the claim that wins a race."""
    mine = [e for e in entries if key(e)]
    released = _released(mine, kind)
    for entry in mine:
        if entry.type == f"{kind}.intent" and entry.seq not in released:
            return entry
    return None


def _permanent_failure(entry: LedgerEntry, kind: str) -> bool:
    if entry.type != f"{kind}.failed":
        return False
    body = decode(entry).body
    return isinstance(body, SendFailure) and body.permanent


def retry_after(entries: Sequence[LedgerEntry], kind: str) -> datetime | None:
    """When the newest temporary ``.failed`` entry allows the next attempt, if it set a time."""
    for entry in reversed(entries):
        if entry.type == f"{kind}.failed":
            body = decode(entry).body
            if isinstance(body, SendFailure) and body.retry_after is not None:
                return parse_time(body.retry_after)
            return None
    return None


def temporary_failures(entries: Sequence[LedgerEntry], kind: str) -> int:
    """How many ``.failed`` entries among ``entries`` were temporary refusals."""
    count = 0
    for entry in entries:
        if entry.type == f"{kind}.failed":
            body = decode(entry).body
            count += isinstance(body, SendFailure) and not body.permanent
    return count


def backoff(attempt: int, base: timedelta, cap: timedelta) -> timedelta:
    """Exponential back-off for the ``attempt``-th temporary failure (1-based), capped."""
    delay: timedelta = base * 2 ** min(attempt - 1, 30)
    return min(cap, delay)


def _released(entries: Sequence[LedgerEntry], kind: str) -> set[int]:
    """Positions of the intents that a ``<kind>.failed`` entry released."""
    out: set[int] = set()
    for entry in entries:
        if entry.type == f"{kind}.failed":
            body = decode(entry).body
            if isinstance(body, AcknowledgmentFailed | EscalationFailed | ExtensionNoticeFailed):
                out.add(body.intent_seq)
    return out


def append_one(ledger: Ledger, body: HandlerBody, actor: str, time: datetime) -> LedgerEntry:
    """Append one handler entry; a failure becomes a :class:`HandlerError` naming the record."""
    try:
        (entry,) = ledger.append([draft(body, actor, time)])
    except LedgerError as exc:
        raise HandlerError(f"could not append {body.TYPE} for {body.record_id}: {exc}") from exc
    return entry


def utc_now() -> datetime:
    """The handlers' default clock (tests inject their own)."""
    return datetime.now(UTC)


class ClaimingHandler:
    """What every handler that sends under a claim holds, and how it appends its entries."""

    def __init__(
        self,
        ledger: Ledger,
        actor: str,
        index: AckIndex | None,
        clock: Callable[[], datetime],
        grace: timedelta,
    ) -> None:
        """``index`` defaults to one read from ``ledger``; ``grace`` is the in-flight grace."""
        self._ledger = ledger
        self._actor = actor
        self._index: AckIndex = index if index is not None else LedgerHandlerIndex(ledger)
        self._clock = clock
        self._grace = grace

    def _append(self, body: HandlerBody) -> LedgerEntry:
        return append_one(self._ledger, body, self._actor, self._clock())
