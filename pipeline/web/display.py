"""Pure helpers that turn archive values into what a page may show.

Email HTML is hostile until proven otherwise: :func:`sanitize_email_html` keeps
only formatting markup (nh3, the maintained Rust ``ammonia`` binding), drops every
script, handler, style and form, and every URL that is not ``mailto:`` or a
``cid:`` part; pages then show it in an iframe with an empty ``sandbox`` and the
app's CSP, which allows no remote loads, as a second wall.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import nh3

from pipeline.classify.accounts import mask_account

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "small",
    "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "u", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "abbr": {"title"},
}

RECORD_ID = re.compile(r"^r-[0-9a-f]{24}$")
# Embeddings, overrides and isolates (Unicode's bidirectional controls, UAX #9): in a
# sender's name, a subject or a file name they reorder what follows, so
# "statement<U+202E>fdp.exe" reads as "statementexe.pdf". Marks (LRM, RLM, ALM) only
# nudge neighbouring characters, as Arabic and Hebrew text uses them, and are kept.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def bidi_controls_shown(text: str) -> str:
    """``text`` with each bidirectional embedding, override or isolate written out as
    ``[U+202E]``: shown as what it is, it can no longer reorder what a person reads."""
    return _BIDI_CONTROLS.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def sanitize_email_html(html: str) -> str:
    """Formatting markup only: no scripts, styles, forms, images or remote URLs."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def frame_document(body: str) -> str:
    """The sanitised body as the sandboxed frame's whole document."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Message</title>'
        f"</head><body>{body}</body></html>"
    )


def masked(numbers: Sequence[str]) -> str:
    """Account numbers as ``****1234``, comma-separated."""
    return ", ".join(mask_account(n) for n in numbers)


def is_record_id(value: str) -> bool:
    """True for a record id (``r-`` and 24 hex digits)."""
    return bool(RECORD_ID.fullmatch(value))


def is_sha256(value: str) -> bool:
    """True for 64 lower-case hex digits."""
    return bool(SHA256.fullmatch(value))


@dataclass(frozen=True)
class InContext:
    """A matched phrase with the words around it (the page marks ``match``)."""

    rule: str
    severity: str
    before: str
    match: str
    after: str


def in_context(text: str, rule: str, severity: str, matched: str, width: int = 60) -> InContext:
    """Where ``matched`` first occurs in ``text`` (any case), with ``width`` characters each side.

    Rules match normalised text, so the phrase may not occur verbatim: then it is
    shown alone.
    """
    at = text.lower().find(matched.lower()) if matched else -1
    if at < 0:
        return InContext(rule, severity, "", matched, "")
    end = at + len(matched)
    before = text[max(0, at - width) : at]
    after = text[end : end + width]
    return InContext(
        rule,
        severity,
        ("…" if at > width else "") + " ".join(before.split()),
        text[at:end],
        " ".join(after.split()) + ("…" if end + width < len(text) else ""),
    )
