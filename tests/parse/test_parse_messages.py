"""parse_message on hand-made messages: one behaviour each."""

from __future__ import annotations

import base64
import struct
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage

from pipeline.parse import parse_message

PLAIN = (
    b"From: Jane Borrower <jane@example.com>\r\n"
    b"To: Servicing <service@lender.example>, ops@lender.example\r\n"
    b"Cc: =?utf-8?q?J=C3=B6rg_M=C3=BCller?= <jorg@example.de>\r\n"
    b"Reply-To: jane.alt@example.com\r\n"
    b"Date: Mon, 2 Mar 2026 10:15:00 -0500\r\n"
    b"Subject: Escrow question\r\n"
    b"Message-ID: <m1@example.com>\r\n"
    b"In-Reply-To: <m0@lender.example>\r\n"
    b"References: <a@x>\r\n <m0@lender.example>\r\n"
    b"Auto-Submitted: no\r\n"
    b"Precedence: bulk\r\n"
    b"List-Id: Borrowers <borrowers.example.com>\r\n"
    b"Return-Path: <bounce@example.com>\r\n"
    b"\r\n"
    b"Why did my escrow go up?\r\n"
)


def mime(body: bytes, ctype: str = "text/plain; charset=us-ascii", headers: bytes = b"") -> bytes:
    return (
        b"From: a@example.com\r\nTo: b@example.com\r\nSubject: t\r\n"
        b"Message-ID: <t@example.com>\r\nDate: Mon, 2 Mar 2026 10:15:00 +0000\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: " + ctype.encode() + b"\r\n" + headers + b"\r\n" + body
    )


def test_plain_message_headers_are_read():
    parsed = parse_message(PLAIN)
    assert parsed.message_id == "<m1@example.com>"
    assert parsed.from_ == (("Jane Borrower", "jane@example.com"),)
    assert parsed.to == (("Servicing", "service@lender.example"), ("", "ops@lender.example"))
    assert parsed.cc == (("J\u00f6rg M\u00fcller", "jorg@example.de"),)
    assert parsed.reply_to == (("", "jane.alt@example.com"),)
    assert parsed.subject == "Escrow question"
    assert parsed.in_reply_to == "<m0@lender.example>"
    assert parsed.references == ("<a@x>", "<m0@lender.example>")
    assert (parsed.auto_submitted, parsed.precedence) == ("no", "bulk")
    assert parsed.list_id == "Borrowers <borrowers.example.com>"
    assert parsed.return_path == "<bounce@example.com>"
    assert parsed.parse_error is None
    assert parsed.defects == ()


def test_plain_message_date_keeps_the_senders_offset():
    parsed = parse_message(PLAIN)
    assert parsed.date_raw == "Mon, 2 Mar 2026 10:15:00 -0500"
    assert parsed.date == datetime(2026, 3, 2, 15, 15, tzinfo=UTC)
    assert parsed.date is not None and parsed.date.utcoffset() == timedelta(hours=-5)


def test_plain_message_body_has_normalised_line_ends():
    parsed = parse_message(PLAIN)
    assert parsed.text == "Why did my escrow go up?\n"
    assert (parsed.html, parsed.html_text, parsed.attachments) == ("", "", ())


def test_minus_zero_date_is_read_as_utc():
    parsed = parse_message(PLAIN.replace(b"-0500", b"-0000"))
    assert parsed.date == datetime(2026, 3, 2, 10, 15, tzinfo=UTC)
    assert parsed.date is not None and parsed.date.tzinfo is not None


def test_unparseable_date_is_none_with_a_defect():
    parsed = parse_message(PLAIN.replace(b"Mon, 2 Mar 2026 10:15:00 -0500", b"someday soon"))
    assert parsed.date is None
    assert parsed.date_raw == "someday soon"
    assert any("cannot be parsed" in d for d in parsed.defects)


