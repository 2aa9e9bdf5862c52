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

import re
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from pipeline.entries import RecordBody, decode
from pipeline.entries.models import MessageSealed
from pipeline.errors import LedgerError
from pipeline.index.model import EntryLink, RecordRow, SearchCriteria
from pipeline.index.rows import facets_of, normalize_message_id, record_row, sealed_row
from pipeline.ledger.checkpoint import SignedCheckpoint
from pipeline.ledger.entry import LedgerEntry
from pipeline.merkle import MerkleTree
from pipeline.trail.proofs import ProofContext

__all__ = ["LedgerRecords", "matches"]


@dataclass(frozen=True)
class LedgerRecords:
    """Every record and link of the log a signed checkpoint covers (a :class:`RecordLookup`).

    Built over the whole log before an export writes its first record, so what is kept
    per record is compact: a link is a position in an array of ints (its entry type
    looked up from one byte per position), and facets are tuples of shared strings.
    """

    proofs: ProofContext
    rows: tuple[RecordRow, ...]  # in ledger order
    _by_id: dict[str, RecordRow]
    _links: dict[str, array[int]]  # record id -> positions of the entries naming it
    _types: _EntryTypes
    _facets: dict[int, tuple[str, ...]]  # position -> facets of its record entry

    @classmethod
    def build(cls, signed: SignedCheckpoint, entries: Iterable[LedgerEntry]) -> LedgerRecords:
        """Derive records and links from ``entries`` (positions ``0 .. size-1`` of the log
        ``signed`` covers); :class:`LedgerError` when they are not the signed history."""
        size = signed.checkpoint.size
        leaves: list[bytes] = []
        rows: list[RecordRow] = []
        # a message sealed but not yet assembled is a record too, until its record replaces it
        sealed: dict[str, RecordRow] = {}
        links: dict[str, array[int]] = {}
        types = _EntryTypes()
        facets: dict[int, tuple[str, ...]] = {}
        words: dict[str, str] = {}  # one string object per distinct facet word or name
        for entry in entries:
            if entry.seq != len(leaves):
                raise LedgerError(
                    f"ledger position {len(leaves)} is missing (read {entry.seq} instead);"
                    " run 'mailledger verify'"
                )
            leaves.append(entry.leaf_hash)
            types.append(entry.type)
            body = decode(entry).body
            if isinstance(body, RecordBody):
                rows.append(_shared_words(record_row(entry, body), words))
                facets[entry.seq] = tuple(
                    sorted(words.setdefault(f, f) for f in set(facets_of(body)))
                )
            elif isinstance(body, MessageSealed):
                sealed.setdefault(body.record_id, _shared_words(sealed_row(entry, body), words))
            for rid in body.concerns():
                seqs = links.get(rid)
                if seqs is None:
                    links[rid] = seqs = array("q")
                seqs.append(entry.seq)
            if len(leaves) == size:
                break
        if len(leaves) != size:
            raise LedgerError(
                f"the ledger holds {len(leaves)} entries, fewer than the {size} the signed"
                " checkpoint covers: entries were removed; run 'mailledger verify'"
            )
        tree = MerkleTree(leaves)
        del leaves
        if tree.root() != signed.checkpoint.root:
            raise LedgerError(
                f"the ledger's first {size} entries do not give the signed root of that size:"
                " the log was changed after it was signed; run 'mailledger verify'"
            )
        assembled = {r.record_id for r in rows}
        rows.extend(r for rid, r in sealed.items() if rid not in assembled)
        rows.sort(key=lambda r: r.seq)
        return cls(
            ProofContext(signed, tree),
            tuple(rows),
            {r.record_id: r for r in rows},
            links,
            types,
            facets,
        )

    @property
    def size(self) -> int:
        """Entries covered (the signed checkpoint's size)."""
        return self.proofs.size

    # -- RecordLookup ------------------------------------------------------------

    def record(self, record_id: str) -> RecordRow | None:
        """The record with this id, as its ledger entry says."""
        return self._by_id.get(record_id)

    def links(self, record_id: str) -> list[EntryLink]:
        """Every entry that names the record (its own entry included), in ledger order."""
        return [
            EntryLink(record_id, seq, self._types.at(seq)) for seq in self._links.get(record_id, ())
        ]

    def leaf_hashes(self, size: int) -> list[bytes]:
        """Leaf hashes of entries ``0 .. size-1``."""
        if size > self.size:
            raise LedgerError(f"only {self.size} entries are signed, not {size}")
        return list(self.proofs.tree.levels[0][:size])

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
            own = [r for r in self.rows if r.seq == seq]
            if own:
                return own
            named = sorted(rid for rid, seqs in self._links.items() if seq in seqs)
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
        for row in self.rows:
            if not matches(row, criteria) or (text_seqs is not None and row.seq not in text_seqs):
                continue
            if wanted and not wanted.issubset(self._facets.get(row.seq, ())):
                continue
            yield row


def _shared_words(row: RecordRow, words: dict[str, str]) -> RecordRow:
    """``row`` with its few-valued fields (mailbox, folder, type, direction, category)
    as one string object per distinct value: decoding gives every row copies of its own."""
    return replace(
        row,
        type=words.setdefault(row.type, row.type),
        mailbox=words.setdefault(row.mailbox, row.mailbox),
        folder=words.setdefault(row.folder, row.folder),
        direction=words.setdefault(row.direction, row.direction),
        category=None if row.category is None else words.setdefault(row.category, row.category),
    )


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
