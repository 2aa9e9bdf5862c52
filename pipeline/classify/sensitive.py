"""Detection of sensitive numbers borrowers should not have emailed.

Finds full US social security numbers, bank routing numbers, bank account
numbers and payment card numbers so the record can be flagged (and a reviewer
can redact it). Findings hold only the kind, where it is, and a mask: the digits
are never stored, so no repr, str, log line or JSON dump of a finding can leak
them.

Validation, to keep false alarms low on mail full of loan and phone numbers:

* SSN: area not 000, 666 or 900-999; group not 00; serial not 0000 (SSA
  "Social Security Number Randomization", 2011). Written as ``123-45-6789`` /
  ``123 45 6789``, or nine bare digits only when labelled ("SSN", "social
  security", "seguro social") just before.
* Routing number: nine digits passing the ABA checksum
  3(d1+d4+d7) + 7(d2+d5+d8) + (d3+d6+d9) = 0 mod 10, with a Federal Reserve
  prefix (00-12, 21-32, 61-72, 80), and a "routing"/"ABA"/"ruta"/"bank" label
  nearby; a random nine-digit number passes the checksum one time in ten.
* Card number: 13-19 digits (optionally grouped by spaces or dashes) with a
  card-network leading digit (2-6) passing the Luhn check (ISO/IEC 7812-1).
* Bank account: 4-17 digits right after "checking/savings/bank account" or
  "cuenta bancaria/de cheques/de ahorros" (no checksum exists for these).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Literal

from pipeline.classify.anchors import Guide, guide_for, guided_finditer
from pipeline.classify.intervals import SpanSet
from pipeline.classify.literals import Occurrences
from pipeline.classify.normalize import NormalizedText, normalize

__all__ = [
    "SensitiveFinding",
    "SensitiveKind",
    "SensitiveReport",
    "aba_checksum_ok",
    "bank_account_guide",
    "find_sensitive",
    "luhn_ok",
    "valid_ssn",
]

SensitiveKind = Literal["ssn", "card_number", "routing_number", "bank_account"]
_PRIORITY: dict[str, int] = {"ssn": 0, "card_number": 1, "routing_number": 2, "bank_account": 3}

# The "not after a digit or dash" check sits after the first character(s), as a
# lookbehind that also covers them, rather than leading the pattern: the same matches,
# but a pattern that starts with a digit class lets the regex engine skip straight to
# digits instead of evaluating a lookbehind at every position of the text.
_SSN_SEPARATED = re.compile(r"(\d\d\d)(?<![\d\-]\d\d\d)([\- ])(\d{2})\2(\d{4})(?![\d\-])")
_NINE = re.compile(r"\d(?<![\d\-]\d)\d{8}(?![\d\-])")
_SSN_LABEL = re.compile(
    r"(?:ssn|ss#|ss\s*no|soc\.?\s*sec|social\s+security|seguro\s+social|itin)[^\d\n]{0,30}$"
)
_ROUTING_LABEL = re.compile(r"(?:routing|aba|rtn|transit|ruta|transito|bank|banco)[^\d\n]{0,30}$")
_CARD = re.compile(r"[2-6](?<![\d\-][2-6])\d{3}(?:[ \-]?\d){9,15}(?![\d\-])")
_BANK_ACCOUNT = re.compile(
    r"(?:(?:checking|savings|bank|deposit)\s+(?:account|acct)"
    r"|cuenta\s+(?:bancaria|de\s+cheques|de\s+ahorros?|corriente))"
    r"[^\d\n]{0,25}?(?P<n>\d{4,17})(?![\d\-])"
)
# Bank-account matches start at one of their lead words ("checking", "cuenta", ...):
# the regex is tried only there (see pipeline.classify.anchors).
_BANK_GUIDE = guide_for([_BANK_ACCOUNT.pattern], ignore_case=False)

# The digit patterns need runs of digits most mail lacks: 9 in a row (``_NINE``),
# 13 separated by at most single spaces or dashes (``_CARD``), ``ddd-dd-dddd`` or
# ``ddd dd dddd`` (``_SSN_SEPARATED``). Those shapes are looked for in the UTF-8
# bytes with every digit made "0", a few C passes instead of three regex scans.
# Bytes of non-ASCII characters (which may be other scripts' digits) count as
# digits too, so a run of k digits is always a run of at least k zeros.
_ZERO_DIGITS = bytes(0x30 if 0x30 <= b <= 0x39 or b >= 0x80 else b for b in range(256))
_SEPARATORS = b" -"


def valid_ssn(area: str, group: str, serial: str) -> bool:
    """True if the three parts form an SSN the SSA could have issued."""
    if len(area) != 3 or len(group) != 2 or len(serial) != 4:
        return False
    if area in ("000", "666") or area.startswith("9"):
        return False
    return group != "00" and serial != "0000"


def aba_checksum_ok(digits: str) -> bool:
    """True if nine digits pass the ABA routing-number checksum and prefix check."""
    if len(digits) != 9 or not digits.isdigit():
        return False
    prefix = int(digits[:2])
    if not (prefix <= 12 or 21 <= prefix <= 32 or 61 <= prefix <= 72 or prefix == 80):
        return False
    d = [int(c) for c in digits]
    total = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8])
    return total % 10 == 0


def luhn_ok(digits: str) -> bool:
    """True if ``digits`` passes the Luhn mod-10 check."""
    if not digits.isdigit() or len(digits) < 2:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


@dataclass(frozen=True, slots=True)
class SensitiveFinding:
    """Where a sensitive number is: kind, field, original span and a mask.

    There is deliberately no attribute holding the digits. ``masked`` shows the
    last four digits for card, routing and bank numbers (as on a receipt) and no
    digits at all for an SSN.
    """

    kind: SensitiveKind
    field: str
    start: int
    end: int
    masked: str


@dataclass(frozen=True, slots=True)
class SensitiveReport:
    """All findings in a message; ``counts`` per kind for the record and metrics."""

    findings: tuple[SensitiveFinding, ...] = ()

    @property
    def flagged(self) -> bool:
        """True if any sensitive number was found."""
        return bool(self.findings)

    @property
    def counts(self) -> dict[str, int]:
        """Number of findings per kind."""
        return dict(Counter(f.kind for f in self.findings))

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds found, sorted."""
        return tuple(sorted({f.kind for f in self.findings}))


