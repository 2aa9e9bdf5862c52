"""Loan account numbers quoted by borrowers in the subject and body.

Full numbers are kept in the classification (the record needs them to link mail
to a loan); anything that may reach a log or a screen uses :func:`mask_account`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.classify.anchors import Guide, ascii_probe, guide_for, guided_finditer
from pipeline.classify.literals import Occurrences
from pipeline.classify.normalize import NormalizedText, normalize

__all__ = ["DEFAULT_ACCOUNT_PATTERN", "account_guide", "find_account_numbers", "mask_account"]

# Matched against folded text (lower case, no accents), so "Número de Cuenta"
# arrives as "numero de cuenta". The number may contain spaces or dashes between
# digit groups; 6 to 20 digits in total. The capture group must be named "number".
DEFAULT_ACCOUNT_PATTERN = (
    r"(?<![^\W_])"
    r"(?:(?:mortgage|loan|account|acct|acc)\.?(?:\s+(?:number|num|no|nbr))?\.?"
    r"|(?:numero|num|no|nro|n°)\.?\s+de\s+(?:cuenta|prestamo|hipoteca)"
    r"|(?:cuenta|prestamo)(?:\s+(?:numero|num|no|nro))?\.?)"
    r"\s*(?:#|:|is|es)?\s*[:#]?\s*"
    r"(?P<number>\d(?:[\d]|[ \-](?=\d)){5,24})"
    r"(?!\d)"
)
_MIN_DIGITS = 6
_MAX_DIGITS = 20


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> tuple[re.Pattern[str], Guide]:
    regex = re.compile(pattern, re.IGNORECASE)
    if "number" not in regex.groupindex:
        raise ValueError("the account-number pattern needs a named group 'number'")
    # The whole pattern is one alternative; its leading lookbehind has no width, so
    # the label words are literals at the start of every match.
    return regex, guide_for([pattern], ignore_case=True)


def account_guide(pattern: str = DEFAULT_ACCOUNT_PATTERN) -> Guide:
    """The guide :func:`find_account_numbers` uses for ``pattern``."""
    return _compiled(pattern)[1]


def find_account_numbers(
    text: str,
    pattern: str = DEFAULT_ACCOUNT_PATTERN,
    norm: NormalizedText | None = None,
    occurrences: Occurrences | None = None,
) -> tuple[str, ...]:
    """Distinct account numbers (digits only) in ``text``, in order of first appearance.

    ``pattern`` is a regex applied case-insensitively to folded text with a named
    group ``number``; separators inside the number are dropped. ``norm`` is
    ``normalize(text)`` when the caller already has it, ``occurrences`` which guide
    literals occur in :func:`ascii_probe` of its folded text.
    """
    regex, guide = _compiled(pattern)
    if norm is None:
        norm = normalize(text)
    found: list[str] = []
    # Same matches as regex.finditer(norm.text), tried only where a label word occurs.
    for m in guided_finditer(regex, norm.text, ascii_probe(norm.text), guide, occurrences):
        s, e = m.span("number")
        digits = re.sub(r"\D", "", norm.original_text(s, e))
        if _MIN_DIGITS <= len(digits) <= _MAX_DIGITS and digits not in found:
            found.append(digits)
    return tuple(found)


def mask_account(number: str) -> str:
    """``"****"`` followed by the last four digits, e.g. ``1234567 -> ****4567``."""
    digits = re.sub(r"\D", "", number)
    return "****" + digits[-4:]
