"""The verifier's own RFC 6962 proof checks and signed-note parsing.

They are an independent implementation, so they are tested against the
project's prover and signer: what one produces the other must accept, and
every mutant must be rejected.
"""

from __future__ import annotations

import hashlib

import pytest

from pipeline.export.bundle_verifier import (
    NoteError,
    consistency_proof_valid,
    inclusion_proof_valid,
    parse_verifier_key,
    rfc6962_leaf_hash,
    verify_checkpoint_note,
)
from pipeline.ledger.checkpoint import Checkpoint, SigningKey
from pipeline.merkle import MerkleTree, leaf_hash, verify_inclusion

# the 8 leaves used by Certificate Transparency test suites, and their tree's root
CT_LEAVES = [
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
]
CT_ROOT = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"


def _leaves(n: int) -> list[bytes]:
    return [leaf_hash(b"entry %d" % i) for i in range(n)]


def _flip(h: bytes, bit: int = 0) -> bytes:
    return bytes([h[0] ^ (1 << bit)]) + h[1:]


def test_leaf_hash_matches_the_prover():
    assert rfc6962_leaf_hash(b"abc") == leaf_hash(b"abc")


def test_ct_known_answer_root():
    leaves = [rfc6962_leaf_hash(bytes.fromhex(x)) for x in CT_LEAVES]
    tree = MerkleTree(leaves)
    root = bytes.fromhex(CT_ROOT)
    for i, leaf in enumerate(leaves):
        assert inclusion_proof_valid(leaf, i, 8, tree.inclusion_proof(i), root)


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 33])
def test_every_inclusion_proof_verifies_and_mutants_fail(size):
    leaves = _leaves(size)
    tree = MerkleTree(leaves)
    root = tree.root()
    for i in range(size):
        proof = tree.inclusion_proof(i)
        assert inclusion_proof_valid(leaves[i], i, size, proof, root)
        for j in range(len(proof)):
            bad = [*proof[:j], _flip(proof[j]), *proof[j + 1 :]]
            assert not inclusion_proof_valid(leaves[i], i, size, bad, root)
        assert not inclusion_proof_valid(leaves[i], i, size, [*proof, root], root)
        if proof:
            assert not inclusion_proof_valid(leaves[i], i, size, proof[:-1], root)
        for index in (i - 1, i + 1):
            assert not inclusion_proof_valid(leaves[i], index, size, proof, root)
        for n in (size * 2, size // 2, size + 1):
            # a wrong size fails only where it changes the path's shape (for leaf 0 it
            # may not); the signed note binds the size to the root, so agreeing with the
            # prover's own verifier is the property that matters here
            assert inclusion_proof_valid(leaves[i], i, n, proof, root) == verify_inclusion(
                leaves[i], i, n, proof, root
            )
        assert not inclusion_proof_valid(_flip(leaves[i]), i, size, proof, root)
        assert not inclusion_proof_valid(leaves[i], i, size, proof, _flip(root))


def test_consistency_proofs_verify_and_mutants_fail():
    tree = MerkleTree(_leaves(20))
    for new in range(1, 21):
        for old in range(1, new + 1):
            proof = tree.consistency_proof(old, new)
            r1, r2 = tree.root(old), tree.root(new)
            assert consistency_proof_valid(old, new, r1, r2, proof)
            for j in range(len(proof)):
                bad = [*proof[:j], _flip(proof[j]), *proof[j + 1 :]]
                assert not consistency_proof_valid(old, new, r1, r2, bad)
            if old != new:
                assert not consistency_proof_valid(old, new, _flip(r1), r2, proof)
                assert not consistency_proof_valid(old, new, r1, _flip(r2), proof)
                assert not consistency_proof_valid(old, new, r1, r2, [*proof, r1])
                assert not consistency_proof_valid(old, new, r1, r2, proof[:-1])


KEY = SigningKey.from_seed("log.example/mailledger", hashlib.sha256(b"test key").digest())
OTHER = SigningKey.from_seed("witness.example", hashlib.sha256(b"other key").digest())


def test_project_vkey_text_parses_to_the_same_key():
    key = parse_verifier_key(KEY.verifier.to_text())
    assert key.name == KEY.name
    assert key.public_key == KEY.verifier.public_key
    assert key.text() == KEY.verifier.to_text()


def test_malformed_vkeys_are_rejected():
    text = KEY.verifier.to_text()
    name, hex_id, blob = text.split("+", 2)
    for bad in (
        "nokey",
        f"{name}+{hex_id}",
        f"other+{hex_id}+{blob}",
        f"{name}+00000000+{blob}",
        f"{name}+{hex_id}+!!!",
    ):
        with pytest.raises(NoteError):
            parse_verifier_key(bad)


def test_note_signed_by_the_project_signer_verifies():
    note = Checkpoint("log.example/mailledger", 42, b"\x07" * 32).sign(KEY)
    checkpoint = verify_checkpoint_note(note, [parse_verifier_key(KEY.verifier.to_text())])
    assert (checkpoint.origin, checkpoint.size, checkpoint.root) == (
        "log.example/mailledger",
        42,
        b"\x07" * 32,
    )
    assert checkpoint.key.name == KEY.name


def test_signatures_by_unknown_keys_are_ignored():
    cp = Checkpoint("log.example/mailledger", 5, b"\x01" * 32)
    witness_line = cp.sign(OTHER).split("\n\n", 1)[1]
    own_line = cp.sign(KEY).split("\n\n", 1)[1]
    note = cp.body() + "\n" + witness_line + own_line  # the unknown signer comes first
    checkpoint = verify_checkpoint_note(note, [parse_verifier_key(KEY.verifier.to_text())])
    assert checkpoint.size == 5


def test_note_not_signed_by_a_known_key_is_rejected():
    note = Checkpoint("log.example/mailledger", 5, b"\x01" * 32).sign(OTHER)
    with pytest.raises(NoteError, match="not signed by the expected key"):
        verify_checkpoint_note(note, [parse_verifier_key(KEY.verifier.to_text())])


@pytest.mark.parametrize(("old", "new"), [("\n5\n", "\n6\n"), ("mailledger\n", "mailledgers\n")])
def test_altered_note_is_rejected(old, new):
    note = Checkpoint("log.example/mailledger", 5, b"\x01" * 32).sign(KEY)
    with pytest.raises(NoteError, match="INVALID"):
        verify_checkpoint_note(
            note.replace(old, new, 1), [parse_verifier_key(KEY.verifier.to_text())]
        )
