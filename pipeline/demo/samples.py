"""Realistic sample mail for a mortgage servicer's customer-service inbox (demo only).

Names, addresses and numbers are invented. The set covers what the pipeline must
handle: English and Spanish inquiries, payoff and document requests, notices of
error, legal notices, attachments that pass and fail the checks, an auto-reply
and a mailing-list message (never acknowledged), and an agent's reply.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from PIL import Image

SERVICER = "service@servicer.example"

_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n164\n%%EOF\n"
)


def _image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (200, 210, 230)).save(buffer, fmt)
    return buffer.getvalue()


def _message(
    when: datetime,
    sender: tuple[str, str],
    subject: str,
    body: str,
    *,
    extra: dict[str, str] | None = None,
    attachments: tuple[tuple[str, str, bytes], ...] = (),
) -> bytes:
    message = EmailMessage()
    message["From"] = f"{sender[0]} <{sender[1]}>"
    message["To"] = f"Customer Service <{SERVICER}>"
    message["Subject"] = subject
    message["Date"] = format_datetime(when)
    message["Message-ID"] = make_msgid(domain=sender[1].split("@")[1])
    for name, value in (extra or {}).items():
        message[name] = value
    message.set_content(body)
    for filename, mime, data in attachments:
        maintype, subtype = mime.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return bytes(message)


def agent_reply(original: bytes, when: datetime) -> bytes:
    """An agent's answer to ``original``, as it would sit in the Sent folder."""
    from email import message_from_bytes
    from email.policy import default

    inbound = message_from_bytes(original, policy=default)
    reply = EmailMessage()
    reply["From"] = f"Customer Service <{SERVICER}>"
    reply["To"] = str(inbound["From"])
    reply["Subject"] = f"Re: {inbound['Subject']}"
    reply["Date"] = format_datetime(when)
    reply["Message-ID"] = make_msgid(domain="servicer.example")
    reply["In-Reply-To"] = str(inbound["Message-ID"])
    reply["References"] = str(inbound["Message-ID"])
    reply.set_content(
        "We reviewed your account and reversed the late fee. A corrected payment history\n"
        "is available in the secure portal.\n\nCustomer Service"
    )
    return bytes(reply)


