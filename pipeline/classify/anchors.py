"""Literal anchors: a cheap necessary condition for a regex to match.

Most rule and keyword regexes match nothing in most messages, yet each one costs a
full regex scan of every field (their leading word-boundary lookbehind stops the
regex engine from skipping ahead to a likely first character).  If every match of a
regex must contain some literal string, and that string is not in the text, the
scan can be skipped: ``in`` on a string is a fast C substring search.

The anchor is derived from the parsed regex, conservatively: only literal
characters that sit in the top-level sequence of an alternative (directly or inside
plain groups) count; anything optional, repeated, alternated or flag-changing ends a
run.  When no anchor can be proven for an alternative, the regex always runs.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

__all__ = ["IGNORECASE_ASCII_TWINS", "anchor_of", "anchors_for", "ascii_probe"]

# ``re._parser`` has no type stubs; the deprecated ``sre_parse`` alias warns on import.
_parser: Any = importlib.import_module("re._parser")

# The non-ASCII characters that an ASCII letter matches under ``re.IGNORECASE``
# (Unicode simple case folding plus the regex engine's extra equivalences):
# U+0130 and U+0131 (Turkish dotted/dotless i), U+017F (long s), U+212A (Kelvin
# sign).  A test recomputes this set over every code point.
IGNORECASE_ASCII_TWINS = frozenset("\u0130\u0131\u017f\u212a")


def _runs(
    items: Iterable[tuple[Any, Any]], ignore_case: bool, out: list[str], cur: list[str]
) -> None:
    for op, av in items:
        if op is _parser.LITERAL and (av < 128 or not ignore_case):
            # Case-insensitive anchors are kept ASCII so that lower-casing both sides
            # is exactly the regex engine's notion of "same letter" (see ascii_probe).
            cur.append(chr(av).lower() if ignore_case else chr(av))
        elif op is _parser.SUBPATTERN and not av[1] and not av[2]:
            # (group, add_flags, del_flags, sub): a plain group is part of the sequence.
            _runs(av[3].data, ignore_case, out, cur)
        else:
            if cur:
                out.append("".join(cur))
                cur.clear()


def anchor_of(alternative: str, ignore_case: bool) -> str | None:
    """The longest literal every match of ``alternative`` contains, or None if none is proven."""
    try:
        parsed = _parser.parse(alternative)
    except Exception:  # noqa: BLE001 - an unparsable pattern just gets no anchor
        return None
    runs: list[str] = []
    cur: list[str] = []
    _runs(parsed.data, ignore_case, runs, cur)
    if cur:
        runs.append("".join(cur))
    return max(runs, key=len) if runs else None


def anchors_for(alternatives: Iterable[str], ignore_case: bool) -> tuple[str, ...] | None:
    """One anchor per alternative of an alternation; None if any alternative has none.

    The alternation can only match if at least one of the anchors occurs.
    """
    found: list[str] = []
    for alt in alternatives:
        anchor = anchor_of(alt, ignore_case)
        if not anchor:
            return None
        found.append(anchor)
    # An anchor that contains another is implied by it ("bankruptcy" by "bankrupt").
    return tuple(
        a
        for i, a in enumerate(found)
        if not any(b in a and (b != a or j < i) for j, b in enumerate(found) if j != i)
    )


def ascii_probe(text: str) -> str | None:
    """``text`` lower-cased for case-insensitive anchor tests, or None if that is unsafe.

    An ASCII anchor letter matches (under IGNORECASE) an ASCII character with the
    same lower case, or one of :data:`IGNORECASE_ASCII_TWINS`.  Without twins in the
    text, every case-insensitive occurrence of an ASCII anchor is a plain occurrence
    in the lower-cased text.
    """
    if not text.isascii() and any(twin in text for twin in IGNORECASE_ASCII_TWINS):
        return None
    return text.lower()
