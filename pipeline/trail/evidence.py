"""Records and the entries that concern them, read from the ledger and checked against
the signed root: what trails, ``show`` and exports stand on.

The SQLite index is a cache anyone with access to the state folder can edit: a
deleted row would drop a record from a trail or an export, an edited flag would
change a load file, a row pointed at another position would show another
borrower's message. So the evidence for those is the log itself: every entry up to
a signed checkpoint is read, the Merkle tree of their leaf hashes must give the
signed root, and each record's row, its flags and its list of entries are derived
from those entries. The index still finds candidates for search and free text.
"""

from __future__ import annotations

import bisect
import marshal
import os
import re
import tempfile
import weakref
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path

from pipeline.entries import RecordBody, decode
from pipeline.entries.models import MessageSealed
from pipeline.errors import LedgerError
from pipeline.index.model import EntryLink, RecordRow, SearchCriteria
from pipeline.index.rows import facets_of, normalize_message_id, record_row, sealed_row
from pipeline.ledger.checkpoint import SignedCheckpoint
from pipeline.ledger.entry import LedgerEntry
from pipeline.merkle import Hashes, MerkleTree
from pipeline.trail.proofs import ProofContext

__all__ = ["LedgerRecords", "matches"]


@dataclass(frozen=True)
class LedgerRecords:
    """Every record and link of the log a signed checkpoint covers (a :class:`RecordLookup`).

    Built over the whole log before an export writes its first record, so what is kept
    in memory per record is a few numbers: its row is packed into a scratch file (a
    :class:`RecordRow` is made again from it when asked for), a link is a position in
    one flat array of ints (its entry type looked up from two bytes per position), and
    its facets one small number naming a set of shared strings. The scratch file is
    written from the entries read here, in this process, and never shared; it lives in
    the directory the caller names (rows hold senders and subjects, so not the system
    temp directory) and is closed by :meth:`close` or by leaving a ``with`` block.
    """

    proofs: ProofContext
    _rows: _PackedRows  # in ledger order
    _ids: dict[str, int]  # record id -> its number in _links and _row_of
    _row_of: array[int]  # record number -> index of its row in _rows (-1: none)
    _links: _Links  # record number -> positions of the entries naming it
    _types: _EntryTypes

    @classmethod
    def build(
        cls, signed: SignedCheckpoint, entries: Iterable[LedgerEntry], scratch: Path
    ) -> LedgerRecords:
        """Derive records and links from ``entries`` (positions ``0 .. size-1`` of the log
        ``signed`` covers), the rows packed into a scratch file in the directory
        ``scratch``; :class:`LedgerError` when they are not the signed history."""
        rows = _PackedRows(scratch)
        try:
            return cls._build(signed, entries, rows)
        except BaseException:
            rows.close()
            raise

    @classmethod
    def _build(
        cls, signed: SignedCheckpoint, entries: Iterable[LedgerEntry], rows: _PackedRows
    ) -> LedgerRecords:
        size = signed.checkpoint.size
        leaves = bytearray()  # 32 bytes per entry, packed as the tree keeps them
        count = 0
        ids: dict[str, int] = {}
        # by record number: _READ once the record's own entry is read, else the index of
        # its seal's row while it is a sealed message not yet assembled (a record too,
        # until its record replaces it), else _NONE. A backfill seals every message
        # before assembling any, so the seals' rows go to the scratch file at once
        # instead of waiting in memory for their records (some 130 MiB for 200,000).
        state = array("q")
        links = _Links()
        types = _EntryTypes()
        words: dict[str, str] = {}  # one string object per distinct facet word
        for entry in entries:
            if entry.seq != count:
                raise LedgerError(
                    f"ledger position {count} is missing (read {entry.seq} instead);"
                    " run 'mailledger verify'"
                )
            leaves += entry.leaf_hash
            count += 1
            types.append(entry.type)
            body = decode(entry).body
            if isinstance(body, RecordBody):
                number = _number(ids, state, body.record_id)
                if state[number] >= 0:
                    rows.drop(state[number])
                facets = tuple(sorted(words.setdefault(f, f) for f in set(facets_of(body))))
                rows.append(record_row(entry, body), facets)
                state[number] = _READ
            elif isinstance(body, MessageSealed):
                number = _number(ids, state, body.record_id)
                if state[number] == _NONE:
                    state[number] = rows.append(sealed_row(entry, body), ())
            for rid in body.concerns():
                links.add(_number(ids, state, rid), entry.seq)
            if count == size:
                break
        if count != size:
            raise LedgerError(
                f"the ledger holds {count} entries, fewer than the {size} the signed"
                " checkpoint covers: entries were removed; run 'mailledger verify'"
            )
        del state
        tree = MerkleTree(Hashes(bytes(leaves)))
        del leaves
        if tree.root() != signed.checkpoint.root:
            raise LedgerError(
                f"the ledger's first {size} entries do not give the signed root of that size:"
                " the log was changed after it was signed; run 'mailledger verify'"
            )
        rows.finish()
        row_of = array("q", [-1]) * len(ids)
        for index in range(len(rows)):
            # the last row of a record id wins, as a dict built over the rows in order
            row_of[ids[rows.row(index).record_id]] = index
        return cls(ProofContext(signed, tree), rows, ids, row_of, links.finish(len(ids)), types)

    def close(self) -> None:
        """Close (and so remove) the scratch file of packed rows."""
        self._rows.close()

    def __enter__(self) -> LedgerRecords:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def size(self) -> int:
        """Entries covered (the signed checkpoint's size)."""
        return self.proofs.size

    @property
    def rows(self) -> Iterator[RecordRow]:
        """Every record, in ledger order."""
        return (self._rows.row(i) for i in range(len(self._rows)))

    # -- RecordLookup ------------------------------------------------------------

    def record(self, record_id: str) -> RecordRow | None:
        """The record with this id, as its ledger entry says."""
        number = self._ids.get(record_id)
        if number is None or self._row_of[number] < 0:
            return None
        return self._rows.row(self._row_of[number])

    def at(self, seq: int) -> RecordRow | None:
        """The record whose own entry is at ``seq``, if any."""
        index = self._rows.find(seq)
        return None if index is None else self._rows.row(index)

    def links(self, record_id: str) -> list[EntryLink]:
        """Every entry that names the record (its own entry included), in ledger order."""
        number = self._ids.get(record_id)
        if number is None:
            return []
        return [EntryLink(record_id, seq, self._types.at(seq)) for seq in self._links.of(number)]

    def resolve(self, ref: str) -> list[RecordRow]:
        """Records a reference names, with the same meaning as the index's ``resolve``."""
        text = ref.strip()
        if text.startswith("r-"):
            row = self.record(text)
            return [row] if row else []
        if re.fullmatch(r"[0-9a-fA-F]{64}", text):
            return [r for r in self.rows if r.raw_sha256 == text.lower()]
        if text.isdigit():
            seq = int(text)
            own = self.at(seq)
            if own is not None:
                return [own]
            named = sorted(
                rid for rid, number in self._ids.items() if seq in self._links.of(number)
            )
            return [r for rid in named if (r := self.record(rid)) is not None]
        wanted = normalize_message_id(text)
        return [r for r in self.rows if r.message_id == wanted]

    def select(self, criteria: SearchCriteria, text_seqs: set[int] | None) -> Iterator[RecordRow]:
        """The records matching ``criteria``, in ledger order.

        ``text_seqs`` are the positions allowed by the filters these entries cannot
        answer alone: where the words of ``criteria.text`` were found (the text
        index) and the records whose case has ``criteria.deadline_status`` (the case
        model); None when neither is given. Every other facet (request kind,
        escalation family, language, attachment verdict) is read from the entries.
        """
        wanted = {f for f in criteria.facets() if not f.startswith("status:")}
        for index in range(len(self._rows)):
            if text_seqs is not None and self._rows.seq(index) not in text_seqs:
                continue
            if wanted and not wanted.issubset(self._rows.facets(index)):
                continue
            row = self._rows.row(index)
            if matches(row, criteria):
                yield row


