"""Assembly on a thread of its own, right behind sealing (the run command's path).

The sealer and the assembly thread each write through their own ledger, recorder and
identity-cache connection on one local store and one state directory, as ``run``
wires them; assembly runs inline in the thread.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.errors import IngestError
from pipeline.record.identities import IDENTITIES_FILE, IdentityIndex
from pipeline.record.recorder import Received, Recorder
from pipeline.record.source import MessageSource
from pipeline.runtime import open_runtime
from pipeline.worker.assembler import Assembler, AssemblyReport
from pipeline.worker.assembly_pool import AssemblyPool, Item
from pipeline.worker.background import BackgroundAssembly
from tests.index.factory import LedgerEnv, make_env, make_raw

RECEIVED = datetime(2026, 11, 2, 14, 5, tzinfo=UTC)


def _source(uid: int) -> MessageSource:
    return MessageSource(
        kind="imap",
        mailbox="servicing",
        folder="INBOX",
        uidvalidity=7,
        uid=uid,
        internaldate=RECEIVED,
    )


@pytest.fixture
def env(tmp_path: Path) -> LedgerEnv:
    return make_env(tmp_path)


def _identities(env: LedgerEnv) -> IdentityIndex:
    return IdentityIndex(env.config.state_dir / IDENTITIES_FILE)


@pytest.fixture
def sealer(env: LedgerEnv) -> Iterator[Recorder]:
    """The sealing side: the env's ledger and its own connection to the shared cache."""
    recorder = Recorder(env.runtime.store, env.runtime.ledger, _identities(env), "worker:t/1")
    yield recorder
    recorder.close()


def _assembler(env: LedgerEnv) -> Assembler:
    """The assembly side: a runtime (ledger) of its own, as ``open_background`` builds."""
    runtime = open_runtime(env.config, writable=True)
    identities = _identities(env)
    recorder = Recorder(runtime.store, runtime.ledger, identities, "worker:t/1")
    return Assembler(recorder, identities, AssemblyPool(env.settings(), workers=1))


def _seal(sealer: Recorder, uid: int) -> Item:
    raw = make_raw(subject=f"Escrow question {uid}", text="Why did my escrow payment change?")
    ((message, entry),) = sealer.seal([Received.of(raw, _source(uid), RECEIVED)]).sealed
    return Item.held(message, entry.seq)


def _recorded_uids(env: LedgerEnv) -> list[int]:
    env.runtime.ledger.refresh()
    return sorted(
        e.body["source"]["uid"]
        for e in env.runtime.ledger.entries()
        if e.type == "message.received"
    )


def test_a_batch_handed_over_by_the_sealer_is_recorded_and_then_after_commit_runs(
    env: LedgerEnv, sealer: Recorder
) -> None:
    seen: list[AssemblyReport] = []
    background = BackgroundAssembly(_assembler(env), after_commit=seen.append).start()
    background.submit([_seal(sealer, 1), _seal(sealer, 2)])
    background.close(drain=True)
    assert _recorded_uids(env) == [1, 2]
    assert [r.assembled for r in seen] == [2]


def test_the_sealer_keeps_sealing_while_the_thread_appends_through_its_own_ledger(
    env: LedgerEnv, sealer: Recorder
) -> None:
    background = BackgroundAssembly(_assembler(env)).start()
    for uid in range(1, 7):
        background.submit([_seal(sealer, uid)])
    background.close(drain=True)
    background.check()
    assert _recorded_uids(env) == [1, 2, 3, 4, 5, 6]


def test_close_without_drain_finishes_the_batch_in_hand_and_a_catch_up_assembles_the_rest_once(
    env: LedgerEnv, sealer: Recorder
) -> None:
    in_hand, release = threading.Event(), threading.Event()

    def hold(_report: AssemblyReport) -> None:
        in_hand.set()
        release.wait(30)

    background = BackgroundAssembly(_assembler(env), after_commit=hold).start()
    background.submit([_seal(sealer, 1)])
    assert in_hand.wait(30)
    background.submit([_seal(sealer, 2)])  # queued behind the batch in hand
    closing = threading.Thread(target=background.close, kwargs={"drain": False})
    closing.start()
    release.set()
    closing.join(30)
    assert _recorded_uids(env) == [1]  # uid 2 is sealed, waiting

    restarted = BackgroundAssembly(_assembler(env)).start()
    restarted.catch_up()
    restarted.catch_up()  # asked again (every cycle asks): still recorded once
    restarted.close(drain=True)
    assert _recorded_uids(env) == [1, 2]
    assert restarted.report.assembled == 1


