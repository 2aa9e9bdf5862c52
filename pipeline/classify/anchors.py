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
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = [
    "IGNORECASE_ASCII_TWINS",
    "Guide",
    "anchor_of",
    "anchors_for",
    "ascii_probe",
    "guide_for",
    "guided_finditer",
]

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


# Widest spread of possible match starts per anchor occurrence worth enumerating.
_MAX_SPREAD = 64


def _start_runs(
    items: Iterable[tuple[Any, Any]],
    state: Any,
    ignore_case: bool,
    offset: tuple[int, int] | None,
    out: list[tuple[str, int, int]],
    cur: list[str],
    cur_at: list[tuple[int, int] | None],
) -> tuple[int, int] | None:
    """Like :func:`_runs`, also tracking each run's offset range from the match start.

    ``offset`` is the (min, max) width matched before the current item, None once
    it is unbounded.  Returns the offset after ``items``.
    """

    def flush() -> None:
        if cur and cur_at[0] is not None:
            lo, hi = cur_at[0]
            out.append(("".join(cur), lo, hi))
        cur.clear()

    for op, av in items:
        if op is _parser.LITERAL and (av < 128 or not ignore_case):
            if not cur:
                cur_at[0] = offset
            cur.append(chr(av).lower() if ignore_case else chr(av))
            width: tuple[int, int] | None = (1, 1)
        elif op is _parser.SUBPATTERN and not av[1] and not av[2]:
            offset = _start_runs(av[3].data, state, ignore_case, offset, out, cur, cur_at)
            continue
        else:
            flush()
            try:
                lo, hi = _parser.SubPattern(state, [(op, av)]).getwidth()
            except Exception:  # noqa: BLE001 - unknown width: later runs get no start
                width = None
            else:
                width = (lo, hi) if hi < _parser.MAXREPEAT else None
        if offset is not None and width is not None:
            offset = (offset[0] + width[0], offset[1] + width[1])
        else:
            offset = None
    return offset


def _start_anchor(alternative: str, ignore_case: bool) -> tuple[str, int, int] | None:
    try:
        parsed = _parser.parse(alternative)
    except Exception:  # noqa: BLE001 - an unparsable pattern just gets no anchor
        return None
    runs: list[tuple[str, int, int]] = []
    cur: list[str] = []
    cur_at: list[tuple[int, int] | None] = [None]
    _start_runs(parsed.data, parsed.state, ignore_case, (0, 0), runs, cur, cur_at)
    if cur and cur_at[0] is not None:
        runs.append(("".join(cur), *cur_at[0]))
    runs = [r for r in runs if r[2] - r[1] <= _MAX_SPREAD]
    # The longest literal (fewest false candidates); among equals the earliest.
    return max(runs, key=lambda r: len(r[0]), default=None)


@dataclass(frozen=True, slots=True)
class Guide:
    """What is known about where an alternation can match.

    ``anchors``: one of these literals occurs in every match (None: nothing proven).
    ``starts``: per alternative, a literal and the (min, max) distance from the
    match start to it; every match starts ``min..max`` characters before an
    occurrence of one of them (None when some alternative has no such literal).
    """

    anchors: tuple[str, ...] | None
    starts: tuple[tuple[str, int, int], ...] | None


def guide_for(alternatives: Iterable[str], ignore_case: bool) -> Guide:
    """The :class:`Guide` of ``alternatives`` joined with ``|`` (see module docstring)."""
    alts = list(alternatives)
    starts: list[tuple[str, int, int]] | None = []
    for alt in alts:
        start = _start_anchor(alt, ignore_case)
        if start is None or not start[0]:
            starts = None
            break
        assert starts is not None
        if start not in starts:
            starts.append(start)
    return Guide(anchors_for(alts, ignore_case), tuple(starts) if starts is not None else None)


def guided_finditer(
    regex: re.Pattern[str], text: str, probe: str | None, guide: Guide
) -> Iterator[re.Match[str]]:
    """Exactly ``regex.finditer(text)``, for a regex that is the guide's alternation.

    ``probe`` is the text anchors are looked up in: ``text`` itself for a
    case-sensitive regex, :func:`ascii_probe` of it for a case-insensitive one.
    Instead of trying the regex at every position, it is tried only where a match
    can start (``match`` at a position sees the whole string, so lookbehinds behave
    as in a scan), in increasing order, resuming after each match as ``finditer``
    does.  Every alternative contains a non-empty literal, so no match is empty.
    """
    if probe is None:
        yield from regex.finditer(text)
        return
    if guide.anchors is not None and not any(a in probe for a in guide.anchors):
        return
    if guide.starts is None or len(probe) != len(text):
        # Lower-casing changed lengths (so positions differ) or starts are unknown.
        yield from regex.finditer(text)
        return
    candidates: set[int] = set()
    for anchor, lo, hi in guide.starts:
        i = probe.find(anchor)
        while i != -1:
            candidates.update(range(max(0, i - hi), i - lo + 1))
            i = probe.find(anchor, i + 1)
    resume = 0
    for pos in sorted(candidates):
        if pos < resume:
            continue
        m = regex.match(text, pos)
        if m is not None:
            yield m
            resume = m.end()
