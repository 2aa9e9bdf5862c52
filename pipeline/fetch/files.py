"""Reading messages from files for backfill: ``.eml`` files, mbox files and Maildir folders."""

from __future__ import annotations

import mailbox
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import IngestError


@dataclass(frozen=True)
class FileMessage:
    """One message read from a file, with where it came from."""

    raw: bytes
    path: str
    folder: str


def path_text(path: Path | str) -> str:
    """``path`` as valid text, losing nothing: the name's bytes decoded as UTF-8, with any
    byte that is not UTF-8 written as ``\\xNN``.

    File names are bytes. One that is not UTF-8 reaches Python with lone surrogates,
    which no ledger entry (canonical JSON) or index (SQLite) can hold, so recording its
    message would fail. The escaped form keeps every byte of the name readable in the
    record, and is the same on every run (the same name always gives the same text),
    so a rerun describes the same source. A valid UTF-8 name is unchanged (one that
    itself spells ``\\xNN`` reads like the escaped byte); neither matters for exactly-once
    recording, because an imported message's identity is its raw bytes, not its name.
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _is_maildir(path: Path) -> bool:
    return path.is_dir() and all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


def _is_mbox(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(5) == b"From "


def read_messages(path: Path) -> Iterator[FileMessage]:
    """Every message under ``path``: a Maildir, a folder of files, an mbox or one .eml."""
    if not path.exists():
        raise IngestError(f"cannot import {path}: no such file or folder")
    if _is_maildir(path):
        box = mailbox.Maildir(str(path), factory=None, create=False)
        for key in sorted(box.keys()):
            # get_bytes returns the message exactly as stored
            yield FileMessage(box.get_bytes(key), path_text(f"{path}/{key}"), path_text(path.name))
        return
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            hidden = any(p.startswith(".") for p in child.relative_to(path).parts)
            if child.is_file() and not hidden:
                yield from read_messages(child)
        return
    if _is_mbox(path):
        box_file = mailbox.mbox(str(path), create=False)
        for index, key in enumerate(box_file.keys()):
            yield FileMessage(
                box_file.get_bytes(key), f"{path_text(path)}#{index}", path_text(path.name)
            )
        return
    yield FileMessage(path.read_bytes(), path_text(path), path_text(path.parent.name))
