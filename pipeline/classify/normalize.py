"""Text normalisation for matching, with offsets back into the original text.

Rules and keywords are matched against a *folded* copy of each field: Unicode
NFKC (so full-width letters, ligatures and non-breaking spaces compare equal to
their plain forms), case folding, and diacritics removed (so "ejecución" and
"ejecucion" are the same word, which matters because borrowers often type
Spanish without accents). Folding changes lengths ("ß" -> "ss", "ﬁ" -> "fi",
"e" + U+0301 -> "e"), so every folded character remembers the span of original
characters it came from; a match found in the folded text is reported as a span
of the original text, which is what a reviewer sees.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["NormalizedText", "fold", "fold_pattern", "normalize"]

# Printable ASCII folds to its lower case and maps one to one (NFKC and NFKD leave it
# alone, nothing in it is a format or combining character), so runs of it are folded
# in bulk; only the other characters go through ``_fold_char`` one by one.
_ASCII_RUN = re.compile(r"[\x00-\x7f]+")
_STROKED = {"đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o"}


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """Fold one code point: compatibility-decompose, drop marks, casefold, recompose."""
    category = unicodedata.category(ch)
    if category == "Cf":
        # Format characters (soft hyphen, zero-width space/joiner, bidi marks) are
        # invisible to a reader; dropping them stops "at\u00adtorney" evading a rule.
        return ""
    if ch in _STROKED:
        # Letters with a stroke do not decompose; Vietnamese typed without diacritics
        # writes "đ" as "d", so they fold to their base letter like accented ones.
        return _STROKED[ch]
    decomposed = unicodedata.normalize("NFKD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = unicodedata.normalize("NFKC", base.casefold())
    # Casefolding can reintroduce combining marks (e.g. "İ" -> "i̇"); drop them again.
    return "".join(c for c in folded if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A folded string plus, for each folded character, its original span.

    ``starts[j]`` and ``ends[j]`` are the original start and end offsets of the
    character that produced folded character ``j``; ``ends`` also covers any
    combining marks that followed it, so a span never cuts an accent in half.
    When every character folds to one, the maps are the identity and are kept as
    ``range`` objects (building 2 x 20,000-int tuples per body cost more than the
    folding itself).
    """

    original: str
    text: str
    starts: Sequence[int]
    ends: Sequence[int]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of the folded text to a span of the original text."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span {start}:{end} outside folded text of length {len(self.text)}")
        if start == end:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    def original_text(self, start: int, end: int) -> str:
        """The original characters behind a span of the folded text."""
        s, e = self.original_span(start, end)
        return self.original[s:e]


def normalize(text: str) -> NormalizedText:
    """Fold ``text`` for matching and keep the offset map (see module docstring)."""
    n = len(text)
    if text.isascii():
        # ASCII folds to its lower case one to one (see ``_ASCII_RUN``).
        return NormalizedText(text, text.lower(), range(n), range(1, n + 1))
    table = {ord(ch): _fold_char(ch) for ch in set(text)}
    if all(len(piece) == 1 for piece in table.values()):
        # Every character folds to exactly one (the usual case, accents included):
        # one translate call, and the offset map is the identity.
        return NormalizedText(text, text.translate(table), range(n), range(1, n + 1))
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for run in _ASCII_RUN.finditer(text):
        if run.start() > pos:
            _normalize_slow(text, pos, run.start(), out, starts, ends)
        lo, hi = run.span()
        out.append(run.group().lower())
        starts.extend(range(lo, hi))
        ends.extend(range(lo + 1, hi + 1))
        pos = hi
    if pos < len(text):
        _normalize_slow(text, pos, len(text), out, starts, ends)
    return NormalizedText(text, "".join(out), tuple(starts), tuple(ends))


def _normalize_slow(
    text: str, lo: int, hi: int, out: list[str], starts: list[int], ends: list[int]
) -> None:
    for i in range(lo, hi):
        ch = text[i]
        piece = _fold_char(ch)
        if not piece:
            if ends and unicodedata.combining(ch):
                # A stray combining mark belongs to the preceding letter: widen it so
                # the reported original span includes the accent.
                last = ends[-1]
                if last == i:
                    for j in range(len(ends) - 1, -1, -1):
                        if ends[j] != last:
                            break
                        ends[j] = i + 1
            continue
        for c in piece:
            out.append(c)
            starts.append(i)
            ends.append(i + 1)


def fold(text: str) -> str:
    """The folded form of ``text`` without the offset map (for phrases and keywords)."""
    if text.isascii():
        return text.lower()
    return text.translate({ord(ch): _fold_char(ch) for ch in set(text)})


def fold_pattern(pattern: str) -> str:
    """Fold a regex's letters as :func:`fold` folds text, so it matches folded text.

    Casefolding a whole regex would corrupt escapes (``\\S`` -> ``\\s``), so only
    non-ASCII characters are folded; the caller matches case-insensitively.
    """
    return "".join(ch if ch.isascii() else fold(ch) for ch in pattern)
