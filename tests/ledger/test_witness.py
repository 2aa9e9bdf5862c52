"""The checkpoint witness: every signed checkpoint kept out of the writers' reach, and
``verify`` checking the log against the newest one there.

Witness backends: a local folder, a moto server bucket with COMPLIANCE Object Lock, and
a Ceph RGW Object Lock bucket (first version wins, as deployments there must be). The
ledger itself is on a local store, where the insider cuts and rewrites it.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
import structlog

from pipeline.errors import LedgerError, RetentionError, StorageError
from pipeline.ledger import layout
from pipeline.ledger.audit import Fault
from pipeline.ledger.checkpoint import Checkpoint, SigningKey
from pipeline.ledger.log import Ledger
from pipeline.ledger.verify import VerifyReport, verify_ledger
from pipeline.ledger.witness import StoreWitness, check_witnessed
from pipeline.merkle import MerkleTree, leaf_hash, verify_consistency
from pipeline.storage.local import LocalStore
from pipeline.storage.s3 import S3Store
from tests.ledger import intruder
from tests.ledger.ledger_helpers import KEY, ORIGIN, draft, read_lines
from tests.storage.backends import local_store, rgw_store, s3_store

OTHER = SigningKey.from_seed(ORIGIN, hashlib.sha256(b"an insider's own key").digest())


@pytest.fixture(autouse=True)
def _quiet_logs() -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))


@pytest.fixture(params=["local", "moto", pytest.param("rgw", marks=pytest.mark.real_s3)])
def witness(request: pytest.FixtureRequest, tmp_path: Path) -> StoreWitness:
    """An empty witness; on S3 every checkpoint is put under COMPLIANCE Object Lock."""
    if request.param == "local":
        return StoreWitness(local_store(tmp_path / "witness"))
    if request.param == "rgw":
        store = rgw_store(request.getfixturevalue("rgw"), lock_mode="COMPLIANCE", retain_days=1)
    else:
        store = s3_store(
            request.getfixturevalue("moto_server"),
            object_lock=True,
            lock_mode="COMPLIANCE",
            retain_days=1,
        )
    return StoreWitness(store, require_retention=True)


def _ledger(store: LocalStore, witness: StoreWitness | None, *, key: SigningKey = KEY) -> Ledger:
    return Ledger(store, ORIGIN, [key.verifier], key, witness=witness)


def _append(ledger: Ledger, batch_sizes: list[int], *, tag: str = "") -> None:
    n = ledger.size()
    for size in batch_sizes:
        ledger.append([draft(n + i, {"n": n + i, "tag": tag}) for i in range(size)])
        n += size


def _verify(store: LocalStore, witness: StoreWitness) -> VerifyReport:
    return verify_ledger(store, [KEY.verifier], ORIGIN, witness=witness, check_content=False)


def _faults(report: VerifyReport) -> list[tuple[int | None, Fault]]:
    return [(p.position, p.fault) for p in report.problems]


def _root(store: LocalStore) -> bytes:
    return MerkleTree([leaf_hash(raw) for _key, raw in read_lines(store)]).root()


def _where(witness: StoreWitness, size: int) -> str:
    return f"{layout.checkpoint_key(size)} in {witness.description}"


# -- the writer keeps every checkpoint there ------------------------------------------------


def test_the_writer_puts_every_checkpoint_it_signs_in_the_witness(
    witness: StoreWitness, tmp_path: Path
) -> None:
    store = local_store(tmp_path / "store")
    _append(_ledger(store, witness), [2, 1, 3])
    kept = sorted(store.list(layout.CHECKPOINTS))
    assert kept == [layout.checkpoint_key(n) for n in (2, 3, 6)]
    assert sorted(witness.store.list(layout.CHECKPOINTS)) == kept
    for key in kept:
        assert witness.store.get(key) == store.get(key)


@pytest.mark.parametrize(
    "witness", ["moto", pytest.param("rgw", marks=pytest.mark.real_s3)], indirect=True
)
def test_each_witnessed_checkpoint_carries_compliance_retention_and_cannot_be_deleted(
    witness: StoreWitness, tmp_path: Path
) -> None:
    _append(_ledger(local_store(tmp_path / "store"), witness), [2])
    key = layout.checkpoint_key(2)
    protection = witness.store.protection(key)
    assert protection.mode == "COMPLIANCE"
    assert protection.retain_until is not None and protection.retain_until > datetime.now(UTC)
    with pytest.raises(RetentionError, match="under retention"):
        witness.store.delete(key)  # every version, by id: what only a lock can refuse
    assert witness.latest() is not None


def test_a_witness_bucket_without_object_lock_is_refused(moto_server, tmp_path: Path) -> None:
    unlocked = s3_store(moto_server, object_lock=False)  # versioning and lock both off
    with pytest.raises(
        StorageError, match="stored ledger/checkpoints/0000000000000001 without retention"
    ):
        _append(
            _ledger(
                local_store(tmp_path / "store"), StoreWitness(unlocked, require_retention=True)
            ),
            [1],
        )


def test_a_different_checkpoint_for_a_witnessed_size_is_refused(
    witness: StoreWitness, tmp_path: Path
) -> None:
    _append(_ledger(local_store(tmp_path / "store"), witness), [2])
    forked = Checkpoint(ORIGIN, 2, hashlib.sha256(b"another history").digest()).sign(KEY)
    with pytest.raises(LedgerError, match="already holds a different checkpoint for size 2"):
        witness.add(2, forked)


# -- verify against the newest witnessed checkpoint ----------------------------------------


def test_verify_passes_when_the_witness_holds_the_logs_own_size(
    witness: StoreWitness, tmp_path: Path
) -> None:
    store = local_store(tmp_path / "store")
    _append(_ledger(store, witness), [2, 3])
    report = _verify(store, witness)
    assert report.ok, report.problems
    assert report.notes == [
        f"the log extends the newest witnessed checkpoint (size 5, {_where(witness, 5)})"
    ]


def test_verify_proves_a_smaller_witnessed_checkpoint_consistent_with_the_log(
    witness: StoreWitness, tmp_path: Path
) -> None:
    store = local_store(tmp_path / "store")
    _append(_ledger(store, witness), [3])
    _append(_ledger(store, None), [2, 2])  # later checkpoints never reached the witness
    report = _verify(store, witness)
    assert report.ok, report.problems
    assert report.size == 7
    assert report.notes == [
        f"the log extends the newest witnessed checkpoint (size 3, {_where(witness, 3)})"
    ]
    witnessed = witness.latest()
    assert witnessed is not None
    tree = MerkleTree([leaf_hash(raw) for _key, raw in read_lines(store)])
    checked = check_witnessed(tree, witnessed, [KEY.verifier], ORIGIN)
    assert checked.witnessed_size == 3
    # RFC 6962 section 2.1.3 works this very case: PROOF(3, D[7]) = [c, d, g, l]
    assert len(checked.consistency_proof) == 4
    assert verify_consistency(3, 7, tree.root(3), tree.root(), checked.consistency_proof)


def test_verify_finds_a_tail_cut_together_with_its_checkpoints(
    witness: StoreWitness, tmp_path: Path
) -> None:
    store = local_store(tmp_path / "store")
    _append(_ledger(store, witness), [3, 2])
    intruder.delete(store, layout.batch_key(3))
    intruder.delete(store, layout.checkpoint_key(5))
    report = _verify(store, witness)
    assert _faults(report) == [(3, Fault.MISSING)]
    assert report.problems[0].detail == (
        "the witnessed checkpoint covers 5 entries but the log has 3: entries 3 to 4 were"
        f" removed (truncated tail; {_where(witness, 5)})"
    )


def test_verify_finds_a_history_rewritten_at_the_witnessed_size(
    witness: StoreWitness, tmp_path: Path
) -> None:
    _append(_ledger(local_store(tmp_path / "honest"), witness), [3])
    witnessed_root = _root(local_store(tmp_path / "honest"))
    # The same size, other entries, signed with the log key itself (a stolen key).
    rewritten = local_store(tmp_path / "rewritten")
    _append(_ledger(rewritten, None), [3], tag="rewritten")
    report = _verify(rewritten, witness)
    assert _faults(report) == [(None, Fault.WITNESS_DISAGREES)]
    assert report.problems[0].detail == (
        f"the log's 3 entries have root {_root(rewritten).hex()} but the witnessed checkpoint"
        f" of the same size signs {witnessed_root.hex()}: the log was rewritten"
        f" ({_where(witness, 3)})"
    )


def test_verify_finds_a_history_rewritten_before_a_smaller_witnessed_size(
    witness: StoreWitness, tmp_path: Path
) -> None:
    _append(_ledger(local_store(tmp_path / "honest"), witness), [3])
    witnessed_root = _root(local_store(tmp_path / "honest"))
    rewritten = local_store(tmp_path / "rewritten")
    _append(_ledger(rewritten, None), [2, 4], tag="rewritten")
    report = _verify(rewritten, witness)
    assert _faults(report) == [(None, Fault.WITNESS_DISAGREES)]
    assert report.problems[0].detail == (
        f"no consistency proof leads from the witnessed checkpoint (size 3, root"
        f" {witnessed_root.hex()}) to the log's 6 entries (root {_root(rewritten).hex()}):"
        f" its first 3 entries were rewritten or the log forked ({_where(witness, 3)})"
    )


def test_verify_refuses_a_witnessed_checkpoint_signed_by_another_key(
    witness: StoreWitness, tmp_path: Path
) -> None:
    store = local_store(tmp_path / "store")
    _append(_ledger(store, witness), [2])
    # Anyone who can write the witness can add a note; only a trusted key makes it count.
    witness.add(9, Checkpoint(ORIGIN, 9, hashlib.sha256(b"x").digest()).sign(OTHER))
    report = _verify(store, witness)
    assert _faults(report) == [(None, Fault.SIGNATURE_INVALID)]
    assert report.problems[0].detail == (
        f"the witnessed checkpoint {_where(witness, 9)} is signed by {OTHER.name!r}, not by a"
        f" trusted log key ({KEY.name!r}): no known key signed this checkpoint"
    )


def test_verify_refuses_a_witnessed_checkpoint_stored_under_another_size(
    witness: StoreWitness, tmp_path: Path
) -> None:
    store = local_store(tmp_path / "store")
    ledger = _ledger(store, witness)
    _append(ledger, [2])
    witness.add(7, ledger.checkpoint_note(2))
    report = _verify(store, witness)
    assert _faults(report) == [(None, Fault.MISPLACED)]
    assert report.problems[0].detail == (
        f"the witnessed checkpoint {_where(witness, 7)} signs size 2, not 7"
    )


def test_verify_notes_a_witness_that_holds_nothing_yet(
    witness: StoreWitness, tmp_path: Path
) -> None:
    store = local_store(tmp_path / "store")
    _append(_ledger(store, None), [2])
    report = _verify(store, witness)
    assert report.ok
    assert report.notes == [f"{witness.description} holds no checkpoint yet"]


@pytest.mark.parametrize(
    "witness", ["moto", pytest.param("rgw", marks=pytest.mark.real_s3)], indirect=True
)
def test_a_delete_marker_does_not_hide_the_newest_witnessed_checkpoint(
    witness: StoreWitness, tmp_path: Path
) -> None:
    store = local_store(tmp_path / "store")
    _append(_ledger(store, witness), [3, 2])
    intruder.delete(store, layout.batch_key(3))
    intruder.delete(store, layout.checkpoint_key(5))
    assert isinstance(witness.store, S3Store)
    intruder.delete(witness.store, layout.checkpoint_key(5))  # a delete without a version id
    assert layout.checkpoint_key(5) not in list(witness.store.list(layout.CHECKPOINTS))
    report = _verify(store, witness)
    assert _faults(report) == [(None, Fault.DELETE_MARKER), (3, Fault.MISSING)]
    assert report.problems[0].detail == (
        f"{_where(witness, 5)} was deleted without its version id: a delete marker hides it"
    )