def test_the_sealer_waits_while_max_messages_wait_for_assembly(
    env: LedgerEnv, sealer: Recorder
) -> None:
    in_hand, release = threading.Event(), threading.Event()

    def hold(_report: AssemblyReport) -> None:
        in_hand.set()
        release.wait(30)

    background = BackgroundAssembly(_assembler(env), after_commit=hold, max_messages=1).start()
    background.submit([_seal(sealer, 1)])
    assert in_hand.wait(30)  # batch 1 assembled, the thread busy after it
    background.submit([_seal(sealer, 2)])  # let in: nothing else waits
    third = _seal(sealer, 3)
    submitting = threading.Thread(target=background.submit, args=([third],))
    submitting.start()
    submitting.join(0.5)
    assert submitting.is_alive(), "the sealer went on with a full hand-off queue"
    release.set()
    submitting.join(30)
    background.close(drain=True)
    assert _recorded_uids(env) == [1, 2, 3]


def test_a_batch_queued_behind_max_bytes_waits_by_key_and_is_read_back_from_the_store(
    env: LedgerEnv, sealer: Recorder
) -> None:
    in_hand, release = threading.Event(), threading.Event()

    def hold(_report: AssemblyReport) -> None:
        in_hand.set()
        release.wait(30)

    assembler = _assembler(env)
    store = assembler.recorder.store
    read: list[str] = []
    real_get = store.get

    def get(key: str, *, verify: bool = True) -> bytes:
        read.append(key)
        return real_get(key, verify=verify)

    store.get = get  # type: ignore[method-assign]
    background = BackgroundAssembly(assembler, after_commit=hold, max_bytes=1).start()
    background.submit([_seal(sealer, 1)])
    assert in_hand.wait(30)  # batch 1 assembled, the thread busy after it
    second, third = _seal(sealer, 2), _seal(sealer, 3)
    background.submit([second])  # nothing waits: it keeps its bytes
    submitting = threading.Thread(target=background.submit, args=([third],))
    submitting.start()  # behind the second, over max_bytes: by key, and no wait
    submitting.join(10)
    assert not submitting.is_alive(), "the sealer waited on bytes it need not hold"
    release.set()
    background.close(drain=True)
    background.check()
    assert _recorded_uids(env) == [1, 2, 3]
    raws = [key for key in read if key.startswith("objects/")]
    assert raws == [third.raw_key]


def test_a_crash_in_the_thread_is_raised_in_the_sealer(env: LedgerEnv, sealer: Recorder) -> None:
    def broken(_report: AssemblyReport) -> None:
        raise RuntimeError("bug in a hook")

    background = BackgroundAssembly(_assembler(env), after_commit=broken).start()
    background.submit([_seal(sealer, 1)])
    background.close(drain=True)
    with pytest.raises(IngestError, match="assembly thread failed: bug in a hook"):
        background.check()


def test_indexing_a_seal_commits_so_another_connection_can_write_the_cache(
    env: LedgerEnv, sealer: Recorder
) -> None:
    _seal(sealer, 1)  # indexes its entry with add()
    other = sqlite3.connect(env.config.state_dir / IDENTITIES_FILE, timeout=0)
    try:
        other.execute("begin immediate")  # raises 'database is locked' if a write is open
        other.rollback()
    finally:
        other.close()


def test_a_catch_up_asked_for_behind_waiting_batches_runs_before_the_thread_closes(
    env: LedgerEnv, sealer: Recorder
) -> None:
    in_hand, release = threading.Event(), threading.Event()

    def hold(_report: AssemblyReport) -> None:
        in_hand.set()
        release.wait(30)

    background = BackgroundAssembly(_assembler(env), after_commit=hold).start()
    background.submit([_seal(sealer, 1)])
    assert in_hand.wait(30)
    background.submit([_seal(sealer, 2)])
    background.submit([_seal(sealer, 3)])
    _seal(sealer, 4)  # sealed by an earlier run that died before handing it over
    background.catch_up()
    closing = threading.Thread(target=background.close, kwargs={"drain": True})
    closing.start()
    while background._jobs.qsize() < 4:  # both batches, the catch-up, the close
        closing.join(0.01)
    release.set()
    closing.join(30)
    assert _recorded_uids(env) == [1, 2, 3, 4]


def test_a_catch_up_leaves_seals_someone_has_in_hand_to_them(
    env: LedgerEnv, sealer: Recorder
) -> None:
    first, second = _seal(sealer, 1), _seal(sealer, 2)
    report = _assembler(env).assemble_pending(in_hand=lambda seq: seq == second.sealed_seq)
    assert (report.assembled, _recorded_uids(env)) == (1, [1])
    assert first.sealed_seq is not None
