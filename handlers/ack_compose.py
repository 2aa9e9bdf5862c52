"""The text and headers of an automatic acknowledgment (pure; no I/O, no clock).

The acknowledgment tells the borrower that the message arrived, when, what kind of
request we understood it to be, when to expect an answer, and how to send account
details safely. It carries a reference number derived from the record id, printed in
the subject so that a reply to it can be linked back to the record.

Header safety: headers are written by :mod:`handlers.outbound` from configuration,
the record id, validated msg-ids and the validated recipient addr-spec. The
borrower's display name is never echoed; their subject only for an authenticated
sender, masked with the classifier's detectors and RFC 2047 encoded.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import format_datetime

from handlers.config import AckConfig
from handlers.outbound import (
    HeaderValue,
    Mailbox,
    MsgIds,
    OutboundMessage,
    Text,
    Token,
    build_message,
    valid_msg_id,
)
from handlers.record import InboundRecord
from pipeline.classify.accounts import find_account_numbers, mask_account
from pipeline.classify.sensitive import find_sensitive
from pipeline.entries.references import reference_number
from pipeline.redact import mask_numbers

# C0 and C1 controls, DEL and the Unicode line/paragraph separators: any of them in a
# header could end the line or confuse a reader.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SUBJECT_MAX = 120

# The categories of pipeline.classify.category, in words (English, Spanish).
CATEGORY_WORDS: dict[str, tuple[str, str]] = {
    "account_inquiry": ("a question about your account", "una consulta sobre su cuenta"),
    "payment_clarification": (
        "a question about a payment",
        "una consulta sobre un pago",
    ),
    "document_request": ("a request for documents", "una solicitud de documentos"),
    "complaint_legal": (
        "a complaint or legal matter",
        "una queja o un asunto legal",
    ),
    "other": ("a general message", "un mensaje general"),
}

_MONTHS_ES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)


def clean_text(value: str, limit: int | None = None) -> str:
    """``value`` with control characters replaced by a space, trimmed, optionally shortened."""
    text = " ".join(_CONTROL.sub(" ", value).split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def ack_message_id(record_id: str, domain: str) -> str:
    """Deterministic Message-ID of the acknowledgment of ``record_id``: a retry reuses it."""
    local = re.sub(r"[^A-Za-z0-9.-]", "", record_id) or "record"
    return f"<ack.{local}@{domain}>"


def category_words(category: str | None, language: str) -> str:
    """The record's category as a phrase in ``language`` (``en`` or ``es``)."""
    index = 1 if language == "es" else 0
    if category in CATEGORY_WORDS:
        return CATEGORY_WORDS[category][index]
    return CATEGORY_WORDS["other"][index]


