"""What the ledger keeps of the batches it read or appended: their lines, never entries.

Readers right after an append (identity sync, event dispatch, the index) get the
entries from the kept bytes without a store read; every read decodes its own entries,
so nothing decoded outlives its reader, and an evicted batch is read again only if it
still has the bytes it was proven with.
"""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest
import structlog

from pipeline.errors import IntegrityError, LedgerError
from pipeline.ledger import layout
from pipeline.ledger.entry import LedgerEntry
from pipeline.storage.local import LocalStore
from tests.ledger.ledger_helpers import draft, ledger_on


@pytest.fixture(autouse=True)
def _quiet_logs() -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))


class CountingStore(LocalStore):
    """A local store that counts the reads of each key."""

    def __init__(self, root: Path) -> None:
        super().__init__(root, fsync=False)
        self.reads: dict[str, int] = {}

    def get(self, key: str, *, verify: bool = True) -> bytes:
        self.reads[key] = self.reads.get(key, 0) + 1
        return super().get(key, verify=verify)


def _drafts(first: int, count: int) -> list:
    return [draft(n, {"n": n, "text": "x" * 100}) for n in range(first, first + count)]


def test_entries_read_right_after_an_append_equal_the_appended_ones_without_a_store_read(
    tmp_path: Path,
) -> None:
    store = CountingStore(tmp_path)
    ledger = ledger_on(store)
    appended = ledger.append(_drafts(0, 20))
    read = list(ledger.entries(0, 20))
    assert read == appended
    assert [e.leaf_hash for e in read] == [e.leaf_hash for e in appended]
    assert store.reads.get(layout.batch_key(0), 0) == 0


def test_the_ledger_keeps_no_appended_entry_once_its_caller_drops_it(tmp_path: Path) -> None:
    ledger = ledger_on(LocalStore(tmp_path, fsync=False))
    appended = ledger.append(_drafts(0, 10))
    refs = [weakref.ref(entry) for entry in appended]
    del appended
    gc.collect()
    assert [ref() for ref in refs] == [None] * 10
    assert [e.body["n"] for e in ledger.entries(0, 10)] == list(range(10))


def test_the_ledger_keeps_no_entry_it_returned_once_the_reader_drops_it(tmp_path: Path) -> None:
    ledger = ledger_on(LocalStore(tmp_path, fsync=False))
    ledger.append(_drafts(0, 10))
    reader = ledger_on(ledger.store, signing=False)
    refs = [weakref.ref(entry) for entry in reader.entries()]
    gc.collect()
    assert [ref() for ref in refs] == [None] * 10


def test_reading_one_entry_decodes_that_entry_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = ledger_on(LocalStore(tmp_path, fsync=False))
    ledger.append(_drafts(0, 50))
    decoded: list[int] = []
    original = LedgerEntry.decode.__func__  # type: ignore[attr-defined]

    def counting(cls: type[LedgerEntry], raw: bytes) -> LedgerEntry:
        entry = original(cls, raw)
        decoded.append(entry.seq)
        return entry

    monkeypatch.setattr(LedgerEntry, "decode", classmethod(counting))
    assert ledger.entry(17).body["n"] == 17
    assert ledger.entries_at([3, 40])[1].body["n"] == 40
    assert decoded == [17, 3, 40]


def test_an_appended_batch_read_again_after_leaving_the_cache_must_be_its_proven_bytes(
    tmp_path: Path,
) -> None:
    store = LocalStore(tmp_path, fsync=False)
    ledger = ledger_on(store)
    for first in range(0, 30, 5):  # six batches: more than the cache keeps
        ledger.append(_drafts(first, 5))
    path = tmp_path / layout.batch_key(0)
    data = path.read_bytes()
    path.chmod(0o644)
    path.write_bytes(data.replace(b'"text":"x', b'"text":"y', 1))
    # The store's own hash record, or else the ledger's pin, refuses the changed bytes.
    with pytest.raises((IntegrityError, LedgerError)):
        ledger.entry(2)
