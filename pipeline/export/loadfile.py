"""Concordance DAT and CSV load files, and a reader for each (used by tests and checks).

DAT conventions (the Concordance/Relativity defaults): UTF-8 with a byte-order
mark, field separator ASCII 20 (0x14, shown as "¶" by Concordance), text
qualifier "þ" (U+00FE), and "®" (U+00AE) standing for a line break inside a
field; records end with CRLF; the first record names the fields.

The format has no escape mechanism, and review platforms (Concordance,
Relativity and the tools that follow them) read it literally: a value runs from
one "þ" to the next, and every "®" inside it is a line break. So the DAT is
written the way those readers read it, with no rule of our own:

- line breaks inside a value (CR LF, lone CR or LF) are written as one "®";
- a literal "®" is written as it is; a standard reader shows it as a line
  break ("Acme®" reads as "Acme" and a new line), which loses nothing that
  matters for review;
- a literal "þ" would end the value early in every reader, so it is replaced by
  "Þ" (U+00DE, the capital thorn), which no reader treats specially.

The DAT is a derived document: the CSV load file beside it, the extracted text
and the byte-identical natives keep every character.
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
QUALIFIER_SUBSTITUTE = "\u00de"  # Þ stands for a literal þ, which would end the value


def _clean(value: str) -> str:
    # NUL is not representable in either load file; nothing a mail header holds needs it
    return value.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")


def _dat_value(value: str) -> str:
    text = _clean(value).replace(QUALIFIER, QUALIFIER_SUBSTITUTE).replace("\n", NEWLINE)
    return QUALIFIER + text + QUALIFIER


def dat_line(values: Sequence[str]) -> str:
    """One DAT record, CRLF-terminated."""
    return SEPARATOR.join(_dat_value(v) for v in values) + "\r\n"


def dat_header(fields: Sequence[str] = FIELDS) -> str:
    """The start of a DAT file: the BOM and the record naming the fields."""
    return BOM + dat_line(list(fields))


def dat_row(row: Mapping[str, str], fields: Sequence[str] = FIELDS) -> str:
    """One row of a DAT file."""
    return dat_line([row.get(f, "") for f in fields])


def write_dat(rows: Iterable[Mapping[str, str]], fields: Sequence[str] = FIELDS) -> bytes:
    """The whole DAT file: BOM, header record, one record per row."""
    out = io.StringIO()
    out.write(dat_header(fields))
    for row in rows:
        out.write(dat_row(row, fields))
    return out.getvalue().encode("utf-8")


def csv_header(fields: Sequence[str] = FIELDS) -> str:
    """The start of a CSV load file: the BOM and the header row."""
    return BOM + csv_row({f: f for f in fields}, fields)


def csv_row(row: Mapping[str, str], fields: Sequence[str] = FIELDS) -> str:
    """One CRLF-terminated CSV row (RFC 4180 quoting, as :mod:`csv` writes it)."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL).writerow(
        [_clean(row.get(f, "")) for f in fields]
    )
    return out.getvalue()


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
    """Parse a DAT the way review platforms do: a value runs from one qualifier to
    the next (separators and line ends inside it are text) and "®" is a line break."""
    text = data.decode("utf-8").removeprefix(BOM)
    records: list[list[str]] = []
    i, n = 0, len(text)
    while i < n:
        fields: list[str] = []
        while True:
            if not text.startswith(QUALIFIER, i):
                raise ValueError(f"DAT value at offset {i} does not start with the qualifier")
            end = text.find(QUALIFIER, i + 1)
            if end < 0:
                raise ValueError(f"DAT value at offset {i} has no closing qualifier")
            fields.append(text[i + 1 : end].replace(NEWLINE, "\n"))
            i = end + 1
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
