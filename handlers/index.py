"""Finding earlier handler entries for a record without rescanning the whole ledger.

:class:`LedgerHandlerIndex` reads each ledger entry once: it remembers how far it
has read and, before each answer, reads only the entries appended since.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Protocol

from pipeline.entries import decode
from pipeline.entries.models import AcknowledgmentSent, HandlerBody
from pipeline.ledger.entry import LedgerEntry
from pipeline.ledger.protocols import LedgerReader

HANDLER_PREFIXES = ("acknowledgment.", "escalation.", "extension_notice.")


class AckIndex(Protocol):
    """Earlier acknowledgment/escalation entries, by record and by recipient."""

    def for_record(self, record_id: str, prefix: str) -> list[LedgerEntry]:
        """Entries whose type starts with ``prefix`` for ``record_id``, in ledger order."""
        ...

    def acks_sent_since(self, since: datetime) -> tuple[str, ...]:
        """Recipients of the ``acknowledgment.sent`` entries at or after ``since``."""
        ...


class LedgerHandlerIndex:
    """An :class:`AckIndex` built by scanning a :class:`LedgerReader` incrementally."""

    def __init__(self, ledger: LedgerReader) -> None:
        """Start empty; the first query reads the ledger from the beginning."""
        self._ledger = ledger
        self._next = 0
        self._by_record: dict[str, list[LedgerEntry]] = defaultdict(list)
        self._sent: list[tuple[datetime, str]] = []

    def refresh(self) -> None:
        """Read the entries appended since the last call."""
        size = self._ledger.size()
        if size <= self._next:
            return
        for entry in self._ledger.entries(self._next, size):
            if entry.type.startswith(HANDLER_PREFIXES):
                body = decode(entry).body
                assert isinstance(body, HandlerBody)
                self._by_record[body.record_id].append(entry)
                if isinstance(body, AcknowledgmentSent):
                    self._sent.append((entry.moment, body.to))
        self._next = size

    def for_record(self, record_id: str, prefix: str) -> list[LedgerEntry]:
        """Entries of ``record_id`` whose type starts with ``prefix``."""
        self.refresh()
        return [e for e in self._by_record.get(record_id, []) if e.type.startswith(prefix)]

    def acks_sent_since(self, since: datetime) -> tuple[str, ...]:
        """Recipients of acknowledgments sent since ``since`` (ledger order)."""
        self.refresh()
        # Ledger order is time order, so the recent ones are at the end.
        recent: list[str] = []
        for moment, to in reversed(self._sent):
            if moment < since:
                break
            recent.append(to)
        return tuple(reversed(recent))
