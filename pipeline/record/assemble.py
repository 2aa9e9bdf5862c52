"""Pure assembly of one record: raw bytes in, blobs to store and an entry body out.

Runs in worker processes (it is the CPU-heavy part: MIME parsing, attachment
decoding, classification), so everything it takes and returns pickles.
Parsing never raises on input bytes; a message that cannot be parsed still
becomes a record that carries the parse error.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from pipeline.attachments.policy import AttachmentPolicy
from pipeline.attachments.verdict import AttachmentVerdict, check_attachment
from pipeline.classify.classifier import Classification, ClassifyPolicy, classify
from pipeline.classify.clocks import clocks_for
from pipeline.classify.machine import MachineHeaders
from pipeline.classify.recogniser import Recogniser
from pipeline.classify.rules import MessageFields, RuleSet
from pipeline.entries import RecordBody, encode
from pipeline.entries.models import (
    Attachment,
    Bodies,
    ClassificationBody,
    DeadlineBody,
    Headers,
    MessageReceived,
    ObjectRef,
    Party,
    ResponseSent,
    SealedRef,
    Source,
)
from pipeline.hashing import object_key, sha256_hex
from pipeline.ledger.entry import canonical_json
from pipeline.parse.message import parse_message
from pipeline.parse.model import Address, ParsedAttachment, ParsedMessage
from pipeline.record.source import MessageSource


@dataclass(frozen=True)
class RecordSettings:
    """What assembly needs from the config (picklable for worker processes)."""

    attachment_policy: AttachmentPolicy
    rules: RuleSet
    classify_policy: ClassifyPolicy
    # The statistical recogniser (None: the rules alone decide), loaded by whoever
    # builds the settings, so assembly reads no file.
    recogniser: Recogniser | None = None


@dataclass(frozen=True)
class Blob:
    """An object to store under a content-addressed key."""

    key: str
    data: bytes = field(repr=False)


@dataclass(frozen=True)
class AssembledRecord:
    """One message, ready to store and append."""

    source: MessageSource
    record_id: str
    raw_sha256: str
    raw_size: int
    entry_type: str
    record: RecordBody
    # encode(record): the entry body as written
    body: dict[str, Any]
    # canonical_json(body), encoded here in the worker process rather than in the one
    # process that appends for everybody
    body_json: bytes = field(repr=False)
    # The bodies and attachments to store; empty once whoever assembled the record stored
    # them (a worker process does, so their bytes never travel back to the appender).
    blobs: tuple[Blob, ...]
    accepted: int
    rejected: int

    def without_blobs(self) -> AssembledRecord:
        """This record once its parts are stored: keys, digests and sizes, no bytes."""
        return replace(self, blobs=())


def raw_key(raw_sha256: str) -> str:
    """Where the raw message bytes live."""
    return object_key(raw_sha256)


def _parties(values: tuple[Address, ...]) -> tuple[Party, ...]:
    return tuple(Party(name=name, address=address) for name, address in values)


def _text_blob(text: str, blobs: list[Blob]) -> ObjectRef | None:
    if not text:
        return None
    data = text.encode("utf-8")
    digest = sha256_hex(data)
    key = object_key(digest)
    blobs.append(Blob(key, data))
    return ObjectRef(sha256=digest, size=len(data), key=key)


def _headers(parsed: ParsedMessage) -> Headers:
    return Headers(
        message_id=parsed.message_id,
        from_=_parties(parsed.from_),
        to=_parties(parsed.to),
        cc=_parties(parsed.cc),
        reply_to=_parties(parsed.reply_to),
        date=parsed.date_raw,
        subject=parsed.subject or "",
        in_reply_to=parsed.in_reply_to,
        references=tuple(parsed.references),
        auto_submitted=parsed.auto_submitted,
        precedence=parsed.precedence,
        list_id=parsed.list_id,
        list_headers=parsed.list_headers,
        return_path=parsed.return_path,
    )


def _attachment(
    verdict: AttachmentVerdict, filename: str | None, part: str, nested: tuple[str, ...]
) -> Attachment:
    prefix = "objects" if verdict.verdict == "accepted" else "quarantine"
    return Attachment(
        sha256=verdict.sha256,
        size=verdict.size,
        key=object_key(verdict.sha256, prefix),
        filename=filename,
        safe_filename=verdict.safe_filename,
        declared_type=verdict.declared_type,
        detected_type=verdict.detected_type,
        extension=verdict.extension,
        verdict=verdict.verdict,
        reasons=verdict.reasons,
        flags=verdict.flags,
        part=part,
        nested_in=nested,
    )


# Attachment text read for classification: plain text and forwarded messages' bodies,
# at most this much of each (a covering note is short; a log file is not read whole).
_ATTACHMENT_TEXT_LIMIT = 20_000
_TEXT_TYPES = ("text/plain", "text/markdown", "text/csv")


def _attachment_text(part: ParsedAttachment) -> str:
    declared = (part.content_type or "").lower()
    name = (part.filename or "").lower()
    if declared in ("message/rfc822", "message/global") and not part.nested_in:
        inner = parse_message(part.payload[: 4 * _ATTACHMENT_TEXT_LIMIT])
        return f"{inner.subject or ''}\n{inner.text or inner.html_text}"[:_ATTACHMENT_TEXT_LIMIT]
    is_text = declared in _TEXT_TYPES or (not declared and name.endswith(".txt"))
    if is_text and (part.content_disposition == "attachment" or part.filename):
        return part.payload[:_ATTACHMENT_TEXT_LIMIT].decode("utf-8", "replace")
    return ""


def classification_fields(parsed: ParsedMessage) -> MessageFields:
    """What classification reads of a parsed message: subject, bodies, attachment names
    and text (where the attachment is text), and the machine-mail header facts."""
    texts = tuple(t for t in (_attachment_text(p) for p in parsed.attachments) if t.strip())
    return MessageFields(
        subject=parsed.subject or "",
        text=parsed.text,
        html_text=parsed.html_text,
        attachment_names=tuple(p.filename for p in parsed.attachments if p.filename),
        attachment_text=texts,
        headers=MachineHeaders(
            auto_submitted=parsed.auto_submitted,
            precedence=parsed.precedence,
            list_headers=parsed.list_headers + (("list-id",) if parsed.list_id else ()),
            x_autoreply=parsed.x_autoreply,
            x_autorespond=parsed.x_autorespond,
            x_auto_response_suppress=parsed.x_auto_response_suppress,
            content_type=parsed.content_type,
            authentication_results=parsed.authentication_results,
            sender=parsed.from_[0][1] if len(parsed.from_) == 1 else None,
        ),
    )


def assemble(
    raw: bytes,
    source: MessageSource,
    settings: RecordSettings,
    received_at: datetime | None = None,
    sealed_seq: int | None = None,
    raw_sha256: str | None = None,
) -> AssembledRecord:
    """Parse, check attachments and classify one message; pure, never raises on bad input.

    ``sealed_seq`` is the position of the message's ``message.sealed`` entry, which the
    record names; ``received_at`` (the receipt: INTERNALDATE or the seal) starts clocks.
    ``raw_sha256`` is the digest of ``raw`` when the caller has just computed or checked
    it (hashing a 30 MB message again costs about 15 ms).
    """
    return assemble_prepared(
        prepare(parse_message(raw), settings.attachment_policy),
        raw_sha256 or sha256_hex(raw),
        len(raw),
        source,
        settings,
        received_at,
        sealed_seq,
    )


# A short message in English and Spanish: assembling it compiles every rule, builds the
# classifier's tables and loads the language models a short text is read with.
_WARM_UP_MESSAGE = (
    b"From: warm-up@mailledger.invalid\r\nTo: warm-up@mailledger.invalid\r\n"
    b"Subject: payment history\r\nMessage-ID: <warm-up@mailledger.invalid>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Please send my payment history. Por favor envien mi historial de pagos.\r\n"
)


def warm_up(settings: RecordSettings) -> None:
    """Do now what the first message would otherwise wait for: compile the rules, build
    the classifier's tables and load the language models (about 1 s of CPU). Pure; the
    record it assembles is dropped."""
    source = MessageSource(kind="imap", mailbox="warm-up", folder="INBOX", uidvalidity=1, uid=1)
    assemble(_WARM_UP_MESSAGE, source, settings, received_at=datetime(2026, 1, 1, tzinfo=UTC))


@dataclass(frozen=True)
class PreparedMessage:
    """A parsed message with its attachments checked, before classification.

    ``message`` is the parse without its attachments, which ``attachments`` describes;
    ``blobs`` holds their bytes until whoever stores them drops them
    (:meth:`without_blobs`), and ``fields`` holds what classification reads (attachment
    text included). Storing the bytes first means a large attachment is not held while
    classification loads language detection's models.
    """

    message: ParsedMessage
    attachments: tuple[Attachment, ...]
    blobs: tuple[Blob, ...]
    fields: MessageFields
    accepted: int
    rejected: int

    def without_blobs(self) -> PreparedMessage:
        """This message once its attachments' bytes are handed to the store: descriptions,
        no bytes."""
        return replace(self, blobs=())


def prepare(parsed: ParsedMessage, policy: AttachmentPolicy) -> PreparedMessage:
    """Check ``parsed``'s attachments against ``policy`` and read what classification
    needs; the result holds each payload once, in ``blobs``."""
    blobs: list[Blob] = []
    attachments = []
    accepted = rejected = 0
    for part in parsed.attachments:
        verdict = check_attachment(part.filename, part.content_type, part.payload, policy)
        prefix = "objects" if verdict.verdict == "accepted" else "quarantine"
        blobs.append(Blob(object_key(verdict.sha256, prefix), part.payload))
        attachments.append(_attachment(verdict, part.filename, part.part_id, part.nested_in))
        if verdict.verdict == "accepted":
            accepted += 1
        else:
            rejected += 1
    return PreparedMessage(
        message=replace(parsed, attachments=()),
        attachments=tuple(attachments),
        blobs=tuple(blobs),
        fields=classification_fields(parsed),
        accepted=accepted,
        rejected=rejected,
    )


def assemble_prepared(
    prepared: PreparedMessage,
    raw_sha: str,
    raw_size: int,
    source: MessageSource,
    settings: RecordSettings,
    received_at: datetime | None = None,
    sealed_seq: int | None = None,
) -> AssembledRecord:
    """Classify a prepared message and build its record.

    The record's blobs are its bodies and whatever attachment bytes ``prepared`` still
    holds (none once the caller handed them to the store).
    """
    parsed = prepared.message
    blobs = list(prepared.blobs)
    moment = received_at or source.internaldate or parsed.date or datetime.now(UTC)
    defects = tuple(parsed.defects)
    recorded = datetime.now(UTC)
    if moment.tzinfo is not None and moment > recorded + settings.classify_policy.clock.future_skew:
        # The server's INTERNALDATE (or Date) lies in the future: keep it as evidence, but
        # flag it and start the clocks from now, when the ledger records the message.
        defects += ("internaldate-in-future",)
        moment = recorded
    classification = classify(
        prepared.fields,
        settings.rules,
        settings.classify_policy,
        settings.recogniser,
        # the day of receipt reads "the sale is March 3rd": clocks start that day too
        received=moment.date(),
    )
    model = ResponseSent if source.direction == "outbound" else MessageReceived
    record = model(
        record_id=source.record_id(raw_sha),
        source=Source.model_validate(source.to_json()),
        raw=ObjectRef(sha256=raw_sha, size=raw_size, key=raw_key(raw_sha)),
        sealed=None if sealed_seq is None else SealedRef(seq=sealed_seq, sha256=raw_sha),
        headers=_headers(parsed),
        bodies=Bodies(
            text=_text_blob(parsed.text, blobs),
            html=_text_blob(parsed.html, blobs),
            html_text=_text_blob(parsed.html_text, blobs),
        ),
        attachments=prepared.attachments,
        defects=defects,
        parse_error=parsed.parse_error,
        classification=ClassificationBody.model_validate(classification.to_json()),
        deadlines=_deadlines(classification, source, moment, settings),
    )
    body = encode(record)
    return AssembledRecord(
        source=source,
        record_id=record.record_id,
        raw_sha256=raw_sha,
        raw_size=raw_size,
        entry_type=model.TYPE,
        record=record,
        body=body,
        body_json=canonical_json(body),
        blobs=tuple(blobs),
        accepted=prepared.accepted,
        rejected=prepared.rejected,
    )


def _deadlines(
    classification: Classification,
    source: MessageSource,
    moment: datetime,
    settings: RecordSettings,
) -> tuple[DeadlineBody, ...]:
    """The clocks the message starts, as at receipt (the acknowledgment promises from them).

    Every request kind with its subkinds and the foreclosure sale date found in the
    text, so the promised response date is never later than the rule (a payoff-balance
    error is answered in 7 days, not 30). The case model recomputes them on reading,
    with corrections.
    """
    # Outbound replies start no clocks: nobody owes them an answer. Imported mail's clocks
    # are the case model's (computed on reading): it is never acknowledged automatically,
    # and these stored ones only feed the acknowledgment.
    if source.direction == "outbound" or source.imported:
        return ()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    sale = classification.foreclosure_sale_date
    try:
        sale_date = date.fromisoformat(sale) if sale else None
    except ValueError:
        sale_date = None  # the text's date did not parse: the 30-day bound still holds
    return tuple(
        DeadlineBody(
            name=d.name,
            due=d.due,
            start=d.start,
            business_days=d.business_days,
            rule=d.rule,
            extendable=d.extendable,
        )
        for d in clocks_for(
            classification.request_kinds,
            classification.request_subkinds,
            moment,
            settings.classify_policy.clock,
            sale_date=sale_date,
        )
    )
