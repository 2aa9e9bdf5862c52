"""The append-only ledger: round trips, lost races, and concurrent writers on both backends."""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import structlog

from pipeline.errors import LedgerError
from pipeline.hashing import ZERO_HASH
from pipeline.ledger import layout
from pipeline.ledger.checkpoint import Checkpoint
from pipeline.ledger.entry import LedgerEntry
from pipeline.ledger.log import Ledger
from pipeline.ledger.verify import verify_ledger
from pipeline.merkle import CompactRange
from pipeline.storage.base import ObjectStore
from pipeline.storage.s3 import S3Store
from tests.ledger.ledger_helpers import KEY, ORIGIN, draft, ledger_on
from tests.storage.backends import (
    local_store,
    new_bucket,
    rgw_credentials_env,
    rgw_store,
    s3_settings,
    s3_store,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _quiet_logs():
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))


def test_appended_entries_read_back_in_order(tmp_path) -> None:
    ledger = ledger_on(local_store(tmp_path))
    ledger.append([draft(0), draft(1)])
    ledger.append([draft(2)])
    reader = ledger_on(ledger.store, signing=False)
    assert reader.size() == 3
    assert [e.body["n"] for e in reader.entries()] == [0, 1, 2]
    assert [e.seq for e in reader.entries(1)] == [1, 2]
    assert reader.entry(2).prev == reader.entry(1).entry_hash


def test_each_batch_gets_a_signed_checkpoint_at_its_end(tmp_path) -> None:
    ledger = ledger_on(local_store(tmp_path))
    ledger.append([draft(0), draft(1)])
    ledger.append([draft(2)])
    assert list(ledger.store.list(layout.CHECKPOINTS)) == [
        layout.checkpoint_key(2),
        layout.checkpoint_key(3),
    ]
    assert ledger.latest_checkpoint().checkpoint.size == 3


def test_a_ledger_without_a_signing_key_cannot_append(tmp_path) -> None:
    with pytest.raises(LedgerError, match="signing key"):
        ledger_on(local_store(tmp_path), signing=False).append([draft(0)])


def test_entry_past_the_end_is_an_error(tmp_path) -> None:
    ledger = ledger_on(local_store(tmp_path))
    ledger.append([draft(0)])
    with pytest.raises(LedgerError, match="no ledger entry at position 1"):
        ledger.entry(1)


def test_append_with_rebuilds_after_losing_the_race(tmp_path) -> None:
    store = local_store(tmp_path)
    ours, theirs = ledger_on(store), ledger_on(store)
    ours.append([draft(0)])
    seen: list[int] = []

    def build(ledger):
        seen.append(ledger.size())
        if len(seen) == 1:  # another writer takes the same position between read and write
            theirs.append([draft(100, {"by": "them"})])
        return [draft(1, {"by": "us", "after": seen[-1]})]

    result = ours.append_with(build)
    assert result.attempts == 2
    assert seen == [1, 2]
    assert [e.seq for e in result.entries] == [2]
    assert result.entries[0].body["after"] == 2
    assert [e.body.get("by") for e in ours.entries()] == [None, "them", "us"]
    assert verify_ledger(store, [KEY.verifier], ORIGIN).ok


def test_append_with_rebuilds_when_a_read_inside_build_finds_a_newer_batch(tmp_path) -> None:
    # An identity check reads the log's size, then its entries; the second read may learn
    # of a batch another writer appended in between. Appending after that batch with a
    # decision taken before it would seal a message twice.
    store = local_store(tmp_path)
    ours, theirs = ledger_on(store), ledger_on(store)
    ours.append([draft(0)])
    decided_at: list[int] = []

    def build(ledger):
        size = ledger.size()
        decided_at.append(size)
        if len(decided_at) == 1:
            theirs.append([draft(100, {"by": "them"})])
        list(ledger.entries(0, size))  # looks for new batches, as every read does
        return [draft(1, {"by": "us", "after": size})]

    result = ours.append_with(build)
    assert decided_at == [1, 2]
    assert [e.seq for e in result.entries] == [2]
    assert result.entries[0].body["after"] == 2


def test_append_with_returns_at_once_when_nothing_is_to_be_added_while_the_log_grows(
    tmp_path,
) -> None:
    store = local_store(tmp_path)
    ours, theirs = ledger_on(store), ledger_on(store)

    def build(ledger):
        theirs.append([draft(ledger.size())])  # another writer keeps appending
        ledger.size()
        return []

    result = ours.append_with(build)
    assert (result.entries, result.attempts) == ([], 1)


def test_append_with_an_empty_build_appends_nothing(tmp_path) -> None:
    ledger = ledger_on(local_store(tmp_path))
    result = ledger.append_with(lambda _ledger: [])
    assert result.entries == []
    assert ledger.size() == 0


def test_next_append_signs_a_tail_a_crashed_writer_left_unsigned(tmp_path) -> None:
    store = local_store(tmp_path)
    ledger_on(store).append([draft(0)])
    # a writer that died after writing its batch (with its writer proof) but before
    # signing the checkpoint: a writer without the log key leaves the same state
    Ledger(store, ORIGIN, [KEY.verifier], writer_key=KEY).append([draft(1)])
    assert not store.exists(layout.checkpoint_key(2))
    report = verify_ledger(store, [KEY.verifier], ORIGIN)
    assert report.ok and report.unsigned_tail == 1 and report.notes
    ledger_on(store).append([draft(2)])
    report = verify_ledger(store, [KEY.verifier], ORIGIN)
    assert report.ok and report.unsigned_tail == 0
    assert store.exists(layout.checkpoint_key(2)) and store.exists(layout.checkpoint_key(3))


