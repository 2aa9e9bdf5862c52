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
from dataclasses import dataclass, field
from typing import Any

from pipeline.classify.literals import Occurrences

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
# The regex engine's own "does this character have case variants" test (no stubs).
_sre: Any = importlib.import_module("_sre")

# The non-ASCII characters that an ASCII letter matches under ``re.IGNORECASE``
# (Unicode simple case folding plus the regex engine's extra equivalences):
# U+0130 and U+0131 (Turkish dotted/dotless i), U+017F (long s), U+212A (Kelvin
# sign).  A test recomputes this set over every code point.
IGNORECASE_ASCII_TWINS = frozenset("\u0130\u0131\u017f\u212a")


def _literal(code: int, ignore_case: bool) -> str | None:
    """The anchor text for a LITERAL, or None if it cannot be part of an anchor.

    Case-insensitive anchors are compared lower-cased (see :func:`ascii_probe`), which
    is exactly the engine's notion of "same letter" for ASCII.  A non-ASCII character
    is kept only if the engine itself treats it as uncased: then it compiles to an
    exact comparison, and lower-casing leaves it as it is.
    """
    if not ignore_case:
        return chr(code)
    if code < 128:
        return chr(code).lower()
    if not _sre.unicode_iscased(code) and chr(code).lower() == chr(code):
        return chr(code)
    return None


def _runs(
    items: Iterable[tuple[Any, Any]], ignore_case: bool, out: list[str], cur: list[str]
) -> None:
    for op, av in items:
        char = _literal(av, ignore_case) if op is _parser.LITERAL else None
        if char is not None:
            cur.append(char)
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
        char = _literal(av, ignore_case) if op is _parser.LITERAL else None
        if char is not None:
            if not cur:
                cur_at[0] = offset
            cur.append(char)
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


# Splitting stops at this many sequences per alternative.
_MAX_EXPANSIONS = 32
# A literal run this long is selective enough to anchor on.
_GOOD_RUN = 3


def _expansions(items: list[tuple[Any, Any]]) -> list[list[tuple[Any, Any]]]:
    """``items`` spelled out: plain groups inlined, ``X?`` and alternations split.

    ``A(?:X)?B`` matches exactly what ``AXB`` or ``AB`` match, and ``A(?:X|Y)B``
    what ``AXB`` or ``AYB`` match, so a match of ``items`` is a match of one of
    the sequences returned, and each sequence may have a literal near its start
    where ``items`` had none (``12 cfr 1024.35`` / ``1024.35``).  Splitting stops
    at :data:`_MAX_EXPANSIONS` sequences; what is left unsplit is still exact.
    """
    out: list[list[tuple[Any, Any]]] = []
    todo: list[tuple[list[tuple[Any, Any]], int]] = [(items, 0)]
    while todo:
        seq, i = todo.pop()
        run = longest = 0
        while i < len(seq):
            op, av = seq[i]
            variants: list[list[tuple[Any, Any]]] | None = None
            if op is _parser.LITERAL:
                run += 1
                longest = max(longest, run)
            else:
                run = 0
            if longest >= _GOOD_RUN:
                # A usable literal is already near the start; splitting what follows
                # would only multiply sequences (and use up the budget others need).
                break
            if op is _parser.SUBPATTERN and not av[1] and not av[2]:
                variants = [list(av[3].data)]
            elif op in (_parser.MAX_REPEAT, _parser.MIN_REPEAT) and av[0] == 0 and av[1] == 1:
                variants = [list(av[2].data), []]
            elif op is _parser.BRANCH:
                variants = [list(branch.data) for branch in av[1]]
            if variants is None or len(out) + len(todo) + len(variants) > _MAX_EXPANSIONS:
                i += 1
                continue
            for variant in variants[1:]:
                todo.append((seq[:i] + variant + seq[i + 1 :], i))
            seq = seq[:i] + variants[0] + seq[i + 1 :]
        out.append(seq)
    return out


def _start_anchors(alternative: str, ignore_case: bool) -> list[tuple[str, int, int, str]] | None:
    """Per way to match: a literal at a bounded distance from the start, and the longest
    literal that way must contain (see :class:`Guide`); None if some way has none."""
    try:
        parsed = _parser.parse(alternative)
    except Exception:  # noqa: BLE001 - an unparsable pattern just gets no anchor
        return None
    expansions = _expansions(list(parsed.data))
    found: list[tuple[str, int, int, str]] = []
    for seq in expansions:
        runs: list[tuple[str, int, int]] = []
        cur: list[str] = []
        cur_at: list[tuple[int, int] | None] = [None]
        _start_runs(seq, parsed.state, ignore_case, (0, 0), runs, cur, cur_at)
        if cur and cur_at[0] is not None:
            runs.append(("".join(cur), *cur_at[0]))
        runs = [r for r in runs if r[0] and r[2] - r[1] <= _MAX_SPREAD]
        if not runs:
            return None
        # The longest literal (fewest false candidates); among equals the earliest.
        best = max(runs, key=lambda r: len(r[0]))
        every: list[str] = []
        tail: list[str] = []
        _runs(seq, ignore_case, every, tail)
        if tail:
            every.append("".join(tail))
        required = max(every, key=len)
        entry = (*best, required)
        if entry not in found:
            found.append(entry)
    return found


