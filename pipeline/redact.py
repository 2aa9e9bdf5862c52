"""Masking of personal numbers in free text (pure; no I/O).

One rule for logs, events and outbound mail: a run of digit groups joined by single
spaces, hyphens or underscores ("123-45-6789", "4111 1111 1111 1111",
"ssn_123_45_6789") is masked down to its last four digits once it holds enough digits
to be an account, social security or card number. Groups joined by dots or slashes
("123.45.6789", "4111.1111.1111.1111", "04/12/1971/...") count only from nine digits
on, because text that only looks numeric is left alone: a masked citation or date is
useless to the person reading it:

- "12 CFR 1024.35(d)" and "1026.36(c)(3)" stay (six digits);
- ISO dates ("2026-12-03") and dates written with dots or slashes stay;
- acknowledgment reference numbers ("ML-2FMA-TVUD", "ML-2345-6789") and record ids
  ("r-" and 24 hex digits, all of them digits now and then) stay.

The scan is one regular-expression pass with no nested repetition, so it is
linear in the length of the text.

:func:`evidence_words` is what events and escalation mail carry of the words a rule
matched: a pattern may span a clause, and a clause may hold a name or an address.
"""

from __future__ import annotations

import re

__all__ = ["evidence_words", "mask_numbers"]

_KEEP = (
    r"(?P<keep>"
    r"\d{4}-\d{2}-\d{2}(?![\d-])"  # ISO date
    r"|(?<![A-Za-z0-9])[Mm][Ll]-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}(?![A-Za-z0-9])"  # reference
    r"|(?<![A-Za-z0-9])r-[0-9a-f]{24}(?![0-9A-Za-z])"  # record id (hex, by chance all digits)
    r")"
)
_RUN = r"\d+(?:[ \-_./]\d+)*"
_LOOSE_JOINS = frozenset("./")
_LOOSE_FROM_DIGITS = 9  # an SSN is nine digits; a date or a citation has fewer
# In logs a digit run touching hex letters is part of an identifier (a SHA-256, a
# record id, an object key), which is not personal and must stay greppable.
_STANDALONE = re.compile(_KEEP + r"|(?P<number>(?<![0-9A-Fa-f.])" + _RUN + r"(?![0-9A-Fa-f]|\.\d))")
# Event payloads carry identifiers only through typed fields, so their free text
# is masked even where the number is glued to letters ("statement_12345678.pdf").
_ANYWHERE = re.compile(_KEEP + r"|(?P<number>" + _RUN + r")")


def mask_numbers(text: str, *, min_digits: int = 6, inside_words: bool = False) -> str:
    """Mask digit runs of at least ``min_digits`` digits to ``****`` and their last four.

    ``inside_words`` also masks runs glued to letters or hex digits (used for event
    payloads); by default such runs are taken for identifiers and kept.
    """

    def replace(match: re.Match[str]) -> str:
        number = match.group("number")
        if number is None:
            return match.group(0)
        digits = [ch for ch in number if ch.isdigit()]
        loose = not _LOOSE_JOINS.isdisjoint(number)
        if len(digits) < (max(min_digits, _LOOSE_FROM_DIGITS) if loose else min_digits):
            return number
        return "****" + "".join(digits[-4:])

    pattern = _ANYWHERE if inside_words else _STANDALONE
    return pattern.sub(replace, text)


_EVIDENCE_CHARS = 60  # longer than any phrase a rule names ("cease and desist letter")
_EVIDENCE_WORDS = 2


def evidence_words(matched: str) -> str:
    """The words a rule matched as an event or a notification may carry them: numbers
    masked, and a match longer than a phrase cut to its first and last few words, which
    name what the rule found ("divorce from ... awarded me the house") without the
    clause between them (a name, a date of birth, an address)."""
    text = " ".join(matched.split())
    if len(text) > _EVIDENCE_CHARS:
        words = text.split(" ")
        if len(words) > 2 * _EVIDENCE_WORDS:
            text = " ".join([*words[:_EVIDENCE_WORDS], "...", *words[-_EVIDENCE_WORDS:]])
        text = text[: _EVIDENCE_CHARS * 2]
    return mask_numbers(text, min_digits=5, inside_words=True)