_ROW_FIELDS = tuple(f.name for f in fields(RecordRow))
_WRITE_CHUNK = 1 << 20  # packed rows gathered before one write to the scratch file


class _PackedRows:
    """Rows as one ``marshal`` string each, written to an unnamed scratch file and read
    back by offset, with their positions and facet sets in memory beside them: what a
    row costs in memory is three numbers, however many records the log holds."""

    def __init__(self, directory: Path) -> None:
        # made and removed at once: no other process can open it by name, and the space
        # is freed when its descriptor is closed (close(), or when the rows are dropped)
        fd, name = tempfile.mkstemp(prefix="records-", dir=directory)
        try:
            Path(name).unlink()
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        self._closer = weakref.finalize(self, os.close, fd)
        self._pending = bytearray()  # packed rows not yet written
        self._written = 0
        self._offsets = array("q")  # start of each row; the row ends where the next starts
        self._ends = array("q")
        self._seqs = array("q")
        self._facet_ids = array("I")
        self._facet_sets: list[tuple[str, ...]] = []
        self._facet_numbers: dict[tuple[str, ...], int] = {}
        self._dropped = array("q")  # rows left out at finish()

    def __len__(self) -> int:
        return len(self._seqs)

    def close(self) -> None:
        """Close the scratch file (again: nothing)."""
        self._closer()

    def append(self, row: RecordRow, facets: tuple[str, ...]) -> int:
        """Keep one row and its facets (rows come in ledger order); its index until
        :meth:`finish`."""
        packed = marshal.dumps(tuple(getattr(row, name) for name in _ROW_FIELDS))
        start = self._written + len(self._pending)
        self._offsets.append(start)
        self._ends.append(start + len(packed))
        self._pending += packed
        if len(self._pending) >= _WRITE_CHUNK:
            self._flush()
        self._seqs.append(row.seq)
        number = self._facet_numbers.get(facets)
        if number is None:
            number = self._facet_numbers[facets] = len(self._facet_sets)
            self._facet_sets.append(facets)
        self._facet_ids.append(number)
        return len(self._seqs) - 1

    def drop(self, index: int) -> None:
        """Leave out the row at ``index`` (a seal whose record came); before :meth:`finish`."""
        self._dropped.append(index)

    def _flush(self) -> None:
        view = memoryview(self._pending)
        while view:
            view = view[os.write(self._fd, view) :]
        self._written += len(self._pending)
        self._pending = bytearray()

    def finish(self) -> None:
        """Write what is pending and forget the dropped rows; after the last :meth:`append`.

        A dropped row's bytes stay in the scratch file, unreferenced: rewriting the
        file would cost a pass over every row to save space that goes with it anyway.
        """
        self._flush()
        if not self._dropped:
            return
        gone = bytearray(len(self._seqs))
        for index in self._dropped:
            gone[index] = 1
        self._dropped = array("q")
        kept = array("q", (i for i in range(len(self._seqs)) if not gone[i]))
        self._offsets = array("q", (self._offsets[i] for i in kept))
        self._ends = array("q", (self._ends[i] for i in kept))
        self._seqs = array("q", (self._seqs[i] for i in kept))
        self._facet_ids = array("I", (self._facet_ids[i] for i in kept))

    def row(self, index: int) -> RecordRow:
        """The row at ``index``."""
        start = self._offsets[index]
        packed = os.pread(self._fd, self._ends[index] - start, start)
        # the bytes are this object's own packing in its own unnamed file, never read
        # from outside
        return RecordRow(*marshal.loads(packed))  # noqa: S302

    def seq(self, index: int) -> int:
        """The position of the row at ``index``."""
        return self._seqs[index]

    def facets(self, index: int) -> tuple[str, ...]:
        """The facets of the row at ``index``."""
        return self._facet_sets[self._facet_ids[index]]

    def find(self, seq: int) -> int | None:
        """The index of the row at position ``seq``, if there is one."""
        index = bisect.bisect_left(self._seqs, seq)
        return index if index < len(self._seqs) and self._seqs[index] == seq else None


