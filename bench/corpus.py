"""Seeded, reproducible corpus of servicing mail for the benchmarks.

Shape (per corpus): text messages in English and Spanish (non-ASCII, quoted-printable
or 8bit UTF-8, some with an HTML alternative) with a log-normal size around 9 KB;
about 10% carry one or two attachments (real PDF, JPEG or PNG made here, 10 KB-2 MB,
log-normal around 40 KB); a few percent are malformed (missing headers, truncated
multipart, bad charset, broken base64); and at most three "large" messages of
10-30 MB (a scanned-document PDF). The same ``(count, seed)`` always gives the same
bytes, so every side of a comparison reads the very same mailbox.
"""

from __future__ import annotations

import base64
import io
import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from PIL import Image

EN_LINES = (
    "I am writing about my mortgage account and the escrow analysis you sent last month.",
    "The monthly payment changed and nobody explained why the escrow shortage grew.",
    "Please send me a payoff statement good through the end of the month.",
    "I believe there is an error on my account: the payment of the 3rd was not applied.",
    "Attached is the insurance declaration page you asked for.",
    "This is a notice of error under RESPA regarding late fees charged in error.",
    "Can you tell me who owns my loan? I am requesting this information in writing.",
    "I want to dispute the force-placed insurance premium added to my escrow.",
    "Thank you for your help with the loan modification paperwork.",
    "My property tax bill was paid twice; please refund the duplicate payment.",
)
ES_LINES = (
    "Le escribo por mi cuenta hipotecaria número y el análisis de depósito en garantía.",
    "El pago mensual cambió y nadie me explicó por qué aumentó el déficit.",
    "Solicito un estado de liquidación válido hasta el último día del mes.",
    "Creo que hay un error en mi cuenta: el pago del día 3 no fue aplicado.",
    "Adjunto la página de declaración del seguro que me pidieron, señor García.",
    "Quiero presentar una queja formal; esto es inaceptable y acudiré a un abogado.",
    "¿Quién es el dueño de mi préstamo? Pido esta información por escrito.",
    "Les ruego corregir los cargos por mora cobrados por equivocación, años atrás.",
    "Gracias por su ayuda con la modificación del préstamo, muy amable.",
    "Mi factura de impuestos se pagó dos veces; por favor reembolsen el duplicado.",
)
SUBJECTS_EN = (
    "Escrow question",
    "Payoff request",
    "Notice of error",
    "Request for information",
    "Insurance documents",
    "Late fee dispute",
    "Loan modification",
)
SUBJECTS_ES = (
    "Pregunta sobre depósito en garantía",
    "Solicitud de liquidación",
    "Aviso de error",
    "Solicitud de información",
    "Queja formal — cargos indebidos",
    "Documentos del seguro",
)
NAMES = (
    ("María José Núñez", "mjnunez@correo.example"),
    ("John Carter", "jcarter@example.com"),
    ("Ana Lucía Peña", "alpena@example.org"),
    ("Robert Smith", "rsmith@mail.example"),
    ("José Ángel Ibáñez", "jaibanez@correo.example"),
    ("Linda Chen", "lchen@example.net"),
)
EPOCH = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class CorpusStats:
    """Summary of a generated corpus."""

    count: int
    total_bytes: int
    with_attachments: int
    large: int
    malformed: int
    spanish: int

    def to_json(self) -> dict[str, int | float]:
        """Plain JSON."""
        return {
            "count": self.count,
            "total_bytes": self.total_bytes,
            "mean_bytes": round(self.total_bytes / max(self.count, 1)),
            "with_attachments": self.with_attachments,
            "large": self.large,
            "malformed": self.malformed,
            "spanish": self.spanish,
        }


