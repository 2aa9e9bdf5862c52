"""The recorder stores raw bytes with as many writes at once as the store says it takes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from pipeline.errors import StorageError
from pipeline.hashing import sha256_hex
from pipeline.ledger.memory import MemoryLedger
from pipeline.record.assemble import raw_key
from pipeline.record.identities import IdentityIndex
from pipeline.record.recorder import Received, Recorder
from pipeline.record.source import MessageSource
from pipeline.storage.base import PutOutcome
from pipeline.storage.local import LocalStore


class CountingStore(LocalStore):
    """A local store that notes how many puts ran at once, and can refuse one key."""

    def __init__(self, root: Path, write_concurrency: int, refuse: str | None = None) -> None:
        super().__init__(root, fsync=False)
        self.write_concurrency = write_concurrency
        self.refuse = refuse
        self.running = self.most = 0
        self._lock = threading.Lock()

    def put(self, key: str, data: bytes) -> PutOutcome:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(0.01)  # long enough for overlapping puts to meet
            if key == self.refuse:
                raise StorageError(f"could not write {key}: no space left on device")
            return super().put(key, data)
        finally:
            with self._lock:
                self.running -= 1


RAWS = [f"Subject: {i}\r\n\r\nbody {i}\r\n".encode() for i in range(12)]
MESSAGES = [
    Received.of(raw, MessageSource(kind="import", mailbox="m", folder="f"), None) for raw in RAWS
]


def _recorder(store: LocalStore) -> Recorder:
    return Recorder(store, MemoryLedger(), IdentityIndex(None), "worker:test/1")


@pytest.mark.parametrize("concurrency", [1, 4])
def test_raw_writes_never_exceed_the_store_s_concurrency(tmp_path: Path, concurrency: int) -> None:
    store = CountingStore(tmp_path, concurrency)
    recorder = _recorder(store)
    try:
        recorder.store_raws(MESSAGES)
    finally:
        recorder.close()
    assert store.most == concurrency
    assert all(store.exists(raw_key(sha256_hex(raw))) for raw in RAWS)


def test_a_failed_raw_write_is_raised_after_every_other_write_is_done(tmp_path: Path) -> None:
    refused = raw_key(sha256_hex(RAWS[0]))
    store = CountingStore(tmp_path, 4, refuse=refused)
    recorder = _recorder(store)
    try:
        with pytest.raises(StorageError, match="no space left"):
            recorder.store_raws(MESSAGES)
        assert store.running == 0
    finally:
        recorder.close()
    assert [store.exists(raw_key(sha256_hex(raw))) for raw in RAWS] == [False] + [True] * 11
