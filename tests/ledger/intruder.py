"""An insider with write access to the store but not the signing key, on every backend.

Locally the intruder edits files (and the recorded SHA-256 beside them, as a careful
one would). On S3 they do what the bucket lets anyone with write access do: a delete
without a version id (a delete marker), then a PUT that the create-only check lets
through because the key now looks absent.
"""

from __future__ import annotations

import json

from pipeline.hashing import ZERO_HASH
from pipeline.ledger import layout
from pipeline.ledger.entry import EntryDraft, LedgerEntry
from pipeline.storage.base import ObjectStore
from pipeline.storage.local import LocalStore
from pipeline.storage.s3 import S3Store
from tests.storage.backends import raw_key


def write(store: ObjectStore, key: str, data: bytes) -> None:
    """Create or replace ``key`` behind the store's back."""
    if isinstance(store, LocalStore):
        import hashlib

        path = store.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.chmod(0o644)
        path.write_bytes(data)
        path.chmod(0o444)
        meta = store.root / ".sha256" / (key + ".json")
        meta.parent.mkdir(parents=True, exist_ok=True)
        meta.write_text(json.dumps({"sha256": hashlib.sha256(data).hexdigest()}))
        return
    assert isinstance(store, S3Store)
    if store.exists(key):
        delete(store, key)
    store.client.put_object(Bucket=store.settings.bucket, Key=raw_key(store, key), Body=data)


def delete(store: ObjectStore, key: str) -> None:
    """Remove ``key`` behind the store's back (on S3: a delete marker)."""
    if isinstance(store, LocalStore):
        path = store.root / key
        path.chmod(0o644)
        path.unlink()
        return
    assert isinstance(store, S3Store)
    store.client.delete_object(Bucket=store.settings.bucket, Key=raw_key(store, key))


def forged_batch(first: int, prev: str, drafts: list[EntryDraft]) -> bytes:
    """Well-formed, correctly chained entries starting at ``first``, with no writer proof."""
    lines = []
    for offset, draft in enumerate(drafts):
        entry = LedgerEntry.build(first + offset, prev, draft)
        lines.append(entry.raw + b"\n")
        prev = entry.entry_hash
    return b"".join(lines)


def append_forged(
    store: ObjectStore, size: int, last: LedgerEntry | None, draft: EntryDraft
) -> str:
    """Write one forged entry at position ``size`` as a new batch; returns the batch key."""
    key = layout.batch_key(size)
    write(store, key, forged_batch(size, last.entry_hash if last else ZERO_HASH, [draft]))
    return key