# ------------------------------------------------------------------ attachments
def pdf_document(rng: random.Random, target: int, title: str) -> bytes:
    """A valid multi-page PDF of about ``target`` bytes (text pages plus, for big targets,
    a Flate-compressed noise image, like a scan) with a correct xref table."""
    objects: list[bytes] = []
    pages: list[int] = []
    # 1: catalog, 2: pages; page objects and their contents follow.
    text_pages = max(1, min(20, target // 20_000))
    budget_text = min(target, 40_000 * text_pages)
    per_page = max(200, budget_text // text_pages)
    image_bytes = max(0, target - budget_text - 2_000)
    next_id = 3
    image_id = None
    if image_bytes > 0:
        image_id = next_id
        next_id += 1
        side = max(16, int((image_bytes / 3) ** 0.5))
        raw = rng.randbytes(side * side * 3)
        data = zlib.compress(raw, 1)
        objects.append(
            f"{image_id} 0 obj\n<< /Type /XObject /Subtype /Image /Width {side} /Height {side}"
            f" /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode"
            f" /Length {len(data)} >>\nstream\n".encode()
            + data
            + b"\nendstream\nendobj\n"
        )
    for page in range(text_pages):
        lines = []
        y = 760
        while sum(len(x) for x in lines) < per_page:
            text = rng.choice(EN_LINES).replace("(", "").replace(")", "")
            lines.append(f"BT /F1 9 Tf 40 {y} Td ({text}) Tj ET\n")
            y = 760 if y < 40 else y - 11
        if page == 0:
            lines.insert(0, f"BT /F1 14 Tf 40 780 Td ({title}) Tj ET\n")
            if image_id is not None:
                lines.append("q 500 0 0 500 40 100 cm /Im1 Do Q\n")
        stream = "".join(lines).encode("latin-1")
        content_id, page_id = next_id, next_id + 1
        next_id += 2
        objects.append(
            f"{content_id} 0 obj\n<< /Length {len(stream)} >>\nstream\n".encode()
            + stream
            + b"\nendstream\nendobj\n"
        )
        xobj = f" /XObject << /Im1 {image_id} 0 R >>" if image_id and page == 0 else ""
        objects.append(
            f"{page_id} 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792]"
            f" /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica"
            f" >> >>{xobj} >> /Contents {content_id} 0 R >>\nendobj\n".encode()
        )
        pages.append(page_id)
    kids = " ".join(f"{p} 0 R" for p in pages)
    head = [
        b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
        f"2 0 obj\n<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>\nendobj\n".encode(),
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number, body in enumerate(head, 1):
        offsets[number] = len(out)
        out += body
    for body in objects:
        number = int(body.split(b" ", 1)[0])
        offsets[number] = len(out)
        out += body
    xref = len(out)
    size = max(offsets) + 1
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    for number in range(1, size):
        out += f"{offsets[number]:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _image(rng: random.Random, target: int, fmt: str) -> bytes:
    # A photo-like picture: a smooth gradient plus noise; the noise share sets the size.
    bytes_per_pixel = 3.0 if fmt == "PNG" else 1.1
    pixels = max(64 * 64, int(target / bytes_per_pixel))
    width = max(64, int((pixels * 4 / 3) ** 0.5))
    height = max(48, pixels // width)
    noise = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    base = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    picture = Image.blend(base, noise, 0.6)
    buffer = io.BytesIO()
    if fmt == "PNG":
        picture.save(buffer, "PNG", compress_level=1)
    else:
        picture.save(buffer, "JPEG", quality=85, comment=rng.randbytes(8).hex().encode())
    return buffer.getvalue()


def _attachment_size(rng: random.Random) -> int:
    return int(min(2_000_000, max(10_000, rng.lognormvariate(10.6, 1.0))))  # median ~40 KB


# ------------------------------------------------------------------ messages
def _b64(data: bytes) -> bytes:
    return base64.encodebytes(data)


def _qp(text: str) -> bytes:
    import quopri

    return quopri.encodestring(text.encode("utf-8"))


def _encoded_header(text: str) -> str:
    if text.isascii():
        return text
    return "=?utf-8?b?" + base64.b64encode(text.encode()).decode() + "?="


def _body_text(rng: random.Random, spanish: bool, size: int) -> str:
    lines = ES_LINES if spanish else EN_LINES
    out: list[str] = []
    used = 0
    greeting = "Estimados señores:" if spanish else "Dear servicer,"
    out.append(greeting)
    while used < size:
        line = rng.choice(lines)
        if rng.random() < 0.15:
            line += f" Cuenta/Account {rng.randint(10_000_000, 99_999_999)}."
        out.append(line)
        used += len(line) + 1
    out.append("Atentamente," if spanish else "Sincerely,")
    return "\n".join(out) + "\n"


def make_message(rng: random.Random, index: int, kind: str, big_size: int = 0) -> bytes:
    """One message; ``kind`` is "text", "attach", "large" or "malformed"."""
    spanish = rng.random() < 0.35
    name, address = rng.choice(NAMES)
    subject = rng.choice(SUBJECTS_ES if spanish else SUBJECTS_EN) + f" #{index}"
    when = EPOCH + timedelta(seconds=index * 37 + rng.randint(0, 30))
    text_size = int(min(200_000, max(600, rng.lognormvariate(8.9, 0.7))))  # median ~10 KB
    text = _body_text(rng, spanish, text_size)
    boundary = f"=_b{index}_{rng.getrandbits(48):x}"
    headers = [
        f"From: {_encoded_header(name)} <{address}>",
        "To: Servicing <servicing@servicer.example>",
        f"Subject: {_encoded_header(subject)}",
        f"Date: {format_datetime(when)}",
        f"Message-ID: <bench-{index}-{rng.getrandbits(32):x}@mail.example>",
        "MIME-Version: 1.0",
    ]
    if kind == "malformed":
        flaw = index % 4
        if flaw == 0:  # no Date, no Message-ID, 8-bit text labelled ASCII
            body = text.encode("utf-8")
            lines = [h for h in headers if not h.startswith(("Date:", "Message-ID:"))]
            lines.append("Content-Type: text/plain; charset=us-ascii")
            return ("\r\n".join(lines) + "\r\n\r\n").encode() + body.replace(b"\n", b"\r\n")
        if flaw == 1:  # multipart whose closing boundary is missing (truncated)
            lines = [*headers, f'Content-Type: multipart/mixed; boundary="{boundary}"']
            part = (
                f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n"
                "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
            ).encode() + _qp(text)
            return ("\r\n".join(lines) + "\r\n\r\n").encode() + part
        if flaw == 2:  # unknown charset and a broken Date
            lines = [
                h if not h.startswith("Date:") else "Date: 31 Febrero 2026 25:61" for h in headers
            ]
            lines.append("Content-Type: text/plain; charset=x-unknown-8859")
            lines.append("Content-Transfer-Encoding: 8bit")
            return ("\r\n".join(lines) + "\r\n\r\n").encode() + text.encode("latin-1", "replace")
        # broken base64 in a truncated PDF attachment
        pdf = pdf_document(rng, 12_000, "Truncated statement")[:6_000]
        blob = _b64(pdf)[:-7] + b"!!*\n"
        lines = [*headers, f'Content-Type: multipart/mixed; boundary="{boundary}"']
        body = (
            f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n".encode()
            + text.encode()
            + f'\r\n--{boundary}\r\nContent-Type: application/pdf; name="statement.pdf"\r\n'
            'Content-Disposition: attachment; filename="statement.pdf"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n".encode()
            + blob
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    attachments: list[tuple[str, str, bytes]] = []
    if kind == "large":
        payload = pdf_document(rng, big_size, f"Scanned servicing file {index}")
        attachments.append(("application/pdf", f"expediente-{index}.pdf", payload))
    elif kind == "attach":
        for _ in range(1 if rng.random() < 0.8 else 2):
            choice = rng.random()
            size = _attachment_size(rng)
            if choice < 0.5:
                attachments.append(
                    (
                        "application/pdf",
                        f"statement-{index}.pdf",
                        pdf_document(rng, size, "Statement"),
                    )
                )
            elif choice < 0.8:
                attachments.append(("image/jpeg", f"photo_{index}.jpg", _image(rng, size, "JPEG")))
            else:
                attachments.append(("image/png", f"captura {index}.png", _image(rng, size, "PNG")))
    text_part = (
        b"Content-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n" + _qp(text).replace(b"\n", b"\r\n")
    )
    if rng.random() < 0.3:
        alt = f"=_a{index}_{rng.getrandbits(32):x}"
        html = (
            "<html><body>"
            + "".join(f"<p>{line}</p>" for line in text.splitlines())
            + "</body></html>"
        )
        text_part = (
            f'Content-Type: multipart/alternative; boundary="{alt}"\r\n\r\n--{alt}\r\n'.encode()
            + text_part
            + f"\r\n--{alt}\r\nContent-Type: text/html; charset=utf-8\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n".encode()
            + _qp(html).replace(b"\n", b"\r\n")
            + f"\r\n--{alt}--\r\n".encode()
        )
    if not attachments:
        return ("\r\n".join(headers) + "\r\n").encode() + text_part
    out = bytearray(
        (
            "\r\n".join([*headers, f'Content-Type: multipart/mixed; boundary="{boundary}"'])
            + "\r\n\r\n"
        ).encode()
    )
    out += f"--{boundary}\r\n".encode() + text_part + b"\r\n"
    for ctype, filename, payload in attachments:
        out += (
            f'--{boundary}\r\nContent-Type: {ctype}; name="{filename}"\r\n'
            f'Content-Disposition: attachment; filename="{filename}"\r\n'
            "Content-Transfer-Encoding: base64\r\n\r\n"
        ).encode()
        out += _b64(payload).replace(b"\n", b"\r\n")
    out += f"--{boundary}--\r\n".encode()
    return bytes(out)


def plan(count: int, seed: int, large: int | None = None) -> list[tuple[str, int]]:
    """The kind (and large size) of each message, in order."""
    rng = random.Random(f"plan-{seed}-{count}")
    kinds: list[tuple[str, int]] = []
    for _ in range(count):
        draw = rng.random()
        kinds.append(("attach" if draw < 0.10 else "malformed" if draw < 0.13 else "text", 0))
    nlarge = (1 if count < 10_000 else 2) if large is None else large
    nlarge = min(nlarge, 3, count)
    sizes = [30_000_000, 12_000_000, 18_000_000][:nlarge]
    for slot, size in enumerate(sizes):
        # a base64 body grows by 4/3: choose the PDF size so the message is ``size``
        position = (count * (slot + 1)) // (nlarge + 1)
        kinds[position] = ("large", int(size * 0.74))
    return kinds


def generate(count: int, seed: int = 1, large: int | None = None) -> Iterator[bytes]:
    """The corpus, message by message (same bytes for the same arguments)."""
    for index, (kind, big) in enumerate(plan(count, seed, large)):
        yield make_message(random.Random(f"{seed}-{index}"), index, kind, big)


def stats(count: int, seed: int = 1, large: int | None = None) -> tuple[list[bytes], CorpusStats]:
    """Generate the corpus in memory with its summary."""
    kinds = plan(count, seed, large)
    messages = list(generate(count, seed, large))
    spanish = sum(
        1 for m in messages if b"=?utf-8?b?" in m[:2000] and b"Subject: =?utf-8" in m[:2000]
    )
    return messages, CorpusStats(
        count=count,
        total_bytes=sum(len(m) for m in messages),
        with_attachments=sum(1 for k, _ in kinds if k in ("attach", "large")),
        large=sum(1 for k, _ in kinds if k == "large"),
        malformed=sum(1 for k, _ in kinds if k == "malformed"),
        spanish=spanish,
    )
