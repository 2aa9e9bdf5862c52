"""The ObjectStore contract, checked identically against every backend.

Each test runs against ``LocalStore`` on a temporary directory, against ``S3Store``
talking HTTP to moto's server (a fresh, Object-Lock-enabled bucket per test), and against
``S3Store`` on Ceph RGW (marked ``real_s3``; first-version-wins, Content-MD5).
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
import tracemalloc
from concurrent.futures import ThreadPoolExecutor

import pytest

from pipeline.errors import (
    IntegrityError,
    ObjectConflictError,
    ObjectNotFoundError,
    RetentionError,
)
from pipeline.hashing import object_key
from pipeline.storage.base import ObjectStore, PutOutcome
from pipeline.storage.local import LocalStore
from pipeline.storage.s3 import S3Store
from tests.storage.backends import raw_key


def content_key(data: bytes) -> str:
    return object_key(hashlib.sha256(data).hexdigest())


def overwrite_behind_the_store(
    store: ObjectStore, key: str, data: bytes, metadata_sha256: str | None = None
) -> None:
    """Replace stored bytes the way an intruder would, bypassing create-only writes."""
    if isinstance(store, S3Store) and store.settings.first_version_wins:
        pytest.skip(
            "a later version cannot replace the first one on a WORM bucket read first-version-"
            "wins (test_a_version_written_behind_the_store_is_never_read covers it)"
        )
    if isinstance(store, LocalStore):
        path = store.root / key
        path.chmod(0o644)
        path.write_bytes(data)
        path.chmod(0o444)
    else:
        assert isinstance(store, S3Store)
        args: dict[str, object] = {
            "Bucket": store.settings.bucket,
            "Key": raw_key(store, key),
            "Body": data,
        }
        if metadata_sha256 is not None:
            args["Metadata"] = {"sha256": metadata_sha256}
        store.client.put_object(**args)


# -- put ---------------------------------------------------------------------------


def test_put_of_a_new_key_creates_it(store: ObjectStore) -> None:
    assert store.put("a/one", b"first") is PutOutcome.CREATED
    assert store.exists("a/one")


def test_put_of_the_same_bytes_again_reports_existed(store: ObjectStore) -> None:
    store.put("a/one", b"first")
    assert store.put("a/one", b"first") is PutOutcome.EXISTED


def test_put_of_different_bytes_is_a_conflict_and_keeps_the_original(store: ObjectStore) -> None:
    store.put("a/one", b"first")
    with pytest.raises(ObjectConflictError, match="a/one"):
        store.put("a/one", b"second")
    assert store.get("a/one") == b"first"


def test_empty_object_round_trips(store: ObjectStore) -> None:
    assert store.put("a/empty", b"") is PutOutcome.CREATED
    assert store.get("a/empty") == b""


# -- get ---------------------------------------------------------------------------


def test_get_returns_the_stored_bytes(store: ObjectStore) -> None:
    data = bytes(range(256)) * 3
    store.put(content_key(data), data)
    assert store.get(content_key(data)) == data


def test_get_of_a_missing_key_raises_not_found(store: ObjectStore) -> None:
    with pytest.raises(ObjectNotFoundError, match="no/such/key"):
        store.get("no/such/key")


def test_exists_is_false_for_a_missing_key(store: ObjectStore) -> None:
    assert store.exists("no/such/key") is False


def test_get_of_a_content_addressed_object_swapped_behind_the_store_fails(
    store: ObjectStore,
) -> None:
    key = content_key(b"original message")
    store.put(key, b"original message")
    overwrite_behind_the_store(store, key, b"forged message")
    with pytest.raises(IntegrityError, match=key):
        store.get(key)


def test_get_without_verify_returns_the_swapped_bytes(store: ObjectStore) -> None:
    key = content_key(b"original message")
    store.put(key, b"original message")
    overwrite_behind_the_store(store, key, b"forged message")
    assert store.get(key, verify=False) == b"forged message"


# get() and sha256() refuse altered bytes in the same cases
READS = {"get": lambda store, key: store.get(key), "sha256": lambda store, key: store.sha256(key)}


@pytest.mark.parametrize("read", READS.values(), ids=READS.keys())
def test_reading_a_plain_key_swapped_behind_the_store_fails(store: ObjectStore, read) -> None:
    store.put("ledger/entries/0000000000000000.jsonl", b"line\n")
    overwrite_behind_the_store(
        store,
        "ledger/entries/0000000000000000.jsonl",
        b"edited\n",
        metadata_sha256=hashlib.sha256(b"line\n").hexdigest(),
    )
    with pytest.raises(IntegrityError):
        read(store, "ledger/entries/0000000000000000.jsonl")


@pytest.mark.parametrize("read", READS.values(), ids=READS.keys())
def test_reading_a_content_addressed_object_with_forged_metadata_fails(
    store: ObjectStore, read
) -> None:
    key = content_key(b"original message")
    store.put(key, b"original message")
    forged = b"forged message"
    overwrite_behind_the_store(
        store, key, forged, metadata_sha256=hashlib.sha256(forged).hexdigest()
    )
    with pytest.raises(IntegrityError):
        read(store, key)


# -- sha256 (get's check without holding the bytes) --------------------------------


def test_sha256_is_the_hash_of_the_stored_bytes(store: ObjectStore) -> None:
    data = bytes(range(256)) * 3
    store.put(content_key(data), data)
    store.put("ledger/entries/0000000000000000.jsonl", b"line\n")
    assert store.sha256(content_key(data)) == hashlib.sha256(data).hexdigest()
    assert (
        store.sha256("ledger/entries/0000000000000000.jsonl")
        == hashlib.sha256(b"line\n").hexdigest()
    )


def test_sha256_of_a_missing_key_raises_not_found(store: ObjectStore) -> None:
    with pytest.raises(ObjectNotFoundError, match="no/such/key"):
        store.sha256("no/such/key")


def test_sha256_of_a_large_object_with_one_byte_changed_fails(store: ObjectStore) -> None:
    # several read chunks long, changed in the last one: the whole object is hashed
    data = bytes(range(256)) * (12 * 1024 + 7)
    key = content_key(data)
    store.put(key, data)
    assert store.sha256(key) == key.rsplit("/", 1)[-1]
    forged = bytearray(data)
    forged[-3] ^= 0x01
    overwrite_behind_the_store(store, key, bytes(forged))
    with pytest.raises(IntegrityError, match=key):
        store.sha256(key)


def test_local_sha256_holds_a_bounded_buffer_not_the_object(tmp_path) -> None:
    store = LocalStore(tmp_path, fsync=False)
    data = os.urandom(16 * 1024 * 1024)
    key = content_key(data)
    store.put(key, data)
    del data
    tracemalloc.start()
    try:
        store.sha256(key)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024  # a read chunk or two, not the 16 MiB object


@pytest.mark.parametrize("backend", [pytest.param("rgw", marks=pytest.mark.real_s3)], indirect=True)
def test_a_version_written_behind_the_store_is_never_read(store: ObjectStore) -> None:
    assert isinstance(store, S3Store)
    key = "ledger/entries/0000000000000000.jsonl"
    store.put(key, b"line\n")
    store.client.put_object(
        Bucket=store.settings.bucket,
        Key=raw_key(store, key),
        Body=b"edited\n",
        Metadata={"sha256": hashlib.sha256(b"edited\n").hexdigest()},
    )
    assert store.get(key) == b"line\n"
    with pytest.raises(ObjectConflictError):
        store.put(key, b"edited\n")


# -- list --------------------------------------------------------------------------


def test_list_is_sorted_and_limited_to_the_prefix(store: ObjectStore) -> None:
    for key in ("p/c", "p/a", "q/a", "p/b/deeper", "pz"):
        store.put(key, key.encode())
    assert list(store.list("p/")) == ["p/a", "p/b/deeper", "p/c"]


def test_list_with_a_partial_name_prefix(store: ObjectStore) -> None:
    for key in (
        "ledger/entries/0000000000000000.jsonl",
        "ledger/entries/0000000000000010.jsonl",
        "ledger/checkpoints/0000000000000010",
    ):
        store.put(key, b"x")
    assert list(store.list("ledger/entries/" + "0" * 14 + "1")) == [
        "ledger/entries/0000000000000010.jsonl"
    ]


def test_list_starts_after_the_given_key(store: ObjectStore) -> None:
    for key in ("p/a", "p/b", "p/c", "p/d"):
        store.put(key, b"x")
    assert list(store.list("p/", start_after="p/b")) == ["p/c", "p/d"]


def test_list_of_an_empty_prefix_yields_nothing(store: ObjectStore) -> None:
    store.put("p/a", b"x")
    assert list(store.list("nothing/here/")) == []


# -- protection --------------------------------------------------------------------


def test_new_object_has_no_legal_hold(store: ObjectStore) -> None:
    store.put("held/a", b"x")
    assert store.protection("held/a").legal_hold is False


def test_legal_hold_set_and_lifted_is_reported(store: ObjectStore) -> None:
    store.put("held/a", b"x")
    store.set_legal_hold("held/a", True)
    assert store.protection("held/a").legal_hold is True
    store.set_legal_hold("held/a", False)
    assert store.protection("held/a").legal_hold is False


def test_delete_under_legal_hold_is_refused_and_keeps_the_object(store: ObjectStore) -> None:
    store.put("held/a", b"x")
    store.set_legal_hold("held/a", True)
    with pytest.raises(RetentionError, match="held/a"):
        store.delete("held/a")
    assert store.get("held/a") == b"x"


def test_delete_of_an_unprotected_object_removes_it(store: ObjectStore) -> None:
    store.put("free/a", b"x")
    store.delete("free/a")
    assert not store.exists("free/a")
    with pytest.raises(ObjectNotFoundError):
        store.get("free/a")


def test_protection_of_a_missing_key_raises_not_found(store: ObjectStore) -> None:
    with pytest.raises(ObjectNotFoundError):
        store.protection("no/such/key")


# -- concurrency -------------------------------------------------------------------


def _race(store: ObjectStore, payloads: list[bytes]) -> list[PutOutcome | Exception]:
    barrier = threading.Barrier(len(payloads))

    def attempt(data: bytes) -> PutOutcome | Exception:
        barrier.wait()
        try:
            return store.put("race/key", data)
        except ObjectConflictError as exc:
            return exc

    with ThreadPoolExecutor(len(payloads)) as pool:
        return list(pool.map(attempt, payloads))


def test_eight_threads_putting_the_same_bytes_create_once(store: ObjectStore) -> None:
    outcomes = _race(store, [b"same"] * 8)
    assert outcomes.count(PutOutcome.CREATED) == 1
    assert outcomes.count(PutOutcome.EXISTED) == 7


def test_eight_threads_putting_different_bytes_let_exactly_one_win(store: ObjectStore) -> None:
    payloads = [f"writer {i}".encode() for i in range(8)]
    outcomes = _race(store, payloads)
    winners = [p for p, o in zip(payloads, outcomes, strict=True) if o is PutOutcome.CREATED]
    assert len(winners) == 1
    assert all(isinstance(o, ObjectConflictError) for o in outcomes if o is not PutOutcome.CREATED)
    assert store.get("race/key") == winners[0]


# -- backend-specific guarantees ---------------------------------------------------


@pytest.mark.parametrize("backend", ["local"], indirect=True)
def test_local_files_are_read_only_after_write(store: ObjectStore) -> None:
    assert isinstance(store, LocalStore)
    store.put("ro/a", b"x")
    mode = os.stat(store.root / "ro" / "a").st_mode
    assert mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) == 0


def test_local_delete_under_retention_is_refused(tmp_path) -> None:
    store = LocalStore(tmp_path / "kept", retain_days=1, fsync=False)
    store.put("kept/a", b"x")
    assert store.protection("kept/a").retain_until is not None
    with pytest.raises(RetentionError):
        store.delete("kept/a")
    assert store.get("kept/a") == b"x"


@pytest.mark.parametrize("backend", ["local"], indirect=True)
def test_local_rejects_keys_that_escape_the_root(store: ObjectStore) -> None:
    from pipeline.errors import StorageError

    for key in ("../outside", "a/../../b", "a//b", ".protection/x", ""):
        with pytest.raises(StorageError):
            store.put(key, b"x")


@pytest.mark.parametrize("backend", ["s3"], indirect=True)
def test_s3_list_pages_past_a_thousand_keys(store: ObjectStore) -> None:
    keys = [f"many/{i:05d}" for i in range(1100)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: store.put(k, b"."), keys))
    assert list(store.list("many/")) == keys
    assert list(store.list("many/", start_after="many/01049")) == keys[1050:]


def test_s3_delete_under_compliance_retention_is_refused(moto_server) -> None:
    from tests.storage.backends import s3_store

    store = s3_store(moto_server, object_lock=True, lock_mode="COMPLIANCE", retain_days=1)
    store.put("kept/a", b"x")
    protection = store.protection("kept/a")
    assert protection.mode == "COMPLIANCE"
    assert protection.retain_until is not None
    with pytest.raises(RetentionError):
        store.delete("kept/a")
    assert store.get("kept/a") == b"x"
