"""Outbound mail built byte by byte from values the project controls (pure; no I/O).

Why not :class:`email.message.EmailMessage` for the header block: the standard
library refolds headers when it serialises them, and the refolding is where
header injection happened (CVE-2024-6923: an RFC 2047 encoded-word holding a
newline is decoded and written back unquoted) and where long msg-ids were turned
into encoded-words that no mail client reads as a msg-id. Here every header line
is written by this module from one of four kinds of value, each validated:

* :class:`Text`: unstructured text (a subject). Printable ASCII without ``=?`` is
  written as is; anything else becomes base64 RFC 2047 encoded-words, whose
  alphabet has no CR, LF or ``:``;
* :class:`Mailbox`: a strict addr-spec (dot-atom on both sides, no quoting, no
  comments) and an optional display name that must come from the configuration;
* :class:`MsgIds`: RFC 5322 msg-ids, written verbatim and folded only between ids;
* :class:`Token`: a fixed ASCII value (Date, Auto-Submitted, ...).

After composing, :func:`build_message` re-parses the exact bytes and fails closed
(:class:`~pipeline.errors.OutboundHeaderError`) if the header set or any value is
not what was intended. The body is a single ``text/plain; charset=utf-8`` part
in quoted-printable.
"""

from __future__ import annotations

import base64
import quopri
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email import message_from_bytes
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from email.policy import compat32, default

from pipeline.errors import OutboundHeaderError

# RFC 5322 section 3.2.3 atext, section 3.4.1 addr-spec (dot-atom forms only) and
# section 3.6.4 msg-id (id-left dot-atom-text, id-right dot-atom-text or no-fold-literal).
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_DOT_ATOM = rf"{_ATEXT}+(?:\.{_ATEXT}+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDR_SPEC = re.compile(rf"(?P<local>{_DOT_ATOM})@(?P<domain>{_LABEL}(?:\.{_LABEL})*)")
_MSG_ID = re.compile(rf"<{_DOT_ATOM}@(?:{_DOT_ATOM}|\[[\x21-\x5a\x5e-\x7e]*\])>")
_HEADER_NAME = re.compile(r"[\x21-\x39\x3b-\x7e]+")
_PLAIN_TEXT = re.compile(r"[\x20-\x7e]*")
_PLAIN_PHRASE = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~ .-]*")
_LOCAL_MAX = 64
_ADDRESS_MAX = 254
# Keeps every folded line far below the 998-octet limit (RFC 5322 section 2.1.1).
_MSG_ID_MAX = 900
_ENCODED_WORD_MAX = 75  # RFC 2047 section 2


def strict_addr_spec(value: str) -> str | None:
    """``value`` if it is exactly one plain addr-spec we can put in a header, else None.

    No display name, angle brackets, comments, quoting or whitespace are accepted:
    anything a sender could use to smuggle text is refused rather than cleaned.
    """
    match = _ADDR_SPEC.fullmatch(value)
    if match is None or len(value) > _ADDRESS_MAX or len(match["local"]) > _LOCAL_MAX:
        return None
    return value


def valid_msg_id(value: str) -> bool:
    """True if ``value`` is one RFC 5322 msg-id (``<left@right>``), short enough to send."""
    return len(value) <= _MSG_ID_MAX and _MSG_ID.fullmatch(value) is not None


@dataclass(frozen=True, slots=True)
class Text:
    """Unstructured text; encoded as RFC 2047 base64 words unless plain printable ASCII."""

    text: str


@dataclass(frozen=True, slots=True)
class Mailbox:
    """One address; ``name`` only ever from configuration, never from inbound mail."""

    address: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class MsgIds:
    """One or more validated msg-ids (Message-ID, In-Reply-To, References)."""

    ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Token:
    """A fixed printable-ASCII value chosen by the project (dates, keywords)."""

    value: str