def test_multipart_alternative_gives_text_html_and_html_text():
    body = (
        b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPay by the 5th.\r\n"
        b"--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        b"<html><head><style>p{color:red}</style><script>evil()</script></head>"
        b"<body><p>Pay by the&nbsp;<b>5th</b>.</p><p>Thanks &amp; regards</p></body></html>\r\n"
        b"--b1--\r\n"
    )
    parsed = parse_message(mime(body, 'multipart/alternative; boundary="b1"'))
    # The CRLF before a boundary belongs to the boundary (RFC 2046 5.1.1).
    assert parsed.text == "Pay by the 5th."
    assert "<b>5th</b>" in parsed.html
    assert parsed.html_text == "Pay by the 5th.\nThanks & regards"
    assert parsed.attachments == ()


def test_html_only_message_has_no_text_but_html_text():
    parsed = parse_message(mime(b"<div>Loan&nbsp;#123</div><div>late fee</div>", "text/html"))
    assert parsed.text == ""
    assert parsed.html_text == "Loan #123\nlate fee"


def test_rfc2047_subject_is_decoded():
    raw = PLAIN.replace(
        b"Subject: Escrow question",
        b"Subject: =?utf-8?b?w4lzY3JvdyDigJMgcXVlc3Rpb24=?=\r\n =?iso-8859-1?q?_caf=E9?=",
    )
    assert parse_message(raw).subject == "\u00c9scrow \u2013 question caf\u00e9"


def test_rfc2231_filename_with_charset_and_continuations_is_decoded():
    body = (
        b"--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        b"--b\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment;\r\n"
        b" filename*0*=utf-8''%C3%A9tat%20de%20;\r\n"
        b" filename*1*=compte%E2%80%93mars;\r\n"
        b' filename*2=".pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        + base64.b64encode(b"%PDF-1.4 fake")
        + b"\r\n--b--\r\n"
    )
    parsed = parse_message(mime(body, 'multipart/mixed; boundary="b"'))
    (attachment,) = parsed.attachments
    assert attachment.filename == "\u00e9tat de compte\u2013mars.pdf"
    assert attachment.payload == b"%PDF-1.4 fake"
    assert (attachment.content_type, attachment.content_disposition) == (
        "application/pdf",
        "attachment",
    )
    assert (attachment.part_id, attachment.is_inline, attachment.nested_in) == ("2", False, ())


def test_rfc2047_encoded_filename_is_decoded():
    body = (
        b'--b\r\nContent-Type: image/png; name="=?utf-8?q?re=C3=A7u.png?="\r\n'
        b"Content-Disposition: inline\r\nContent-ID: <img1>\r\n\r\nPNGDATA\r\n--b--\r\n"
    )
    (attachment,) = parse_message(mime(body, 'multipart/related; boundary="b"')).attachments
    assert attachment.filename == "re\u00e7u.png"
    assert attachment.is_inline is True
    assert attachment.content_id == "<img1>"


def test_quoted_printable_attachment_payload_is_decoded():
    body = (
        b"--b\r\nContent-Type: application/octet-stream; name=a.bin\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\nA=00B=FF=\r\nC\r\n--b--\r\n"
    )
    (attachment,) = parse_message(mime(body, 'multipart/mixed; boundary="b"')).attachments
    assert attachment.payload == b"A\x00B\xffC"


def test_windows_1252_body_is_decoded():
    body = "Balance \u2013 \u20ac12 \u201cpaid\u201d".encode("cp1252")
    parsed = parse_message(mime(body, "text/plain; charset=windows-1252"))
    assert parsed.text == "Balance \u2013 \u20ac12 \u201cpaid\u201d"
    assert parsed.defects == ()


def test_iso_2022_jp_body_is_decoded():
    body = "\u3053\u3093\u306b\u3061\u306f\u3001\u8fd4\u6e08".encode("iso-2022-jp")
    parsed = parse_message(mime(body, "text/plain; charset=iso-2022-jp"))
    assert parsed.text == "\u3053\u3093\u306b\u3061\u306f\u3001\u8fd4\u6e08"


