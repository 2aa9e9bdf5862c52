"""Inclusion proofs against the latest signed checkpoint, from the index's leaf-hash cache.

The Merkle tree is built once per command from the cached leaf hashes; its root
must equal the root in a checkpoint whose signature verified, otherwise the
cache (or the log) is not what was signed and no proof is offered.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pipeline.errors import LedgerError
from pipeline.index.model import RecordLookup
from pipeline.ledger.checkpoint import SignedCheckpoint
from pipeline.ledger.entry import LedgerEntry
from pipeline.ledger.log import Ledger
from pipeline.ledger.protocols import LedgerReader
from pipeline.merkle import Hashes, MerkleTree, verify_inclusion

_GAP = 512  # read entries separated by fewer positions than this as one range


@dataclass(frozen=True)
class InclusionProof:
    """RFC 6962 audit path for one entry, and whether it verified against the checkpoint."""

    seq: int
    tree_size: int
    leaf_hash: str
    path: tuple[str, ...]
    verified: bool

    def to_json(self) -> dict[str, Any]:
        """JSON-ready proof."""
        return {
            "seq": self.seq,
            "tree_size": self.tree_size,
            "leaf_hash": self.leaf_hash,
            "proof": list(self.path),
            "verified": self.verified,
        }


@dataclass(frozen=True)
class ProofContext:
    """A verified checkpoint and the tree it commits to."""

    checkpoint: SignedCheckpoint
    tree: MerkleTree
    # an entry shared by many records (an export, a batch of delivered events) is proven once
    _cache: dict[int, InclusionProof] = field(default_factory=dict, compare=False, repr=False)

    @property
    def size(self) -> int:
        """Tree size of the checkpoint."""
        return self.checkpoint.checkpoint.size

    @property
    def root(self) -> bytes:
        """Signed root hash."""
        return self.checkpoint.checkpoint.root

    @classmethod
    def latest(cls, ledger: Ledger, index: RecordLookup) -> ProofContext:
        """Against the checkpoint of the ledger head (the index must be synced to it)."""
        size = ledger.size()
        if size == 0:
            raise LedgerError("the ledger is empty: there is nothing to prove")
        if ledger.signing_key is not None:
            note = ledger.checkpoint_note(size)
        else:
            latest = ledger.latest_checkpoint()
            if latest is None:
                raise LedgerError("the ledger has no signed checkpoint yet")
            note = latest.note
        return cls.for_note(ledger, index, note)

    @classmethod
    def for_note(cls, ledger: Ledger, index: RecordLookup, note: str) -> ProofContext:
        """Against a given checkpoint note, whose signature is verified first."""
        signed = ledger.read_checkpoint_text(note)
        tree = MerkleTree(index.leaf_hashes(signed.checkpoint.size))
        if tree.root() != signed.checkpoint.root:
            raise LedgerError(
                f"the index's leaf hashes do not give the signed root of size"
                f" {signed.checkpoint.size}: delete the index (it is rebuilt) and run"
                " 'mailledger verify'"
            )
        return cls(signed, tree)

    def extended(self, ledger: Ledger, note: str) -> ProofContext:
        """Against a later checkpoint note (signature verified first): this tree's leaves
        and the leaf hashes of the entries after them, read from the ledger.

        An export proves its own ``export.created`` entry this way: the index would
        first have to take in that entry and its ``access.viewed``, each naming every
        exported record, which grows the command's memory with the export.
        """
        signed = ledger.read_checkpoint_text(note)
        size = signed.checkpoint.size
        if size < self.size:
            raise LedgerError(
                f"the checkpoint of size {size} is older than the one of size {self.size}"
                " the export was proven against; run 'mailledger verify'"
            )
        leaves = bytearray().join(self.tree.levels[0][: self.size])
        for entry in ledger.entries(self.size, size):
            leaves += entry.leaf_hash
        tree = MerkleTree(Hashes(bytes(leaves)))
        if tree.root() != signed.checkpoint.root:
            raise LedgerError(
                f"the ledger's first {size} entries do not give the signed root of that size:"
                " the log was changed after it was signed; run 'mailledger verify'"
            )
        return ProofContext(signed, tree)

    def prove(self, entry: LedgerEntry) -> InclusionProof:
        """The audit path of ``entry``, checked with the independent RFC 9162 verifier."""
        cached = self._cache.get(entry.seq)
        if cached is not None and cached.leaf_hash == entry.entry_hash:
            return cached
        if entry.seq >= self.size:
            return InclusionProof(entry.seq, self.size, entry.entry_hash, (), verified=False)
        path = self.tree.inclusion_proof(entry.seq)
        ok = verify_inclusion(entry.leaf_hash, entry.seq, self.size, path, self.root)
        proof = InclusionProof(
            entry.seq, self.size, entry.entry_hash, tuple(p.hex() for p in path), verified=ok
        )
        self._cache[entry.seq] = proof
        return proof


def read_entries(ledger: LedgerReader, seqs: Iterable[int]) -> Iterator[LedgerEntry]:
    """The entries at ``seqs`` in ascending order, reading nearby positions as one range.

    One range read per cluster avoids a store listing per entry, without reading
    the whole log when a record's entries are years apart.
    """
    wanted = sorted(set(seqs))
    i = 0
    while i < len(wanted):
        j = i
        while j + 1 < len(wanted) and wanted[j + 1] - wanted[j] < _GAP:
            j += 1
        keep = set(wanted[i : j + 1])
        for entry in ledger.entries(wanted[i], wanted[j] + 1):
            if entry.seq in keep:
                yield entry
        i = j + 1
