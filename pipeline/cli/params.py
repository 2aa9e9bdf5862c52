"""Parameter types and argument checks shared by the commands.

Bad input is refused, naming the option, before a command does any of its work, so
that nothing is recorded for a command that cannot finish: a reason that is not text,
a time outside the range the clocks can count in, an output file that already exists.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import BinaryIO

import click

from pipeline.index.model import EARLIEST_DAY, LATEST_DAY

__all__ = [
    "EARLIEST",
    "LATEST",
    "REQUIRED_TEXT",
    "TEXT",
    "Utf8Text",
    "check_moment",
    "key_argument",
    "new_file",
    "read_text_file",
]

# The times the CLI accepts: the days the index allows (pipeline.index.model), whole.
EARLIEST = datetime.combine(EARLIEST_DAY, time(), UTC)
LATEST = datetime.combine(LATEST_DAY + timedelta(days=1), time(), UTC)


def check_moment(moment: datetime, value: str, option: str) -> datetime:
    """``moment`` (parsed from ``value``) when it lies in the accepted range; a usage
    error naming ``option`` otherwise."""
    if not EARLIEST <= moment < LATEST:
        raise click.BadParameter(
            f"{value!r} is outside the accepted range, {EARLIEST.date().isoformat()}"
            f" to {LATEST.date().isoformat()} (exclusive)",
            param_hint=option,
        )
    return moment


class Utf8Text(click.types.StringParamType):
    """Free text that must be valid UTF-8, and optionally not blank.

    On POSIX, bytes in argv that are not UTF-8 reach Python as lone surrogates; such a
    string cannot be written to the ledger (canonical JSON), the index (SQLite) or a
    terminal, so it is refused here rather than failing half way through the command.
    """

    name = "text"

    def __init__(self, *, blank_ok: bool = True) -> None:
        self.blank_ok = blank_ok

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        """The value as text; a usage error naming the option when it is not UTF-8 or blank."""
        text = super().convert(value, param, ctx)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            self.fail("not valid UTF-8 text (it holds bytes that are not UTF-8)", param, ctx)
        if not self.blank_ok and not text.strip():
            self.fail("must not be empty or blank", param, ctx)
        return text


TEXT = Utf8Text()
"""Any valid UTF-8 text (what a free-text option takes)."""

REQUIRED_TEXT = Utf8Text(blank_ok=False)
"""Valid UTF-8 text with something in it: a required reason must say something."""


def read_text_file(path: str | Path, option: str) -> str:
    """The UTF-8 text of the file ``path`` given to ``option``; a usage error when the
    file is not UTF-8 text (read errors are left to the caller)."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise click.BadParameter(
            f"{path} is not UTF-8 text (byte {exc.start} cannot be decoded)", param_hint=option
        ) from exc


def key_argument(value: str, option: str) -> str:
    """A key option's value: the text of the file it names, or the key text itself."""
    candidate = Path(value)
    try:
        if candidate.is_file():
            return read_text_file(candidate, option)
    except OSError as exc:
        raise click.BadParameter(
            f"cannot read {value}: {exc.strerror or exc}", param_hint=option
        ) from exc
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise click.BadParameter(
            "neither a file nor key text (it holds bytes that are not UTF-8)", param_hint=option
        ) from exc
    return value


@contextmanager
def new_file(path: str, option: str) -> Iterator[BinaryIO]:
    """Create ``path`` for writing, only if nothing is there; a usage error otherwise.

    Created exclusively (``O_EXCL``), so an existing file is never replaced and a
    symbolic link is never followed, even one that points nowhere. Taken before the
    work whose result it receives, so a bad path fails the command before anything is
    recorded; if that work (or the writing) fails, the file is removed again.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        # 0o666 narrowed by the umask the config sets (files.file_mode)
        fd = os.open(path, flags, 0o666)
    except FileExistsError as exc:
        raise click.BadParameter(
            f"{path} already exists; it is never overwritten (choose a new file)",
            param_hint=option,
        ) from exc
    except (FileNotFoundError, NotADirectoryError) as exc:
        raise click.BadParameter(
            f"cannot create {path}: folder {Path(path).parent} does not exist", param_hint=option
        ) from exc
    except OSError as exc:
        raise click.BadParameter(
            f"cannot create {path}: {exc.strerror or exc}", param_hint=option
        ) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
    except BaseException:
        # ours alone: created exclusively above
        Path(path).unlink(missing_ok=True)
        raise
