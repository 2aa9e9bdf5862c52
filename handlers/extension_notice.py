"""The written notice of an extension of the respond deadline, at most once per extension.

12 CFR 1024.35(e)(3)(ii) and 1024.36(d)(2)(ii) allow one 15-day extension if, before
the original period ends, the servicer notifies the borrower in writing of the
extension and its reasons. A records officer records the decision
(``mailledger extend``, a ``case.extended`` entry); this handler sends the notice
to the borrower and records it:

``extension_notice.intent`` (the claim), then ``extension_notice.sent`` with the
provider's receipt, or ``.failed`` (``permanent`` for a 5xx refusal, else with
``retry_after``), ``.skipped`` (no address the notice can go to) or
``.unconfirmed`` (a claim never confirmed). Each entry carries ``record_id``,
``entry_seq`` (the inbound record) and ``extension_seq`` (the ``case.extended``).

Headers are built like the acknowledgment's (:mod:`handlers.outbound`): only
configured values, the record id, validated msg-ids and the validated address; the
reason the officer wrote goes into the body only. The notice is a deliberate
letter, not an automatic reply: its envelope sender is the From address, so a
bounce reaches the servicer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import structlog

from handlers.ack_compose import clean_text, date_en, date_es, thread_ids
from handlers.acknowledge import HandleResult
from handlers.claims import (
    Ledger,
    append_one,
    backoff,
    claim_view,
    first_active_intent,
    retry_after,
    temporary_failures,
    utc_now,
)
from handlers.config import AckConfig
from handlers.index import AckIndex, LedgerHandlerIndex
from handlers.loop_safety import is_machine_address
from handlers.outbound import (
    HeaderValue,
    Mailbox,
    MsgIds,
    OutboundMessage,
    Text,
    Token,
    build_message,
    strict_addr_spec,
)
from handlers.record import InboundRecord, record_from_entry
from handlers.transports import MailTransport, NotSentError, PermanentSendError
from pipeline.entries import decode, decode_as, names
from pipeline.entries.models import (
    CaseExtended,
    ExtensionNoticeBody,
    ExtensionNoticeFailed,
    ExtensionNoticeIntent,
    ExtensionNoticeSent,
    ExtensionNoticeSkipped,
    ExtensionNoticeUnconfirmed,
    HandlerBody,
)
from pipeline.entries.references import reference_number
from pipeline.errors import (
    EntryFormatError,
    HandlerError,
    MailledgerError,
    OutboundHeaderError,
    RetryLaterError,
)
from pipeline.ledger.entry import LedgerEntry, format_time

log = structlog.get_logger(__name__)

KIND = "extension_notice"
SENT = names.EXTENSION_NOTICE_SENT
CASE_EXTENDED = names.CASE_EXTENDED


@dataclass(frozen=True, slots=True)
class Extension:
    """The parts of a ``case.extended`` entry the notice needs."""

    seq: int
    record_id: str
    record_seq: int
    reason: str
    days: int
    due: date
    previous_due: date | None
    rule: str
    language: str | None


def extension_from_entry(entry: LedgerEntry) -> Extension:
    """Read a ``case.extended`` entry; raise :class:`HandlerError` if it is malformed."""
    try:
        body = decode_as(entry, CaseExtended).body
    except EntryFormatError as exc:
        raise HandlerError(f"{exc}; check the case.extended entry") from exc
    if body.record_seq is None:
        raise HandlerError(
            f"ledger entry {entry.seq}: case.extended does not say where its record is"
            " (record_seq); send the notice by hand"
        )
    language = getattr(body, "language", None)
    return Extension(
        seq=entry.seq,
        record_id=body.record_id,
        record_seq=body.record_seq,
        reason=body.reason or "",
        days=body.days,
        due=body.due,
        previous_due=body.previous_due,
        rule=body.rule,
        language=language if isinstance(language, str) else None,
    )


def notice_message_id(record_id: str, domain: str) -> str:
    """Deterministic Message-ID of a record's extension notice (one extension per record)."""
    safe = "".join(c for c in record_id if c.isalnum() or c in ".-") or "record"
    return f"<extension.{safe}@{domain}>"


