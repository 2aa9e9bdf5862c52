"""The ingestion corpus: one message per behaviour, each with what its record must say."""

from __future__ import annotations

import base64
import email.policy
from dataclasses import dataclass, field
from email.message import EmailMessage

from tests.attachments.attachment_samples import (
    elf_bytes,
    jpeg_bytes,
    pdf_bytes,
    pdf_with_javascript,
    png_bytes,
    zip_bytes,
)

_SMTP = email.policy.SMTP
CRLF = b"\r\n"


@dataclass(frozen=True)
class Attachment:
    """What one attachment's record must say."""

    filename: str | None
    data: bytes | None  # None: the decoded bytes are not known in advance
    verdict: str
    reason: str | None = None  # a phrase one of the reasons contains (rejected only)
    nested: bool = False


@dataclass(frozen=True)
class Sample:
    """One corpus message and the record it must produce."""

    name: str
    raw: bytes
    subject: str
    message_id: str | None
    text_contains: str | None = None
    html_contains: str | None = None
    attachments: tuple[Attachment, ...] | None = ()
    defects: bool = False  # at least one defect must be recorded
    from_name: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _lines(*lines: str | bytes) -> bytes:
    return CRLF.join(x.encode("ascii") if isinstance(x, str) else x for x in lines) + CRLF


def _head(subject: str, message_id: str | None, *more: str) -> list[str]:
    head = [
        "From: Borrower <borrower@example.com>",
        "To: service@servicer.example",
        f"Subject: {subject}",
        "Date: Mon, 02 Mar 2026 09:15:00 -0500",
    ]
    if message_id is not None:
        head.append(f"Message-ID: {message_id}")
    return [*head, "MIME-Version: 1.0", *more]


def with_attachment(tag: str, filename: str, data: bytes, mime: str = "application/pdf") -> bytes:
    msg = EmailMessage(policy=_SMTP)
    msg["From"] = "Borrower <borrower@example.com>"
    msg["To"] = "service@servicer.example"
    msg["Subject"] = f"Attachment {tag}"
    msg["Date"] = "Mon, 02 Mar 2026 09:15:00 -0500"
    msg["Message-ID"] = f"<att-{tag}@test>"
    msg.set_content(f"Please find the {tag} attached.\n")
    maintype, subtype = mime.split("/")
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def _attachment_sample(
    tag: str,
    filename: str,
    data: bytes,
    verdict: str,
    reason: str | None = None,
    mime: str = "application/pdf",
) -> Sample:
    return Sample(
        name=f"attachment-{tag}",
        raw=with_attachment(tag, filename, data, mime),
        subject=f"Attachment {tag}",
        message_id=f"<att-{tag}@test>",
        text_contains=f"the {tag} attached",
        attachments=(Attachment(filename, data, verdict, reason),),
    )


def _b64(data: bytes) -> list[bytes]:
    text = base64.b64encode(data)
    return [text[i : i + 76] for i in range(0, len(text), 76)]


