"""Where the ledger keeps its objects in the store."""

from __future__ import annotations

ENTRIES = "ledger/entries/"
CHECKPOINTS = "ledger/checkpoints/"
WRITERS = "ledger/writers/"
# The signed-note signature line prefix (em dash, space) that starts a batch's proof line.
_PROOF_PREFIX = "\u2014 ".encode()


def batch_key(first_seq: int) -> str:
    """Key of the batch whose first entry is at ``first_seq``."""
    return f"{ENTRIES}{first_seq:016d}.jsonl"


def checkpoint_key(size: int) -> str:
    """Key of the signed checkpoint for the tree of ``size`` entries."""
    return f"{CHECKPOINTS}{size:016d}"


def seq_of(key: str) -> int | None:
    """The number a ledger key is named after, or None for a foreign key."""
    stem = key.rsplit("/", 1)[-1].split(".", 1)[0]
    return int(stem) if len(stem) == 16 and stem.isdigit() else None


def split_batch(data: bytes) -> list[bytes]:
    """Entry lines of a batch object (each entry is one line), without its proof line."""
    return batch_parts(data)[0]


def batch_parts(data: bytes) -> tuple[list[bytes], bytes | None]:
    """A batch's entry lines and its final proof line (None when it has none).

    Only the last line can be the proof; a proof-like line anywhere else stays among
    the entry lines, where it is reported as an unreadable entry.
    """
    lines = [line for line in data.split(b"\n") if line]
    if lines and lines[-1].startswith(_PROOF_PREFIX):
        return lines[:-1], lines[-1]
    return lines, None