def _body(record: InboundRecord, ext: Extension, config: AckConfig, reference: str) -> str:
    received = record.received_at.astimezone(config.zone).date()
    reason = clean_text(ext.reason, 1000)
    name = clean_text(config.from_name, 80)
    if (ext.language or record.language) == "es":
        parts = [
            "Estimado(a) cliente:",
            f"Recibimos su mensaje el {date_es(received)} (número de referencia {reference}). "
            "Necesitamos más tiempo para responderle por completo. Conforme a "
            f"{ext.rule or 'la Regulación X'}, ampliamos el plazo de respuesta en "
            f"{ext.days} días hábiles: le responderemos a más tardar el {date_es(ext.due)}.",
            f"Motivo: {reason}" if reason else "",
            f"Si tiene preguntas, escríbanos e incluya el número de referencia {reference}.",
            name,
        ]
    else:
        parts = [
            "Dear customer,",
            f"We received your message on {date_en(received)} (reference number {reference}). "
            "We need more time to respond to it fully. As permitted by "
            f"{ext.rule or 'Regulation X'}, we are extending the time to respond by "
            f"{ext.days} business days: you will receive our response by {date_en(ext.due)}.",
            f"Reason: {reason}" if reason else "",
            f"If you have questions, write to us and include reference number {reference}.",
            name,
        ]
    return "\n\n".join(p for p in parts if p) + "\n"


def compose_extension_notice(
    record: InboundRecord, ext: Extension, to_address: str, config: AckConfig, now: datetime
) -> OutboundMessage:
    """The notice of ``ext`` to ``to_address``; raises ``OutboundHeaderError`` on any doubt."""
    reference = reference_number(record.record_id)
    spanish = (ext.language or record.language) == "es"
    prefix = "Ampliación del plazo de respuesta" if spanish else "Extension of our response time"
    headers: list[tuple[str, HeaderValue]] = [
        ("From", Mailbox(config.from_address, clean_text(config.from_name, 80))),
        ("To", Mailbox(to_address)),
        ("Subject", Text(f"{prefix} [Ref {reference}]")),
        ("Date", Token(format_datetime(now.astimezone(config.zone)))),
        ("Message-ID", MsgIds((notice_message_id(record.record_id, config.domain),))),
    ]
    in_reply_to, references = thread_ids(record)
    if in_reply_to is not None:
        headers += [("In-Reply-To", MsgIds((in_reply_to,))), ("References", MsgIds(references))]
    headers.append(("X-Mailledger-Reference", Token(reference)))
    return build_message(
        headers, _body(record, ext, config, reference), language="es" if spanish else "en"
    )


def notice_target(record: InboundRecord) -> str | None:
    """The one From address the notice can go to, or None (several, none, a machine)."""
    if len(record.from_) != 1:
        return None
    address = strict_addr_spec(record.from_[0].address.strip())
    if address is None or is_machine_address(address.lower()):
        return None
    return address.lower()


@dataclass
class NoticeRunStats:
    """Counts of one run over the ledger's extensions."""

    sent: int = 0
    done: int = 0
    skipped: int = 0
    failed: int = 0
    permanent: int = 0
    deferred: int = 0
    errors: list[str] = field(default_factory=list)


