"""Building ledgers for tests and damaging them the way an intruder with disk access would."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipeline.hashing import object_key
from pipeline.ledger import layout
from pipeline.ledger.checkpoint import SigningKey
from pipeline.ledger.entry import EntryDraft, LedgerEntry, canonical_json
from pipeline.ledger.log import Ledger
from pipeline.storage.base import ObjectStore
from pipeline.storage.local import LocalStore

ORIGIN = "test.example/ledger"
KEY = SigningKey.from_seed(ORIGIN, hashlib.sha256(b"test ledger key").digest())
T0 = datetime(2026, 11, 28, 8, 30, tzinfo=UTC)


def draft(n: int, body: dict | None = None) -> EntryDraft:
    # The ledger stores and proves bytes whatever they mean: an opaque type, not one
    # of the catalogue's, whose bodies these are not.
    return EntryDraft(
        type="test.opaque",
        body=body if body is not None else {"n": n},
        actor="worker:test/1",
        time=T0 + timedelta(seconds=n),
    )


def ledger_on(store: ObjectStore, *, signing: bool = True) -> Ledger:
    return Ledger(store, ORIGIN, [KEY.verifier], KEY if signing else None)


def build(store: ObjectStore, batch_sizes: list[int], *, with_objects: bool = False) -> Ledger:
    """Append batches of the given sizes; entry n's body is {"n": n} (plus an object ref)."""
    ledger = ledger_on(store)
    n = 0
    for size in batch_sizes:
        drafts = []
        for _ in range(size):
            body: dict = {"n": n}
            if with_objects:
                data = f"message {n}".encode()
                digest = hashlib.sha256(data).hexdigest()
                store.put(object_key(digest), data)
                body["raw"] = {"key": object_key(digest), "sha256": digest, "size": len(data)}
            drafts.append(draft(n, body))
            n += 1
        ledger.append(drafts)
    return ledger


def batch_starts(batch_sizes: list[int]) -> list[int]:
    starts, at = [], 0
    for size in batch_sizes:
        starts.append(at)
        at += size
    return starts


# -- tampering (local store, behind its back) ------------------------------------------


def _overwrite(path: Path, data: bytes) -> None:
    path.chmod(0o644)
    path.write_bytes(data)
    path.chmod(0o444)


def read_lines(store: LocalStore) -> list[tuple[str, bytes]]:
    """(batch key, raw line) of every stored entry, in order."""
    return [
        (key, line)
        for key in store.list(layout.ENTRIES)
        for line in layout.split_batch(store.get(key, verify=False))
    ]


def write_lines(store: LocalStore, lines: list[tuple[str, bytes]]) -> None:
    """Rewrite every batch file with the given lines (keys with no lines are removed)."""
    by_key: dict[str, list[bytes]] = {key: [] for key in store.list(layout.ENTRIES)}
    for key, raw in lines:
        by_key.setdefault(key, []).append(raw)
    for key, raws in by_key.items():
        path = store.root / key
        if not raws:
            path.chmod(0o644)
            path.unlink()
            continue
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"")
        _overwrite(path, b"".join(r + b"\n" for r in raws))


def edited(raw: bytes, **changes: object) -> bytes:
    """The entry re-encoded canonically with some fields changed."""
    document = LedgerEntry.decode(raw)
    fields = {
        "seq": document.seq,
        "prev": document.prev,
        "type": document.type,
        "time": document.time,
        "actor": document.actor,
        "body": dict(document.body),
    }
    fields.update(changes)
    return canonical_json(fields)


def overwrite_object(store: LocalStore, key: str, data: bytes) -> None:
    _overwrite(store.root / key, data)


def remove(store: LocalStore, key: str) -> None:
    path = store.root / key
    path.chmod(0o644)
    path.unlink()
