"""Search results shown as their ledger entries say, proven against the signed root.

The index only finds candidates: anyone who can write the state folder can edit a
row (a category, the escalated flag, a deadline state). So each row a search page
shows is rebuilt from its own ledger entry, through the same functions that wrote
the index row (:func:`pipeline.index.rows.record_row` and ``sealed_row``), after
checking that the entries the ledger serves are the history the newest signed
checkpoint covers: the root of the ledger's proven batches at the checkpoint's size
must equal the signed root, and every batch the page reads is pinned to the bytes
that went into that root. A row whose index copy differs from its entry is shown
from the entry and listed in :attr:`ProvenPage.disagreements`, for a warning.

A page's rows are read grouped by batch (one read serves every row in it), and the
store is listed once per page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

from pipeline.cases.book import request_kinds_of
from pipeline.entries import RecordBody, decode
from pipeline.entries.models import MessageSealed
from pipeline.errors import LedgerError
from pipeline.index.model import RecordRow
from pipeline.index.rows import record_row, sealed_row
from pipeline.ledger.checkpoint import SignedCheckpoint
from pipeline.ledger.log import Ledger
from pipeline.merkle import CompactRange

__all__ = ["Disagreement", "ProvenPage", "ProvenRow", "newest_signed", "prove_rows"]


@dataclass(frozen=True)
class ProvenRow:
    """One search result as its ledger entry says: the row and its decisions."""

    row: RecordRow
    request_kinds: tuple[str, ...]
    language: str | None
    machine: bool  # written by a machine (RFC 3834 headers, bounces, out-of-office)
    signed: bool  # False: appended after the newest signed checkpoint (writer proof only)
    index_differs: tuple[str, ...] = ()  # fields whose index copy says something else


@dataclass(frozen=True)
class Disagreement:
    """An index row that says something its ledger entry does not."""

    seq: int
    record_id: str
    fields: tuple[str, ...]  # field names only: values may be personal data

    def describe(self) -> str:
        """One line for a page or a terminal."""
        return (
            f"ledger position {self.seq} ({self.record_id}): the index said another"
            f" {', '.join(f.replace('_', ' ') for f in self.fields)}"
        )


@dataclass(frozen=True)
class ProvenPage:
    """A page of results rebuilt from proven entries."""

    rows: tuple[ProvenRow, ...]
    checkpoint_size: int  # the signed checkpoint the rows were proven against
    disagreements: tuple[Disagreement, ...]


def newest_signed(ledger: Ledger) -> SignedCheckpoint:
    """The checkpoint of the ledger's head (signed here when this process holds the log
    key and it is missing), else the newest one in the store; verified either way."""
    size = ledger.refresh()
    if size == 0:
        raise LedgerError("the ledger is empty: there is nothing to prove")
    if ledger.signing_key is not None:
        return ledger.read_checkpoint_text(ledger.checkpoint_note(size))
    latest = ledger.latest_checkpoint()
    if latest is None:
        raise LedgerError("the ledger has no signed checkpoint yet; run 'mailledger checkpoint'")
    return latest


def prove_rows(
    ledger: Ledger, candidates: Sequence[RecordRow], signed: SignedCheckpoint
) -> ProvenPage:
    """``candidates`` (index rows, in the order to show) rebuilt from their ledger entries.

    Raises :class:`LedgerError` when the ledger's entries are not the history
    ``signed`` covers, or a candidate's position holds no record of that id (the
    index points somewhere else: nothing is shown from it).
    """
    size = signed.checkpoint.size
    _check_root(ledger, signed)
    entries = {e.seq: e for e in ledger.entries_at(c.seq for c in candidates)}
    rows: list[ProvenRow] = []
    disagreements: list[Disagreement] = []
    for candidate in candidates:
        entry = entries[candidate.seq]
        body = decode(entry).body
        if isinstance(body, RecordBody):
            row = record_row(entry, body)
            cls = body.classification
            kinds: tuple[str, ...] = request_kinds_of(cls)
            language, machine = cls.language, bool(cls.machine and cls.machine.is_machine)
        elif isinstance(body, MessageSealed):
            row = sealed_row(entry, body)
            kinds, language, machine = (), None, False
        else:
            row = None
        if row is None or row.record_id != candidate.record_id:
            raise LedgerError(
                f"the search index places record {candidate.record_id} at ledger position"
                f" {candidate.seq}, which holds {entry.type}"
                + (f" of {row.record_id}" if row is not None else "")
                + ": the index was changed; run 'mailledger verify', then"
                " 'mailledger index --rebuild'"
            )
        differs = _differs(candidate, row)
        if differs:
            disagreements.append(Disagreement(row.seq, row.record_id, differs))
        rows.append(ProvenRow(row, kinds, language, machine, row.seq < size, differs))
    return ProvenPage(tuple(rows), size, tuple(disagreements))


def _check_root(ledger: Ledger, signed: SignedCheckpoint) -> None:
    """Raise unless the ledger's entries up to the checkpoint give its signed root."""
    size, root = signed.checkpoint.size, signed.checkpoint.root
    known = ledger.root_at(size)
    if known is None:
        # An older checkpoint than the ledger keeps ranges for (a log key holder has not
        # signed for a while): hash the signed prefix once.
        known = CompactRange.from_leaves([e.leaf_hash for e in ledger.entries(0, size)]).root()
    if known != root:
        raise LedgerError(
            f"the ledger's first {size} entries do not give the root the checkpoint of that"
            " size signs: the log was changed after it was signed; run 'mailledger verify'"
        )


def _differs(index_row: RecordRow, proven: RecordRow) -> tuple[str, ...]:
    """Names of the fields the index copy has wrong."""
    return tuple(
        f.name for f in fields(RecordRow) if getattr(index_row, f.name) != getattr(proven, f.name)
    )
