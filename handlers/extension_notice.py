"""The written notice of an extension, sent to the borrower at most once per extension.

12 CFR 1024.35(e)(3)(ii) and 1024.36(d)(2)(ii) allow one 15-day extension of the
time to respond only if, before the 30 days end, the servicer "notifies the borrower
of the extension and the reasons for the extension in writing". A ``case.extended``
entry records a person's decision; this handler sends the notice through the
acknowledgment transport, in the borrower's language where a template exists
(English, Spanish), and seals it in the ledger with the same claim protocol as the
acknowledgment (:mod:`handlers.claims`): ``extension_notice.intent`` before sending,
then ``.sent`` / ``.failed`` / ``.unconfirmed``, or ``.skipped`` when no notice can be
sent automatically. A refusal is recorded as an acknowledgment's is
(:mod:`handlers.delivery`): a permanent one ends the notice (a person sends it another
way), a temporary one is retried after the acknowledgment back-off. The case model
(:mod:`pipeline.cases.deadlines`) moves the due date only once ``.sent`` exists and is
dated on or before the original due date.

Headers are built only from configuration, the record id and validated values
(:mod:`handlers.outbound`); the staff member's reason goes into the body, with
account and sensitive numbers masked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from handlers import delivery
from handlers.ack_compose import clean_text, date_en, date_es, masked_subject, reply_headers
from handlers.claims import ClaimingHandler, Ledger, claim_view, first_active_intent, utc_now
from handlers.config import AckConfig
from handlers.index import AckIndex
from handlers.loop_safety import normalize_address
from handlers.outbound import OutboundMessage, Token, build_message
from handlers.record import InboundRecord, record_from_entry
from handlers.transports import MailTransport
from pipeline.classify.machine import is_machine_address
from pipeline.entries import decode, decode_as, decode_record, names
from pipeline.entries.models import (
    CaseExtended,
    ExtensionNoticeBody,
    ExtensionNoticeFailed,
    ExtensionNoticeIntent,
    ExtensionNoticeSent,
    ExtensionNoticeSkipped,
    ExtensionNoticeUnconfirmed,
)
from pipeline.entries.references import reference_number
from pipeline.errors import HandlerError, LedgerError, MailledgerError, OutboundHeaderError
from pipeline.ledger.entry import LedgerEntry, format_time

__all__ = [
    "ExtensionNoticeHandler",
    "NoticeResult",
    "compose_extension_notice",
    "notice_message_id",
]

log = structlog.get_logger(__name__)

KIND = "extension_notice"


@dataclass(frozen=True, slots=True)
class NoticeResult:
    """What the handler did for one extension, and the ledger positions it appended."""

    outcome: str
    extension_seq: int
    record_id: str
    appended: tuple[int, ...] = ()
    detail: str = ""


def notice_message_id(record_id: str, extension_seq: int, domain: str) -> str:
    """Deterministic Message-ID of the notice: a retry reuses it."""
    local = "".join(c for c in record_id if c.isalnum() or c in ".-") or "record"
    return f"<extension.{local}.{extension_seq}@{domain}>"


def _text(
    record: InboundRecord, ext: CaseExtended, language: str, config: AckConfig
) -> tuple[str, str]:
    """(subject prefix, body) in ``language`` (``es`` or English)."""
    reference = reference_number(record.record_id)
    reason = masked_subject(ext.reason) if ext.reason else ""
    name = clean_text(config.from_name, 80)
    if language == "es":
        parts = [
            "Estimado(a) cliente:",
            f"Necesitamos más tiempo para responder a su mensaje (referencia {reference}).",
            f"Le responderemos a más tardar el {date_es(ext.due)}"
            + (f", en lugar del {date_es(ext.previous_due)}." if ext.previous_due else "."),
            f"Motivo: {reason}" if reason else "",
            "Esta prórroga única está permitida por el Reglamento X, 12 CFR 1024.35(e)(3)(ii) y"
            " 1024.36(d)(2)(ii).",
            name,
        ]
        return "Prórroga del plazo de respuesta", "\n\n".join(p for p in parts if p) + "\n"
    parts = [
        "Dear customer,",
        f"We need more time to respond to your message (reference {reference}).",
        f"We will respond by {date_en(ext.due)}"
        + (f" instead of {date_en(ext.previous_due)}." if ext.previous_due else "."),
        f"Reason: {reason}" if reason else "",
        "This one-time extension is allowed by Regulation X, 12 CFR 1024.35(e)(3)(ii) and"
        " 1024.36(d)(2)(ii).",
        name,
    ]
    return "Extension of the time to respond", "\n\n".join(p for p in parts if p) + "\n"


def compose_extension_notice(
    record: InboundRecord,
    ext: CaseExtended,
    extension_seq: int,
    to_address: str,
    language: str,
    config: AckConfig,
    now: datetime,
) -> OutboundMessage:
    """The notice of extension ``ext`` of ``record`` to ``to_address`` (validated).

    Raises :class:`~pipeline.errors.OutboundHeaderError` if a header fails validation.
    """
    reference = reference_number(record.record_id)
    prefix, body = _text(record, ext, language, config)
    message_id = notice_message_id(record.record_id, extension_seq, config.domain)
    subject = f"{prefix} [Ref {reference}]"
    headers = reply_headers(record, to_address, subject, message_id, config, now)
    headers += [
        ("Auto-Submitted", Token("auto-generated")),
        ("X-Mailledger-Reference", Token(reference)),
    ]
    return build_message(headers, body, language=language)


def _of_extension(extension_seq: int) -> Callable[[LedgerEntry], bool]:
    """The key of one extension's notice entries (a record can be extended more than once)."""

    def mine(entry: LedgerEntry) -> bool:
        body = decode(entry).body
        return isinstance(body, ExtensionNoticeBody) and body.extension_seq == extension_seq

    return mine


