"""Header decoding helpers on top of the standard library (RFC 5322, RFC 2047)."""

from __future__ import annotations

import contextlib
import re
from email.header import Header, decode_header, make_header
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


def decode_words(value: str | Header) -> str:
    """Decode RFC 2047 encoded words and 8-bit bytes in a header value; never raises.

    Unknown charsets and broken encoded words fall back to the undecoded text,
    which is still the sender's header as written.
    """
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
        return "".join(chunks)
    text = str(value)
    if "=?" in text:
        # Broken encoded words stay as written: still the sender's header.
        with contextlib.suppress(LookupError, UnicodeError, ValueError, TypeError, AssertionError):
            text = str(make_header(decode_header(text)))
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        # Surrogate escapes stand for raw 8-bit bytes the parser could not decode.
        text = _bytes_to_text(text.encode("ascii", "surrogateescape"))
    return text


def unfold(value: str) -> str:
    """Undo RFC 5322 folding (section 2.2.3) and trim surrounding blanks."""
    return _FOLDING.sub(" ", value).strip()


def first_header(message: Message, name: str) -> str | None:
    """Return the decoded, unfolded first occurrence of a header, or ``None``."""
    value = message.get(name)
    if value is None:
        return None
    return unfold(decode_words(value))


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
