"""Overlap tests against a set of half-open spans in logarithmic time.

Rules drop a match that overlaps quoted reply text or an ``unless`` match, and the
sensitive-number scan keeps one finding per stretch of text. Testing each candidate
against a list of spans one by one is quadratic: a mail of 100,000 quoted lines with
a rule word on each made one poll take minutes. The spans are sorted and merged once,
and each test is a binary search.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable

__all__ = ["SpanSet"]


class SpanSet:
    """A fixed set of half-open ``(start, end)`` spans, merged where they overlap or touch."""

    __slots__ = ("_ends", "_starts")

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        starts: list[int] = []
        ends: list[int] = []
        for s, e in sorted(sp for sp in spans if sp[0] < sp[1]):
            if ends and s <= ends[-1]:
                # Overlapping or adjacent: extend the previous span.
                if e > ends[-1]:
                    ends[-1] = e
            else:
                starts.append(s)
                ends.append(e)
        self._starts = starts
        self._ends = ends

    def __bool__(self) -> bool:
        return bool(self._starts)

    def __len__(self) -> int:
        return len(self._starts)

    def items(self) -> list[tuple[int, int]]:
        """The merged spans, in order."""
        return list(zip(self._starts, self._ends, strict=True))

    def overlaps(self, start: int, end: int) -> bool:
        """True if ``[start, end)`` shares at least one position with a span of the set."""
        if start >= end or not self._starts:
            return False
        # The last span starting before ``end`` is the only candidate: the spans are
        # disjoint and sorted, so every earlier one ends before it starts.
        i = bisect_left(self._starts, end) - 1
        return i >= 0 and self._ends[i] > start

    def covers(self, pos: int) -> bool:
        """True if position ``pos`` lies inside a span of the set."""
        i = bisect_right(self._starts, pos) - 1
        return i >= 0 and self._ends[i] > pos