@dataclass(frozen=True, slots=True)
class Guide:
    """What is known about where an alternation can match.

    ``anchors``: one of these literals occurs in every match (None: nothing proven).
    ``starts``: per way an alternative can match (its leading optional parts and
    alternations spelled out), ``(literal, min, max, required)``: such a match
    starts ``min..max`` characters before an occurrence of ``literal``, and
    contains ``required`` (its longest literal) somewhere; None when some way has
    no literal at a bounded distance from its start.
    """

    anchors: tuple[str, ...] | None
    starts: tuple[tuple[str, int, int, str], ...] | None
    # The start literals alone, to reject a text that holds none of them in one test.
    start_literals: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "start_literals", frozenset(s[0] for s in self.starts or ()))

    def literals(self) -> frozenset[str]:
        """Every literal :func:`guided_finditer` may test for this guide."""
        found = set(self.anchors or ())
        for anchor, _, _, required in self.starts or ():
            found.update((anchor, required))
        return frozenset(found)


def _implied(a: tuple[str, int, int, str], b: tuple[str, int, int, str]) -> bool:
    """True if every candidate start ``a`` yields is also one ``b`` yields."""
    lit_a, lo_a, hi_a, _ = a
    lit_b, lo_b, hi_b, req_b = b
    if req_b not in lit_a:
        # b is only enumerated when req_b is present; a's literal must guarantee it.
        return False
    k = lit_a.find(lit_b)
    while k != -1:
        # An occurrence of lit_a at i holds lit_b at i + k: b's starts cover a's.
        if hi_b - k >= hi_a and lo_b - k <= lo_a:
            return True
        k = lit_a.find(lit_b, k + 1)
    return False


def guide_for(alternatives: Iterable[str], ignore_case: bool) -> Guide:
    """The :class:`Guide` of ``alternatives`` joined with ``|`` (see module docstring)."""
    alts = list(alternatives)
    starts: list[tuple[str, int, int, str]] | None = []
    for alt in alts:
        found = _start_anchors(alt, ignore_case)
        if not found:
            starts = None
            break
        assert starts is not None
        starts.extend(entry for entry in found if entry not in starts)
    if starts is not None:
        starts = [
            a
            for i, a in enumerate(starts)
            if not any(
                j != i and _implied(a, b) and not (_implied(b, a) and j > i)
                for j, b in enumerate(starts)
            )
        ]
    return Guide(anchors_for(alts, ignore_case), tuple(starts) if starts is not None else None)


def guided_finditer(
    regex: re.Pattern[str],
    text: str,
    probe: str | None,
    guide: Guide,
    occurrences: Occurrences | None = None,
) -> Iterator[re.Match[str]]:
    """Exactly ``regex.finditer(text)``, for a regex that is the guide's alternation.

    ``probe`` is the text anchors are looked up in: ``text`` itself for a
    case-sensitive regex, :func:`ascii_probe` of it for a case-insensitive one.
    Instead of trying the regex at every position, it is tried only where a match
    can start (``match`` at a position sees the whole string, so lookbehinds behave
    as in a scan), in increasing order, resuming after each match as ``finditer``
    does.  Every alternative contains a non-empty literal, so no match is empty.
    ``occurrences``, found in ``probe``, gives where literals occur without a search
    per literal.
    """
    if probe is None:
        yield from regex.finditer(text)
        return
    starts = guide.starts
    if starts is None or len(probe) != len(text):
        # Starts are unknown, or lower-casing changed lengths (so positions differ).
        if guide.anchors is None or any(_occurs(a, probe, occurrences) for a in guide.anchors):
            yield from regex.finditer(text)
        return
    if (
        occurrences is not None
        and occurrences.starts.keys().isdisjoint(guide.start_literals)
        and guide.start_literals <= occurrences.searched
    ):
        return
    candidates: set[int] = set()
    add = candidates.add
    find = probe.find
    # Past this many candidates, one regex scan is cheaper than a match per candidate.
    limit = len(text) >> 4
    present: dict[str, bool] = {}
    for anchor, lo, hi, required in starts:
        if required != anchor:
            # Several start literals often share a required one ("no ... aplicado").
            ok = present.get(required)
            if ok is None:
                ok = present[required] = _occurs(required, probe, occurrences)
            if not ok:
                continue
        if occurrences is not None and anchor in occurrences.searched:
            at = occurrences.starts.get(anchor)
            if at is None:
                continue
            if hi == 0:
                candidates.update(at)
            else:
                for i in at:
                    candidates.update(range(max(0, i - hi), i - lo + 1))
        else:
            i = find(anchor)
            if i == -1:
                continue
            if hi == 0:
                while i != -1:
                    add(i)
                    i = find(anchor, i + 1)
            else:
                while i != -1:
                    candidates.update(range(max(0, i - hi), i - lo + 1))
                    i = find(anchor, i + 1)
        if len(candidates) > limit:
            yield from regex.finditer(text)
            return
    if not candidates:
        return
    resume = 0
    match = regex.match
    for pos in sorted(candidates):
        if pos < resume:
            continue
        m = match(text, pos)
        if m is not None:
            yield m
            resume = m.end()


def _occurs(literal: str, probe: str, occurrences: Occurrences | None) -> bool:
    if occurrences is None:
        return literal in probe
    return occurrences.contains(literal, probe)
