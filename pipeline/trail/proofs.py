"""Inclusion proofs against a signed checkpoint.

The Merkle tree is built once per command from the leaf hashes of the entries the
checkpoint covers (:meth:`pipeline.trail.evidence.LedgerRecords.build` reads them);
its root must equal the root in a checkpoint whose signature verified, otherwise the
log is not what was signed and no proof is offered.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from pipeline.errors import LedgerError
from pipeline.ledger.checkpoint import SignedCheckpoint
from pipeline.ledger.entry import LedgerEntry
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


class CheckpointedLog(LedgerReader, Protocol):
    """What :meth:`ProofContext.extended` reads: entries, and checkpoint notes verified
    against the log's keys."""

    def read_checkpoint_text(self, note: str) -> SignedCheckpoint:
        """The checkpoint ``note`` signs, once its signature verified."""
        ...


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

    def extended(self, ledger: CheckpointedLog, note: str) -> ProofContext:
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
        # this tree's root was checked against its own signed checkpoint: only the
        # entries appended since are new, so only they are read and hashed
        more = bytearray()
        for entry in ledger.entries(self.size, size):
            more += entry.leaf_hash
        tree = self.tree.extended(Hashes(bytes(more)))
        if tree.root() != signed.checkpoint.root:
            appended = (
                f"ledger entry {self.size}"
                if size - self.size == 1
                else f"ledger entries {self.size} to {size - 1}"
            )
            raise LedgerError(
                f"{appended}, appended after the checkpoint of size {self.size}, do not give"
                f" the signed root of size {size}: the log was changed after it was signed;"
                " run 'mailledger verify'"
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
    """The entries at ``seqs`` (ascending; a repeat is read once), reading nearby positions
    as one range.

    One range read per cluster avoids a store listing per entry, without reading
    the whole log when a record's entries are years apart. The positions are taken as
    they come, one cluster at a time, packed 8 bytes each: an export asks for every
    position of a large log, and a set of them cost some 90 bytes a position.
    """
    cluster = array("q")
    for seq in seqs:
        if cluster and seq <= cluster[-1]:
            if seq == cluster[-1]:
                continue
            raise ValueError(f"ledger positions must be ascending: {seq} after {cluster[-1]}")
        if cluster and seq - cluster[-1] >= _GAP:
            yield from _read_cluster(ledger, cluster)
            cluster = array("q")
        cluster.append(seq)
    if cluster:
        yield from _read_cluster(ledger, cluster)


def _read_cluster(ledger: LedgerReader, wanted: array[int]) -> Iterator[LedgerEntry]:
    """The entries at ``wanted`` (ascending, close together), from one range read."""
    i = 0
    for entry in ledger.entries(wanted[0], wanted[-1] + 1):
        while i < len(wanted) and wanted[i] < entry.seq:
            i += 1  # a position the log does not hold is not made up
        if i == len(wanted):
            return
        if wanted[i] == entry.seq:
            yield entry
            i += 1
