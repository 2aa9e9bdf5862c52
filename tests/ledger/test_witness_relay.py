"""Every checkpoint the writer signs goes to the witnesses in the background: appends never
wait for a witness, a witness that is down is a warning naming it and is caught up with
the next append, and the status says how far each witness got."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pipeline.ledger import layout
from pipeline.ledger import relay as relay_module
from pipeline.ledger.checkpoint import SigningKey
from pipeline.ledger.log import Ledger
from pipeline.ledger.relay import (
    StoreLeaves,
    WitnessRelay,
    WitnessStatus,
    merge_statuses,
    read_statuses,
    store_target,
    tlog_target,
)
from pipeline.ledger.tlog_witness import TlogWitnessClient, TlogWitnessSettings
from pipeline.ledger.witness import StoreWitness
from pipeline.merkle import CompactRange, MerkleTree, consistency_proof_from, leaf_hash
from pipeline.storage.local import LocalStore
from tests.harness.fault_proxy import FaultProxy
from tests.harness.tlog_witness import TlogWitnessServer
from tests.ledger.ledger_helpers import KEY, ORIGIN, draft, remove
from tests.ledger.log_capture import captured_logs
from tests.storage.backends import local_store

COSIGNER = SigningKey.from_seed("witness.example/relay", hashlib.sha256(b"relay").digest())
WAIT = 30.0  # upper bound for a flush; it returns as soon as every checkpoint was tried


@pytest.fixture
def server(tmp_path: Path) -> Iterator[TlogWitnessServer]:
    witness = TlogWitnessServer(COSIGNER, {ORIGIN: [KEY.verifier]}, tmp_path / "witness.json")
    witness.start()
    yield witness
    witness.close()


@pytest.fixture
def proxy(server: TlogWitnessServer) -> Iterator[FaultProxy]:
    """The witness behind a proxy the test can make drop every connection (witness down)."""
    front = FaultProxy(server.url.rsplit("/", 1)[0]).start()
    yield front
    front.close()


def _relay(store: LocalStore, url: str, key, status: Path | None = None) -> WitnessRelay:
    client = TlogWitnessClient(TlogWitnessSettings(url, key, timeout_seconds=5))
    return WitnessRelay([tlog_target(client)], StoreLeaves(store), status, retry_seconds=3600)


def _append(ledger: Ledger, count: int) -> None:
    n = ledger.size()
    ledger.append([draft(n + i, {"n": n + i}) for i in range(count)])


def test_a_consistency_proof_from_the_old_range_and_new_leaves_equals_rfc_6962s() -> None:
    leaves = [leaf_hash(bytes([i])) for i in range(40)]
    tree = MerkleTree(leaves)
    for n in range(1, 41):
        for m in range(n + 1):
            old = CompactRange.from_leaves(leaves[:m])
            assert consistency_proof_from(old, leaves[m:n]) == tree.consistency_proof(m, n)


def test_store_leaves_prove_consistency_from_a_size_never_seen_in_this_process(
    tmp_path: Path,
) -> None:
    store = local_store(tmp_path / "store")
    ledger = Ledger(store, ORIGIN, [KEY.verifier], KEY)
    for count in (3, 1, 5, 2, 7):
        _append(ledger, count)
    tree = MerkleTree([e.leaf_hash for e in ledger.entries()])
    proofs = StoreLeaves(store)
    assert proofs.consistency_proof(4, 18) == tree.consistency_proof(4, 18)
    assert proofs.consistency_proof(9, 11) == tree.consistency_proof(9, 11)
    assert proofs.consistency_proof(3, 18) == tree.consistency_proof(3, 18)


def test_after_appends_the_witness_cosigned_the_newest_size_without_a_checkpoint_command(
    tmp_path: Path, server: TlogWitnessServer
) -> None:
    store = local_store(tmp_path / "store")
    relay = _relay(store, server.url, server.key, tmp_path / "state" / "witnesses.json")
    ledger = Ledger(store, ORIGIN, [KEY.verifier], KEY, witness=relay)
    _append(ledger, 3)
    relay.flush(WAIT)
    _append(ledger, 2)
    _append(ledger, 4)
    (status,) = relay.flush(WAIT)
    size = ledger.size()
    held = server.cosigned(ORIGIN)
    assert held is not None and held == (
        size,
        MerkleTree([e.leaf_hash for e in ledger.entries()]).root(),
    )
    assert (status.size, status.wanted, status.behind, status.error) == (size, size, False, None)
    assert status.cosigned_note is not None
    assert status.cosigned_note.startswith(ledger.checkpoint_note(size))
    saved = read_statuses(tmp_path / "state" / "witnesses.json")
    assert saved[status.name].size == size


def test_an_append_returns_while_a_witness_is_still_taking_the_checkpoint(tmp_path: Path) -> None:
    release = threading.Event()
    witness = StoreWitness(local_store(tmp_path / "witness"))

    class Held:
        """The folder witness, answering only once the test lets it."""

        description = witness.description

        def add(self, size: int, note: str) -> None:
            release.wait(WAIT)
            witness.add(size, note)

        def latest(self):  # pragma: no cover - not used by the relay
            return witness.latest()

    store = local_store(tmp_path / "store")
    relay = WitnessRelay([store_target(Held())], StoreLeaves(store))
    ledger = Ledger(store, ORIGIN, [KEY.verifier], KEY, witness=relay)
    _append(ledger, 2)
    _append(ledger, 1)  # returns although the witness has not answered the first
    assert list(witness.store.list(layout.CHECKPOINTS)) == []
    release.set()
    relay.flush(WAIT)
    # a checkpoint store gets every checkpoint, in order
    assert list(witness.store.list(layout.CHECKPOINTS)) == [
        layout.checkpoint_key(2),
        layout.checkpoint_key(3),
    ]


def test_a_witness_that_is_down_is_a_warning_naming_it_and_the_append_succeeds(
    tmp_path: Path, server: TlogWitnessServer, proxy: FaultProxy
) -> None:
    store = local_store(tmp_path / "store")
    relay = _relay(store, proxy.endpoint_url + "/witness", server.key)
    ledger = Ledger(store, ORIGIN, [KEY.verifier], KEY, witness=relay)
    proxy.configure(reset=1.0)
    with captured_logs(relay_module) as logs:
        _append(ledger, 3)
        (status,) = relay.flush(WAIT)
    assert ledger.size() == 3  # the append stands
    assert server.cosigned(ORIGIN) is None
    assert (status.size, status.wanted, status.behind) == (0, 3, True)
    assert status.error is not None and "'witness.example/relay'" in status.error
    warned = [e for e in logs if e["event"] == "witness.behind"]
    assert warned and warned[0]["witness"] == "tlog-witness 'witness.example/relay'"
    assert warned[0]["log_level"] == "warning"


def test_a_witness_that_was_down_is_caught_up_by_the_next_append(
    tmp_path: Path, server: TlogWitnessServer, proxy: FaultProxy
) -> None:
    store = local_store(tmp_path / "store")
    relay = _relay(store, proxy.endpoint_url + "/witness", server.key)
    ledger = Ledger(store, ORIGIN, [KEY.verifier], KEY, witness=relay)
    _append(ledger, 2)
    relay.flush(WAIT)
    proxy.configure(reset=1.0)
    _append(ledger, 3)
    _append(ledger, 1)
    relay.flush(WAIT)
    assert server.cosigned(ORIGIN) is not None and server.cosigned(ORIGIN)[0] == 2  # type: ignore[index]
    proxy.clear()
    _append(ledger, 2)
    (status,) = relay.flush(WAIT)
    assert server.cosigned(ORIGIN) is not None and server.cosigned(ORIGIN)[0] == 8  # type: ignore[index]
    assert (status.size, status.behind, status.error) == (8, False, None)


def _witness_took_five(store: LocalStore, server: TlogWitnessServer) -> str:
    """A log of three entries, then two, whose checkpoint of size 5 one writer's relay got
    cosigned; returns the signed checkpoint note of size 3, which another writer signed."""
    ledger = Ledger(store, ORIGIN, [KEY.verifier], KEY)
    _append(ledger, 3)
    _append(ledger, 2)
    worker = _relay(store, server.url, server.key)
    worker.add(5, ledger.checkpoint_note(5))
    worker.flush(WAIT)
    return ledger.checkpoint_note(3)


def test_a_witness_that_another_signer_took_further_is_not_reported_as_a_cut_log(
    tmp_path: Path, server: TlogWitnessServer
) -> None:
    # Two processes hold the log key (the web app beside the worker): the worker's
    # checkpoint of size 5 reaches the witness before the web app's of size 3.
    store = local_store(tmp_path / "store")
    note3 = _witness_took_five(store, server)
    web_app = _relay(store, server.url, server.key)

    web_app.add(3, note3)
    (status,) = web_app.flush(WAIT)

    assert (status.size, status.error, status.behind) == (5, None, False)


def test_a_witness_holding_more_than_the_store_keeps_is_reported_as_a_cut_log(
    tmp_path: Path, server: TlogWitnessServer
) -> None:
    store = local_store(tmp_path / "store")
    note3 = _witness_took_five(store, server)
    remove(store, layout.batch_key(3))  # the tail is cut after the witness saw it
    writer = _relay(store, server.url, server.key)

    writer.add(3, note3)
    (status,) = writer.flush(WAIT)

    assert status.error is not None
    assert "size 5 but the log has 3 entries" in status.error
    assert "truncated tail" in status.error


def _store_relay(store: LocalStore, witness_dir: Path, status: Path) -> WitnessRelay:
    witness = StoreWitness(local_store(witness_dir))
    return WitnessRelay([store_target(witness)], StoreLeaves(store), status, retry_seconds=3600)


def test_a_signer_that_delivered_less_does_not_overwrite_anothers_status(tmp_path: Path) -> None:
    # The worker and the web app both sign and share one status file: the web app's
    # older delivery must not make the file say the witness holds less than it does.
    store = local_store(tmp_path / "store")
    ledger = Ledger(store, ORIGIN, [KEY.verifier], KEY)
    _append(ledger, 3)
    _append(ledger, 2)
    status_file = tmp_path / "state" / "witnesses.json"
    worker = _store_relay(store, tmp_path / "witness", status_file)
    web_app = _store_relay(store, tmp_path / "witness", status_file)

    worker.add(5, ledger.checkpoint_note(5))
    worker.flush(WAIT)
    web_app.add(3, ledger.checkpoint_note(3))
    web_app.flush(WAIT)

    (saved,) = read_statuses(status_file).values()
    assert (saved.size, saved.wanted, saved.behind) == (5, 5, False)


def test_merged_status_keeps_the_furthest_delivery() -> None:
    ours = WitnessStatus("w", "tlog", 3, 3, checked_at="2026-12-03T10:00:02.000000Z")
    theirs = WitnessStatus("w", "tlog", 5, 5, checked_at="2026-12-03T10:00:01.000000Z")
    merged = merge_statuses(ours, theirs)
    assert (merged.size, merged.wanted, merged.behind) == (5, 5, False)


def test_merged_status_is_behind_while_the_newest_offered_size_is_undelivered() -> None:
    delivered = WitnessStatus("w", "tlog", 5, 5, checked_at="2026-12-03T10:00:01.000000Z")
    failing = WitnessStatus(
        "w", "tlog", 3, 8, error="connection refused", checked_at="2026-12-03T10:00:02.000000Z"
    )
    merged = merge_statuses(failing, delivered)
    assert (merged.size, merged.wanted, merged.behind) == (5, 8, True)
    assert (merged.error, merged.checked_at) == ("connection refused", failing.checked_at)


def test_merged_status_is_not_behind_once_a_later_delivery_covers_the_failed_size() -> None:
    failed = WitnessStatus(
        "w", "tlog", 3, 5, error="connection refused", checked_at="2026-12-03T10:00:01.000000Z"
    )
    delivered = WitnessStatus("w", "tlog", 6, 6, checked_at="2026-12-03T10:00:02.000000Z")
    merged = merge_statuses(failed, delivered)
    assert (merged.size, merged.behind, merged.error) == (6, False, None)


def test_closing_a_relay_ends_its_thread_and_closes_the_witness_connection(
    tmp_path: Path, server: TlogWitnessServer
) -> None:
    http = httpx.Client(timeout=5)
    relay, ledger = _ledger_with_relay_on(tmp_path, server, http)
    before = set(_relay_threads())
    _append(ledger, 2)
    assert set(_relay_threads()) - before  # the append started the relay's thread

    relay.close(WAIT)

    assert set(_relay_threads()) - before == set()
    assert http.is_closed
    assert server.cosigned(ORIGIN) is not None and server.cosigned(ORIGIN)[0] == 2  # type: ignore[index]


def _relay_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "checkpoint-witnesses"]


def test_merged_status_keeps_a_failed_tries_error_when_a_later_try_delivered_less() -> None:
    failed = WitnessStatus(
        "w", "tlog", 5, 8, error="connection refused", checked_at="2026-12-03T10:00:01.000000Z"
    )
    delivered_less = WitnessStatus("w", "tlog", 3, 3, checked_at="2026-12-03T10:00:02.000000Z")
    merged = merge_statuses(delivered_less, failed)
    assert (merged.size, merged.wanted, merged.error) == (5, 8, "connection refused")


def test_a_save_keeps_witnesses_only_the_other_signer_delivers_to(tmp_path: Path) -> None:
    store = local_store(tmp_path / "store")
    ledger = Ledger(store, ORIGIN, [KEY.verifier], KEY)
    _append(ledger, 3)
    status_file = tmp_path / "state" / "witnesses.json"
    both = WitnessRelay(
        [
            store_target(StoreWitness(local_store(tmp_path / "a"))),
            store_target(StoreWitness(local_store(tmp_path / "b"))),
        ],
        StoreLeaves(store),
        status_file,
        retry_seconds=3600,
    )
    one = _store_relay(store, tmp_path / "a", status_file)

    both.add(3, ledger.checkpoint_note(3))
    both.flush(WAIT)
    one.add(3, ledger.checkpoint_note(3))
    one.flush(WAIT)

    saved = read_statuses(status_file)
    assert len(saved) == 2
    assert all(status.size == 3 for status in saved.values())


def test_closing_a_relay_twice_is_one_close_and_a_later_offer_is_a_warning(
    tmp_path: Path, server: TlogWitnessServer
) -> None:
    http = httpx.Client(timeout=5)
    relay, ledger = _ledger_with_relay_on(tmp_path, server, http)
    _append(ledger, 2)
    relay.close(WAIT)
    relay.close(WAIT)

    with captured_logs(relay_module) as logs:
        _append(ledger, 1)

    assert http.is_closed
    assert [e["event"] for e in logs if e["event"].startswith("witness.")] == [
        "witness.offered_after_close"
    ]
    assert server.cosigned(ORIGIN) is not None and server.cosigned(ORIGIN)[0] == 2  # type: ignore[index]


def _ledger_with_relay_on(
    tmp_path: Path, server: TlogWitnessServer, http: httpx.Client
) -> tuple[WitnessRelay, Ledger]:
    """A ledger whose relay reaches the witness through ``http``, a client the test keeps."""
    store = local_store(tmp_path / "store")
    client = TlogWitnessClient(TlogWitnessSettings(server.url, server.key, 5), http)
    relay = WitnessRelay([tlog_target(client)], StoreLeaves(store), retry_seconds=3600)
    return relay, Ledger(store, ORIGIN, [KEY.verifier], KEY, witness=relay)
