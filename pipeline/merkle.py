"""Merkle tree hashing and proofs exactly as RFC 6962 section 2.1 (and RFC 9162 section 2.1).

Pure functions over leaf hashes. The tree over n leaves splits at the largest
power of two strictly smaller than n; the empty tree hashes to SHA-256("").
Verification follows the RFC 9162 section 2.1.3.2 and 2.1.4.2 algorithms, which
check proof length exactly, so appended or removed elements are rejected.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import overload

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(entry: bytes) -> bytes:
    """SHA-256(0x00 || entry)."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """Largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaves(leaves: Sequence[bytes]) -> bytes:
    """Merkle tree hash (MTH) over leaf hashes, computed bottom-up in O(n)."""
    return CompactRange.from_leaves(leaves).root()


class Hashes(Sequence[bytes]):
    """SHA-256 hashes packed one after another in one ``bytes``: 32 bytes each, where a
    list of ``bytes`` objects costs 73 (object header and list slot), which is most of
    a tree's memory over a large log."""

    __slots__ = ("_blob",)

    def __init__(self, blob: bytes) -> None:
        if len(blob) % 32:
            raise ValueError(f"{len(blob)} bytes are not a whole number of SHA-256 hashes")
        self._blob = blob

    @classmethod
    def of(cls, hashes: Iterable[bytes]) -> Hashes:
        """Pack ``hashes`` (each 32 bytes)."""
        items = hashes if isinstance(hashes, Sequence) else list(hashes)
        if any(len(h) != 32 for h in items):
            raise ValueError("a Merkle tree is built over 32-byte hashes")
        return cls(b"".join(items))

    def __len__(self) -> int:
        return len(self._blob) // 32

    @overload
    def __getitem__(self, index: int) -> bytes: ...
    @overload
    def __getitem__(self, index: slice) -> list[bytes]: ...
    def __getitem__(self, index: int | slice) -> bytes | list[bytes]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError(f"no hash {index} of {n}")
        return self._blob[32 * index : 32 * index + 32]

    def packed(self) -> bytes:
        """The hashes as stored: 32 bytes each, one after another."""
        return self._blob

    def parents(self, start: int = 0) -> Hashes:
        """The level above: the hash of each aligned pair (an odd last hash has none),
        from pair ``start`` on."""
        blob = self._blob
        # appended one by one: a join would first hold every digest as its own object
        out = bytearray()
        for i in range(64 * start, len(blob) - 32, 64):
            out += hashlib.sha256(b"\x01" + blob[i : i + 64]).digest()
        return Hashes(bytes(out))