def test_unknown_charset_decodes_with_a_defect():
    body = "caf\u00e9 \u2013 ok".encode()
    parsed = parse_message(mime(body, "text/plain; charset=x-no-such-charset"))
    assert parsed.text == "caf\u00e9 \u2013 ok"
    assert any("x-no-such-charset" in d for d in parsed.defects)


def test_undecodable_bytes_in_declared_charset_are_replaced_with_a_defect():
    parsed = parse_message(mime(b"ok \xff\xfe end", "text/plain; charset=utf-8"))
    assert parsed.text.startswith("ok ")
    assert "\ufffd" in parsed.text
    assert parsed.defects != ()


def _nested_message() -> bytes:
    inner = EmailMessage()
    inner["From"] = "old@example.com"
    inner["Subject"] = "Original statement"
    inner["Message-ID"] = "<inner@example.com>"
    inner.set_content("The statement is attached.")
    inner.add_attachment(b"%PDF-1.4 inner", maintype="application", subtype="pdf",
                         filename="inner.pdf")  # fmt: skip
    outer = EmailMessage()
    outer["From"] = "fwd@example.com"
    outer["To"] = "service@lender.example"
    outer["Subject"] = "Fwd: Original statement"
    outer["Message-ID"] = "<outer@example.com>"
    outer.set_content("Forwarding this.")
    outer.add_attachment(inner)
    return outer.as_bytes()


def test_nested_message_is_kept_as_an_attachment():
    parsed = parse_message(_nested_message())
    nested = [a for a in parsed.attachments if a.content_type == "message/rfc822"]
    assert len(nested) == 1
    assert nested[0].part_id == "2"
    assert nested[0].nested_in == ()
    assert b"Subject: Original statement" in nested[0].payload


def test_attachment_inside_nested_message_is_found_with_its_path():
    parsed = parse_message(_nested_message())
    inner_pdf = [a for a in parsed.attachments if a.filename == "inner.pdf"]
    assert len(inner_pdf) == 1
    assert inner_pdf[0].payload == b"%PDF-1.4 inner"
    assert inner_pdf[0].nested_in == ("2",)
    assert inner_pdf[0].part_id == "2.2"


def test_nested_message_body_is_not_mixed_into_outer_headers():
    parsed = parse_message(_nested_message())
    assert parsed.subject == "Fwd: Original statement"
    assert parsed.message_id == "<outer@example.com>"
    assert "Forwarding this." in parsed.text


def test_missing_message_id_is_none_with_a_defect():
    parsed = parse_message(PLAIN.replace(b"Message-ID: <m1@example.com>\r\n", b""))
    assert parsed.message_id is None
    assert "message: no Message-ID header" in parsed.defects


def test_missing_closing_boundary_is_a_defect_and_parts_are_kept():
    body = (
        b"--b\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
        b"--b\r\nContent-Type: image/png; name=a.png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.b64encode(b"\x89PNG partial")
        + b"\r\n"
    )
    parsed = parse_message(mime(body, 'multipart/mixed; boundary="b"'))
    assert parsed.parse_error is None
    assert any("closing multipart boundary is missing" in d for d in parsed.defects)
    assert [a.filename for a in parsed.attachments] == ["a.png"]
    assert parsed.attachments[0].payload == b"\x89PNG partial"


def test_boundary_never_found_is_a_defect():
    parsed = parse_message(mime(b"no parts here\r\n", 'multipart/mixed; boundary="zz"'))
    assert any("boundary never appears" in d for d in parsed.defects)
    assert parsed.attachments == ()


def test_broken_base64_is_decoded_leniently_with_a_defect():
    body = (
        b"--b\r\nContent-Type: application/pdf; name=s.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQ*!gZmFrZQ\r\n--b--\r\n"
    )
    parsed = parse_message(mime(body, 'multipart/mixed; boundary="b"'))
    (attachment,) = parsed.attachments
    assert attachment.payload.startswith(b"%PDF-1.4")
    assert any("base64" in d for d in parsed.defects)


