"""Reading messages from files for backfill: ``.eml`` files, mbox files and Maildir folders."""

from __future__ import annotations

import mailbox
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
            yield FileMessage(box.get_bytes(key), f"{path}/{key}", path.name)
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
            yield FileMessage(box_file.get_bytes(key), f"{path}#{index}", path.name)
        return
    yield FileMessage(path.read_bytes(), str(path), path.parent.name)
