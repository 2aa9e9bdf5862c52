"""``poll`` gives the checkpoints it signs to the external tlog witness itself: no
``checkpoint`` run is needed, and a witness that is down does not fail the poll and is
caught up by a later one."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.ledger.checkpoint import SigningKey
from pipeline.ledger.keys import read_signing_key, write_signing_key
from pipeline.merkle import MerkleTree
from tests.conftest import ImapAccount
from tests.harness.dovecot import DovecotServer
from tests.harness.fault_proxy import FaultProxy
from tests.harness.tlog_witness import TlogWitnessServer
from tests.ingest.conftest import Deployment, mailbox_entry, make_deployment

ORIGIN = "mailledger.test/ledger"
COSIGNER = SigningKey.from_seed("witness.example/poll", hashlib.sha256(b"poll").digest())


def _mail(n: int) -> bytes:
    return (
        f"From: b{n}@borrower.example\r\nTo: service@servicer.example\r\n"
        f"Subject: escrow question {n}\r\n"
        f"Message-ID: <w{n}.{uuid.uuid4().hex}@borrower.example>\r\n"
        f"Date: {datetime.now(UTC):%a, %d %b %Y %H:%M:%S +0000}\r\n\r\n"
        f"Why did my escrow change? ({n})\r\n"
    ).encode()


@pytest.fixture
def witnessed(
    tmp_path: Path, dovecot: DovecotServer
) -> Iterator[tuple[Deployment, DovecotServer, ImapAccount, TlogWitnessServer, FaultProxy]]:
    key_file = tmp_path / "deployment" / "keys" / "ledger.key"
    write_signing_key(key_file, SigningKey.generate(ORIGIN))
    key = read_signing_key(env=None, file=key_file)
    assert key is not None
    server = TlogWitnessServer(COSIGNER, {ORIGIN: [key.verifier]}, tmp_path / "w.json").start()
    proxy = FaultProxy(server.url.rsplit("/", 1)[0]).start()
    user = f"relay-{uuid.uuid4().hex[:8]}"
    dovecot.add_user(user)
    account = ImapAccount(server=dovecot, user=user, password=dovecot.password(user))
    witness = {"url": proxy.endpoint_url + "/witness", "key": server.key.to_text()}
    deployment = make_deployment(
        tmp_path / "deployment",
        [mailbox_entry(account)],
        key_file=key_file,
        extra={"ledger": {"tlog_witnesses": [{**witness, "timeout_seconds": 5}]}},
    )
    yield deployment, dovecot, account, server, proxy
    proxy.close()
    server.close()


def _root(deployment: Deployment) -> tuple[int, bytes]:
    entries = deployment.entries()
    return len(entries), MerkleTree([e.leaf_hash for e in entries]).root()


def test_after_poll_the_witness_holds_a_cosignature_for_the_newest_size(witnessed) -> None:
    deployment, dovecot, account, server, _proxy = witnessed
    for n in range(3):
        dovecot.append(account.user, "INBOX", _mail(n))
    deployment.poll_json()
    assert server.cosigned(ORIGIN) == _root(deployment)
    saved = json.loads((deployment.root / "state" / "witnesses.json").read_text())
    (status,) = saved.values()
    assert status["size"] == status["wanted"] == len(deployment.entries())
    assert status["error"] is None


def test_a_witness_down_during_poll_does_not_fail_it_and_is_caught_up_later(witnessed) -> None:
    deployment, dovecot, account, server, proxy = witnessed
    dovecot.append(account.user, "INBOX", _mail(1))
    proxy.configure(reset=1.0)
    done = deployment.run("poll", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(deployment.records()) == 1  # nothing lost
    assert server.cosigned(ORIGIN) is None
    assert "witness.behind" in done.stderr and "witness.example/poll" in done.stderr
    checked = deployment.run("verify")
    assert checked.returncode == 0, checked.stdout
    assert "warning: tlog-witness 'witness.example/poll' cosigned size 0, behind" in checked.stdout
    status = deployment.run("checkpoint", "--status")
    assert status.returncode == 1
    assert status.stdout.startswith("behind: tlog-witness 'witness.example/poll' cosigned size 0")
    proxy.clear()
    dovecot.append(account.user, "INBOX", _mail(2))
    deployment.poll_json()
    assert server.cosigned(ORIGIN) == _root(deployment)
    checked = deployment.run("verify")
    size = len(deployment.entries())
    assert f"note: tlog-witness 'witness.example/poll' cosigned size {size}" in checked.stdout
    status = deployment.run("checkpoint", "--status")
    assert status.returncode == 0
    assert status.stdout.startswith(f"ok: tlog-witness 'witness.example/poll' cosigned size {size}")
