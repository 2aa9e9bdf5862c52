"""An in-memory ledger for unit tests of stages that read or append entries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pipeline.errors import LedgerError
from pipeline.hashing import ZERO_HASH
from pipeline.ledger.entry import EntryDraft, LedgerEntry


class MemoryLedger:
    """Implements :class:`LedgerReader` and :class:`LedgerWriter` with a list."""

    def __init__(self) -> None:
        self._entries: list[LedgerEntry] = []

    def size(self) -> int:
        """Number of committed entries."""
        return len(self._entries)

    def entries(self, start: int = 0, stop: int | None = None) -> Iterator[LedgerEntry]:
        """Entries with ``start <= seq < stop``."""
        yield from self._entries[start:stop]

    def entry(self, seq: int) -> LedgerEntry:
        """The entry at ``seq``."""
        if not 0 <= seq < len(self._entries):
            raise LedgerError(f"no ledger entry at position {seq}")
        return self._entries[seq]

    def append(self, drafts: Sequence[EntryDraft]) -> list[LedgerEntry]:
        """Append drafts with consecutive positions and chained ``prev`` hashes."""
        committed = []
        for draft in drafts:
            prev = self._entries[-1].entry_hash if self._entries else ZERO_HASH
            entry = LedgerEntry.build(len(self._entries), prev, draft)
            self._entries.append(entry)
            committed.append(entry)
        return committed
