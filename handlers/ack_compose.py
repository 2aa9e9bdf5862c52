"""The text and headers of an automatic acknowledgment (pure; no I/O, no clock).

The acknowledgment tells the borrower that the message arrived, when, what kind of
request we understood it to be, when to expect an answer, and how to send account
details safely. It carries a reference number derived from the record id, printed in
the subject so that a reply to it can be linked back to the record.

Header safety: every piece of text that came from the inbound message (subject,
display name) has control characters removed before it reaches a header, and
addresses are passed as :class:`email.headerregistry.Address` objects built from a
validated addr-spec, so nothing a sender writes can add a header line.
"""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from handlers.config import AckConfig
from handlers.record import InboundRecord
from pipeline.logs import mask_numbers

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


def reference_number(record_id: str) -> str:
    """``ML-XXXX-XXXX``: a stable, readable reference for a record.

    40 bits of SHA-256 of the record id in RFC 4648 base32 (letters and 2-7: no 0 or 1
    to mistake for O or I). Collisions only matter to a person searching by reference,
    who also has the date and sender.
    """
    digest = hashlib.sha256(record_id.encode("utf-8")).digest()[:5]
    text = base64.b32encode(digest).decode("ascii")
    return f"ML-{text[:4]}-{text[4:8]}"


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


def _date_en(day: date) -> str:
    return f"{day.strftime('%B')} {day.day}, {day.year}"


def _date_es(day: date) -> str:
    return f"{day.day} de {_MONTHS_ES[day.month - 1]} de {day.year}"


def _paragraphs(
    record: InboundRecord, config: AckConfig, reference: str, due: date | None
) -> tuple[str, str]:
    """(subject prefix, body) in the record's language."""
    received = record.received_at.astimezone(config.zone)
    category = category_words(record.category, record.language)
    name = clean_text(config.from_name, 80)
    portal = config.portal_url
    if record.language == "es":
        due_text = (
            f"Le responderemos a más tardar el {_date_es(due)}."
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
        f"You can expect a response by {_date_en(due)}."
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
    """The ``respond`` deadline, else the ``acknowledge`` one, else None."""
    for name in ("respond", "acknowledge"):
        deadline = record.deadline(name)
        if deadline is not None:
            return deadline.due
    return None


def compose_acknowledgment(
    record: InboundRecord,
    to_address: str,
    to_name: str,
    config: AckConfig,
    now: datetime,
) -> EmailMessage:
    """Build the acknowledgment of ``record`` to ``to_address`` (already validated).

    ``now`` is the Date header (aware datetime). Raises ``ValueError`` only if an
    address is not a valid addr-spec (the caller validates first).
    """
    reference = reference_number(record.record_id)
    prefix, body = _paragraphs(record, config, reference, response_due(record))
    # The borrower may have put an account or social security number in the subject;
    # an acknowledgment must not send it back by email.
    original = mask_numbers(clean_text(record.subject, _SUBJECT_MAX))
    subject = (
        f"{prefix}: {original} [Ref {reference}]" if original else f"{prefix} [Ref {reference}]"
    )

    msg = EmailMessage(policy=SMTP)
    from_local, from_domain = config.from_address.rsplit("@", 1)
    to_local, to_domain = to_address.rsplit("@", 1)
    msg["From"] = Address(clean_text(config.from_name, 80), from_local, from_domain)
    msg["To"] = Address(clean_text(to_name, 80), to_local, to_domain)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now.astimezone(config.zone))
    msg["Message-ID"] = ack_message_id(record.record_id, config.domain)
    # RFC 3834 section 5: mark the response so other responders do not answer it.
    msg["Auto-Submitted"] = "auto-replied"
    # Discourage vacation responders that ignore Auto-Submitted (Microsoft convention).
    msg["X-Auto-Response-Suppress"] = "All"
    if record.message_id and re.fullmatch(r"<[^<>\s]+>", record.message_id.strip()):
        original_id = record.message_id.strip()
        msg["In-Reply-To"] = original_id
        # RFC 5322 section 3.6.4: the parent's References followed by the parent's id.
        chain = [r for r in record.references if re.fullmatch(r"<[^<>\s]+>", r)]
        msg["References"] = " ".join([*chain[-10:], original_id])
    msg["X-Mailledger-Reference"] = reference
    msg.set_content(body, charset="utf-8")
    # After set_content, which replaces every Content-* header.
    msg["Content-Language"] = record.language
    return msg


def message_bytes(msg: EmailMessage) -> bytes:
    """The exact bytes sent and stored for a message (CRLF line endings, RFC 5322)."""
    return msg.as_bytes(policy=SMTP)