class MerkleTree:
    """A tree over leaf hashes that keeps every level, so proofs cost O(log^2 n) hashes.

    Level h holds the roots of the aligned perfect subtrees of 2**h leaves; any
    RFC 6962 subtree is either one of those or splits into them along the right edge.
    Each level is packed (:class:`Hashes`): about 64 bytes per leaf for the whole tree.
    """

    def __init__(self, leaves: Iterable[bytes]) -> None:
        self.levels: list[Hashes] = [leaves if isinstance(leaves, Hashes) else Hashes.of(leaves)]
        while len(self.levels[-1]) > 1:
            self.levels.append(self.levels[-1].parents())

    @classmethod
    def _of_levels(cls, levels: list[Hashes]) -> MerkleTree:
        tree = cls.__new__(cls)
        tree.levels = levels
        return tree

    def extended(self, more: Hashes) -> MerkleTree:
        """The tree over this tree's leaves followed by ``more``, this tree unchanged.

        Every node of this tree over an aligned run of leaves is a node of the larger
        tree too: each level is copied as packed bytes and only the nodes over the new
        leaves are hashed, instead of building the larger tree again from its leaves.
        """
        levels = [Hashes(self.levels[0].packed() + more.packed())]
        while len(levels[-1]) > 1:
            below = levels[-1]
            height = len(levels)
            kept = self.levels[height] if height < len(self.levels) else Hashes(b"")
            levels.append(Hashes(kept.packed() + below.parents(len(kept)).packed()))
        return MerkleTree._of_levels(levels)

    @property
    def size(self) -> int:
        """Number of leaves."""
        return len(self.levels[0])

    def root(self, size: int | None = None) -> bytes:
        """Tree hash of the first ``size`` leaves (all by default)."""
        n = self.size if size is None else size
        if not 0 <= n <= self.size:
            raise ValueError(f"no tree of size {n} in a log of {self.size} entries")
        return EMPTY_ROOT if n == 0 else self._subtree(0, n)

    def _subtree(self, lo: int, hi: int) -> bytes:
        n = hi - lo
        if n & (n - 1) == 0 and lo % n == 0:
            return self.levels[n.bit_length() - 1][lo // n]
        k = _split(n)
        return node_hash(self._subtree(lo, lo + k), self._subtree(lo + k, hi))

    def compact_range(self, size: int) -> CompactRange:
        """The compact range of the first ``size`` leaves, read from the levels: each peak
        is an aligned perfect subtree, so nothing is hashed."""
        if not 0 <= size <= self.size:
            raise ValueError(f"no tree of size {size} in a log of {self.size} entries")
        peaks: list[bytes] = []
        lo = 0
        for height in reversed(range(size.bit_length())):
            if size >> height & 1:
                peaks.append(self.levels[height][lo >> height])
                lo += 1 << height
        return CompactRange(size, tuple(peaks))

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """Audit path PATH(m, D[n]) for leaf ``index`` in the tree of the first ``size`` leaves."""
        n = self.size if size is None else size
        if not 0 <= index < n <= self.size:
            raise ValueError(f"index {index} is not in a tree of size {n}")
        return self._path(index, 0, n)

    def _path(self, m: int, lo: int, hi: int) -> list[bytes]:
        n = hi - lo
        if n == 1:
            return []
        k = _split(n)
        if m < k:
            return [*self._path(m, lo, lo + k), self._subtree(lo + k, hi)]
        return [*self._path(m - k, lo + k, hi), self._subtree(lo, lo + k)]

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """PROOF(m, D[n]): proves the tree of ``old_size`` leaves is a prefix of ``new_size``."""
        n = self.size if new_size is None else new_size
        if not 0 <= old_size <= n <= self.size:
            raise ValueError(f"cannot prove size {old_size} against size {n}")
        if old_size in (0, n):
            return []
        return self._subproof(old_size, 0, n, complete=True)

    def _subproof(self, m: int, lo: int, hi: int, complete: bool) -> list[bytes]:
        n = hi - lo
        if m == n:
            return [] if complete else [self._subtree(lo, hi)]
        k = _split(n)
        if m <= k:
            return [*self._subproof(m, lo, lo + k, complete), self._subtree(lo + k, hi)]
        return [*self._subproof(m - k, lo + k, hi, False), self._subtree(lo, lo + k)]


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 2.1.3.2: True only if ``proof`` shows ``leaf`` at ``index`` in the tree ``root``."""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    r = leaf
    for p in proof:
        if len(p) != 32 or sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """RFC 9162 2.1.4.2: True only if the tree ``old_root`` is a prefix of ``new_root``."""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size == 0:
        return not proof
    if not proof or any(len(p) != 32 for p in proof):
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is itself a node
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


@dataclass(frozen=True)
class CompactRange:
    """The roots of the perfect subtrees covering leaves [0, size): O(log n) state.

    Lets a writer extend the tree and compute the new root from the previous
    checkpoint without re-reading every leaf.
    """

    size: int
    peaks: tuple[bytes, ...]

    @classmethod
    def empty(cls) -> CompactRange:
        """The range of the empty tree."""
        return cls(0, ())

    @classmethod
    def from_leaves(cls, leaves: Sequence[bytes]) -> CompactRange:
        """Build the range over ``leaves``."""
        return cls.empty().extend(leaves)

    def extend(self, leaves: Sequence[bytes]) -> CompactRange:
        """Append leaf hashes; returns a new range."""
        peaks = list(self.peaks)
        size = self.size
        for leaf in leaves:
            node = leaf
            # merge equal-height peaks: the number of merges is the count of trailing one bits
            s = size
            while s & 1:
                node = node_hash(peaks.pop(), node)
                s >>= 1
            peaks.append(node)
            size += 1
        return CompactRange(size, tuple(peaks))

    def root(self) -> bytes:
        """The RFC 6962 tree hash of the covered leaves."""
        if not self.peaks:
            return EMPTY_ROOT
        node = self.peaks[-1]
        for peak in reversed(self.peaks[:-1]):
            node = node_hash(peak, node)
        return node


def consistency_proof_from(old: CompactRange, new_leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) (RFC 6962 section 2.1.2) without the whole tree.

    ``old`` is the compact range of the first m leaves, ``new_leaves`` the leaf hashes
    m .. n-1. Every node of the proof lies wholly left of m, where it is one of the
    range's peaks (the maximal perfect subtrees of the first m leaves), or wholly right
    of it, where it is hashed from the new leaves; so a log can prove consistency from a
    size it signed long ago by reading only what was appended since.
    """
    m, n = old.size, old.size + len(new_leaves)
    if m in (0, n):
        return []
    peaks: dict[tuple[int, int], bytes] = {}
    lo = 0
    for height in range(m.bit_length() - 1, -1, -1):
        if m >> height & 1:
            peaks[(lo, 1 << height)] = old.peaks[len(peaks)]
            lo += 1 << height

    def subtree(lo: int, hi: int) -> bytes:
        if hi <= m:
            return peaks[(lo, hi - lo)]
        assert lo >= m, "a consistency proof node never straddles the old size"
        return root_from_leaves(new_leaves[lo - m : hi - m])

    def subproof(k: int, lo: int, hi: int, complete: bool) -> list[bytes]:
        size = hi - lo
        if k == size:
            return [] if complete else [subtree(lo, hi)]
        split = _split(size)
        if k <= split:
            return [*subproof(k, lo, lo + split, complete), subtree(lo + split, hi)]
        return [*subproof(k - split, lo + split, hi, False), subtree(lo, lo + split)]

    return subproof(m, 0, n, True)
