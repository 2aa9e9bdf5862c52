"""The two small interfaces through which stages read and append ledger entries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from pipeline.ledger.entry import EntryDraft, LedgerEntry


class LedgerReader(Protocol):
    """Read access to committed entries, in position order."""

    def size(self) -> int:
        """Number of committed entries."""
        ...

    def entries(self, start: int = 0, stop: int | None = None) -> Iterator[LedgerEntry]:
        """Committed entries with ``start <= seq < stop``."""
        ...

    def entry(self, seq: int) -> LedgerEntry:
        """The entry at ``seq``; raises :class:`pipeline.errors.LedgerError` if absent."""
        ...


class LedgerWriter(Protocol):
    """Append access: drafts get consecutive positions, or nothing is written."""

    def append(self, drafts: Sequence[EntryDraft]) -> list[LedgerEntry]:
        """Commit ``drafts`` as one batch and return them as committed entries."""
        ...
