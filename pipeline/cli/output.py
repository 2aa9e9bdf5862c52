"""What the CLI prints: text made safe for a terminal, tables, and one-line errors.

Subjects, bodies, addresses and file names come from outsiders. Printed as they are,
their control characters drive the reader's terminal: an ESC sequence can recolour
or rewrite the screen, OSC can set the window title or the clipboard, a bare CR can
overwrite a line with a forged one, and bidi overrides can show text in an order
other than the one stored. :func:`terminal_safe` turns each such character into a
visible escape (``\\x1b``, ``\\u202e``), so the reader sees that it was there and
nothing acts on it. Raw bytes (``show --raw``) never pass through here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

import click

from pipeline.redact import mask_numbers

__all__ = ["echo", "fail", "format_table", "one_line", "terminal_safe"]


def _escape(code: int) -> str:
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


# C0 controls, DEL and C1 controls; bidi embeddings, overrides, isolates and marks;
# line and paragraph separators (some terminals break lines on them).
_UNSAFE = [
    *range(0x00, 0x20),
    0x7F,
    *range(0x80, 0xA0),
    0x061C,
    0x200E,
    0x200F,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    0x2028,
    0x2029,
]
_MULTILINE = {code: _escape(code) for code in _UNSAFE if code not in (0x09, 0x0A)}
_SINGLE_LINE = {code: _escape(code) for code in _UNSAFE}


def terminal_safe(text: str) -> str:
    """``text`` with every control, C1 and bidi character escaped; tab and newline kept.

    CRLF line ends become newlines; a CR anywhere else is escaped, because on a
    terminal it returns the cursor and lets the rest of the line overwrite it.
    """
    return text.replace("\r\n", "\n").translate(_MULTILINE)


def one_line(text: str) -> str:
    """Like :func:`terminal_safe`, but newlines and tabs are escaped too (table cells)."""
    return text.translate(_SINGLE_LINE)


def echo(text: str, *, err: bool = False) -> None:
    """Print ``text`` (made terminal-safe) and a newline."""
    click.echo(terminal_safe(text), err=err)


def format_table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns, two spaces apart; every cell on one line."""
    cells = [[one_line(cell) for cell in row] for row in (head, *rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(head))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in cells
    )


def fail(message: str, exit_code: int) -> NoReturn:
    """Print ``error: <message>`` as one line on stderr and exit with ``exit_code``.

    A message may quote a path or a value that came from a message (an attachment's file
    name in an export's folder): runs of nine or more digits are masked, as in the logs
    (:func:`pipeline.redact.mask_numbers`), which spares ledger positions and sizes.
    """
    flat = " ".join(part.strip() for part in message.splitlines() if part.strip())
    click.echo(f"error: {one_line(mask_numbers(flat, min_digits=9))}", err=True)
    raise SystemExit(exit_code)
