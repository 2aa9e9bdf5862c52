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
   refused the recipient or message for good (5xx at RCPT or DATA), append
   ``acknowledgment.failed`` marked ``permanent``: that ends the record's
   acknowledgment (a person sends one another way) and is never retried. If it
   refused for now (4xx, no connection), append ``acknowledgment.failed`` with
   ``retry_after`` (exponential back-off per record; releases the claim) and raise;
   until that time the record is deferred with :class:`RetryLaterError`, so one
   refused borrower never holds up the others.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog

from handlers import delivery
from handlers.ack_compose import ack_message_id, compose_acknowledgment, message_bytes
from handlers.claims import ClaimingHandler, Ledger, claim_view, first_active_intent, utc_now
from handlers.config import AckConfig
from handlers.events import EventRef, parse_event
from handlers.inbound_headers import (
    AuthVerdict,
    RawHeaderFacts,
    authentication_verdict,
    header_facts,
)
from handlers.index import AckIndex
from handlers.loop_safety import AddressFolding, RateState, facts_from_record, should_auto_reply
from handlers.record import InboundRecord, record_from_entry
from handlers.transports import MailTransport
from pipeline.entries import decode_as, names
from pipeline.entries.models import (
    AcknowledgmentFailed,
    AcknowledgmentIntent,
    AcknowledgmentSent,
    AcknowledgmentSkipped,
    AcknowledgmentUnconfirmed,
)
from pipeline.errors import (
    HandlerError,
    LedgerError,
    MailledgerError,
    OutboundHeaderError,
    RetryLaterError,
)
from pipeline.ledger.entry import format_time

log = structlog.get_logger(__name__)

KIND = "acknowledgment"
SENT = names.ACKNOWLEDGMENT_SENT


@dataclass(frozen=True, slots=True)
class _Plan:
    """What the policy decided for one record."""

    reply: bool
    reason: str
    target: str | None = None
    echo_subject: bool = False
    authentication: str = ""


@dataclass(frozen=True, slots=True)
class HandleResult:
    """What a handler did: ``outcome`` and the ledger positions it appended."""

    outcome: str
    record_id: str
    appended: tuple[int, ...] = ()
    detail: str = ""


class AcknowledgmentHandler(ClaimingHandler):
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
        raw_reader: Callable[[str], bytes] | None = None,
    ) -> None:
        """``store_put`` stores bytes content-addressed and returns their SHA-256 hex.

        ``raw_reader`` returns the stored bytes under a key (the record's raw message),
        from which Authentication-Results and X-Auto-Response-Suppress are read; without
        it every sender counts as unauthenticated and no suppression is seen.

        ``in_flight_grace`` is how long an unconfirmed claim is presumed to belong to a
        delivery that is still sending; keep it above the transport timeout.
        """
        super().__init__(ledger, actor, index, clock, in_flight_grace)
        self._store_put = store_put
        self._transport = transport
        self._config = config
        self._raw_reader = raw_reader
        self._channel = delivery.Channel(
            KIND, "acknowledgment", "ack", delivery.RetryPolicy.for_mail(config), self._append
        )

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
            raise RetryLaterError(
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

        self._channel.wait_out_backoff(earlier, now, f"record {record.record_id}")
        plan = self._decide(record, now)
        if not plan.reply or plan.target is None:
            entry = self._append(
                AcknowledgmentSkipped(
                    record_id=record.record_id,
                    entry_seq=record.seq,
                    reason=plan.reason,
                    limit=self._limit_value(plan.reason),
                    authentication=plan.authentication or None,
                )
            )
            bound.info("ack.skipped", reason=plan.reason)
            return HandleResult("skipped", record.record_id, (entry.seq,), plan.reason)
        return self._send(record, plan, now, bound)

    def _limit_value(self, reason: str) -> int | None:
        """The configured per-24-hours limit a ``rate-limited-*`` reason refers to."""
        cfg = self._config
        return {
            "rate-limited-sender": cfg.rate_limit_per_sender_per_day,
            "rate-limited-domain": cfg.rate_limit_per_domain_per_day,
            "rate-limited-global": cfg.rate_limit_global_per_day,
        }.get(reason)

    def _header_facts(self, record: InboundRecord) -> RawHeaderFacts:
        """Authentication-Results and X-Auto-Response-Suppress from the stored raw message."""
        if self._raw_reader is None or record.raw_key is None:
            return RawHeaderFacts()
        try:
            return header_facts(self._raw_reader(record.raw_key))
        except MailledgerError as exc:
            raise HandlerError(
                f"record {record.record_id}: cannot read the stored message to check its "
                f"authentication and auto-reply headers ({exc}); retry later"
            ) from exc

    def _decide(self, record: InboundRecord, now: datetime) -> _Plan:
        if not record.needs_acknowledgment:
            return _Plan(False, "not-required")
        cfg = self._config
        facts = self._header_facts(record)
        headers, source = facts_from_record(record, facts.auto_response_suppress)
        rate = RateState(
            cfg.rate_limit_per_sender_per_day,
            self._index.acks_sent_since(now - timedelta(hours=24)),
            cfg.rate_limit_per_domain_per_day,
            cfg.rate_limit_global_per_day,
            AddressFolding(cfg.subaddress_separator, frozenset(cfg.dot_folding_domains)),
        )
        decision = should_auto_reply(headers, source, (cfg.from_address, *cfg.own_addresses), rate)
        if not decision.reply or decision.target is None:
            return _Plan(False, decision.reason)
        verdict = (
            authentication_verdict(facts, cfg.authserv_id, decision.target.rsplit("@", 1)[1])
            if cfg.authserv_id is not None
            else AuthVerdict(False, "not-configured")
        )
        if cfg.require_authentication and not verdict.passed:
            return _Plan(False, "not-authenticated", authentication=verdict.method)
        return _Plan(
            True,
            "ok",
            decision.target,
            echo_subject=cfg.echo_subject and verdict.passed,
            authentication=verdict.method if verdict.passed else "none",
        )

    def _send(self, record: InboundRecord, plan: _Plan, now: datetime, bound: Any) -> HandleResult:
        target = plan.target
        assert target is not None
        message_id = ack_message_id(record.record_id, self._config.domain)
        try:
            msg = compose_acknowledgment(
                record, target, self._config, now, echo_subject=plan.echo_subject
            )
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
        earlier = self._index.for_record(record.record_id, f"{KIND}.")
        winner = first_active_intent(earlier, KIND)
        if winner is None or winner.seq != intent.seq:
            # Another delivery claimed first; it sends, we must not.
            bound.info("ack.lost_claim", winner=winner.seq if winner else None)
            return HandleResult("lost-claim", record.record_id, (intent.seq,))
        failed = delivery.failure_of(AcknowledgmentFailed, record, intent)
        result = self._channel.send(
            lambda: self._transport.send(msg),
            f"record {record.record_id}",
            earlier,
            now,
            failed,
            bound.bind(transport=self._transport.name),
        )
        if isinstance(result, delivery.Refused):
            # The recipient or the message was refused for good: retrying cannot help and
            # must not hold up anyone else. The entry ends this record's acknowledgment.
            return HandleResult(
                "failed-permanent", record.record_id, (intent.seq, result.entry.seq), result.error
            )
        sent_at = self._clock()
        entry = self._append(
            AcknowledgmentSent(
                record_id=record.record_id,
                entry_seq=record.seq,
                intent_seq=intent.seq,
                time=format_time(sent_at),
                ack_message_id=message_id,
                to=target,
                authentication=plan.authentication,
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