HeaderValue = Text | Mailbox | MsgIds | Token


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """Finished bytes plus what the transports and the ledger need to know about them."""

    data: bytes
    """The exact bytes to send and store (CRLF line endings)."""
    recipients: tuple[str, ...]
    """Envelope recipients: the To addresses, already validated."""
    sender: str
    """The From addr-spec."""
    envelope_from: str
    """SMTP MAIL FROM; empty for the null path ``<>`` (RFC 3834 automatic replies)."""
    message_id: str
    header_names: tuple[str, ...]
    """The header fields in the order written (including the MIME ones)."""


@dataclass(frozen=True, slots=True)
class _Field:
    name: str
    lines: tuple[str, ...]  # the folded value: first line, then continuation lines
    text: str  # what a reader should see after decoding (the addr-spec for a mailbox)
    display: str = ""  # a mailbox's display name


def _encoded_words(text: str) -> list[str]:
    """``text`` as base64 UTF-8 encoded-words of at most 75 characters each."""
    words: list[str] = []
    chunk = ""
    for char in text:
        candidate = chunk + char
        # 12 = len("=?utf-8?b?") + len("?="); base64 grows 3 bytes into 4 characters.
        if 12 + 4 * ((len(candidate.encode("utf-8")) + 2) // 3) > _ENCODED_WORD_MAX:
            words.append(chunk)
            chunk = char
        else:
            chunk = candidate
    if chunk:
        words.append(chunk)
    return [
        "=?utf-8?b?" + base64.b64encode(w.encode("utf-8")).decode("ascii") + "?=" for w in words
    ]


def _plain(text: str) -> bool:
    # "=?" would be decoded by the reader's mail client as an encoded-word.
    return _PLAIN_TEXT.fullmatch(text) is not None and "=?" not in text


def _field(name: str, value: HeaderValue) -> _Field:
    if _HEADER_NAME.fullmatch(name) is None:
        raise OutboundHeaderError(f"refusing to write header name {name!r}")
    if isinstance(value, Text):
        if _plain(value.text) and len(name) + len(value.text) < 900:
            return _Field(name, (value.text,), value.text)
        if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in value.text):
            raise OutboundHeaderError(f"{name}: control characters in header text")
        return _Field(name, tuple(_encoded_words(value.text)), value.text)
    if isinstance(value, Mailbox):
        address = strict_addr_spec(value.address)
        if address is None:
            raise OutboundHeaderError(f"{name}: {value.address!r} is not a plain addr-spec")
        if not value.name:
            return _Field(name, (address,), address)
        if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in value.name):
            raise OutboundHeaderError(f"{name}: control characters in the display name")
        if _PLAIN_PHRASE.fullmatch(value.name) and "=?" not in value.name:
            phrase = [f'"{value.name}"']
        else:
            phrase = _encoded_words(value.name)
        return _Field(name, (*phrase[:-1], f"{phrase[-1]} <{address}>"), address, value.name)
    if isinstance(value, MsgIds):
        bad = [i for i in value.ids if not valid_msg_id(i)]
        if bad or not value.ids:
            raise OutboundHeaderError(f"{name}: not RFC 5322 msg-ids")
        return _Field(name, value.ids, " ".join(value.ids))
    if _PLAIN_TEXT.fullmatch(value.value) is None or len(value.value) > 900:
        raise OutboundHeaderError(f"{name}: value is not a short printable ASCII token")
    return _Field(name, (value.value,), value.value)


def _body_part(body: str, language: str | None) -> tuple[list[_Field], bytes]:
    """The MIME header fields (fixed values) and the quoted-printable body bytes."""
    encoded = quopri.encodestring(body.replace("\r\n", "\n").encode("utf-8"), quotetabs=False)
    payload = encoded.replace(b"\n", b"\r\n")
    if not payload.endswith(b"\r\n"):
        payload += b"\r\n"
    fields = [
        _Field("MIME-Version", ("1.0",), "1.0"),
        _Field("Content-Type", ('text/plain; charset="utf-8"',), 'text/plain; charset="utf-8"'),
        _Field("Content-Transfer-Encoding", ("quoted-printable",), "quoted-printable"),
    ]
    if language is not None:
        fields.append(_field("Content-Language", Token(language)))
    return fields, payload