def _time_en(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    return (
        f"{moment.strftime('%B')} {moment.day}, {moment.year} at "
        f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'} {moment.tzname()}"
    )


def _time_es(moment: datetime) -> str:
    return (
        f"{moment.day} de {_MONTHS_ES[moment.month - 1]} de {moment.year} a las "
        f"{moment.hour:02d}:{moment.minute:02d} ({moment.tzname()})"
    )


def date_en(day: date) -> str:
    """``December 7, 2026``."""
    return f"{day.strftime('%B')} {day.day}, {day.year}"


def date_es(day: date) -> str:
    """``7 de diciembre de 2026``."""
    return f"{day.day} de {_MONTHS_ES[day.month - 1]} de {day.year}"


# Between the English and the Spanish text of a two-language acknowledgment.
BILINGUAL_SEPARATOR = "-" * 40 + "\n\n"


def _paragraphs(
    record: InboundRecord, config: AckConfig, reference: str, due: date | None
) -> tuple[str, str]:
    """(subject prefix, body) in the record's acknowledgment language(s).

    Two languages give one body, English first, a separator, then Spanish; the subject
    is the first language's (English), which carries the reference either way.
    """
    languages = record.ack_languages or (record.language,)
    texts = [_paragraphs_in(lang, record, config, reference, due) for lang in languages]
    return texts[0][0], BILINGUAL_SEPARATOR.join(body for _, body in texts)


def _paragraphs_in(
    language: str, record: InboundRecord, config: AckConfig, reference: str, due: date | None
) -> tuple[str, str]:
    """(subject prefix, body) in ``language`` (``es``, else English)."""
    received = record.received_at.astimezone(config.zone)
    category = category_words(record.category, language)
    name = clean_text(config.from_name, 80)
    portal = config.portal_url
    if language == "es":
        due_text = (
            f"Le responderemos a más tardar el {date_es(due)}."
            if due is not None
            else "Le responderemos lo antes posible."
        )
        parts = [
            "Estimado(a) cliente:",
            f"Recibimos su mensaje el {_time_es(received)}. Lo hemos registrado como "
            f"{category}. Su número de referencia es {reference}; inclúyalo si nos "
            "vuelve a escribir sobre este asunto.",
            due_text,
            "Por su seguridad, no envíe por correo electrónico números de cuenta completos "
            "ni números de Seguro Social. Para enviar documentos o datos personales use "
            f"nuestro portal seguro: {portal}",
        ]
        if record.sensitive_numbers:
            parts.append(
                "Su mensaje parece contener un número confidencial (por ejemplo, un número de "
                "cuenta completo o de Seguro Social). El correo electrónico no es un medio "
                "seguro: en el futuro, use el portal seguro para esa información."
            )
        parts += ["Este es un mensaje automático; no es necesario responder.", name]
        return "Recibimos su mensaje", "\n\n".join(parts) + "\n"
    due_text = (
        f"You can expect a response by {date_en(due)}."
        if due is not None
        else "We will respond as soon as we can."
    )
    parts = [
        "Dear customer,",
        f"We received your message on {_time_en(received)}. We have recorded it as "
        f"{category}. Your reference number is {reference}; please include it if you "
        "write to us again about this matter.",
        due_text,
        "For your security, do not send full account numbers or Social Security numbers "
        "by email. To send documents or personal details, use our secure portal: "
        f"{portal}",
    ]
    if record.sensitive_numbers:
        parts.append(
            "Your message appears to contain a sensitive number (for example a full account "
            "number or Social Security number). Email is not a secure channel: please use "
            "the secure portal for such information in the future."
        )
    parts += ["This is an automatic message; you do not need to reply.", name]
    return "We received your message", "\n\n".join(parts) + "\n"


def response_due(record: InboundRecord) -> date | None:
    """The earliest ``respond`` deadline, else the earliest ``acknowledge`` one, else None.

    A message can make several requests (a notice of error and a payoff request), each
    with its own respond clock: the borrower is promised the earliest.
    """
    for name in ("respond", "acknowledge"):
        dues = [d.due for d in record.deadlines if d.name == name]
        if dues:
            return min(dues)
    return None


def masked_subject(subject: str) -> str:
    """``subject`` cleaned, shortened and with every sensitive or account number masked.

    The spans come from the classifier's own detectors (``find_sensitive`` for SSNs,
    card, routing and bank numbers; ``find_account_numbers`` for labelled loan numbers),
    so what the classifier flags in a subject is what the acknowledgment hides. Then
    every other run of six or more digits goes too (the logs' and events' rule,
    :func:`pipeline.redact.mask_numbers`): a number written without a label, or with
    dots or underscores between its groups, is no less personal in a reply.
    """
    text = clean_text(subject)
    spans = [(f.start, f.end, f.masked) for f in find_sensitive(text, "subject")]
    for digits in find_account_numbers(text):
        # The finder returns the digits; find where they are written (separators allowed).
        pattern = r"[ \-]?".join(digits)
        spans += [(m.start(), m.end(), mask_account(digits)) for m in re.finditer(pattern, text)]
    out, last = [], 0
    for start, end, mask in sorted(spans):
        if start < last:
            continue
        out += [text[last:start], mask]
        last = end
    out.append(text[last:])
    return clean_text(mask_numbers("".join(out), inside_words=True), _SUBJECT_MAX)


def ack_subject(prefix: str, reference: str, echo: str | None) -> str:
    """The fixed subject template, with the (already masked) borrower subject if ``echo``."""
    return f"{prefix}: {echo} [Ref {reference}]" if echo else f"{prefix} [Ref {reference}]"


def thread_ids(record: InboundRecord) -> tuple[str | None, tuple[str, ...]]:
    """(In-Reply-To, References) from the record; invalid msg-ids are dropped.

    RFC 5322 section 3.6.4: References is the parent's References followed by the
    parent's own id; the last ten are kept so the header stays short.
    """
    original = (record.message_id or "").strip()
    if not valid_msg_id(original):
        return None, ()
    chain = [r.strip() for r in record.references if valid_msg_id(r.strip())]
    return original, (*chain[-10:], original)


def reply_headers(
    record: InboundRecord,
    to_address: str,
    subject: str,
    message_id: str,
    config: AckConfig,
    now: datetime,
) -> list[tuple[str, HeaderValue]]:
    """The headers every message to the borrower starts with, in this order.

    From (configured), To, Subject, Date (``now`` in the configured zone), Message-ID,
    and In-Reply-To/References when the record's own Message-ID is valid, so the reply
    threads under the borrower's message.
    """
    headers: list[tuple[str, HeaderValue]] = [
        ("From", Mailbox(config.from_address, clean_text(config.from_name, 80))),
        ("To", Mailbox(to_address)),
        ("Subject", Text(subject)),
        ("Date", Token(format_datetime(now.astimezone(config.zone)))),
        ("Message-ID", MsgIds((message_id,))),
    ]
    in_reply_to, references = thread_ids(record)
    if in_reply_to is not None:
        headers += [("In-Reply-To", MsgIds((in_reply_to,))), ("References", MsgIds(references))]
    return headers


def compose_acknowledgment(
    record: InboundRecord,
    to_address: str,
    config: AckConfig,
    now: datetime,
    echo_subject: bool = False,
) -> OutboundMessage:
    """Build the acknowledgment of ``record`` to ``to_address``.

    Every header comes from configuration, the record id, validated msg-ids or the
    validated recipient address; the borrower's display name is never echoed, and
    their subject (masked) only when ``echo_subject`` (an authenticated sender).
    ``now`` is the Date header (aware datetime). Raises
    :class:`~pipeline.errors.OutboundHeaderError` if anything fails validation.
    """
    reference = reference_number(record.record_id)
    prefix, body = _paragraphs(record, config, reference, response_due(record))
    echo = masked_subject(record.subject) if echo_subject else None
    subject = ack_subject(prefix, reference, echo)
    message_id = ack_message_id(record.record_id, config.domain)
    headers = reply_headers(record, to_address, subject, message_id, config, now)
    headers += [
        # RFC 3834 section 5: mark the response so other responders do not answer it.
        ("Auto-Submitted", Token("auto-replied")),
        # Discourage vacation responders that ignore Auto-Submitted (Microsoft convention).
        ("X-Auto-Response-Suppress", Token("All")),
        ("X-Mailledger-Reference", Token(reference)),
    ]
    # RFC 3834 section 3.3: automatic responses go out with a null envelope sender, so a
    # bounce of the acknowledgment cannot trigger another automatic message.
    # RFC 3282: Content-Language lists every language the body is written in.
    languages = ", ".join(record.ack_languages or (record.language,))
    return build_message(headers, body, language=languages, envelope_from="")


def message_bytes(msg: OutboundMessage) -> bytes:
    """The exact bytes sent and stored for a message (CRLF line endings, RFC 5322)."""
    return msg.data
