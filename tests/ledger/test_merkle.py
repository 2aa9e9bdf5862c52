"""RFC 6962 tree hashing and proofs: known answers, round trips and every mutation class."""

from __future__ import annotations

import hashlib

import pytest

from pipeline.merkle import (
    EMPTY_ROOT,
    CompactRange,
    Hashes,
    MerkleTree,
    leaf_hash,
    node_hash,
    root_from_leaves,
    verify_consistency,
    verify_inclusion,
)

# Known-answer vectors from transparency-dev/merkle, proof/verify_test.go (the same data the
# Certificate Transparency test suites use): the 8 standard leaves, the roots of the trees
# of their first 1..8 leaves, and inclusion/consistency proofs. Leaf numbers in the Go file
# are 1-based; here indexes are 0-based.
CT_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",  # empty tree
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INCLUSION = [  # (index, size, proof)
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CT_CONSISTENCY = [  # (old size, new size, proof)
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]

CT_LEAF_HASHES = [leaf_hash(leaf) for leaf in CT_LEAVES]
CT_TREE = MerkleTree(CT_LEAF_HASHES)


def _hashes(n: int) -> list[bytes]:
    return [leaf_hash(i.to_bytes(4, "big")) for i in range(n)]


def _flip(value: bytes, bit: int = 3) -> bytes:
    return bytes([value[0] ^ (1 << bit), *value[1:]])


# -- hashing -------------------------------------------------------------------------


def test_leaf_hash_prefixes_a_zero_byte() -> None:
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()


def test_node_hash_prefixes_a_one_byte() -> None:
    left, right = b"L" * 32, b"R" * 32
    assert node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()


def test_empty_tree_hashes_to_sha256_of_nothing() -> None:
    assert EMPTY_ROOT.hex() == CT_ROOTS[0]
    assert MerkleTree([]).root() == EMPTY_ROOT


@pytest.mark.parametrize("size", range(9))
def test_root_matches_the_known_answer_for_each_prefix_of_the_ct_leaves(size: int) -> None:
    assert MerkleTree(CT_LEAF_HASHES[:size]).root().hex() == CT_ROOTS[size]
    assert CT_TREE.root(size).hex() == CT_ROOTS[size]
    assert root_from_leaves(CT_LEAF_HASHES[:size]).hex() == CT_ROOTS[size]


@pytest.mark.parametrize(("index", "size", "proof"), CT_INCLUSION)
def test_inclusion_proof_matches_the_known_answer(index: int, size: int, proof: list[str]) -> None:
    assert [p.hex() for p in CT_TREE.inclusion_proof(index, size)] == proof
    assert verify_inclusion(
        CT_LEAF_HASHES[index],
        index,
        size,
        [bytes.fromhex(p) for p in proof],
        bytes.fromhex(CT_ROOTS[size]),
    )


@pytest.mark.parametrize(("old", "new", "proof"), CT_CONSISTENCY)
def test_consistency_proof_matches_the_known_answer(old: int, new: int, proof: list[str]) -> None:
    assert [p.hex() for p in CT_TREE.consistency_proof(old, new)] == proof
    assert verify_consistency(
        old,
        new,
        bytes.fromhex(CT_ROOTS[old]),
        bytes.fromhex(CT_ROOTS[new]),
        [bytes.fromhex(p) for p in proof],
    )


def test_compact_range_root_equals_the_tree_root_for_every_size_to_300() -> None:
    leaves = _hashes(300)
    tree = MerkleTree(leaves)
    compact = CompactRange.empty()
    assert compact.root() == tree.root(0)
    for size in range(1, 301):
        compact = compact.extend([leaves[size - 1]])
        assert compact.root() == tree.root(size), size
        assert compact.size == size


def test_compact_range_extended_in_uneven_steps_matches_one_built_at_once() -> None:
    leaves = _hashes(97)
    compact = CompactRange.empty()
    for lo, hi in ((0, 1), (1, 8), (8, 8), (8, 40), (40, 97)):
        compact = compact.extend(leaves[lo:hi])
    assert compact == CompactRange.from_leaves(leaves)


def test_compact_range_keeps_one_peak_per_set_bit_of_the_size() -> None:
    assert len(CompactRange.from_leaves(_hashes(0b1011001)).peaks) == 4


def test_proof_requests_outside_the_tree_are_refused() -> None:
    tree = MerkleTree(_hashes(5))
    for call in (
        lambda: tree.inclusion_proof(5, 5),
        lambda: tree.inclusion_proof(0, 6),
        lambda: tree.inclusion_proof(-1, 5),
        lambda: tree.consistency_proof(4, 6),
        lambda: tree.consistency_proof(5, 4),
        lambda: tree.root(6),
    ):
        with pytest.raises(ValueError):
            call()


# -- every proof verifies --------------------------------------------------------------

LEAVES_64 = _hashes(64)
TREE_64 = MerkleTree(LEAVES_64)


def test_every_inclusion_proof_up_to_size_64_verifies() -> None:
    for size in range(1, 65):
        root = TREE_64.root(size)
        for index in range(size):
            proof = TREE_64.inclusion_proof(index, size)
            assert verify_inclusion(LEAVES_64[index], index, size, proof, root), (index, size)


def test_every_consistency_proof_up_to_size_64_verifies() -> None:
    for new in range(0, 65):
        new_root = TREE_64.root(new)
        for old in range(0, new + 1):
            proof = TREE_64.consistency_proof(old, new)
            assert verify_consistency(old, new, TREE_64.root(old), new_root, proof), (old, new)


# -- every mutation is rejected ----------------------------------------------------------

SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


def _inclusion_mutants(index: int, size: int, proof: list[bytes], leaf: bytes, root: bytes):
    """(description, leaf, index, size, proof, root) for every way to get a proof wrong."""
    yield "index - 1", leaf, index - 1, size, proof, root
    yield "index + 1", leaf, index + 1, size, proof, root
    yield "size * 2", leaf, index, size * 2, proof, root
    yield "size // 2", leaf, index, size // 2, proof, root
    yield "wrong leaf", _flip(leaf), index, size, proof, root
    yield "wrong root", leaf, index, size, proof, _flip(root)
    yield "empty root", leaf, index, size, proof, EMPTY_ROOT
    yield "appended root", leaf, index, size, [*proof, root], root
    yield "appended garbage", leaf, index, size, [*proof, SOME_HASH], root
    yield "prepended root", leaf, index, size, [root, *proof], root
    yield "prepended empty", leaf, index, size, [b"", *proof], root
    if proof:
        yield "last removed", leaf, index, size, proof[:-1], root
        yield "first removed", leaf, index, size, proof[1:], root
        yield "inserted", leaf, index, size, [proof[0], SOME_HASH, *proof[1:]], root
    for i in range(len(proof)):
        for bit in (0, 3, 7):
            bad = list(proof)
            bad[i] = _flip(bad[i], bit)
            yield f"bit {bit} of element {i}", leaf, index, size, bad, root
        last_byte = list(proof)
        last_byte[i] = last_byte[i][:-1] + bytes([last_byte[i][-1] ^ 1])
        yield f"last byte of element {i}", leaf, index, size, last_byte, root


def _consistency_mutants(old: int, new: int, proof: list[bytes], old_root: bytes, new_root: bytes):
    """(description, old, new, old_root, new_root, proof) for every way to get one wrong."""
    yield "old - 1", old - 1, new, old_root, new_root, proof
    yield "old + 1", old + 1, new, old_root, new_root, proof
    yield "new * 2", old, new * 2, old_root, new_root, proof
    yield "new // 2", old, new // 2, old_root, new_root, proof
    yield "wrong old root", old, new, _flip(old_root), new_root, proof
    yield "wrong new root", old, new, old_root, _flip(new_root), proof
    yield "swapped roots", old, new, new_root, old_root, proof
    yield "empty proof", old, new, old_root, new_root, []
    yield "appended old root", old, new, old_root, new_root, [*proof, old_root]
    yield "appended new root", old, new, old_root, new_root, [*proof, new_root]
    yield "appended empty", old, new, old_root, new_root, [*proof, b""]
    yield "prepended old root", old, new, old_root, new_root, [old_root, *proof]
    yield "prepended new root", old, new, old_root, new_root, [new_root, *proof]
    yield "prepended first", old, new, old_root, new_root, [proof[0], *proof]
    yield "prepended empty", old, new, old_root, new_root, [b"", *proof]
    yield "last removed", old, new, old_root, new_root, proof[:-1]
    yield "first removed", old, new, old_root, new_root, proof[1:]
    for i in range(len(proof)):
        for bit in (0, 4, 7):
            bad = list(proof)
            bad[i] = _flip(bad[i], bit)
            yield f"bit {bit} of element {i}", old, new, old_root, new_root, bad


@pytest.mark.parametrize(("index", "size", "proof"), CT_INCLUSION)
def test_every_mutation_of_a_known_inclusion_proof_is_rejected(index, size, proof) -> None:
    proof_bytes = [bytes.fromhex(p) for p in proof]
    root = bytes.fromhex(CT_ROOTS[size])
    accepted = [
        desc
        for desc, *args in _inclusion_mutants(index, size, proof_bytes, CT_LEAF_HASHES[index], root)
        if verify_inclusion(*args)
    ]
    assert accepted == []


@pytest.mark.parametrize(("old", "new", "proof"), [v for v in CT_CONSISTENCY if v[2]])
def test_every_mutation_of_a_known_consistency_proof_is_rejected(old, new, proof) -> None:
    proof_bytes = [bytes.fromhex(p) for p in proof]
    old_root, new_root = bytes.fromhex(CT_ROOTS[old]), bytes.fromhex(CT_ROOTS[new])
    accepted = [
        desc
        for desc, o, n, r1, r2, p in _consistency_mutants(old, new, proof_bytes, old_root, new_root)
        if verify_consistency(o, n, r1, r2, p)
    ]
    assert accepted == []


def test_every_mutation_of_every_inclusion_proof_up_to_size_64_is_rejected() -> None:
    accepted = []
    for size in range(1, 65):
        root = TREE_64.root(size)
        for index in range(size):
            proof = TREE_64.inclusion_proof(index, size)
            for desc, *args in _inclusion_mutants(index, size, proof, LEAVES_64[index], root):
                if verify_inclusion(*args):
                    accepted.append((index, size, desc))
    assert accepted == []


def test_every_mutation_of_every_consistency_proof_up_to_size_64_is_rejected() -> None:
    accepted = []
    for new in range(2, 65):
        new_root = TREE_64.root(new)
        for old in range(1, new):
            proof = TREE_64.consistency_proof(old, new)
            old_root = TREE_64.root(old)
            for desc, o, n, r1, r2, p in _consistency_mutants(old, new, proof, old_root, new_root):
                if verify_consistency(o, n, r1, r2, p):
                    accepted.append((old, new, desc))
    assert accepted == []


def test_inclusion_in_a_one_leaf_tree_needs_an_empty_proof_and_the_leaf_as_root() -> None:
    leaf = leaf_hash(b"data")
    assert verify_inclusion(leaf, 0, 1, [], leaf)
    assert not verify_inclusion(leaf, 0, 1, [], EMPTY_ROOT)
    assert not verify_inclusion(leaf, 0, 1, [leaf], leaf)


def test_consistency_with_the_empty_tree_needs_an_empty_proof() -> None:
    assert verify_consistency(0, 5, EMPTY_ROOT, TREE_64.root(5), [])
    assert not verify_consistency(0, 5, EMPTY_ROOT, TREE_64.root(5), [EMPTY_ROOT])


def test_consistency_of_equal_sizes_needs_equal_roots() -> None:
    root = TREE_64.root(7)
    assert verify_consistency(7, 7, root, root, [])
    assert not verify_consistency(7, 7, root, _flip(root), [])


def test_consistency_backwards_in_time_is_rejected() -> None:
    assert not verify_consistency(5, 4, TREE_64.root(5), TREE_64.root(4), [])


# -- size off by one ---------------------------------------------------------------------
# A proof does not carry the tree size: when size - 1 or size + 1 gives the audit path the
# very same shape (same sides at every level), the computation is identical and the proof
# verifies (the size is bound by the signed checkpoint instead). Every other off-by-one
# size must be rejected.


def _split(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


def _inclusion_shape(m: int, n: int) -> list[str]:
    if n == 1:
        return []
    k = _split(n)
    return [*_inclusion_shape(m, k), "R"] if m < k else [*_inclusion_shape(m - k, n - k), "L"]


def _consistency_shape(m: int, n: int, complete: bool = True) -> list[str]:
    if m == n:
        return [] if complete else ["node"]
    k = _split(n)
    if m <= k:
        return [*_consistency_shape(m, k, complete), "R"]
    return [*_consistency_shape(m - k, n - k, False), "L"]


def test_inclusion_with_size_off_by_one_verifies_only_when_the_path_shape_is_unchanged() -> None:
    wrong = []
    for size in range(1, 64):
        root = TREE_64.root(size)
        for index in range(size):
            proof = TREE_64.inclusion_proof(index, size)
            for other in (size - 1, size + 1):
                same = index < other and _inclusion_shape(index, other) == _inclusion_shape(
                    index, size
                )
                if verify_inclusion(LEAVES_64[index], index, other, proof, root) != same:
                    wrong.append((index, size, other))
    assert wrong == []


def test_consistency_with_new_size_off_by_one_verifies_only_when_the_shape_is_unchanged() -> None:
    wrong = []
    for new in range(2, 64):
        for old in range(1, new):
            proof = TREE_64.consistency_proof(old, new)
            for other in (new - 1, new + 1):
                same = old < other and _consistency_shape(old, other) == _consistency_shape(
                    old, new
                )
                accepted = verify_consistency(
                    old, other, TREE_64.root(old), TREE_64.root(new), proof
                )
                if accepted != same:
                    wrong.append((old, new, other))
    assert wrong == []


def test_packed_hashes_index_and_slice_as_the_list_they_pack():
    hashes = [hashlib.sha256(bytes([i])).digest() for i in range(5)]
    packed = Hashes.of(hashes)
    assert (len(packed), packed[0], packed[-1]) == (5, hashes[0], hashes[4])
    assert packed[1:4] == hashes[1:4] and list(packed) == hashes
    with pytest.raises(IndexError):
        packed[5]


def test_packed_hashes_refuse_anything_but_32_byte_hashes():
    with pytest.raises(ValueError, match="32-byte"):
        Hashes.of([b"\x00" * 32, b"\x00" * 31])


def test_a_tree_over_packed_leaves_has_the_plain_root_and_proofs():
    leaves = [leaf_hash(bytes([i])) for i in range(37)]
    tree = MerkleTree(Hashes.of(leaves))
    assert tree.root() == root_from_leaves(leaves)
    for index in (0, 17, 36):
        assert verify_inclusion(leaves[index], index, 37, tree.inclusion_proof(index), tree.root())


def test_the_compact_range_read_from_a_trees_levels_is_the_one_built_from_its_leaves() -> None:
    leaves = _hashes(300)
    tree = MerkleTree(leaves)
    for size in range(301):
        assert tree.compact_range(size) == CompactRange.from_leaves(leaves[:size])


def test_a_compact_range_beyond_the_tree_is_refused() -> None:
    tree = MerkleTree([leaf_hash(b"a"), leaf_hash(b"b")])
    with pytest.raises(ValueError, match="no tree of size 3"):
        tree.compact_range(3)