def _unfold(raw: str) -> str:
    return re.sub(r"\r?\n(?=[ \t])", "", raw)


def _verify(data: bytes, fields: Sequence[_Field]) -> None:
    """Re-parse ``data`` and fail closed unless its headers are exactly ``fields``."""
    head, sep, _ = data.partition(b"\r\n\r\n")
    if not sep:
        raise OutboundHeaderError("composed message has no header/body separator")
    try:
        head.decode("ascii")
    except UnicodeDecodeError as exc:
        raise OutboundHeaderError("composed header block is not ASCII") from exc
    lines = head.split(b"\r\n")
    if any(b"\r" in line or b"\n" in line or len(line) > 998 for line in lines):
        raise OutboundHeaderError("composed header block has a bare CR/LF or an overlong line")
    raw = BytesHeaderParser(policy=compat32).parsebytes(data)
    if raw.defects:
        raise OutboundHeaderError(f"composed headers have defects: {raw.defects}")
    found = [(name, _unfold(value)) for name, value in raw.items()]
    wanted = [(f.name, " ".join(f.lines)) for f in fields]
    if [n.lower() for n, _ in found] != [n.lower() for n, _ in wanted]:
        raise OutboundHeaderError(
            "composed message has headers the project did not set: "
            f"{[n for n, _ in found]} instead of {[n for n, _ in wanted]}"
        )
    for (name, got), (_, want) in zip(found, wanted, strict=True):
        if got != want:
            raise OutboundHeaderError(f"{name}: composed value differs from the intended one")
    parsed = message_from_bytes(data, policy=default)
    for f in fields:
        value = parsed[f.name]
        if f.name.lower() in ("from", "to"):
            addresses = getattr(value, "addresses", ())
            if [(a.addr_spec, a.display_name) for a in addresses] != [(f.text, f.display)]:
                raise OutboundHeaderError(f"{f.name}: a reader would see another mailbox")
        elif f.name.lower() == "subject":
            seen = str(make_header(decode_header(" ".join(f.lines))))
            if seen != f.text or str(value) != f.text:
                raise OutboundHeaderError(f"{f.name}: a reader would see other text")


def build_message(
    headers: Sequence[tuple[str, HeaderValue]],
    body: str,
    language: str | None = None,
    envelope_from: str | None = None,
) -> OutboundMessage:
    """Compose, re-parse and check a message; raise ``OutboundHeaderError`` on any doubt.

    ``headers`` must include ``From`` (one :class:`Mailbox`), at least one ``To`` and a
    ``Message-ID``; each name may appear once. ``envelope_from`` defaults to the From
    address; ``""`` is the null path.
    """
    names = [n.lower() for n, _ in headers]
    if len(set(names)) != len(names):
        raise OutboundHeaderError(f"a header is set twice: {names}")
    values = dict((n.lower(), v) for n, v in headers)
    sender, to, message_id = values.get("from"), values.get("to"), values.get("message-id")
    if not isinstance(sender, Mailbox) or not isinstance(to, Mailbox):
        raise OutboundHeaderError("From and To must each be one validated mailbox")
    if not isinstance(message_id, MsgIds) or len(message_id.ids) != 1:
        raise OutboundHeaderError("Message-ID must be one msg-id")
    fields = [_field(name, value) for name, value in headers]
    mime, payload = _body_part(body, language)
    fields += mime
    head = "".join(f"{f.name}: " + "\r\n ".join(f.lines) + "\r\n" for f in fields)
    data = head.encode("ascii") + b"\r\n" + payload
    _verify(data, fields)
    return OutboundMessage(
        data=data,
        recipients=(to.address,),
        sender=sender.address,
        envelope_from=sender.address if envelope_from is None else envelope_from,
        message_id=message_id.ids[0],
        header_names=tuple(f.name for f in fields),
    )


__all__ = [
    "HeaderValue",
    "Mailbox",
    "MsgIds",
    "OutboundMessage",
    "Text",
    "Token",
    "build_message",
    "strict_addr_spec",
    "valid_msg_id",
]
