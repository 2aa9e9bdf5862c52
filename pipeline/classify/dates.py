"""The foreclosure sale date a message states, as ``YYYY-MM-DD``.

Looks at folded text (lower case, no accents) for a date near a sale word ("sale",
"auction", "subasta", "remate", "venta", "leilao", "encheres", "dau gia", "拍卖",
"경매", "مزاد"), the nearest date after the word first, then before it. Formats:
``March 12, 2026``, ``12 March 2026``, ``12 de marzo de 2026``, ``03/12/2026`` and
``3/12/26`` (US month first; ``16/02/2027`` day first, as it can only be read),
``2026-03-12``, ``12 mars 2026``, ``12 de marco de 2026``, ``ngay 12 thang 3 nam
2026``, ``2026年3月12日``, ``2026년 3월 12일``, ``9 فبراير 2027``. A date without a
year is not guessed.
"""

from __future__ import annotations

import re
from datetime import date

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
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)"), "ymd"),
    (re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]"), "ymd"),
    (re.compile(r"(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일"), "ymd"),
    (re.compile(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s*(?:nam\s+|,\s*|/)?(\d{4})"), "dmy"),
    (re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?![\d/])"), "mdy"),
    (
        re.compile(rf"\b({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b"),
        "Mdy",
    ),
    (
        re.compile(
            rf"\b(\d{{1,2}})(?:st|nd|rd|th|er)?\s+(?:de\s+)?({_MONTH_NAMES})\.?,?\s+(?:de\s+|del\s+)?(\d{{4}})\b"
        ),
        "dMy",
    ),
)
_SALE = re.compile(
    r"sale|auction|subasta|remate|venta|leilao|encheres|vente|dau gia|ngay ban|lavant|vant"
    r"|lelang|pagbenta|拍卖|拍賣|法拍|出售|경매|매각|مزاد|البيع"
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
            return date(int(c), _MONTHS[a], int(b))
        return date(int(c), _MONTHS[b], int(a))
    except (ValueError, KeyError):
        return None


def _dates(text: str) -> list[tuple[int, date]]:
    found: list[tuple[int, date]] = []
    taken: set[int] = set()
    for pattern, kind in _PATTERNS:
        for m in pattern.finditer(text):
            # An earlier, more specific format already read this date.
            if m.start() in taken or m.end() - 1 in taken:
                continue
            d = _to_date(kind, m)
            if d is not None and 2000 <= d.year <= 2100:
                found.append((m.start(), d))
                taken.update(range(m.start(), m.end()))
    found.sort()
    return found


def find_sale_date(folded_subject: str, folded_body: str) -> str | None:
    """The sale date stated near a sale word, ISO formatted, or None."""
    for text in (folded_body, folded_subject):
        # Bounded work on any input: the first sale words and the first dates decide.
        words = [m.start() for m in _SALE.finditer(text, 0, _SCAN)][:_MAX_WORDS]
        if not words:
            continue
        dates = _dates(text[:_SCAN])[:_MAX_DATES]
        best: tuple[int, date] | None = None
        for w in words:
            for pos, d in dates:
                gap = pos - w
                distance = gap if gap >= 0 else 2 * -gap  # prefer a date after the word
                if -_WINDOW <= gap <= _WINDOW and (best is None or distance < best[0]):
                    best = (distance, d)
        if best is not None:
            return best[1].isoformat()
    return None
