"""A put that finds its object left by a writer that died gives it the retention record
it lacks; a settling batch also makes the object itself durable."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import pipeline.storage.local as local
from pipeline.hashing import object_key, sha256_hex
from pipeline.storage.base import PutOutcome
from pipeline.storage.local import LocalStore

DATA = b"%PDF-1.7 payoff statement"


@pytest.fixture
def flushed(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The paths each batch's flush makes durable (the flush itself still runs)."""
    seen: list[Path] = []
    real = local._flush

    def flush(root: Path, paths: list[Path]) -> None:
        seen.extend(paths)
        real(root, paths)

    monkeypatch.setattr(local, "_flush", flush)
    return seen


def _left_by_a_dead_writer(root: Path) -> str:
    """An object linked into place by a writer that died before its retention record
    and its batch's flush (a store without retention writes just that)."""
    key = object_key(sha256_hex(DATA))
    assert LocalStore(root, fsync=False).put(key, DATA) is PutOutcome.CREATED
    return key


def test_a_settling_batch_makes_an_existing_object_durable_and_gives_it_its_retention(
    tmp_path: Path, flushed: list[Path]
) -> None:
    key = _left_by_a_dead_writer(tmp_path)
    store = LocalStore(tmp_path, retain_days=30, retention_mode="COMPLIANCE")
    assert store.protection(key).retain_until is None
    with store.durable_batch(settle_existing=True):
        assert store.put(key, DATA) is PutOutcome.EXISTED
    protection = store.protection(key)
    assert protection.retain_until is not None and protection.mode == "COMPLIANCE"
    assert tmp_path / key in flushed


def test_any_put_gives_an_existing_object_the_retention_it_lacks(
    tmp_path: Path, flushed: list[Path]
) -> None:
    # A writer killed outright (a poll, run or assemble process) leaves the same gap,
    # and the next start re-puts with an ordinary batch.
    key = _left_by_a_dead_writer(tmp_path)
    store = LocalStore(tmp_path, retain_days=30, retention_mode="COMPLIANCE")
    with store.durable_batch():
        assert store.put(key, DATA) is PutOutcome.EXISTED
    assert store.protection(key).retain_until is not None
    assert tmp_path / key not in flushed  # only a settling batch flushes the object


def test_settling_never_shortens_a_retention_already_recorded(tmp_path: Path) -> None:
    key = object_key(sha256_hex(DATA))
    LocalStore(tmp_path, retain_days=3650, retention_mode="COMPLIANCE", fsync=False).put(key, DATA)
    before = LocalStore(tmp_path).protection(key).retain_until
    store = LocalStore(tmp_path, retain_days=30, retention_mode="COMPLIANCE")
    with store.durable_batch(settle_existing=True):
        store.put(key, DATA)
    assert store.protection(key).retain_until == before


def test_another_threads_batch_ending_does_not_stop_a_settling_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An ordinary batch opened and closed on another thread while a settling batch is
    # open (writer threads share one store) must leave the settling batch settling.
    key = _left_by_a_dead_writer(tmp_path)
    store = LocalStore(tmp_path, retain_days=30, retention_mode="COMPLIANCE")
    synced: list[Path] = []
    real_sync = LocalStore._sync

    def sync(self: LocalStore, path: Path) -> None:
        synced.append(path)
        real_sync(self, path)

    monkeypatch.setattr(LocalStore, "_sync", sync)
    opened, settling_open, closed = threading.Event(), threading.Event(), threading.Event()

    def ordinary_batch() -> None:
        with store.durable_batch():
            opened.set()
            settling_open.wait(5)
        closed.set()

    other = threading.Thread(target=ordinary_batch)
    other.start()
    opened.wait(5)
    with store.durable_batch(settle_existing=True):
        settling_open.set()
        closed.wait(5)
        assert store.put(key, DATA) is PutOutcome.EXISTED
    other.join(5)
    assert tmp_path / key in synced
