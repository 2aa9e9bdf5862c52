"""Automatic acknowledgment of a recorded message, at most once per record.

Why at most once rather than at least once: an acknowledgment goes to a borrower.
A missing acknowledgment is visible in the ledger (``acknowledgment.unconfirmed``,
or no entry at all) and a person can send one well within the Regulation X
five-business-day window; a duplicate, or ten duplicates from a retry loop, reaches
the borrower and cannot be taken back, looks like a phishing attempt or a broken
system, and each copy re-states case details. So after a claim is made we never
send again automatically: if we cannot tell whether the message left, we record
``acknowledgment.unconfirmed`` and leave the decision to a person.

Sequence for one record (all entries carry ``record_id``):

1. read the ``message.received`` entry the event points at (the source of truth);
2. if the record already has a final acknowledgment entry, do nothing;
3. decide loop safety (RFC 3834); if no reply, append ``acknowledgment.skipped``;
4. build the message, store its exact bytes content-addressed;
5. append ``acknowledgment.intent`` (the claim) and check that it is the first one;
6. send; append ``acknowledgment.sent`` with the provider's receipt. If the provider
   certainly refused the message, append ``acknowledgment.failed`` (releases the
   claim) and raise so the event is retried.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog

from handlers.ack_compose import ack_message_id, compose_acknowledgment, message_bytes
from handlers.claims import Ledger, append_one, claim_view, first_active_intent, utc_now
from handlers.config import AckConfig
from handlers.events import EventRef, parse_event
from handlers.index import AckIndex, LedgerHandlerIndex
from handlers.loop_safety import RateState, facts_from_record, should_auto_reply
from handlers.record import InboundRecord, record_from_entry
from handlers.transports import MailTransport, NotSentError
from pipeline.entries import decode_as, names
from pipeline.entries.models import (
    AcknowledgmentFailed,
    AcknowledgmentIntent,
    AcknowledgmentSent,
    AcknowledgmentSkipped,
    AcknowledgmentUnconfirmed,
    HandlerBody,
)
from pipeline.errors import HandlerError, LedgerError, MailledgerError, OutboundHeaderError
from pipeline.ledger.entry import LedgerEntry, format_time

log = structlog.get_logger(__name__)

KIND = "acknowledgment"
SENT = names.ACKNOWLEDGMENT_SENT


@dataclass(frozen=True, slots=True)
class HandleResult:
    """What a handler did: ``outcome`` and the ledger positions it appended."""

    outcome: str
    record_id: str
    appended: tuple[int, ...] = ()
    detail: str = ""


class AcknowledgmentHandler:
    """Sends the acknowledgment of a ``message.received`` record (see module docstring)."""

    def __init__(
        self,
        ledger: Ledger,
        store_put: Callable[[bytes], str],
        transport: MailTransport,
        config: AckConfig,
        actor: str,
        index: AckIndex | None = None,
        clock: Callable[[], datetime] = utc_now,
        in_flight_grace: timedelta = timedelta(minutes=15),
    ) -> None:
        """``store_put`` stores bytes content-addressed and returns their SHA-256 hex.

        ``in_flight_grace`` is how long an unconfirmed claim is presumed to belong to a
        delivery that is still sending; keep it above the transport timeout.
        """
        self._ledger = ledger
        self._store_put = store_put
        self._transport = transport
        self._config = config
        self._actor = actor
        self._index: AckIndex = index if index is not None else LedgerHandlerIndex(ledger)
        self._clock = clock
        self._grace = in_flight_grace

    def _append(self, body: HandlerBody) -> LedgerEntry:
        return append_one(self._ledger, body, self._actor, self._clock())

    def _load(self, ref: EventRef) -> InboundRecord:
        try:
            entry = self._ledger.entry(ref.entry_seq)
        except LedgerError as exc:
            raise HandlerError(
                f"event {ref.id}: ledger has no entry {ref.entry_seq} for record {ref.record_id} "
                f"({exc}); the event is ahead of this ledger replica, retry later"
            ) from exc
        return record_from_entry(entry, ref.record_id)

    def handle(self, event: Mapping[str, Any] | str | bytes) -> HandleResult:
        """Acknowledge the record an event points at, at most once."""
        ref = parse_event(event)
        if not ref.type.endswith(names.MESSAGE_RECEIVED):
            return HandleResult("ignored", ref.record_id, detail=ref.type)
        record = self._load(ref)
        bound = log.bind(record_id=record.record_id, entry_seq=record.seq, mailbox=record.mailbox)
        now = self._clock()
        earlier = self._index.for_record(record.record_id, f"{KIND}.")
        view = claim_view(earlier, KIND, (SENT,), now, self._grace)
        if view.state == "done":
            assert view.done_by is not None
            bound.info("ack.already_done", by=view.done_by.type, at=view.done_by.seq)
            return HandleResult("already-done", record.record_id, detail=view.done_by.type)
        if view.state == "in-flight":
            raise HandlerError(
                f"record {record.record_id}: an acknowledgment claim (entry "
                f"{view.intent.seq if view.intent else '?'}) is less than "
                f"{self._grace} old and not confirmed; another delivery may be sending it. "
                "Retry later"
            )
        if view.state == "stale":
            assert view.intent is not None
            claimed = decode_as(view.intent, AcknowledgmentIntent).body
            entry = self._append(
                AcknowledgmentUnconfirmed(
                    record_id=record.record_id,
                    entry_seq=record.seq,
                    intent_seq=view.intent.seq,
                    ack_message_id=claimed.ack_message_id,
                    reason="claimed but never confirmed; check the provider's logs for "
                    "this Message-ID before sending by hand",
                )
            )
            bound.warning("ack.unconfirmed", intent_seq=view.intent.seq)
            return HandleResult("unconfirmed", record.record_id, (entry.seq,))

        decision = self._decide(record, now)
        if not decision[0]:
            entry = self._append(
                AcknowledgmentSkipped(
                    record_id=record.record_id, entry_seq=record.seq, reason=decision[1]
                )
            )
            bound.info("ack.skipped", reason=decision[1])
            return HandleResult("skipped", record.record_id, (entry.seq,), decision[1])
        target = decision[2]
        assert target is not None
        return self._send(record, target, now, bound)

    def _decide(self, record: InboundRecord, now: datetime) -> tuple[bool, str, str | None]:
        if not record.needs_acknowledgment:
            return False, "not-required", None
        headers, source = facts_from_record(record)
        candidates = [p.address.strip().lower() for p in record.from_]
        counts = {a: self._index.acks_sent_to(a, now - timedelta(hours=24)) for a in candidates}
        decision = should_auto_reply(
            headers,
            source,
            (self._config.from_address, *self._config.own_addresses),
            RateState(self._config.rate_limit_per_sender_per_day, counts),
        )
        return decision.reply, decision.reason, decision.target

    def _send(self, record: InboundRecord, target: str, now: datetime, bound: Any) -> HandleResult:
        message_id = ack_message_id(record.record_id, self._config.domain)
        try:
            msg = compose_acknowledgment(record, target, self._config, now)
        except OutboundHeaderError as exc:
            # Deterministic: the same record would fail the same way on every retry.
            entry = self._append(
                AcknowledgmentSkipped(
                    record_id=record.record_id,
                    entry_seq=record.seq,
                    reason="outbound-check-failed",
                    detail=str(exc),
                )
            )
            bound.error("ack.outbound_check_failed", error=str(exc))
            return HandleResult("skipped", record.record_id, (entry.seq,), "outbound-check-failed")
        data = message_bytes(msg)
        try:
            sha = self._store_put(data)
        except MailledgerError as exc:
            raise HandlerError(
                f"record {record.record_id}: could not store the acknowledgment: {exc}"
            ) from exc
        intent = self._append(
            AcknowledgmentIntent(
                record_id=record.record_id,
                entry_seq=record.seq,
                ack_message_id=message_id,
                ack_sha256=sha,
                to=target,
            )
        )
        winner = first_active_intent(self._index.for_record(record.record_id, f"{KIND}."), KIND)
        if winner is None or winner.seq != intent.seq:
            # Another delivery claimed first; it sends, we must not.
            bound.info("ack.lost_claim", winner=winner.seq if winner else None)
            return HandleResult("lost-claim", record.record_id, (intent.seq,))
        try:
            result = self._transport.send(msg)
        except NotSentError as exc:
            failed = self._append(
                AcknowledgmentFailed(
                    record_id=record.record_id,
                    entry_seq=record.seq,
                    intent_seq=intent.seq,
                    error=str(exc),
                )
            )
            bound.warning("ack.not_sent", transport=self._transport.name)
            raise HandlerError(
                f"record {record.record_id}: acknowledgment not sent ({exc}); claim released "
                f"(entry {failed.seq}), the event will be retried"
            ) from exc
        sent_at = self._clock()
        entry = self._append(
            AcknowledgmentSent(
                record_id=record.record_id,
                entry_seq=record.seq,
                intent_seq=intent.seq,
                time=format_time(sent_at),
                ack_message_id=message_id,
                to=target,
                transport=self._transport.name,
                provider_id=result.provider_id,
                reply=result.reply,
                reply_code=result.code,
                ack_sha256=sha,
                ack_size=len(data),
            )
        )
        bound.info("ack.sent", transport=self._transport.name, entry=entry.seq)
        return HandleResult("sent", record.record_id, (intent.seq, entry.seq))
