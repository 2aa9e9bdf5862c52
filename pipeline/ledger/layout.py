"""Where the ledger keeps its objects in the store."""

from __future__ import annotations

ENTRIES = "ledger/entries/"
CHECKPOINTS = "ledger/checkpoints/"
FRONTIERS = "ledger/frontier/"


def batch_key(first_seq: int) -> str:
    """Key of the batch whose first entry is at ``first_seq``."""
    return f"{ENTRIES}{first_seq:016d}.jsonl"


def checkpoint_key(size: int) -> str:
    """Key of the signed checkpoint for the tree of ``size`` entries."""
    return f"{CHECKPOINTS}{size:016d}"


def frontier_key(size: int) -> str:
    """Key of the compact Merkle range cached at ``size``."""
    return f"{FRONTIERS}{size:016d}.json"


def seq_of(key: str) -> int | None:
    """The number a ledger key is named after, or None for a foreign key."""
    stem = key.rsplit("/", 1)[-1].split(".", 1)[0]
    return int(stem) if len(stem) == 16 and stem.isdigit() else None


def split_batch(data: bytes) -> list[bytes]:
    """Entry lines of a batch object (each entry is one line)."""
    return [line for line in data.split(b"\n") if line]
