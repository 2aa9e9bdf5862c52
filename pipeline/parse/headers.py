"""Header decoding helpers on top of the standard library (RFC 5322, RFC 2047)."""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from email.header import Header, decode_header
from email.message import Message
from email.utils import getaddresses

from pipeline.parse.model import Address

_FOLDING = re.compile(r"\r?\n[ \t]*")
_MSG_ID = re.compile(r"<[^<>\s]*>")


def _bytes_to_text(data: bytes) -> str:
    # Raw 8-bit header bytes have no declared charset; UTF-8 is what modern
    # clients send (RFC 6532), windows-1252 what older ones send.  cp1252 leaves
    # five bytes undefined, so a final lossy UTF-8 decode keeps this total.
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace")


# An RFC 2047 encoded-word (section 2): =?charset[*language]?B|Q?text?=
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
# Whitespace between two encoded-words is not displayed (RFC 2047 section 6.2).
_BETWEEN_WORDS = re.compile(r"(\?=)[ \t\r\n]+(?==\?)")


def _decode_one(charset: str, encoding: str, text: str) -> str:
    charset = charset.split("*", 1)[0]
    if encoding in "bB":
        padded = text + "=" * (-len(text) % 4)
        data = base64.b64decode(padded, validate=True)
    else:
        data = quopri.decodestring(text.replace("_", " ").encode("ascii"), header=False)
    return data.decode(charset)


def decode_encoded_words(value: str) -> tuple[str, tuple[str, ...]]:
    """Decode each RFC 2047 encoded-word of ``value`` on its own; never raises.

    A word that does not decode (bad base64, unknown charset, bytes invalid in its
    charset) is kept as written, and a defect names it; the rest of the header is
    still decoded, so one broken word cannot empty a Subject.
    """
    if "=?" not in value:
        return value, ()
    defects: list[str] = []
    joined = _BETWEEN_WORDS.sub(r"\1", value)

    def one(m: re.Match[str]) -> str:
        try:
            return _decode_one(m.group(1), m.group(2), m.group(3))
        except (LookupError, UnicodeError, ValueError, binascii.Error) as exc:
            problem = type(exc).__name__
        # A base64 word cut short (a stray character at the end) still holds its
        # whole groups of four: decode those, and keep the word as written in the defect.
        body = m.group(3)
        whole = len(body) // 4 * 4
        if m.group(2) in "bB" and 0 < whole < len(body):
            try:
                decoded = _decode_one(m.group(1), "B", body[:whole])
            except (LookupError, UnicodeError, ValueError, binascii.Error):
                decoded = None
            if decoded is not None:
                defects.append(
                    f"encoded-word {m.group()[:60]!r} is cut short; the first {whole} of "
                    f"{len(body)} base64 characters were decoded"
                )
                return decoded
        defects.append(
            f"encoded-word {m.group()[:60]!r} could not be decoded ({problem}); kept as written"
        )
        return m.group()

    return _ENCODED_WORD.sub(one, joined), tuple(defects)


def decode_words(value: str | Header) -> str:
    """Decode RFC 2047 encoded words and 8-bit bytes in a header value; never raises.

    Unknown charsets and broken encoded words fall back to the undecoded text of that
    word, which is still the sender's header as written; the other words decode.
    """
    return decode_words_checked(value)[0]


def decode_words_checked(value: str | Header) -> tuple[str, tuple[str, ...]]:
    """:func:`decode_words`, also returning a defect for each word kept undecoded."""
    if isinstance(value, Header):
        chunks = []
        for raw, charset in decode_header(value):
            if isinstance(raw, str):
                chunks.append(raw)
            elif charset in (None, "unknown-8bit"):
                chunks.append(_bytes_to_text(raw))
            else:
                try:
                    chunks.append(raw.decode(charset, "replace"))
                except LookupError:
                    chunks.append(_bytes_to_text(raw))
        return "".join(chunks), ()
    text = str(value)
    defects: tuple[str, ...] = ()
    if "=?" in text:
        text, defects = decode_encoded_words(text)
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        # Surrogate escapes stand for raw 8-bit bytes the parser could not decode.
        text = _bytes_to_text(text.encode("ascii", "surrogateescape"))
    return text, defects


def unfold(value: str) -> str:
    """Undo RFC 5322 folding (section 2.2.3) and trim surrounding blanks."""
    return _FOLDING.sub(" ", value).strip()


def first_header(message: Message, name: str) -> str | None:
    """Return the decoded, unfolded first occurrence of a header, or ``None``."""
    return first_header_checked(message, name)[0]


def first_header_checked(message: Message, name: str) -> tuple[str | None, tuple[str, ...]]:
    """:func:`first_header`, also returning the defects of words kept undecoded."""
    value = message.get(name)
    if value is None:
        return None, ()
    if isinstance(value, str):
        # Unfold first: an encoded-word may be split across a folded line.
        value = unfold(value)
    text, defects = decode_words_checked(value)
    return unfold(text), defects


def message_ids(value: str | None) -> tuple[str, ...]:
    """Split a References / In-Reply-To value into its ``<id>`` tokens (RFC 5322 3.6.4).

    Values written without angle brackets (seen from broken clients) fall back
    to whitespace-separated words so that nothing the sender wrote is dropped.
    """
    if not value:
        return ()
    found = _MSG_ID.findall(value)
    if found:
        return tuple(found)
    return tuple(value.split())


def stdlib_addresses(message: Message, name: str) -> tuple[Address, ...]:
    """Addresses of every occurrence of a header, parsed by ``email.utils``."""
    values = message.get_all(name)
    if not values:
        return ()
    # Split first, decode names after: an encoded word may hide a comma
    # ("=?utf-8?q?Doe=2C_J?=") that must not split one mailbox into two.
    raw = [unfold(v if isinstance(v, str) else decode_words(v)) for v in values]
    return tuple((decode_words(n), decode_words(a)) for n, a in getaddresses(raw) if a)