def sample_messages(now: datetime | None = None) -> list[bytes]:
    """The demo inbox, oldest first."""
    now = now or datetime.now(UTC)
    t = [now - timedelta(hours=60 - 3 * i) for i in range(20)]
    pdf, png, jpeg = _PDF, _image("PNG"), _image("JPEG")
    return [
        _message(
            t[0],
            ("Maria Lopez", "maria.lopez@example.net"),
            "Payoff statement request - Account Number 4417829",
            "Hello,\n\nWe are refinancing and need a payoff statement good through the\n"
            "end of next month for Account Number 4417829.\n\nThank you,\nMaria Lopez",
        ),
        _message(
            t[1],
            ("James Carter", "jcarter@example.com"),
            "Notice of error: late fee charged in error",
            "To whom it may concern,\n\nThis is a notice of error under RESPA. My June\n"
            "payment was received on time but a late fee was charged to Account Number\n"
            "5521904. Please correct it and send me the payment history.\n\nJames Carter",
            attachments=(("bank-statement.pdf", "application/pdf", pdf),),
        ),
        _message(
            t[2],
            ("Ana Ruiz", "ana.ruiz@example.org"),
            "Pregunta sobre mi cuenta de depósito (escrow)",
            "Buenos días,\n\nMi pago mensual subió y no entiendo por qué. ¿Pueden\n"
            "explicarme el análisis de la cuenta de depósito? Número de cuenta 6630185.\n\n"
            "Gracias,\nAna Ruiz",
        ),
        _message(
            t[3],
            ("Robert Chen", "rchen@example.com"),
            "URGENT: foreclosure sale date next week",
            "I received a letter that the foreclosure sale is scheduled for next week.\n"
            "I applied for a loan modification in May and never heard back. My attorney\n"
            "will contact you. Account Number 7781203.\n\nRobert Chen",
        ),
        _message(
            t[4],
            ("Linda Park", "linda.park@example.net"),
            "Form 1098 for last year",
            "Hi, could you send me a copy of the 1098 mortgage interest statement?\n"
            "Loan number 3390127. Thanks, Linda",
        ),
        _message(
            t[5],
            ("Carlos Méndez", "cmendez@example.com"),
            "Solicitud de ayuda por dificultad económica",
            "Perdí mi trabajo y necesito ayuda. Quisiera solicitar una indulgencia\n"
            "(forbearance) por dificultad económica. Adjunto mi carta. Cuenta 2209341.\n",
            attachments=(("carta.jpg", "image/jpeg", jpeg),),
        ),
        _message(
            t[6],
            ("Sarah Miller", "sarah.miller@example.org"),
            "Qualified written request",
            "Pursuant to 12 U.S.C. 2605(e), this is a qualified written request. Please\n"
            "provide the complete life-of-loan payment history and the name of the\n"
            "owner of my loan. Account Number 9012847.\n\nSarah Miller",
            attachments=(("id-scan.png", "image/png", png),),
        ),
        _message(
            t[7],
            ("Unknown Sender", "billing@example.biz"),
            "Your invoice",
            "Please see the attached statement.",
            attachments=(
                ("statement.pdf", "application/pdf", b"\x7fELF\x02\x01\x01" + bytes(200)),
            ),
        ),
        _message(
            t[8],
            ("Out Of Office", "tom.baker@example.com"),
            "Automatic reply: Payment question",
            "I am out of the office until Monday.",
            extra={"Auto-Submitted": "auto-replied"},
        ),
        _message(
            t[9],
            ("Housing News", "news@lists.example.org"),
            "Weekly housing market digest",
            "Rates moved slightly this week.",
            extra={"List-Id": "<housing-news.lists.example.org>", "Precedence": "list"},
        ),
        _message(
            t[10],
            ("David Wilson", "dwilson@example.com"),
            "Payment not applied",
            "I sent a partial payment of $850 on the 3rd and it does not show on my\n"
            "account. Can you check where it was applied? Acct #: 4471190\n",
        ),
        _message(
            t[11],
            ("Patricia Gomez", "pgomez@example.net"),
            "Queja formal - CFPB",
            "Quiero presentar una queja formal. Si no resuelven el problema con mi pago\n"
            "presentaré una queja ante la CFPB. Número de cuenta 8823016.",
        ),
        _message(
            t[12],
            ("Michael Brown", "mbrown@example.org"),
            "Cease and desist",
            "This letter is a cease and desist. Stop calling my workplace. My lawyer\n"
            "has been informed. Account Number 5530918.",
        ),
        _message(
            t[13],
            ("Emily Davis", "emily.davis@example.com"),
            "Escrow refund question",
            "My homeowners insurance changed and I overpaid escrow. When will I get the\n"
            "refund? My SSN is 123-45-6789 if you need it. Account Number 3308815.",
        ),
        # A notice of error that never says "notice of error": the classifier must see
        # the asserted error (a fee charged twice despite a cleared payment) itself.
        _message(
            t[14],
            ("Kevin Wright", "kwright@example.net"),
            "Charged twice",
            "Hi,\n\nYou charged me the late fee twice even though my payment cleared on\n"
            "the 1st. Please take both fees off. Account Number 6614302.\n\nKevin Wright",
        ),
        # A false alarm: the only escalation word is negated, so nothing escalates.
        _message(
            t[15],
            ("Grace Lee", "grace.lee@example.org"),
            "Escrow question",
            "Hello,\n\nThis is not a complaint, just a question about my escrow: why did\n"
            "the shortage amount change this year? Account Number 4408126.\n\nGrace Lee",
        ),
    ]