class ExtensionNoticeHandler(ClaimingHandler):
    """Sends the written notice of every ``case.extended`` entry, at most once each."""

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
        super().__init__(ledger, actor, index, clock, in_flight_grace)
        self._store_put = store_put
        self._transport = transport
        self._config = config
        self._channel = delivery.Channel(
            KIND, "notice", KIND, delivery.RetryPolicy.for_mail(config), self._append
        )

    def pending(self) -> list[int]:
        """Positions of ``case.extended`` entries, in ledger order (the handler skips done ones)."""
        return [e.seq for e in self._ledger.entries() if e.type == names.CASE_EXTENDED]

    def run(self) -> list[NoticeResult]:
        """Handle every extension in the ledger; ones already done are left alone."""
        return [self.handle(seq) for seq in self.pending()]

    def handle(self, extension_seq: int) -> NoticeResult:
        """Send the notice of the ``case.extended`` entry at ``extension_seq``, at most once."""
        try:
            ext = decode_as(self._ledger.entry(extension_seq), CaseExtended).body
        except LedgerError as exc:
            raise HandlerError(f"no ledger entry {extension_seq}: {exc}") from exc
        record = self._record(ext)
        bound = log.bind(record_id=record.record_id, extension_seq=extension_seq)
        now = self._clock()

        mine = _of_extension(extension_seq)
        earlier = self._index.for_record(record.record_id, f"{KIND}.")
        view = claim_view(earlier, KIND, (names.EXTENSION_NOTICE_SENT,), now, self._grace, mine)
        if view.state == "done":
            assert view.done_by is not None
            return NoticeResult(
                "already-done", extension_seq, record.record_id, (), view.done_by.type
            )
        if view.state == "in-flight":
            raise HandlerError(
                f"extension {extension_seq} of {record.record_id}: a notice claim is less than"
                f" {self._grace} old and not confirmed; another run may be sending it. Retry later"
            )
        if view.state == "stale":
            assert view.intent is not None
            claimed = decode_as(view.intent, ExtensionNoticeIntent).body
            entry = self._append(
                ExtensionNoticeUnconfirmed(
                    record_id=record.record_id,
                    entry_seq=record.seq,
                    extension_seq=extension_seq,
                    intent_seq=view.intent.seq,
                    notice_message_id=claimed.notice_message_id,
                    reason="claimed but never confirmed; check the provider's logs for this"
                    " Message-ID before sending by hand",
                )
            )
            bound.warning("extension_notice.unconfirmed", intent_seq=view.intent.seq)
            return NoticeResult("unconfirmed", extension_seq, record.record_id, (entry.seq,))
        subject = f"extension {extension_seq} of {record.record_id}"
        self._channel.wait_out_backoff([e for e in earlier if mine(e)], now, subject)
        why_not, target = self._target(record, ext, now)
        if target is None:
            entry = self._append(
                ExtensionNoticeSkipped(
                    record_id=record.record_id,
                    entry_seq=record.seq,
                    extension_seq=extension_seq,
                    reason=why_not,
                )
            )
            bound.info("extension_notice.skipped", reason=why_not)
            return NoticeResult("skipped", extension_seq, record.record_id, (entry.seq,), why_not)
        return self._send(record, ext, extension_seq, target, now, bound)

    def _record(self, ext: CaseExtended) -> InboundRecord:
        seq = ext.record_seq
        if seq is None:
            found = next(
                (
                    e.seq
                    for e in self._ledger.entries()
                    if e.type == names.MESSAGE_RECEIVED
                    and decode_record(e).body.record_id == ext.record_id
                ),
                None,
            )
            if found is None:
                raise HandlerError(f"record {ext.record_id} is not in the ledger")
            seq = found
        return record_from_entry(self._ledger.entry(seq), ext.record_id)

    def _target(
        self, record: InboundRecord, ext: CaseExtended, now: datetime
    ) -> tuple[str, str | None]:
        """(reason, None) when no notice can be sent automatically, else ("ok", address)."""
        if (
            ext.previous_due is not None
            and now.astimezone(self._config.zone).date() > ext.previous_due
        ):
            # The rule wants the notice before the original period ends; a late one does
            # not extend it, so sending it would only mislead the borrower.
            return "after-original-due-date", None
        if len(record.from_) != 1:
            return "no-usable-sender", None
        target = normalize_address(record.from_[0].address)
        if target is None:
            return "no-usable-sender", None
        if is_machine_address(target):
            return "machine-sender", None
        return "ok", target

    def _send(
        self,
        record: InboundRecord,
        ext: CaseExtended,
        extension_seq: int,
        target: str,
        now: datetime,
        bound: structlog.typing.FilteringBoundLogger,
    ) -> NoticeResult:
        language = ext.language or record.language
        language = "es" if language.startswith("es") else "en"
        message_id = notice_message_id(record.record_id, extension_seq, self._config.domain)
        try:
            msg = compose_extension_notice(
                record, ext, extension_seq, target, language, self._config, now
            )
        except OutboundHeaderError as exc:
            raise HandlerError(
                f"extension {extension_seq} of {record.record_id}: the notice failed its"
                f" header checks ({exc}); nothing was sent"
            ) from exc
        data = msg.data
        try:
            sha = self._store_put(data)
        except MailledgerError as exc:
            raise HandlerError(
                f"extension {extension_seq} of {record.record_id}: could not store the notice:"
                f" {exc}"
            ) from exc
        intent = self._append(
            ExtensionNoticeIntent(
                record_id=record.record_id,
                entry_seq=record.seq,
                extension_seq=extension_seq,
                notice_message_id=message_id,
                notice_sha256=sha,
                to=target,
                language=language,
            )
        )
        mine = _of_extension(extension_seq)
        earlier = [e for e in self._index.for_record(record.record_id, f"{KIND}.") if mine(e)]
        winner = first_active_intent(earlier, KIND)
        if winner is None or winner.seq != intent.seq:
            bound.info("extension_notice.lost_claim", winner=winner.seq if winner else None)
            return NoticeResult("lost-claim", extension_seq, record.record_id, (intent.seq,))
        failed = delivery.failure_of(
            ExtensionNoticeFailed, record, intent, extension_seq=extension_seq
        )
        subject = f"extension {extension_seq} of {record.record_id}"
        bound = bound.bind(transport=self._transport.name)
        result = self._channel.send(
            lambda: self._transport.send(msg), subject, earlier, now, failed, bound
        )
        if isinstance(result, delivery.Refused):
            # Refused for good: a person sends the notice another way; never retried.
            return NoticeResult(
                "failed-permanent",
                extension_seq,
                record.record_id,
                (intent.seq, result.entry.seq),
                result.error,
            )
        sent = self._append(
            ExtensionNoticeSent(
                record_id=record.record_id,
                entry_seq=record.seq,
                extension_seq=extension_seq,
                intent_seq=intent.seq,
                time=format_time(self._clock()),
                notice_message_id=message_id,
                to=target,
                language=language,
                transport=self._transport.name,
                provider_id=result.provider_id,
                reply=result.reply,
                reply_code=result.code,
                notice_sha256=sha,
                notice_size=len(data),
            )
        )
        bound.info("extension_notice.sent", transport=self._transport.name, entry=sent.seq)
        return NoticeResult("sent", extension_seq, record.record_id, (intent.seq, sent.seq))
