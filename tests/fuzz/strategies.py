"""Hypothesis strategies for hostile email: MIME trees, headers, charsets and payloads."""

from __future__ import annotations

import base64
import quopri

from hypothesis import strategies as st

CHARSETS = (
    "utf-8",
    "us-ascii",
    "iso-8859-1",
    "windows-1252",
    "iso-2022-jp",
    "shift_jis",
    "koi8-r",
    "utf-16",
    "utf-7",
    "gb2312",
    "x-unknown-charset",
    "",
    "utf-8\x00",
    "=?",
)
ENCODINGS = ("7bit", "8bit", "binary", "base64", "quoted-printable", "x-uuencode", "bogus", "")
LEAF_TYPES = (
    "text/plain",
    "text/html",
    "application/pdf",
    "image/png",
    "image/jpeg",
    "application/octet-stream",
    "application/ms-tnef",
    "application/zip",
    "message/rfc822",
    "text/calendar",
    "weird",
)
MULTIPART_SUBTYPES = ("mixed", "alternative", "related", "signed", "report", "digest", "x-odd")
HEADER_NAMES = (
    "Subject",
    "From",
    "To",
    "Cc",
    "Reply-To",
    "Date",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Auto-Submitted",
    "Precedence",
    "List-Id",
    "Return-Path",
    "X-Custom",
)

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
_ascii_token = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-._", min_size=0, max_size=20)


@st.composite
def encoded_word(draw: st.DrawFn) -> str:
    """An RFC 2047 encoded word, valid or broken."""
    charset = draw(st.sampled_from(CHARSETS))
    text = draw(_text)
    kind = draw(st.sampled_from("BbQqX"))
    try:
        data = text.encode(charset or "utf-8")
    except (LookupError, UnicodeError, ValueError):
        data = text.encode("utf-8", "surrogatepass")
    if kind in "Bb":
        payload = base64.b64encode(data).decode()
        if draw(st.booleans()):
            payload = payload[: draw(st.integers(0, max(0, len(payload))))]
    else:
        payload = quopri.encodestring(data, header=True).decode("ascii", "replace")
    return f"=?{charset}?{kind}?{payload}?="


@st.composite
def header_value(draw: st.DrawFn) -> str:
    """Plain text, encoded words, addresses, or junk."""
    parts = draw(
        st.lists(
            st.one_of(
                _text,
                encoded_word(),
                st.builds(lambda a, b: f'"{a}" <{b}@example.com>', _text, _ascii_token),
                st.just("<>"),
                st.just(",,;;<@"),
                st.just("(comment (nested) "),
            ),
            max_size=4,
        )
    )
    return " ".join(parts).replace("\r", " ").replace("\n", " ")


@st.composite
def rfc2231_params(draw: st.DrawFn) -> str:
    """``; name="..."`` / ``name*=charset''...`` / continuations, valid or broken."""
    out = []
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(("filename", "name", "charset", "boundary", "x")))
        style = draw(st.integers(0, 3))
        value = draw(_text)
        quoted = value.replace('"', "").replace("\r", "").replace("\n", "")
        if style == 0:
            out.append(f'; {name}="{quoted}"')
        elif style == 1:
            enc = "".join(f"%{b:02X}" for b in value.encode("utf-8"))
            out.append(f"; {name}*={draw(st.sampled_from(CHARSETS))}'en'{enc}")
        elif style == 2:
            half = len(quoted) // 2
            out.append(f'; {name}*0="{quoted[:half]}"; {name}*1="{quoted[half:]}"')
        else:
            out.append(f"; {name}*1*=%ZZ%; {name}*0*=utf-8''%E2%80%AE")
    return "".join(out)


def _encode(payload: bytes, encoding: str, corrupt: bool) -> bytes:
    if encoding == "base64":
        data = base64.encodebytes(payload)
        return data[:-3] + b"!!*" if corrupt and data else data
    if encoding == "quoted-printable":
        data = quopri.encodestring(payload)
        return data + b"=Z" if corrupt else data
    if encoding == "x-uuencode":
        return (
            b"begin 644 x\n" + (b"#corrupt" if corrupt else base64.b64encode(payload)) + b"\nend\n"
        )
    return payload


@st.composite
def mime_part(draw: st.DrawFn, depth: int = 0) -> bytes:
    """One MIME entity: a leaf with random type/charset/encoding, or a nested multipart."""
    headers = [
        f"{name}: {draw(header_value())}"
        for name in draw(st.lists(st.sampled_from(HEADER_NAMES), max_size=3))
    ]
    if depth < 4 and draw(st.integers(0, 3)) == 0:
        boundary = draw(st.sampled_from(("b1", "b2", "=_x", "", "a" * 80))) + str(depth)
        children = draw(st.lists(mime_part(depth + 1), max_size=4))
        sub = draw(st.sampled_from(MULTIPART_SUBTYPES))
        headers.append(f'Content-Type: multipart/{sub}; boundary="{boundary}"')
        body = b"preamble\r\n"
        for child in children:
            body += b"--" + boundary.encode() + b"\r\n" + child + b"\r\n"
        if draw(st.booleans()):
            body += b"--" + boundary.encode() + b"--\r\n"
        return "\r\n".join(headers).encode("utf-8", "surrogateescape") + b"\r\n\r\n" + body
    ctype = draw(st.sampled_from(LEAF_TYPES))
    charset = draw(st.sampled_from(CHARSETS))
    encoding = draw(st.sampled_from(ENCODINGS))
    disposition = draw(st.sampled_from(("", "inline", "attachment", "attachment; filename")))
    payload = draw(
        st.one_of(
            st.binary(max_size=400),
            _text.map(lambda t: t.encode("utf-8", "surrogatepass")),
            st.sampled_from((b"%PDF-1.4\n%%EOF", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04", b"MZ")),
        )
    )
    headers.append(f"Content-Type: {ctype}; charset={charset}{draw(rfc2231_params())}")
    if encoding:
        headers.append(f"Content-Transfer-Encoding: {encoding}")
    if disposition:
        headers.append(f"Content-Disposition: {disposition}{draw(rfc2231_params())}")
    body = _encode(payload, encoding, draw(st.booleans()))
    return "\r\n".join(headers).encode("utf-8", "surrogateescape") + b"\r\n\r\n" + body


@st.composite
def email_message(draw: st.DrawFn) -> bytes:
    """A whole message: top-level headers (some mangled), then a MIME tree."""
    top = [
        f"{name}: {draw(header_value())}"
        for name in draw(st.lists(st.sampled_from(HEADER_NAMES), max_size=8))
    ]
    top.append("MIME-Version: 1.0")
    raw = "\r\n".join(top).encode("utf-8", "surrogateescape") + b"\r\n" + draw(mime_part())
    if draw(st.integers(0, 4)) == 0:
        # line-ending chaos: bare LF, bare CR, NULs
        raw = raw.replace(b"\r\n", draw(st.sampled_from((b"\n", b"\r", b"\r\n\x00"))))
    return raw