def _mask(kind: SensitiveKind, digits: str) -> str:
    if kind == "ssn":
        return "***-**-****"
    return "****" + digits[-4:]


def _digit_shapes(folded: str) -> tuple[bool, bool, bool]:
    """Whether ``_SSN_SEPARATED``, ``_NINE`` and ``_CARD`` can match ``folded`` at all."""
    zeros = folded.encode("utf-8", "surrogatepass").translate(_ZERO_DIGITS)
    joined = zeros.translate(None, _SEPARATORS)
    if folded.isascii():
        ssn = b"000-00-0000" in zeros or b"000 00 0000" in zeros
    else:
        # A non-ASCII digit is several zeros, so only the joined run is certain.
        ssn = b"0" * 9 in joined
    return ssn, b"0" * 9 in zeros, b"0" * 13 in joined


def find_sensitive(
    text: str,
    field: str = "text",
    norm: NormalizedText | None = None,
    occurrences: Occurrences | None = None,
) -> tuple[SensitiveFinding, ...]:
    """Sensitive numbers in ``text`` (spans index the original text), in text order.

    ``norm`` is ``normalize(text)`` when the caller already has it, ``occurrences``
    where the bank-account lead words occur in its folded text.
    """
    if norm is None:
        norm = normalize(text)
    folded = norm.text
    candidates: list[tuple[SensitiveKind, int, int, str]] = []
    may_ssn, may_nine, may_card = _digit_shapes(folded)

    for m in _SSN_SEPARATED.finditer(folded) if may_ssn else ():
        if valid_ssn(m.group(1), m.group(3), m.group(4)):
            candidates.append(("ssn", m.start(), m.end(), m.group(1) + m.group(3) + m.group(4)))
    for m in _NINE.finditer(folded) if may_nine else ():
        before = folded[max(0, m.start() - 60) : m.start()]
        digits = m.group()
        if _SSN_LABEL.search(before) and valid_ssn(digits[:3], digits[3:5], digits[5:]):
            candidates.append(("ssn", m.start(), m.end(), digits))
        elif _ROUTING_LABEL.search(before) and aba_checksum_ok(digits):
            candidates.append(("routing_number", m.start(), m.end(), digits))
    for m in _CARD.finditer(folded) if may_card else ():
        digits = re.sub(r"\D", "", m.group())
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            candidates.append(("card_number", m.start(), m.end(), digits))
    for m in guided_finditer(_BANK_ACCOUNT, folded, folded, _BANK_GUIDE, occurrences):
        candidates.append(("bank_account", m.start("n"), m.end("n"), m.group("n")))

    # One finding per stretch of text: the most sensitive interpretation wins, then
    # the earlier one. Kinds are taken one priority level at a time; within a level,
    # in text order, a candidate need only be compared with the last one kept at that
    # level (those kept are disjoint and sorted) and, by binary search, with the spans
    # of the more sensitive levels: linear work however many digit groups a mail has.
    candidates.sort(key=lambda c: (_PRIORITY[c[0]], c[1]))
    taken = SpanSet()
    kept: list[tuple[SensitiveKind, int, int, str]] = []
    level: list[tuple[SensitiveKind, int, int, str]] = []
    for i, cand in enumerate(candidates):
        kind, s, e, _digits = cand
        if (not level or level[-1][2] <= s) and not taken.overlaps(s, e):
            level.append(cand)
        if i + 1 == len(candidates) or candidates[i + 1][0] != kind:
            kept.extend(level)
            taken = SpanSet([*taken.items(), *((c[1], c[2]) for c in level)])
            level = []
    findings: list[SensitiveFinding] = []
    for kind, s, e, digits in kept:
        start, end = norm.original_span(s, e)
        findings.append(SensitiveFinding(kind, field, start, end, _mask(kind, digits)))
    findings.sort(key=lambda f: f.start)
    return tuple(findings)


def bank_account_guide() -> Guide:
    """The guide :func:`find_sensitive` uses for bank-account numbers."""
    return _BANK_GUIDE
