"""Raw RFC 5322 bytes -> :class:`ParsedMessage`.

The standard library parses the MIME tree once (``policy=compat32``, the fastest
policy and the one mail-parser expects); mail-parser then works on that same tree
for what it does well: address lists, dates, body charset recovery and its own
defect diagnostics.  Attachments are collected here from the stdlib tree rather
than from mail-parser's list, because that list loses information we must keep:
it does not say which nested message a part came from, it invents random names
for unnamed parts (the ledger must be deterministic), and it hands payloads back
base64-encoded, which would cost two extra copies of every large attachment.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.errors
import email.feedparser
import email.parser
import importlib
import io
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import Message
from email.policy import compat32
from email.utils import parsedate_to_datetime
from typing import TypeVar

import mailparser

from pipeline.parse.headers import (
    decode_words,
    first_header_checked,
    message_ids,
    stdlib_addresses,
    unfold,
)
from pipeline.parse.html_text import html_to_text
from pipeline.parse.model import Address, ParsedAttachment, ParsedMessage
from pipeline.parse.tnef import expand_tnef, is_tnef

# Past this depth a MIME tree is an attack, not mail; real clients nest a
# handful of levels (mixed > alternative > related, plus forwarded messages).
MAX_DEPTH = 40

_T = TypeVar("_T")

# message_from_bytes decodes the whole message to one str and reads it back
# through a StringIO, which stores 4 bytes per character: a 30 MB message cost
# over 200 MB there.  Feeding the feed parser the same 8 KiB slices that
# Parser.parse reads builds the very same tree without those copies.
_FEED_CHUNK = 8192
# Characters of a base64 body cleaned and decoded at a time (see _decode_base64_text).
_B64_SLICE = 1 << 20

# The decoder Message.get_payload(decode=True) itself uses for base64 bodies,
# so bytes and defects stay the stdlib's own; email._encoded_words has no stubs.
_decode_b: Callable[[bytes], tuple[bytes, list[email.errors.MessageDefect]]] = (
    importlib.import_module("email._encoded_words").decode_b
)

# Human wording for the stdlib's defect classes (email.errors); the class
# docstrings are terse and written for programmers.
_DEFECT_TEXT: dict[str, str] = {
    "NoBoundaryInMultipartDefect": "a multipart part declares no boundary",
    "StartBoundaryNotFoundDefect": "the multipart boundary never appears in the body",
    "CloseBoundaryNotFoundDefect": (
        "the closing multipart boundary is missing (the message may be truncated)"
    ),
    "FirstHeaderLineIsContinuationDefect": "the first header line is a continuation line",
    "MisplacedEnvelopeHeaderDefect": "a 'From ' envelope line appears among the headers",
    "MissingHeaderBodySeparatorDefect": (
        "a header line has no colon, so the body may have started early"
    ),
    "MultipartInvariantViolationDefect": "the part claims to be multipart but has no parts",
    "InvalidMultipartContentTransferEncodingDefect": (
        "a multipart part declares a transfer encoding other than 7bit, 8bit or binary"
    ),
    "UndecodableBytesDefect": "a header contains bytes that cannot be decoded",
    "InvalidBase64PaddingDefect": "base64 data has wrong padding",
    "InvalidBase64CharactersDefect": "base64 data contains characters outside its alphabet",
    "InvalidBase64LengthDefect": "base64 data has an impossible length (truncated?)",
    "InvalidHeaderDefect": "a header is malformed",
    "HeaderMissingRequiredValue": "a header is missing its required value",
    "NonPrintableDefect": "a header contains non-printable characters",
    "ObsoleteHeaderDefect": "a header uses obsolete syntax",
    "NonASCIILocalPartDefect": "an address has non-ASCII characters in its local part",
    "InvalidDateDefect": "the Date header cannot be parsed",
}
_STDLIB_DEFECT_NAMES = frozenset(
    name for name in dir(email.errors) if name.endswith(("Defect", "HeaderMissingRequiredValue"))
)
# mail-parser categories worth passing on; its Received-header diagnostics are
# about trace hops, not about the message a person reads, and are left out.
_MAILPARSER_KEEP = (
    "AddressHeaderDefect",
    "DateHeaderDefect",
    "MimeHeaderDefect",
    "CharsetDecodeDefect",
)


class _Collector:
    """Mutable state of one walk over the MIME tree."""

    def __init__(self) -> None:
        self.attachments: list[ParsedAttachment] = []
        self.defects: list[str] = []
        self.bodies: dict[str, list[str]] = {"text/plain": [], "text/html": []}

    def defect(self, text: str) -> None:
        # get_payload(decode=True) re-appends the same defect object on every
        # call, and mail-parser decodes some parts too, so keep each text once.
        if text not in self.defects:
            self.defects.append(text)


def _where(section: str) -> str:
    return f"part {section}" if section else "message"


def _part_defects(part: Message, section: str, out: _Collector) -> None:
    for defect in part.defects:
        name = type(defect).__name__
        text = _DEFECT_TEXT.get(name) or (defect.__doc__ or name).strip().splitlines()[0]
        out.defect(f"{_where(section)}: {text}")


def _safe(call: Callable[[], _T], fallback: _T) -> _T:
    try:
        return call()
    except Exception:  # noqa: BLE001 - stdlib accessors on hostile parts; fallback is recorded
        return fallback


def _filename(part: Message, section: str, out: _Collector) -> str | None:
    # get_filename() collapses RFC 2231 parameters (charset and continuations);
    # encoded words inside a filename are not standard (RFC 2047 section 5
    # forbids them in parameters) but Outlook and Gmail send them, so decode too.
    raw = _safe(part.get_filename, None)
    if raw is None:
        return None
    name = unfold(decode_words(raw))
    if "\ufffd" in name:
        out.defect(f"{_where(section)}: the attachment name has undecodable characters")
    return name or None


def _decode_text(payload: bytes, charset: str | None, section: str, out: _Collector) -> str:
    codec = charset or "us-ascii"
    try:
        return payload.decode(codec)
    except UnicodeDecodeError:
        pass
    except (LookupError, ValueError):
        # Unknown names and non-text codecs ("base64") both land here, and so does a
        # name the codec registry refuses outright (an embedded NUL: ValueError).
        out.defect(
            f"{_where(section)}: unknown charset {codec!r}; decoded as UTF-8 "
            "with replacement characters"
        )
        return payload.decode("utf-8", "replace")
    out.defect(f"{_where(section)}: bytes invalid in charset {codec!r} were replaced")
    if codec.lower() in ("us-ascii", "ascii"):
        # 8-bit text labelled ASCII (or not labelled) is UTF-8 more often than not.
        return payload.decode("utf-8", "replace")
    return payload.decode(codec, "replace")


def _parse_tree(raw: bytes) -> Message:
    parser = email.feedparser.BytesFeedParser(policy=compat32)
    for start in range(0, len(raw), _FEED_CHUNK):
        parser.feed(raw[start : start + _FEED_CHUNK])
    return parser.close()


def _decoded_payload(part: Message) -> object:
    """``part.get_payload(decode=True)``, with fewer copies of a large base64 body.

    The stdlib splits the body into a list of lines and joins them again before
    decoding (about three times the body's size at once); deleting the line ends
    in one pass gives the decoder the same bytes.  Everything but an ASCII base64
    body goes through get_payload unchanged.
    """
    cte = str(part.get("content-transfer-encoding", "")).lower()
    if cte == "base64" and not part.is_multipart():
        try:
            payload = part.get_payload()
        except Exception:  # noqa: BLE001 - its charset step (non-ASCII bodies only) may fail
            payload = None
        if isinstance(payload, str) and payload.isascii():
            # An ASCII str has no surrogate escapes, so this is get_payload's own
            # bpayload; bytes.splitlines breaks at exactly \r and \n.
            value, defects = _decode_base64_text(payload)
            for defect in defects:
                part.policy.handle_defect(part, defect)
            return value
    return part.get_payload(decode=True)


def _decode_base64_text(payload: str) -> tuple[bytes, list[email.errors.MessageDefect]]:
    """``_decode_b`` of the ASCII ``payload`` without its line ends: the same bytes and
    defects, decoded a slice at a time.

    Encoding the whole body and deleting its line ends made two more copies of it at
    once (a 29 MB base64 body: 58 MB on top of the tree's own copy). Slices of
    ``_B64_SLICE`` characters are cleaned and decoded in groups of four, and only the
    decoded bytes grow. A slice that is not plain base64 (a character outside the
    alphabet, or padding before the end) sends the whole body the stdlib's way, so
    damaged bodies get exactly the stdlib's bytes and defects.
    """
    out = io.BytesIO()
    carry = b""
    for start in range(0, len(payload), _B64_SLICE):
        clean = carry + payload[start : start + _B64_SLICE].encode("ascii").translate(None, b"\r\n")
        if start + _B64_SLICE >= len(payload):
            carry = clean  # the end, padding and all, is decoded as the stdlib does
            break
        cut = len(clean) - len(clean) % 4
        head, carry = clean[:cut], clean[cut:]
        if b"=" in head:
            return _decode_b(payload.encode("ascii").translate(None, b"\r\n"))
        try:
            out.write(base64.b64decode(head, validate=True))
        except binascii.Error:
            return _decode_b(payload.encode("ascii").translate(None, b"\r\n"))
    value, defects = _decode_b(carry)
    if not all(isinstance(d, email.errors.InvalidBase64PaddingDefect) for d in defects):
        return _decode_b(payload.encode("ascii").translate(None, b"\r\n"))
    out.write(value)
    return out.getvalue(), defects


def _as_bytes(message: Message) -> bytes:
    # compat32 keeps header and body lines as read, so re-serialising a nested
    # message gives back its wire bytes (as_bytes never adds '>From' quoting).
    return _safe(lambda: message.as_bytes(unixfrom=False), b"")


def _walk(
    part: Message,
    section: str,
    nested_in: tuple[str, ...],
    depth: int,
    out: _Collector,
    in_nested: bool,
) -> None:
    ctype = part.get_content_type()
    if depth > MAX_DEPTH:
        out.defect(
            f"{_where(section)}: MIME nesting deeper than {MAX_DEPTH} levels; "
            "inner parts were not examined"
        )
        return
    children = part.get_payload() if part.is_multipart() else None
    if isinstance(children, list) and ctype.startswith("multipart/"):
        _part_defects(part, section, out)
        for index, child in enumerate(children, 1):
            if isinstance(child, Message):
                child_section = f"{section}.{index}" if section else str(index)
                _walk(child, child_section, nested_in, depth + 1, out, in_nested)
        return
    here = section or "1"
    if ctype.startswith("multipart/"):
        # A multipart whose boundary never appears is left as one blob of text;
        # mail clients show no parts for it either.  The defect is recorded and
        # the bytes stay in the stored raw message.
        _part_defects(part, here, out)
        return
    disposition = _safe(part.get_content_disposition, None)
    content_id = part.get("Content-ID")
    content_id = unfold(str(content_id)) if content_id is not None else None
    declared = ctype if part.get("Content-Type") is not None else None
    filename = _filename(part, here, out)
    inline = disposition == "inline" or (disposition is None and content_id is not None)

    def attach(payload: bytes) -> None:
        out.attachments.append(
            ParsedAttachment(
                part_id=here,
                filename=filename,
                content_type=declared,
                content_disposition=disposition,
                content_id=content_id,
                payload=payload,
                is_inline=inline,
                nested_in=nested_in,
            )
        )

    if (
        isinstance(children, list)
        and ctype in ("message/rfc822", "message/global")
        and children
        and isinstance(children[0], Message)
    ):
        inner = children[0]
        payload = _as_bytes(inner)
        _part_defects(part, here, out)
        attach(payload)
        # IMAP numbering (RFC 3501 section 6.4.5): a nested multipart's parts are
        # here.1, here.2, ...; a nested single part is here.1.
        inner_section = here if inner.is_multipart() else f"{here}.1"
        _walk(inner, inner_section, (*nested_in, here), depth + 1, out, True)
        return

    if isinstance(children, list):
        # Other message/* types (delivery-status, disposition-notification) are
        # header blocks; keep them as one attachment in their wire form.
        payload = b"\n".join(_as_bytes(c) for c in children if isinstance(c, Message))
    else:
        decoded = _safe(lambda: _decoded_payload(part), None)
        payload = decoded if isinstance(decoded, bytes) else b""
    _part_defects(part, here, out)

    is_body = (
        ctype in ("text/plain", "text/html") and disposition != "attachment" and filename is None
    )
    if is_body:
        if not in_nested:
            charset = _safe(lambda: part.get_content_charset(), None)
            out.bodies[ctype].append(_decode_text(payload, charset, here, out))
        return
    attach(payload)
    if is_tnef(declared, filename, payload):
        files, problem = expand_tnef(payload)
        if problem:
            out.defect(f"{_where(here)}: {problem}")
        for index, item in enumerate(files, 1):
            out.attachments.append(
                ParsedAttachment(
                    part_id=f"{here}.tnef{index}",
                    filename=item.filename,
                    content_type=None,
                    content_disposition="attachment",
                    content_id=None,
                    payload=item.payload,
                    is_inline=False,
                    nested_in=(*nested_in, here),
                    source="tnef",
                )
            )


def _mailparser_defects(parser: object, out: _Collector) -> None:
    for group in getattr(parser, "defects", None) or []:
        if not isinstance(group, dict):
            continue
        for texts in group.values():
            for text in texts if isinstance(texts, list) else []:
                category = str(text).split(":", 1)[0]
                # Stdlib defects are reported by _part_defects with a part number.
                if category in _MAILPARSER_KEEP and category not in _STDLIB_DEFECT_NAMES:
                    out.defect(str(text))


def _addresses(parser: object | None, message: Message, name: str) -> tuple[Address, ...]:
    if parser is not None:
        # mail-parser reads the first occurrence with its own RFC 5322 grammar and
        # decodes display names in context; attribute names use "_" for "-".
        value = _safe(lambda: getattr(parser, name.lower().replace("-", "_") + "_"), None)
        if isinstance(value, list):
            found = tuple(
                (str(n), str(a)) for n, a in (item for item in value if len(item) == 2) if a
            )
            if found:
                return found
    # mail-parser drops what it cannot validate (a bare "To: accounts" without a
    # domain); the stdlib reading keeps what the sender wrote, which is evidence.
    return _safe(lambda: stdlib_addresses(message, name), ())


def _parse_date(raw: str | None, parser: object | None, out: _Collector) -> datetime | None:
    if raw is None:
        out.defect("message: no Date header")
        return None
    try:
        parsed = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        parsed = None
    if parsed is None and parser is not None:
        # mail-parser recovers more broken real-world dates (always in UTC).
        fallback = _safe(lambda: getattr(parser, "date", None), None)
        parsed = fallback if isinstance(fallback, datetime) else None
    if parsed is None:
        out.defect(f"message: the Date header {raw[:80]!r} cannot be parsed")
        return None
    if parsed.tzinfo is None:
        # RFC 5322 section 3.3: "-0000" means the time is in UTC but the
        # sender's zone is unknown; parsedate_to_datetime returns it naive.
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _join(parts: list[str]) -> str:
    # Bodies are a text view (the raw message is stored byte-exact elsewhere),
    # so line ends are normalised for search and classification.
    return "\n".join(p.replace("\r\n", "\n") for p in parts if p)


def _salvage_headers(raw: bytes) -> Message:
    try:
        return email.parser.BytesHeaderParser(policy=compat32).parsebytes(raw)
    except Exception:  # noqa: BLE001 - last resort; an empty message still records the failure
        return Message()


def _list_header_names(message: Message) -> tuple[str, ...]:
    """Names of the RFC 2369 ``List-*`` fields present (bulk mail often has no List-Id)."""
    return tuple(sorted({k.lower() for k in message if k.lower().startswith("list-")}))


def parse_message(raw: bytes) -> ParsedMessage:
    """Parse one raw RFC 5322 message; never raises on bad input.

    Problems with the message become ``defects``; if the MIME tree cannot be
    built at all (for example nesting so deep that the parser gives up),
    ``parse_error`` says why and the headers are still returned.
    """
    out = _Collector()
    parse_error: str | None = None
    try:
        message = _parse_tree(raw)
    except RecursionError:
        parse_error = "the MIME structure is nested too deeply to parse"
        message = _salvage_headers(raw)
    except Exception as exc:  # noqa: BLE001 - any stdlib failure is a parse error, not a crash
        parse_error = f"the message could not be parsed ({type(exc).__name__})"
        message = _salvage_headers(raw)

    parser: object | None = None
    if parse_error is None:
        try:
            parser = mailparser.MailParser(message)
        except RecursionError:
            out.defect("message: mail-parser gave up on the nesting depth; stdlib view used")
        except Exception as exc:  # noqa: BLE001 - fall back to the stdlib view, noted below
            out.defect(f"message: mail-parser failed ({type(exc).__name__}); stdlib view used")
        try:
            _walk(message, "", (), 0, out, in_nested=False)
        except RecursionError:
            parse_error = "the MIME structure is nested too deeply to walk"
    else:
        _part_defects(message, "", out)
    if parser is not None:
        _mailparser_defects(parser, out)

    # Bodies come from the walk, not from mail-parser: mail-parser returns 7bit
    # text without applying its declared charset (iso-2022-jp is 7bit and came
    # back as escape sequences), and it mixes in text from forwarded messages,
    # which are kept whole as message/rfc822 attachments instead.
    text = _join(out.bodies["text/plain"])
    html = _join(out.bodies["text/html"])

    def header(name: str) -> str | None:
        nothing: tuple[str | None, tuple[str, ...]] = (None, ())
        value, defects = _safe(lambda: first_header_checked(message, name), nothing)
        for problem in defects:
            out.defect(f"header {name}: {problem}")
        return value

    message_id = header("Message-ID")
    if not message_id:
        out.defect("message: no Message-ID header")
        message_id = None
    subject = header("Subject")
    date_raw = header("Date")
    date = _parse_date(date_raw, parser, out)
    in_reply_to = header("In-Reply-To")
    from_ = _addresses(parser, message, "From")
    if not from_:
        out.defect("message: no usable From address")
    return ParsedMessage(
        message_id=message_id,
        from_=from_,
        to=_addresses(parser, message, "To"),
        cc=_addresses(parser, message, "Cc"),
        reply_to=_addresses(parser, message, "Reply-To"),
        date_raw=date_raw,
        date=date,
        subject=subject,
        in_reply_to=in_reply_to,
        references=message_ids(header("References")),
        auto_submitted=header("Auto-Submitted"),
        precedence=header("Precedence"),
        list_id=header("List-Id"),
        return_path=header("Return-Path"),
        list_headers=_safe(lambda: _list_header_names(message), ()),
        text=text,
        html=html,
        html_text=_safe(lambda: html_to_text(html), ""),
        attachments=tuple(out.attachments),
        defects=tuple(out.defects),
        parse_error=parse_error,
        x_autoreply=header("X-Autoreply"),
        x_autorespond=header("X-Autorespond"),
        x_auto_response_suppress=header("X-Auto-Response-Suppress"),
        authentication_results=header("Authentication-Results"),
        content_type=_safe(lambda: _top_content_type(message), None),
    )


def _top_content_type(message: Message) -> str | None:
    """``type/subtype`` of the whole message, with ``report-type`` for multipart/report."""
    if message.get("Content-Type") is None:
        return None
    ctype = message.get_content_type()
    report = message.get_param("report-type")
    if ctype == "multipart/report" and isinstance(report, str):
        return f"{ctype}; report-type={report.lower()}"
    return ctype