class _Links:
    """Positions naming each record, gathered in ledger order and kept as one flat array
    grouped by record (an array object per record would cost more than its contents)."""

    def __init__(self) -> None:
        self._numbers = array("q")
        self._seqs = array("q")
        self._starts = array("q")

    def add(self, number: int, seq: int) -> None:
        """The entry at ``seq`` names record ``number`` (positions ascending)."""
        self._numbers.append(number)
        self._seqs.append(seq)

    def finish(self, records: int) -> _Links:
        """Group the links by record (a counting sort, stable: positions stay ascending)."""
        starts = array("q", [0]) * (records + 1)
        for number in self._numbers:
            starts[number + 1] += 1
        for i in range(records):
            starts[i + 1] += starts[i]
        fill = array("q", starts)
        grouped = array("q", [0]) * len(self._seqs)
        for number, seq in zip(self._numbers, self._seqs, strict=True):
            grouped[fill[number]] = seq
            fill[number] += 1
        self._numbers = array("q")
        self._seqs = grouped
        self._starts = starts
        return self

    def of(self, number: int) -> array[int]:
        """The positions naming record ``number``, ascending."""
        return self._seqs[self._starts[number] : self._starts[number + 1]]


_NONE = -1  # see LedgerRecords._build: no row of the record yet
_READ = -2  # the record's own entry has been read


def _number(ids: dict[str, int], state: array[int], record_id: str) -> int:
    """The number of ``record_id``, given the next one when it is new."""
    number = ids.get(record_id)
    if number is None:
        number = ids[record_id] = len(ids)
        state.append(_NONE)
    return number


class _EntryTypes:
    """The type of every entry by position: two bytes each, over the few distinct types."""

    def __init__(self) -> None:
        self._codes = array("H")
        self._names: list[str] = []
        self._ids: dict[str, int] = {}

    def append(self, type_: str) -> None:
        """The type of the next position."""
        code = self._ids.get(type_)
        if code is None:
            code = self._ids[type_] = len(self._names)
            self._names.append(type_)
        self._codes.append(code)

    def at(self, seq: int) -> str:
        """The type of the entry at ``seq``."""
        return self._names[self._codes[seq]]


def matches(row: RecordRow, criteria: SearchCriteria) -> bool:
    """Whether ``row`` meets every field filter of ``criteria`` (not ``text``: see
    :meth:`LedgerRecords.select`), as the index's search reads them."""
    if row.type not in criteria.types:
        return False
    if criteria.received_from is not None and row.received < criteria.received_from:
        return False
    if criteria.received_to is not None and row.received >= criteria.received_to:
        return False
    if criteria.mailbox is not None and row.mailbox != criteria.mailbox:
        return False
    if criteria.sender is not None:
        sender = criteria.sender.strip().lower()
        ok = row.sender.endswith(sender) if sender.startswith("@") else row.sender == sender
        if not ok:
            return False
    if criteria.account is not None and re.sub(r"\D", "", criteria.account) not in row.accounts:
        return False
    if criteria.category is not None and row.category != criteria.category:
        return False
    if criteria.escalated is not None and row.escalated != criteria.escalated:
        return False
    return not (criteria.rule and criteria.rule.strip() not in row.rules)
