"""An external C2SP tlog-witness: the client submits checkpoints with consistency proofs,
and a real witness (tests.harness.tlog_witness) cosigns only a log that extends what it
cosigned before."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from pipeline.errors import CheckpointError, WitnessError
from pipeline.ledger import layout
from pipeline.ledger.checkpoint import SigningKey
from pipeline.ledger.cosignature import (
    CosignerKey,
    add_checkpoint_body,
    cosign,
    parse_add_checkpoint,
    verify_cosignature,
)
from pipeline.ledger.log import Ledger
from pipeline.ledger.tlog_witness import TlogWitnessClient, TlogWitnessSettings
from pipeline.merkle import MerkleTree, leaf_hash
from pipeline.storage.local import LocalStore
from tests.harness.tlog_witness import TlogWitnessServer
from tests.ledger import intruder
from tests.ledger.ledger_helpers import KEY, ORIGIN, draft, read_lines
from tests.storage.backends import local_store

COSIGNER = SigningKey.from_seed("witness.example/w1", hashlib.sha256(b"witness w1").digest())
OTHER = SigningKey.from_seed(ORIGIN, hashlib.sha256(b"an insider's own key").digest())
W1 = "'witness.example/w1'"


@pytest.fixture(autouse=True)
def _quiet_logs() -> None:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[TlogWitnessServer]:
    witness = TlogWitnessServer(COSIGNER, {ORIGIN: [KEY.verifier]}, tmp_path / "witness.json")
    witness.start()
    yield witness
    witness.close()


@pytest.fixture
def client(server: TlogWitnessServer) -> Iterator[TlogWitnessClient]:
    witness = TlogWitnessClient(TlogWitnessSettings(server.url, server.key))
    yield witness
    witness.close()


def _log(path: Path, batch_sizes: list[int], *, tag: str = "", key: SigningKey = KEY) -> Ledger:
    ledger = Ledger(local_store(path), ORIGIN, [key.verifier], key)
    n = 0
    for size in batch_sizes:
        ledger.append([draft(n + i, {"n": n + i, "tag": tag}) for i in range(size)])
        n += size
    return ledger


def _tree(ledger: Ledger) -> MerkleTree:
    assert isinstance(ledger.store, LocalStore)
    return MerkleTree([leaf_hash(raw) for _key, raw in read_lines(ledger.store)])


def _submit(client: TlogWitnessClient, ledger: Ledger) -> str:
    size = ledger.size()
    return client.cosign(_tree(ledger), ledger.checkpoint_note(size)).line


def _body(note: str) -> str:
    return note.partition("\n\n")[0] + "\n"


def test_the_witness_cosigns_a_first_checkpoint_with_a_verifiable_cosignature(
    client: TlogWitnessClient, server: TlogWitnessServer, tmp_path: Path
) -> None:
    ledger = _log(tmp_path / "log", [2, 1])
    note = ledger.checkpoint_note(3)
    cosignature = client.cosign(_tree(ledger), note)
    assert cosignature.witness == "witness.example/w1"
    assert cosignature.line.startswith("\u2014 witness.example/w1 ")
    assert verify_cosignature(_body(note), cosignature.line, server.key) == cosignature
    assert server.cosigned(ORIGIN) == (3, _tree(ledger).root())
    assert server.statuses == [200]


def test_a_later_checkpoint_is_cosigned_with_a_consistency_proof_from_the_witnessed_size(
    client: TlogWitnessClient, server: TlogWitnessServer, tmp_path: Path
) -> None:
    ledger = _log(tmp_path / "log", [3])
    _submit(client, ledger)
    ledger.append([draft(n, {"n": n, "tag": ""}) for n in range(3, 7)])
    _submit(client, ledger)
    # old 0 -> 409 "3" -> old 3 with PROOF(3, D[7]) -> cosigned
    assert server.statuses == [200, 409, 200]
    assert server.cosigned(ORIGIN) == (7, _tree(ledger).root())


def test_the_witness_refuses_a_log_cut_below_what_it_cosigned(
    client: TlogWitnessClient, server: TlogWitnessServer, tmp_path: Path
) -> None:
    ledger = _log(tmp_path / "log", [3, 2])
    _submit(client, ledger)
    cosigned = (5, _tree(ledger).root())
    intruder.delete(ledger.store, layout.batch_key(3))
    intruder.delete(ledger.store, layout.checkpoint_key(5))
    cut = Ledger(ledger.store, ORIGIN, [KEY.verifier], KEY)
    with pytest.raises(WitnessError) as refused:
        _submit(client, cut)
    assert str(refused.value) == (
        f"witness {W1} has cosigned a checkpoint of size 5 but the log has 3 entries:"
        " entries 3 to 4 were removed (truncated tail)"
    )
    assert server.cosigned(ORIGIN) == cosigned  # nothing rolled back


def test_the_witness_refuses_a_history_rewritten_before_the_size_it_cosigned(
    client: TlogWitnessClient, server: TlogWitnessServer, tmp_path: Path
) -> None:
    _submit(client, _log(tmp_path / "honest", [3]))
    rewritten = _log(tmp_path / "rewritten", [2, 4], tag="rewritten")  # signed with the log key
    with pytest.raises(WitnessError) as refused:
        _submit(client, rewritten)
    assert str(refused.value) == (
        f"witness {W1} refused the checkpoint: the consistency proof from the size it cosigned"
        " (3) does not verify (422): the log no longer extends the history the witness"
        " cosigned (rewritten or forked)"
    )
    assert server.statuses == [200, 409, 422]


def test_the_witness_refuses_another_root_at_the_size_it_cosigned(
    client: TlogWitnessClient, server: TlogWitnessServer, tmp_path: Path
) -> None:
    _submit(client, _log(tmp_path / "honest", [3]))
    with pytest.raises(WitnessError) as refused:
        _submit(client, _log(tmp_path / "rewritten", [3], tag="rewritten"))
    assert str(refused.value) == (
        f"witness {W1} refused the checkpoint: it has cosigned another checkpoint of the same"
        " size 3 (409): the log was rewritten or has forked"
    )


def test_the_witness_refuses_a_checkpoint_signed_by_a_key_it_does_not_trust(
    client: TlogWitnessClient, server: TlogWitnessServer, tmp_path: Path
) -> None:
    with pytest.raises(WitnessError) as refused:
        _submit(client, _log(tmp_path / "log", [2], key=OTHER))
    assert str(refused.value) == (
        f"witness {W1} refused the checkpoint: no log key it trusts signed the checkpoint"
        " (403): it has another key for this log"
    )
    assert server.cosigned(ORIGIN) is None


def test_a_cosignature_by_another_witness_key_is_not_accepted(
    server: TlogWitnessServer, tmp_path: Path
) -> None:
    impostor = CosignerKey.of(SigningKey.from_seed("witness.example/w1", bytes(32)))
    client = TlogWitnessClient(TlogWitnessSettings(server.url, impostor))
    with pytest.raises(WitnessError) as refused:
        _submit(client, _log(tmp_path / "log", [1]))
    assert str(refused.value) == (
        f"witness {W1} answered, but no cosignature by witness {W1}"
        f" (key id {impostor.key_id.hex()})"
    )


def test_the_witness_remembers_what_it_cosigned_across_a_restart(
    server: TlogWitnessServer, tmp_path: Path
) -> None:
    ledger = _log(tmp_path / "log", [4])
    client = TlogWitnessClient(TlogWitnessSettings(server.url, server.key))
    _submit(client, ledger)
    server.close()
    restarted = TlogWitnessServer(COSIGNER, {ORIGIN: [KEY.verifier]}, server.state_file).start()
    try:
        again = TlogWitnessClient(TlogWitnessSettings(restarted.url, restarted.key))
        with pytest.raises(
            WitnessError, match="has cosigned a checkpoint of size 4 but the log has 2"
        ):
            _submit(again, _log(tmp_path / "shorter", [2]))
    finally:
        restarted.close()


# -- formats (pure) ---------------------------------------------------------------------------


def test_a_cosignature_over_an_altered_checkpoint_does_not_verify() -> None:
    body = f"{ORIGIN}\n3\n{base64.b64encode(bytes(32)).decode()}\n"
    line = cosign(body, COSIGNER, 1_796_000_000)
    altered = body.replace("\n3\n", "\n4\n")
    with pytest.raises(CheckpointError, match=f"the cosignature by witness {W1} does not verify"):
        verify_cosignature(altered, line, CosignerKey.of(COSIGNER))
    assert verify_cosignature(body, line, CosignerKey.of(COSIGNER)).timestamp == 1_796_000_000


def test_the_add_checkpoint_body_is_old_size_proof_lines_blank_line_and_note() -> None:
    note = f"{ORIGIN}\n7\n{base64.b64encode(bytes(32)).decode()}\n\n\u2014 k AAAA\n"
    proof = [bytes([1]) * 32, bytes([2]) * 32]
    data = add_checkpoint_body(3, proof, note)
    assert (
        data
        == (
            "old 3\n"
            + base64.b64encode(proof[0]).decode()
            + "\n"
            + base64.b64encode(proof[1]).decode()
            + "\n\n"
            + note
        ).encode()
    )
    parsed = parse_add_checkpoint(data)
    assert (parsed.old_size, parsed.proof, parsed.note) == (3, proof, note)


@pytest.mark.parametrize("head", ["old 03", "old -1", "new 3", "old 3x"])
def test_a_malformed_old_size_line_is_refused(head: str) -> None:
    with pytest.raises(CheckpointError, match="must start with 'old <size>'"):
        parse_add_checkpoint(f"{head}\n\n{ORIGIN}\n1\nAAAA\n\n".encode())


def test_the_cosigner_key_round_trips_through_its_vkey_text() -> None:
    key = CosignerKey.of(COSIGNER)
    assert CosignerKey.from_text(key.to_text()) == key
    name, key_id, blob = key.to_text().split("+", 2)
    assert (name, key_id) == ("witness.example/w1", key.key_id.hex())
    assert base64.b64decode(blob)[:1] == b"\x04"  # the cosignature/v1 type, not 0x01
