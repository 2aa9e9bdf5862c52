"""Concordance DAT and CSV load files, and a reader for each (used by tests and checks).

DAT conventions (the Concordance/Relativity defaults): UTF-8 with a byte-order
mark, field separator ASCII 20 (0x14, shown as "¶" by Concordance), text
qualifier "þ" (U+00FE), and "®" (U+00AE) standing for a line break inside a
field; records end with CRLF; the first record names the fields.

The format has no escape mechanism of its own. So that every value survives a
round trip, a literal qualifier or newline mark inside a value is doubled, the
way CSV doubles a quote (``þþ`` is one "þ", ``®®`` one "®"). Line breaks inside
values are written as "®" and read back as LF (a CR LF or a lone CR becomes LF):
load files are derived documents; the natives keep the exact bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

FIELDS = (
    "DocID",
    "BegAttach",
    "EndAttach",
    "Custodian",
    "From",
    "To",
    "CC",
    "Subject",
    "DateSent",
    "DateReceived",
    "FileName",
    "SHA256",
    "NativePath",
    "TextPath",
    "Escalated",
    "Category",
)

SEPARATOR = "\x14"
QUALIFIER = "\u00fe"
NEWLINE = "\u00ae"
BOM = "\ufeff"
_NEWLINE_MARK = "\x00"  # placeholder while marking line breaks; NUL never survives cleaning


def _clean(value: str) -> str:
    # NUL is not representable in either load file; nothing a mail header holds needs it
    return value.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")


def _dat_value(value: str) -> str:
    text = _clean(value).replace("\n", _NEWLINE_MARK)
    text = text.replace(QUALIFIER, QUALIFIER * 2).replace(NEWLINE, NEWLINE * 2)
    return QUALIFIER + text.replace(_NEWLINE_MARK, NEWLINE) + QUALIFIER


def dat_line(values: Sequence[str]) -> str:
    """One DAT record, CRLF-terminated."""
    return SEPARATOR.join(_dat_value(v) for v in values) + "\r\n"


def write_dat(rows: Iterable[Mapping[str, str]], fields: Sequence[str] = FIELDS) -> bytes:
    """The whole DAT file: BOM, header record, one record per row."""
    out = io.StringIO()
    out.write(BOM)
    out.write(dat_line(list(fields)))
    for row in rows:
        out.write(dat_line([row.get(f, "") for f in fields]))
    return out.getvalue().encode("utf-8")


def write_csv(rows: Iterable[Mapping[str, str]], fields: Sequence[str] = FIELDS) -> bytes:
    """The same rows as RFC 4180 CSV (UTF-8 with BOM, CRLF), lossless apart from NUL."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(list(fields))
    for row in rows:
        writer.writerow([_clean(row.get(f, "")) for f in fields])
    return out.getvalue().encode("utf-8")


def read_dat(data: bytes) -> list[dict[str, str]]:
    """Parse a DAT written by :func:`write_dat` (qualifier-aware, so separators and
    line ends inside values do not split them)."""
    text = data.decode("utf-8").removeprefix(BOM)
    records: list[list[str]] = []
    i, n = 0, len(text)
    while i < n:
        fields: list[str] = []
        while True:
            if text[i] != QUALIFIER:
                raise ValueError(f"DAT value at offset {i} does not start with the qualifier")
            i += 1
            value: list[str] = []
            while True:
                ch = text[i]
                nxt = text[i + 1] if i + 1 < n else ""
                if ch == QUALIFIER and nxt == QUALIFIER:
                    value.append(QUALIFIER)
                    i += 2
                elif ch == QUALIFIER:
                    i += 1
                    break
                elif ch == NEWLINE and nxt == NEWLINE:
                    value.append(NEWLINE)
                    i += 2
                elif ch == NEWLINE:
                    value.append("\n")
                    i += 1
                else:
                    value.append(ch)
                    i += 1
            fields.append("".join(value))
            if text.startswith(SEPARATOR, i):
                i += 1
                continue
            if text.startswith("\r\n", i):
                i += 2
                break
            raise ValueError(f"DAT record not terminated at offset {i}")
        records.append(fields)
    if not records:
        return []
    header, body = records[0], records[1:]
    return [dict(zip(header, row, strict=True)) for row in body]


def read_csv(data: bytes) -> list[dict[str, str]]:
    """Parse a CSV written by :func:`write_csv`."""
    text = data.decode("utf-8").removeprefix(BOM)
    return list(csv.DictReader(io.StringIO(text, newline="")))
