"""After a worker process dies, the chunk it had is assembled inline again; the parts it
created before dying may be neither durable nor under retention, and the re-run settles
them. A real local store; the dead worker's chunk is a future failed as a broken pool
fails it (which objects a killed process had written is otherwise a race)."""

from __future__ import annotations

import random
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from pathlib import Path

import pytest

import pipeline.storage.local as local
from pipeline.record.assemble import AssembledRecord
from pipeline.record.recorder import Received
from pipeline.record.source import MessageSource
from pipeline.storage.local import LocalStore
from pipeline.worker.assembly_pool import AssemblyPool, Item, PendingAssembly, assemble_and_store
from tests.index.factory import make_env, make_raw

RECEIVED = datetime(2026, 11, 2, 14, 5, tzinfo=UTC)


def _item(uid: int) -> Item:
    source = MessageSource(
        kind="imap", mailbox="servicing", folder="INBOX", uidvalidity=7, uid=uid,
        internaldate=RECEIVED,
    )  # fmt: skip
    raw = make_raw(
        subject=f"Payoff statement {uid}",
        text="Please send me a payoff statement for my loan.",
        attachment=("statement.pdf", random.Random(uid).randbytes(4096)),
    )
    return Item.held(Received.of(raw, source, RECEIVED), uid)


def test_the_inline_rerun_after_a_worker_died_gives_its_parts_retention_and_syncs_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flushed: list[Path] = []
    real_flush = local._flush

    def flush(root: Path, paths: list[Path]) -> None:
        flushed.extend(paths)
        real_flush(root, paths)

    monkeypatch.setattr(local, "_flush", flush)
    settings = make_env(tmp_path / "env").settings()
    items = [_item(uid) for uid in (1, 2, 3)]
    root = tmp_path / "store"
    # what the dead worker got done: every part linked into place, then killed before
    # its retention records and its batch's flush
    assemble_and_store(items, settings, LocalStore(root, fsync=False))
    parts = list(LocalStore(root).list(""))
    assert len(parts) > len(items)  # the shared text body and each attachment

    store = LocalStore(root, retain_days=30, retention_mode="COMPLIANCE")
    assert {store.protection(key).retain_until for key in parts} == {None}
    died: Future[list[AssembledRecord]] = Future()
    died.set_exception(BrokenProcessPool("a worker process died"))
    pool = AssemblyPool(settings, workers=1)
    with ThreadPoolExecutor(max_workers=1) as broken:
        records = pool.results(PendingAssembly(items, [(items, died)], broken), store)

    assert [r.source.uid for r in records] == [1, 2, 3]
    assert all(store.protection(key).retain_until is not None for key in parts)
    assert {root / key for key in parts} <= set(flushed)
