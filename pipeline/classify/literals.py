"""Where many literals occur in a text, found in one pass.

Rules, topics and the account pattern try their regexes only near literals every
match must contain (see :mod:`pipeline.classify.anchors`).  A message is tested
against a few hundred such literals and contains a few dozen of them; one
``str.find`` loop per literal per field cost more than everything else in
classification, while one Aho-Corasick scan (a C automaton) reports every
occurrence of every literal at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ahocorasick

__all__ = ["MIN_INDEXED", "LiteralSet", "Occurrences"]

# Shorter literals ("a", "no", "12") occur in nearly every text: the automaton would
# report each of them hundreds of times per body to learn what ``in`` finds at once.
MIN_INDEXED = 3


class Occurrences:
    """Where each literal of a :class:`LiteralSet` occurs in one text."""

    __slots__ = ("searched", "starts")

    def __init__(self, searched: frozenset[str], starts: dict[str, list[int]]) -> None:
        self.searched = searched
        # Literal -> every (possibly overlapping) start offset, ascending; only the
        # literals that occur are keys.
        self.starts = starts

    def contains(self, literal: str, text: str) -> bool:
        """``literal in text``, answered from the scan when ``literal`` was searched for.

        ``text`` must be the text these occurrences were found in.
        """
        if literal in self.searched:
            return literal in self.starts
        return literal in text


class LiteralSet:
    """A fixed set of literals compiled into one automaton, to scan texts for all of them."""

    __slots__ = ("_automaton", "literals")

    def __init__(self, literals: Iterable[str]) -> None:
        self.literals = frozenset(lit for lit in literals if len(lit) >= MIN_INDEXED)
        # The library has no type stubs; None when there is nothing to search for.
        self._automaton: Any = None
        if self.literals:
            automaton = ahocorasick.Automaton()
            for lit in sorted(self.literals):
                # The automaton reports end offsets; keep what turns one into a start.
                automaton.add_word(lit, (lit, len(lit) - 1))
            automaton.make_automaton()
            self._automaton = automaton

    def occurrences(self, text: str) -> Occurrences:
        """Every occurrence in ``text`` of the literals (shorter ones are left to ``find``)."""
        starts: dict[str, list[int]] = {}
        if self._automaton is not None:
            for end, (lit, back) in self._automaton.iter(text):
                found = starts.get(lit)
                if found is None:
                    starts[lit] = [end - back]
                else:
                    found.append(end - back)
        return Occurrences(self.literals, starts)
