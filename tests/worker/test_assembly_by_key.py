"""Assembly workers read sealed raw bytes by key and store their own parts.

The process that appends hands a worker only a seal's key and digest and gets back
only the record (keys, digests, sizes, classification): no large byte string crosses
the process boundary. Real worker processes and a real local store.
"""

from __future__ import annotations

import os
import pickle
import random
import signal
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from pipeline.errors import IntegrityError
from pipeline.record.identities import IdentityIndex
from pipeline.record.recorder import Received, Recorder
from pipeline.record.source import MessageSource
from pipeline.runtime import store_settings
from pipeline.storage.local import LocalStore
from pipeline.worker.assembler import Assembler
from pipeline.worker.assembly_pool import HAND_OVER_BYTES, AssemblyPool, Item
from tests.index.factory import LedgerEnv, make_env, make_raw

RECEIVED = datetime(2026, 11, 2, 14, 5, tzinfo=UTC)
# Random bytes do not compress: the pickled record cannot hide them.
STATEMENT = random.Random(15).randbytes(2 * 1024 * 1024)


def _source(uid: int) -> MessageSource:
    return MessageSource(
        kind="imap", mailbox="servicing", folder="INBOX", uidvalidity=7, uid=uid,
        internaldate=RECEIVED,
    )  # fmt: skip


def _raw(uid: int, attachment: bytes | None = None) -> bytes:
    return make_raw(
        subject=f"Payoff statement {uid}",
        text="Please send me a payoff statement for my loan.",
        attachment=None if attachment is None else ("statement.pdf", attachment),
    )


@pytest.fixture
def env(tmp_path: Path) -> LedgerEnv:
    return make_env(tmp_path)


@pytest.fixture
def assembler(env: LedgerEnv) -> Iterator[Assembler]:
    """An assembler with two worker processes, as ``mailledger assemble --workers 2``."""
    identities = IdentityIndex(None)
    recorder = Recorder(env.runtime.store, env.runtime.ledger, identities, "worker:test/1")
    pool = AssemblyPool(env.settings(), workers=2, store_settings=store_settings(env.config))
    try:
        yield Assembler(recorder, identities, pool)
    finally:
        pool.close()
        recorder.close()


def _seal(assembler: Assembler, raws: list[bytes]) -> list[int]:
    messages = [Received.of(raw, _source(uid), RECEIVED) for uid, raw in enumerate(raws, 1)]
    return [entry.seq for _, entry in assembler.recorder.seal(messages).sealed]


def _records(env: LedgerEnv) -> list[int]:
    """The seal each ``message.received`` entry names, in ledger order."""
    env.runtime.ledger.refresh()
    entries = env.runtime.ledger.entries()
    return [e.body["sealed"]["seq"] for e in entries if e.type == "message.received"]


def test_a_worker_assembles_from_the_key_and_stores_the_attachment_itself(
    env: LedgerEnv, assembler: Assembler
) -> None:
    (seq,) = _seal(assembler, [_raw(1, STATEMENT)])
    (item,) = assembler.items_for([seq])
    assert item.raw is None  # handed over by key and digest only
    pending = assembler.start([item])
    (record,) = assembler.pool.results(pending, env.runtime.store)
    # What came back holds no part's bytes, and is far smaller than the attachment.
    assert record.blobs == ()
    assert len(pickle.dumps(record)) < len(STATEMENT) // 20
    (attachment,) = record.record.attachments
    assert attachment.size == len(STATEMENT)
    assert env.runtime.store.get(attachment.key) == STATEMENT  # stored by the worker
    assert record.record.bodies.text is not None
    assert env.runtime.store.exists(record.record.bodies.text.key)


def test_records_assembled_in_workers_are_appended_once_each(
    env: LedgerEnv, assembler: Assembler
) -> None:
    seqs = _seal(assembler, [_raw(uid) for uid in range(1, 41)])
    assert assembler.assemble_pending().assembled == 40
    assert _records(env) == seqs


@pytest.mark.parametrize("workers", [1, 2])
def test_raw_bytes_that_do_not_match_the_sealed_hash_are_refused_naming_the_message(
    env: LedgerEnv, workers: int
) -> None:
    identities = IdentityIndex(None)
    recorder = Recorder(env.runtime.store, env.runtime.ledger, identities, "worker:test/1")
    pool = AssemblyPool(env.settings(), workers, store_settings(env.config))
    assembler = Assembler(recorder, identities, pool)
    try:
        raw = _raw(1)
        (seq,) = _seal(assembler, [raw])
        (item,) = assembler.items_for([seq])
        store = env.runtime.store
        assert isinstance(store, LocalStore)
        path = store.root / item.raw_key
        path.chmod(0o600)
        path.write_bytes(raw.replace(b"payoff", b"PAYOFF"))  # altered after the seal
        with pytest.raises(IntegrityError) as refused:
            assembler.assemble([seq])
    finally:
        pool.close()
        recorder.close()
    message = str(refused.value)
    assert item.source.record_id(item.raw_sha256) in message
    assert f"sealed at ledger position {seq}" in message
    assert f"not the sealed {item.raw_sha256}" in message
    assert _records(env) == []


def test_a_batch_whose_worker_died_is_assembled_and_each_seal_recorded_once(
    env: LedgerEnv, assembler: Assembler
) -> None:
    seqs = _seal(assembler, [_raw(uid) for uid in range(1, 33)])
    assembler.pool.warm()
    executor = assembler.pool._executor
    assert executor is not None
    # The pool's own processes (no public handle): one is killed as the OOM killer would.
    victim = next(iter(executor._processes))  # type: ignore[attr-defined]
    with capture_logs() as logs:
        pending = assembler.start(assembler.items_for(seqs))
        os.kill(victim, signal.SIGKILL)
        outcome = assembler.finish(pending)
    assert "assembly.worker_died" in [entry["event"] for entry in logs]
    assert len(outcome.committed) == 32
    assert _records(env) == seqs
    # a rerun after the death finds nothing left, and records nothing twice
    assert assembler.assemble_pending().assembled == 0
    assert _records(env) == seqs


def test_a_sealer_hands_large_messages_to_workers_by_key_and_small_ones_with_bytes(
    env: LedgerEnv, assembler: Assembler
) -> None:
    small = Item.held(Received.of(_raw(1), _source(1), RECEIVED), 0)
    large = Item.held(Received.of(_raw(2, STATEMENT), _source(2), RECEIVED), 1)
    assert large.held_bytes > HAND_OVER_BYTES
    handed = assembler.pool.hand_over([small, large])
    assert [item.raw is None for item in handed] == [False, True]
    inline = AssemblyPool(env.settings(), workers=1)
    assert [item.raw is None for item in inline.hand_over([small, large])] == [False, False]