def build_corpus() -> list[Sample]:
    """Every corpus message, in APPEND order."""
    pdf, png = pdf_bytes(), png_bytes()
    samples = [
        Sample(
            "plain",
            _lines(
                *_head("Plain text", "<plain@test>"),
                "Content-Type: text/plain",
                "",
                "Just plain text.",
            ),
            "Plain text",
            "<plain@test>",
            text_contains="Just plain text.",
        ),
        Sample(
            "alternative",
            _lines(
                *_head(
                    "Alternative",
                    "<alt@test>",
                    'Content-Type: multipart/alternative; boundary="alt-b"',
                ),
                "",
                "--alt-b",
                "Content-Type: text/plain; charset=us-ascii",
                "",
                "The text version.",
                "--alt-b",
                "Content-Type: text/html; charset=us-ascii",
                "",
                "<html><body><p>The <b>HTML</b> version.</p></body></html>",
                "--alt-b--",
            ),
            "Alternative",
            "<alt@test>",
            text_contains="The text version.",
            html_contains="<b>HTML</b>",
        ),
        Sample(
            "html-only",
            _lines(
                *_head("HTML only", "<html@test>", "Content-Type: text/html; charset=utf-8"),
                "",
                "<html><body><p>Only HTML here.</p></body></html>",
            ),
            "HTML only",
            "<html@test>",
            html_contains="Only HTML here.",
        ),
        Sample(
            "windows-1252",
            _lines(
                *_head(
                    "Windows-1252",
                    "<cp1252@test>",
                    "Content-Type: text/plain; charset=windows-1252",
                    "Content-Transfer-Encoding: 8bit",
                ),
                "",
                "It\u2019s \u20ac1,200 \u2014 as agreed.".encode("cp1252"),
            ),
            "Windows-1252",
            "<cp1252@test>",
            text_contains="It\u2019s \u20ac1,200 \u2014 as agreed.",
        ),
        Sample(
            "iso-8859-1",
            _lines(
                *_head(
                    "Latin-1",
                    "<latin1@test>",
                    "Content-Type: text/plain; charset=iso-8859-1",
                    "Content-Transfer-Encoding: 8bit",
                ),
                "",
                "Se\u00f1or Mu\u00f1oz pag\u00f3 la cuota.".encode("latin-1"),
            ),
            "Latin-1",
            "<latin1@test>",
            text_contains="Se\u00f1or Mu\u00f1oz pag\u00f3 la cuota.",
        ),
        Sample(
            "iso-2022-jp",
            _lines(
                *_head(
                    "ISO-2022-JP",
                    "<jis@test>",
                    "Content-Type: text/plain; charset=iso-2022-jp",
                    "Content-Transfer-Encoding: 7bit",
                ),
                "",
                "\u4f4f\u5b85\u30ed\u30fc\u30f3\u306e\u8fd4\u6e08".encode("iso-2022-jp"),
            ),
            "ISO-2022-JP",
            "<jis@test>",
            text_contains="\u4f4f\u5b85\u30ed\u30fc\u30f3\u306e\u8fd4\u6e08",
        ),
        Sample(
            "rfc2047",
            _lines(
                "From: =?UTF-8?Q?Jos=C3=A9_N=C3=BA=C3=B1ez?= <jose@example.com>",
                "To: service@servicer.example",
                "Subject: =?UTF-8?B?"
                + base64.b64encode("Préstamo hipotecario ✓".encode()).decode()
                + "?=",
                "Date: Mon, 02 Mar 2026 09:15:00 -0500",
                "Message-ID: <rfc2047@test>",
                "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=utf-8",
                "",
                "Encoded words in the header.",
            ),
            "Préstamo hipotecario ✓",
            "<rfc2047@test>",
            from_name="José Núñez",
        ),
        Sample(
            "rfc2231",
            _lines(
                *_head(
                    "RFC 2231 filename",
                    "<rfc2231@test>",
                    'Content-Type: multipart/mixed; boundary="mix-b"',
                ),
                "",
                "--mix-b",
                "Content-Type: text/plain",
                "",
                "Statement attached.",
                "--mix-b",
                "Content-Type: application/pdf",
                "Content-Transfer-Encoding: base64",
                "Content-Disposition: attachment;",
                " filename*=UTF-8''estado%20de%20cuenta%20%C3%B1.pdf",
                "",
                *_b64(pdf),
                "--mix-b--",
            ),
            "RFC 2231 filename",
            "<rfc2231@test>",
            text_contains="Statement attached.",
            attachments=(Attachment("estado de cuenta ñ.pdf", pdf, "accepted"),),
        ),
        Sample(
            "nested-rfc822",
            _lines(
                *_head(
                    "Fwd: photo",
                    "<outer@test>",
                    'Content-Type: multipart/mixed; boundary="outer-b"',
                ),
                "",
                "--outer-b",
                "Content-Type: text/plain",
                "",
                "Forwarding the original below.",
                "--outer-b",
                "Content-Type: message/rfc822",
                "",
                *_head("Photo", "<inner@test>", 'Content-Type: multipart/mixed; boundary="in-b"'),
                "",
                "--in-b",
                "Content-Type: text/plain",
                "",
                "Photo of the property.",
                "--in-b",
                "Content-Type: image/png",
                "Content-Transfer-Encoding: base64",
                'Content-Disposition: attachment; filename="house.png"',
                "",
                *_b64(png),
                "--in-b--",
                "--outer-b--",
            ),
            "Fwd: photo",
            "<outer@test>",
            text_contains="Forwarding the original below.",
            attachments=(
                # the forwarded message is a container (issue: forwarded message/rfc822
                # parts are not rejected attachments); it is kept, with its parts checked
                Attachment(None, None, "accepted"),
                Attachment("house.png", png, "accepted", nested=True),
            ),
        ),
        Sample(
            "no-message-id",
            _lines(
                *_head("No Message-ID", None, "Content-Type: text/plain"),
                "",
                "Nobody gave me an id.",
            ),
            "No Message-ID",
            None,
            text_contains="Nobody gave me an id.",
        ),
    ]
    same = _lines(
        *_head("Same Message-ID", "<same@test>", "Content-Type: text/plain"),
        "",
        "Sent twice with one Message-ID.",
    )
    samples += [
        Sample("same-id-1", same, "Same Message-ID", "<same@test>", text_contains="Sent twice"),
        Sample("same-id-2", same, "Same Message-ID", "<same@test>", text_contains="Sent twice"),
        Sample(
            "bad-boundary",
            _lines(
                *_head(
                    "Bad boundary",
                    "<badb@test>",
                    'Content-Type: multipart/mixed; boundary="declared"',
                ),
                "",
                "--actual",
                "Content-Type: text/plain",
                "",
                "The boundary never appears.",
                "--actual--",
            ),
            "Bad boundary",
            "<badb@test>",
            defects=True,
        ),
        Sample(
            "broken-base64",
            _lines(
                *_head(
                    "Broken base64", "<b64@test>", 'Content-Type: multipart/mixed; boundary="b64-b"'
                ),
                "",
                "--b64-b",
                "Content-Type: text/plain",
                "",
                "The attachment is corrupt.",
                "--b64-b",
                "Content-Type: application/pdf",
                "Content-Transfer-Encoding: base64",
                'Content-Disposition: attachment; filename="broken.pdf"',
                "",
                "JVBERi0xLjQK!!!not*base64@@@",
                "AAA",
                "--b64-b--",
            ),
            "Broken base64",
            "<b64@test>",
            text_contains="The attachment is corrupt.",
            attachments=(Attachment("broken.pdf", None, "rejected", "truncated"),),
            defects=True,
        ),
        _attachment_sample("pdf", "statement.pdf", pdf, "accepted"),
        _attachment_sample("jpeg", "check.jpg", jpeg_bytes(), "accepted", mime="image/jpeg"),
        _attachment_sample("png", "receipt.png", png, "accepted", mime="image/png"),
        _attachment_sample(
            "truncated-png",
            "scan.png",
            png[: len(png) // 2],
            "rejected",
            "truncated",
            mime="image/png",
        ),
        _attachment_sample("elf", "statement.pdf", elf_bytes(), "rejected", "name says .pdf"),
        _attachment_sample(
            "html-as-pdf",
            "invoice.pdf",
            b"<html><body><script>alert(1)</script></body></html>\n",
            "rejected",
            "name says .pdf",
        ),
        _attachment_sample(
            "zip",
            "documents.zip",
            zip_bytes(),
            "rejected",
            "not an allowed type",
            mime="application/zip",
        ),
        _attachment_sample("empty", "blank.pdf", b"", "rejected", "empty"),
        _attachment_sample("pdf-js", "form.pdf", pdf_with_javascript(), "rejected", "JavaScript"),
    ]
    return samples