class ExtensionNoticeHandler:
    """Sends the written notice of each ``case.extended`` entry once (module docstring)."""

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
        """``store_put`` stores bytes content-addressed and returns their SHA-256 hex."""
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

    def extensions(self) -> list[LedgerEntry]:
        """Every ``case.extended`` entry in the ledger, in order."""
        return [e for e in self._ledger.entries() if e.type == CASE_EXTENDED]

    def run(self) -> NoticeRunStats:
        """Handle every extension; one failure never stops the others."""
        stats = NoticeRunStats()
        for entry in self.extensions():
            try:
                result = self.handle(entry)
            except RetryLaterError as exc:
                stats.deferred += 1
                log.info("extension_notice.deferred", extension_seq=entry.seq, error=str(exc))
                continue
            except MailledgerError as exc:
                stats.failed += 1
                stats.errors.append(f"extension at {entry.seq}: {exc}")
                continue
            if result.outcome == "sent":
                stats.sent += 1
            elif result.outcome == "skipped":
                stats.skipped += 1
            elif result.outcome == "failed-permanent":
                stats.failed += 1
                stats.permanent += 1
                stats.errors.append(f"extension at {entry.seq}: refused permanently")
            else:
                stats.done += 1
        return stats

    def handle(self, entry: LedgerEntry) -> HandleResult:
        """Send the notice of one ``case.extended`` entry, at most once."""
        ext = extension_from_entry(entry)
        record = record_from_entry(self._ledger.entry(ext.record_seq), ext.record_id)
        bound = log.bind(record_id=record.record_id, extension_seq=ext.seq)
        now = self._clock()

        def mine(e: LedgerEntry) -> bool:
            body = decode(e).body
            return isinstance(body, ExtensionNoticeBody) and body.extension_seq == ext.seq

        earlier = [e for e in self._index.for_record(record.record_id, f"{KIND}.") if mine(e)]
        view = claim_view(earlier, KIND, (SENT,), now, self._grace)
        common: dict[str, Any] = {
            "record_id": record.record_id,
            "entry_seq": record.seq,
            "extension_seq": ext.seq,
        }
        if view.state == "done":
            return HandleResult("already-done", record.record_id)
        if view.state == "in-flight":
            raise RetryLaterError(
                f"record {record.record_id}: an extension-notice claim is in flight; retry later"
            )
        if view.state == "stale":
            assert view.intent is not None
            claimed = decode_as(view.intent, ExtensionNoticeIntent).body
            done = self._append(
                ExtensionNoticeUnconfirmed(
                    **common,
                    intent_seq=view.intent.seq,
                    notice_message_id=claimed.notice_message_id,
                    reason="claimed but never confirmed; check the provider's logs for "
                    "this Message-ID before sending by hand",
                )
            )
            return HandleResult("unconfirmed", record.record_id, (done.seq,))
        not_before = retry_after(earlier, KIND)
        if not_before is not None and now < not_before:
            raise RetryLaterError(
                f"record {record.record_id}: extension notice refused for now; next attempt "
                f"not before {format_time(not_before)}"
            )
        target = notice_target(record)
        if target is None:
            skipped = self._append(ExtensionNoticeSkipped(**common, reason="no-usable-address"))
            bound.warning("extension_notice.skipped", reason="no-usable-address")
            return HandleResult("skipped", record.record_id, (skipped.seq,), "no-usable-address")
        try:
            msg = compose_extension_notice(record, ext, target, self._config, now)
        except OutboundHeaderError as exc:
            skipped = self._append(
                ExtensionNoticeSkipped(**common, reason="outbound-check-failed", detail=str(exc))
            )
            return HandleResult("skipped", record.record_id, (skipped.seq,), "outbound-check")
        try:
            sha = self._store_put(msg.data)
        except MailledgerError as exc:
            raise HandlerError(
                f"record {record.record_id}: could not store the extension notice: {exc}"
            ) from exc
        language = "es" if (ext.language or record.language) == "es" else "en"
        intent = self._append(
            ExtensionNoticeIntent(
                **common,
                notice_message_id=msg.message_id,
                notice_sha256=sha,
                to=target,
                language=language,
            )
        )
        claims = [e for e in self._index.for_record(record.record_id, f"{KIND}.") if mine(e)]
        winner = first_active_intent(claims, KIND)
        if winner is None or winner.seq != intent.seq:
            return HandleResult("lost-claim", record.record_id, (intent.seq,))
        try:
            result = self._transport.send(msg)
        except PermanentSendError as exc:
            failed = self._append(
                ExtensionNoticeFailed(
                    **common,
                    intent_seq=intent.seq,
                    error=str(exc),
                    code=exc.code,
                    permanent=True,
                )
            )
            bound.error("extension_notice.refused_permanently", code=exc.code)
            return HandleResult("failed-permanent", record.record_id, (intent.seq, failed.seq))
        except NotSentError as exc:
            attempt = 1 + temporary_failures(earlier, KIND)
            delay = backoff(
                attempt,
                timedelta(seconds=self._config.retry_base_seconds),
                timedelta(seconds=self._config.retry_max_seconds),
            )
            self._append(
                ExtensionNoticeFailed(
                    **common,
                    intent_seq=intent.seq,
                    error=str(exc),
                    code=exc.code,
                    permanent=False,
                    attempt=attempt,
                    retry_after=format_time(now + delay),
                )
            )
            raise HandlerError(
                f"record {record.record_id}: extension notice not sent ({exc}); next attempt "
                f"after {format_time(now + delay)}"
            ) from exc
        sent = self._append(
            ExtensionNoticeSent(
                **common,
                intent_seq=intent.seq,
                time=format_time(self._clock()),
                notice_message_id=msg.message_id,
                to=target,
                language=language,
                transport=self._transport.name,
                provider_id=result.provider_id,
                reply=result.reply,
                reply_code=result.code,
                notice_sha256=sha,
                notice_size=len(msg.data),
            )
        )
        bound.info("extension_notice.sent", entry=sent.seq)
        return HandleResult("sent", record.record_id, (intent.seq, sent.seq))