def test_headers_only_message_without_body_parses():
    parsed = parse_message(b"Subject: only headers\r\n")
    assert parsed.subject == "only headers"
    assert parsed.text == ""
    assert parsed.parse_error is None


def test_deeply_nested_multipart_does_not_raise():
    depth = 2000
    raw = b"Content-Type: multipart/mixed; boundary=b0\r\n\r\n"
    for level in range(1, depth):
        raw += b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (level - 1, level)
    parsed = parse_message(raw + b"--b%d\r\n\r\ndeep\r\n" % (depth - 1))
    assert parsed.parse_error is not None or any("deeper than" in d for d in parsed.defects)


def test_to_record_is_json_ready_and_has_no_body_text():
    import json

    record = parse_message(_nested_message()).to_record()
    text = json.dumps(record)
    assert "Forwarding this." not in text
    assert record["message_id"] == "<outer@example.com>"
    assert record["from"] == [{"name": "", "address": "fwd@example.com"}]
    assert [a["filename"] for a in record["attachments"]] == [None, "inner.pdf"]


def _tnef_object(level: int, name: int, kind: int, data: bytes) -> bytes:
    # [MS-OXTNEF] 2.1.3.3: level, attribute id (name, type), length, data, checksum.
    return (
        struct.pack("<BHHI", level, name, kind, len(data))
        + data
        + struct.pack("<H", sum(data) & 0xFFFF)
    )


def _winmail(filename: bytes, payload: bytes) -> bytes:
    stream = struct.pack("<IH", 0x223E9F78, 1)
    stream += _tnef_object(1, 0x9006, 0x0008, struct.pack("<I", 0x10000))  # attTnefVersion
    stream += _tnef_object(1, 0x9007, 0x0006, struct.pack("<II", 1252, 0))  # attOemCodepage
    stream += _tnef_object(2, 0x9002, 0x0006, b"\x00" * 14)  # attAttachRendData
    stream += _tnef_object(2, 0x8010, 0x0001, filename + b"\x00")  # attAttachTitle
    stream += _tnef_object(2, 0x800F, 0x0006, payload)  # attAttachData
    return stream


def test_winmail_dat_is_expanded_and_kept():
    winmail = _winmail(b"payoff.pdf", b"%PDF-1.4 payoff letter")
    body = (
        b"--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
        b"--b\r\nContent-Type: application/ms-tnef; name=winmail.dat\r\n"
        b"Content-Disposition: attachment; filename=winmail.dat\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(winmail) + b"\r\n--b--\r\n"
    )
    parsed = parse_message(mime(body, 'multipart/mixed; boundary="b"'))
    original, inner = parsed.attachments
    assert (original.filename, original.payload, original.source) == (
        "winmail.dat",
        winmail,
        "mime",
    )
    assert (inner.filename, inner.payload) == ("payoff.pdf", b"%PDF-1.4 payoff letter")
    assert (inner.source, inner.nested_in, inner.part_id) == ("tnef", ("2",), "2.tnef1")


def test_damaged_winmail_dat_is_a_defect_not_a_crash():
    broken = _winmail(b"a.pdf", b"%PDF")[:9] + b"\xff" * 3
    body = (
        b"--b\r\nContent-Type: application/ms-tnef; name=winmail.dat\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(broken) + b"\r\n--b--\r\n"
    )
    parsed = parse_message(mime(body, 'multipart/mixed; boundary="b"'))
    assert [a.filename for a in parsed.attachments] == ["winmail.dat"]


def test_date_with_offset_converts_to_the_same_instant():
    parsed = parse_message(PLAIN.replace(b"-0500", b"+0930"))
    assert parsed.date == datetime(2026, 3, 2, 10, 15, tzinfo=timezone(timedelta(hours=9.5)))