def test_a_tail_without_a_writer_proof_is_never_signed_or_built_on(tmp_path) -> None:
    store = local_store(tmp_path)
    ledger_on(store).append([draft(0)])
    first = ledger_on(store, signing=False).entry(0)
    forged = LedgerEntry.build(1, first.entry_hash, draft(1))
    store.put(layout.batch_key(1), forged.raw + b"\n")
    with pytest.raises(LedgerError, match="ledger entries 1 to 1 carry no signature"):
        ledger_on(store).append([draft(2)])
    assert not store.exists(layout.checkpoint_key(2))
    assert not store.exists(layout.batch_key(2))


def test_batches_from_before_writer_proofs_are_accepted_under_a_signed_checkpoint(
    tmp_path,
) -> None:
    store = local_store(tmp_path)
    # what an earlier version wrote: batches without a proof line, each then checkpointed
    entries, prev = [], ZERO_HASH
    for first in (0, 2):
        batch = []
        for seq in (first, first + 1):
            entry = LedgerEntry.build(seq, prev, draft(seq))
            batch.append(entry)
            prev = entry.entry_hash
        entries.extend(batch)
        store.put(layout.batch_key(first), b"".join(e.raw + b"\n" for e in batch))
        root = CompactRange.from_leaves([e.leaf_hash for e in entries]).root()
        note = Checkpoint(ORIGIN, len(entries), root).sign(KEY)
        store.put(layout.checkpoint_key(len(entries)), note.encode())
    assert verify_ledger(store, [KEY.verifier], ORIGIN).ok
    ledger_on(store).append([draft(4)])
    report = verify_ledger(store, [KEY.verifier], ORIGIN)
    assert report.ok and report.size == 5 and report.unsigned_tail == 0


# -- concurrent appenders -----------------------------------------------------------------

BATCHES = 50
RGW_BATCHES = 12  # every RGW write is a PUT plus a version listing; keeps the run short


def _assert_complete(
    store: ObjectStore, writers: list[str], batch_size: int, batches: int = BATCHES
) -> None:
    reader = ledger_on(store, signing=False)
    entries = list(reader.entries())
    assert len(entries) == len(writers) * batches * batch_size
    assert [e.seq for e in entries] == list(range(len(entries)))
    counts = collections.Counter(
        (e.body["writer"], e.body["batch"], e.body["item"]) for e in entries
    )
    expected = {(w, b, i) for w in writers for b in range(batches) for i in range(batch_size)}
    assert set(counts) == expected
    assert max(counts.values()) == 1
    report = verify_ledger(store, [KEY.verifier], ORIGIN)
    assert report.ok, report.problems
    assert report.unsigned_tail == 0
    assert reader.latest_checkpoint().checkpoint.size == len(entries)


def _threads(store: ObjectStore, count: int, batch_size: int, batches: int = BATCHES) -> list[str]:
    writers = [f"thread-{i}" for i in range(count)]
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            ledger = ledger_on(store)
            for b in range(batches):
                ledger.append(
                    [draft(0, {"writer": name, "batch": b, "item": j}) for j in range(batch_size)]
                )
        except BaseException as exc:  # noqa: BLE001 -- reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in writers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return writers


def _processes(
    args: list[str], count: int, batch_size: int, env: dict[str, str], batches: int = BATCHES
) -> list[str]:
    writers = [f"proc-{i}" for i in range(count)]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.ledger.appender",
                *args,
                w,
                str(batches),
                str(batch_size),
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for w in writers
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()[-2000:]
    return writers


def test_four_threads_appending_to_a_local_ledger_lose_and_duplicate_nothing(tmp_path) -> None:
    store = local_store(tmp_path)
    _assert_complete(store, _threads(store, 4, 2), 2)


def test_four_threads_appending_to_an_s3_ledger_lose_and_duplicate_nothing(moto_server) -> None:
    store = s3_store(moto_server, max_attempts=8)
    _assert_complete(store, _threads(store, 4, 2), 2)


def test_three_processes_appending_to_a_local_ledger_lose_and_duplicate_nothing(tmp_path) -> None:
    writers = _processes(["local", str(tmp_path)], 3, 2, dict(os.environ))
    _assert_complete(local_store(tmp_path), writers, 2)


def test_three_processes_appending_to_an_s3_ledger_lose_and_duplicate_nothing(moto_server) -> None:
    bucket = new_bucket(moto_server)
    env = {**os.environ, **moto_server.env()}
    writers = _processes(["s3", moto_server.endpoint_url, bucket], 3, 2, env)
    store = s3_store(moto_server)

    _assert_complete(S3Store(s3_settings(moto_server.endpoint_url, bucket)), writers, 2)
    assert store.settings.bucket != bucket


@pytest.mark.real_s3
def test_four_threads_appending_to_an_rgw_ledger_lose_and_duplicate_nothing(rgw) -> None:
    store = rgw_store(rgw, max_attempts=8)
    _assert_complete(store, _threads(store, 4, 2, RGW_BATCHES), 2, RGW_BATCHES)


@pytest.mark.real_s3
def test_three_processes_appending_to_an_rgw_ledger_lose_and_duplicate_nothing(rgw) -> None:
    store = rgw_store(rgw)
    env = {**os.environ, **rgw_credentials_env(rgw)}
    args = ["rgw", rgw.endpoint_url, store.settings.bucket, store.settings.prefix]
    writers = _processes(args, 3, 2, env, RGW_BATCHES)
    _assert_complete(store, writers, 2, RGW_BATCHES)
