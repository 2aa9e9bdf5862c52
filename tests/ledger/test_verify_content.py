"""verify's content check: each stored object is hashed once, every claim about it is checked,
and what is wrong is reported at the entries concerned, in ledger order."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pipeline.hashing import object_key
from pipeline.ledger.audit import Fault
from pipeline.ledger.entry import EntryDraft
from pipeline.ledger.verify import verify_ledger
from pipeline.storage.local import LocalStore
from tests.ledger.ledger_helpers import KEY, ORIGIN, draft, ledger_on, overwrite_object, remove
from tests.storage.backends import local_store


def _stored(store: LocalStore, data: bytes) -> dict[str, object]:
    digest = hashlib.sha256(data).hexdigest()
    store.put(object_key(digest), data)
    return {"key": object_key(digest), "sha256": digest, "size": len(data)}


def _append(store: LocalStore, bodies: list[dict[str, object]]) -> None:
    ledger_on(store).append([draft(n, {"n": n, **body}) for n, body in enumerate(bodies)])


def _problems(store: LocalStore) -> list[tuple[int | None, Fault]]:
    return [(p.position, p.fault) for p in verify_ledger(store, [KEY.verifier], ORIGIN).problems]


def test_an_object_two_entries_share_is_hashed_once_and_damage_reported_at_the_first(
    tmp_path: Path,
) -> None:
    store = local_store(tmp_path)
    shared = _stored(store, b"the same attachment in two messages")
    _append(store, [{"raw": _stored(store, b"m0")}, {"att": shared}, {"att": shared}])
    report = verify_ledger(store, [KEY.verifier], ORIGIN)
    assert report.ok and report.objects_checked == 2
    overwrite_object(store, str(shared["key"]), b"forged attachment")
    assert _problems(store) == [(1, Fault.CONTENT_ALTERED)]


def test_an_object_one_entry_names_twice_is_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = local_store(tmp_path)
    twice = _stored(store, b"one attachment sent twice in one message")
    _append(store, [{"attachments": [twice, twice]}, {"attachments": [twice]}])
    hashed: list[str] = []
    sha256 = store.sha256

    def counting(key: str) -> str:
        hashed.append(key)
        return sha256(key)

    monkeypatch.setattr(store, "sha256", counting)
    report = verify_ledger(store, [KEY.verifier], ORIGIN)
    assert report.ok
    assert hashed == [twice["key"]]


def test_a_later_entry_claiming_another_hash_for_an_object_is_reported(tmp_path: Path) -> None:
    store = local_store(tmp_path)
    real = _stored(store, b"a message")
    _append(store, [{"raw": real}, {"raw": {**real, "sha256": "0" * 64}}])
    assert _problems(store) == [(1, Fault.CONTENT_ALTERED)]


def test_one_byte_changed_in_a_large_object_is_found(tmp_path: Path) -> None:
    store = local_store(tmp_path)
    data = bytes(range(256)) * (40 * 1024)  # 10 MiB: many read chunks
    big = _stored(store, data)
    _append(store, [{"raw": _stored(store, b"m0")}, {"raw": big}])
    assert _problems(store) == []
    forged = bytearray(data)
    forged[len(data) // 2 + 1] ^= 0x20
    overwrite_object(store, str(big["key"]), bytes(forged))
    assert _problems(store) == [(1, Fault.CONTENT_ALTERED)]


def test_damage_to_many_objects_is_reported_in_ledger_order(tmp_path: Path) -> None:
    store = local_store(tmp_path)
    refs = [_stored(store, f"message {n}".encode()) for n in range(300)]
    _append(store, [{"raw": ref} for ref in refs])
    for n in (250, 3, 120):
        overwrite_object(store, str(refs[n]["key"]), b"forged")
    remove(store, str(refs[77]["key"]))
    assert _problems(store) == [
        (3, Fault.CONTENT_ALTERED),
        (77, Fault.CONTENT_MISSING),
        (120, Fault.CONTENT_ALTERED),
        (250, Fault.CONTENT_ALTERED),
    ]


def test_disposed_content_is_not_missing_and_is_counted(tmp_path: Path) -> None:
    store = local_store(tmp_path)
    raw = _stored(store, b"an expired message")
    ledger = ledger_on(store)
    ledger.append([draft(0, {"n": 0, "record_id": "r-1", "raw": raw})])
    remove(store, str(raw["key"]))
    disposal = {"record_id": "r-1", "keys": [raw["key"]]}
    ledger.append([EntryDraft("record.disposed", disposal, "worker:test/1")])
    report = verify_ledger(store, [KEY.verifier], ORIGIN)
    assert report.ok and report.disposed == 1 and report.objects_checked == 1
