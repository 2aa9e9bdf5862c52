"""Masking of personal numbers in free text (pure; no I/O).

One rule for logs and events: a run of digit groups joined by single spaces or
hyphens ("123-45-6789", "4111 1111 1111 1111", "4417-829-301") is masked down to
its last four digits once it holds enough digits to be an account, social
security or card number. Text that only looks numeric is left alone, because a
masked citation or date is useless to the person reading it:

- dots do not join groups, so "12 CFR 1024.35(d)" and "1026.36(c)(3)" stay;
- ISO dates ("2026-12-03") stay;
- acknowledgment reference numbers ("ML-2FMA-TVUD", "ML-2345-6789") stay.

The scan is one regular-expression pass with no nested repetition, so it is
linear in the length of the text.
"""

from __future__ import annotations

import re

__all__ = ["mask_numbers"]

_KEEP = (
    r"(?P<keep>"
    r"\d{4}-\d{2}-\d{2}(?![\d-])"  # ISO date
    r"|(?<![A-Za-z0-9])[Mm][Ll]-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}(?![A-Za-z0-9])"  # reference
    r")"
)
_RUN = r"\d+(?:[ \-]\d+)*"
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
        if len(digits) < min_digits:
            return number
        return "****" + "".join(digits[-4:])

    pattern = _ANYWHERE if inside_words else _STANDALONE
    return pattern.sub(replace, text)
