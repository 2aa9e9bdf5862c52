"""The foreclosure sale date a message states, as ``YYYY-MM-DD``.

Looks at folded text (lower case, no accents) for a date near a sale word ("sale",
"auction", "subasta", "remate", "venta", "leilao", "encheres", "dau gia", "拍卖",
"경매", "مزاد"), the nearest date after the word first, then before it. Formats:
``March 12, 2026``, ``12 March 2026``, ``12 de marzo de 2026``, ``03/12/2026`` and
``3/12/26`` (US month first; ``16/02/2027`` day first, as it can only be read),
``2026-03-12``, ``12 mars 2026``, ``12 de marco de 2026``, ``ngay 12 thang 3 nam
2026``, ``2026年3月12日``, ``2026년 3월 12일``, ``9 فبراير 2027``.

People rarely write the year of a date a few weeks away ("the sale is March 3rd",
"el martes 15 de diciembre", "3/12", "3月12日", "the 14th"). Given the day the message
was received, such a date is read as its nearest occurrence, a past one counting
three times its distance: up to about three months back it is a sale just held or
missed, beyond that the coming one. A day without a month ("on the 14th", "el dia
14", "le 14", "dia 14") is read the same way among the neighbouring months. Without
the day of receipt, a date without a year is not guessed.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

__all__ = ["find_sale_date"]

_MONTHS = {
    # English
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    # Spanish
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11,
    "diciembre": 12,
    # Portuguese
    "janeiro": 1, "fevereiro": 2, "marco": 3, "maio": 5, "junho": 6, "julho": 7,
    "setembro": 9, "outubro": 10, "novembro": 11, "dezembro": 12,
    # French
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "aout": 8, "octobre": 10, "decembre": 12,
    # Haitian Creole, Tagalog
    "janvye": 1, "fevriye": 2, "jen": 6, "jiye": 7, "septanm": 9, "oktob": 10,
    "novanm": 11, "desanm": 12,
    "pebrero": 2, "marso": 3, "hunyo": 6, "hulyo": 7, "setyembre": 9, "oktubre": 10,
    "nobyembre": 11, "disyembre": 12,
    # Arabic (the month names used in the Americas and Egypt)
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "ابريل": 4, "مايو": 5, "يونيو": 6,
    "يوليو": 7, "أغسطس": 8, "اغسطس": 8, "سبتمبر": 9, "أكتوبر": 10, "اكتوبر": 10,
    "نوفمبر": 11, "ديسمبر": 12,
}  # fmt: skip
# Haitian Creole months that are also everyday words elsewhere ("mas" is Spanish "more",
# "me" and "out" English): read only in a date with its year.
_MONTHS_WITH_YEAR = _MONTHS | {"mas": 3, "me": 5, "out": 8}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_MONTH_NAMES_WITH_YEAR = "|".join(sorted(_MONTHS_WITH_YEAR, key=len, reverse=True))
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)"), "ymd"),
    (re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]"), "ymd"),
    (re.compile(r"(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일"), "ymd"),
    (re.compile(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s*(?:nam\s+|,\s*|/)?(\d{4})"), "dmy"),
    (re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?![\d/])"), "mdy"),
    (
        re.compile(
            rf"\b({_MONTH_NAMES_WITH_YEAR})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b"
        ),
        "Mdy",
    ),
    (
        re.compile(
            rf"\b(\d{{1,2}})(?:st|nd|rd|th|er)?\s+(?:de\s+|of\s+|ng\s+)?({_MONTH_NAMES_WITH_YEAR})"
            rf"\.?,?\s+(?:de\s+|del\s+)?(\d{{4}})\b"
        ),
        "dMy",
    ),
)
# Dates written without a year, read against the day of receipt (tried after the
# patterns above, so a full date is never read as a partial one).
_PARTIAL: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]"), "md"),
    (re.compile(r"(?<!\d)(\d{1,2})\s*월\s*(\d{1,2})\s*일"), "md"),
    (re.compile(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})(?!\s*(?:nam\s+|,\s*|/)?\d)"), "dm"),
    # "24/7" is round the clock, not the 24th of July
    (re.compile(r"(?<![\d/.,$])(?!24/7\b)(\d{1,2})/(\d{1,2})(?![\d/%])"), "md/"),
    (re.compile(rf"\b({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b"), "Md"),
    (
        re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th|er)?\s+(?:de\s+|of\s+|ng\s+)?({_MONTH_NAMES})\b"),
        "dM",
    ),
)
# A day of the month alone, in the forms that cannot be a count or an amount.
_DAY_ONLY = re.compile(
    r"\bthe\s+(\d{1,2})(?:st|nd|rd|th)\b"
    r"|\b(?:el\s+)?dia\s+(\d{1,2})\b(?!\s*(?:de\s+|[/.,%$]|\d))"
    r"|\ble\s+(\d{1,2})(?:er)?\b(?!\s*(?:[/.,%$€]|\d|h\b))"
)
_PAST_WEIGHT = 3  # a past date is as likely as a future one three times as far

_SALE = re.compile(
    r"sale|auction|subasta|remate|venta|leilao|encheres|vente|dau gia|ngay ban|lavant|vant"
    r"|lelang|pagbenta|拍卖|拍賣|法拍|出售|경매|매각|مزاد|البيع"
    # the house being sold, said with the verb
    r"|\bsold\b|\bsell(?:ing)?\b|\bvender\b|\bvendida\b|\bvendre\b|\bvendue\b"
)
_WINDOW = 200
_SCAN = 50_000
_MAX_WORDS = 50
_MAX_DATES = 200


def _to_date(kind: str, m: re.Match[str]) -> date | None:
    a, b, c = m.group(1), m.group(2), m.group(3)
    try:
        if kind == "ymd":
            return date(int(a), int(b), int(c))
        if kind == "dmy":
            return date(int(c), int(b), int(a))
        if kind == "mdy":
            year = int(c) + (2000 if len(c) == 2 else 0)
            # US order first; a first number above 12 can only be the day
            # ("16/02/2027", as Spanish, French and Portuguese writers put it).
            if int(a) > 12:
                return date(year, int(b), int(a))
            return date(year, int(a), int(b))
        if kind == "Mdy":
            return date(int(c), _MONTHS_WITH_YEAR[a], int(b))
        return date(int(c), _MONTHS_WITH_YEAR[b], int(a))
    except (ValueError, KeyError):
        return None


def _nearest(candidates: list[date], received: date) -> date | None:
    """The candidate nearest the day of receipt, past ones counting ``_PAST_WEIGHT``
    times their distance."""

    def cost(d: date) -> int:
        days = (d - received).days
        return days if days >= 0 else -days * _PAST_WEIGHT

    return min(candidates, key=cost, default=None)


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_day(month: int, day: int, received: date) -> date | None:
    years = (received.year - 1, received.year, received.year + 1)
    return _nearest([d for y in years if (d := _valid(y, month, day)) is not None], received)


def _day(day: int, received: date) -> date | None:
    first = received.replace(day=1)
    months = [
        (first - timedelta(days=1)).replace(day=1),
        first,
        (first + timedelta(days=32)).replace(day=1),
    ]
    return _nearest(
        [d for m in months if (d := _valid(m.year, m.month, day)) is not None], received
    )


def _partial_date(kind: str, m: re.Match[str], received: date) -> date | None:
    a, b = m.group(1), m.group(2)
    if kind == "md":
        return _month_day(int(a), int(b), received)
    if kind == "dm":
        return _month_day(int(b), int(a), received)
    if kind == "md/":
        # US order first; a first number above 12 can only be the day
        first, second = int(a), int(b)
        return (
            _month_day(second, first, received)
            if first > 12
            else _month_day(first, second, received)
        )
    if kind == "Md":
        return _month_day(_MONTHS[a], int(b), received)
    return _month_day(_MONTHS[b], int(a), received)


def _dates(text: str, received: date | None) -> list[tuple[int, date]]:
    found: list[tuple[int, date]] = []
    taken: set[int] = set()

    def take(m: re.Match[str], d: date | None) -> None:
        # An earlier, more specific format already read (part of) this date.
        if d is None or not 2000 <= d.year <= 2100 or taken.intersection(range(*m.span())):
            return
        found.append((m.start(), d))
        taken.update(range(*m.span()))

    for pattern, kind in _PATTERNS:
        for m in pattern.finditer(text):
            take(m, _to_date(kind, m))
    if received is not None:
        for pattern, kind in _PARTIAL:
            for m in pattern.finditer(text):
                take(m, _partial_date(kind, m, received))
        for m in _DAY_ONLY.finditer(text):
            day = next(g for g in m.groups() if g is not None)
            take(m, _day(int(day), received))
    found.sort()
    return found


def find_sale_date(
    folded_subject: str, folded_body: str, received: date | None = None
) -> str | None:
    """The sale date stated near a sale word, ISO formatted, or None; ``received`` (the
    day the message was received) reads dates written without a year.

    The date nearest a sale word in either field wins ("URGENT sale Dec 15th" in the
    subject over a letter's date a sentence away from "sale" in the body); on a tie,
    the body's."""
    best: tuple[int, int, date] | None = None
    for rank, text in enumerate((folded_body, folded_subject)):
        # Bounded work on any input: the first sale words and the first dates decide.
        words = [m.start() for m in _SALE.finditer(text, 0, _SCAN)][:_MAX_WORDS]
        if not words:
            continue
        dates = _dates(text[:_SCAN], received)[:_MAX_DATES]
        for w in words:
            for pos, d in dates:
                gap = pos - w
                distance = gap if gap >= 0 else 2 * -gap  # prefer a date after the word
                if -_WINDOW <= gap <= _WINDOW and (best is None or (distance, rank) < best[:2]):
                    best = (distance, rank, d)
    return None if best is None else best[2].isoformat()
