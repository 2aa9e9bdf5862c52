"""verify re-hashes the stored bytes of every acknowledgment that was sent, not only messages."""

from __future__ import annotations

from pathlib import Path

from pipeline.hashing import object_key, sha256_hex
from pipeline.ledger.audit import Fault
from pipeline.ledger.checkpoint import SigningKey
from pipeline.ledger.entry import EntryDraft
from pipeline.ledger.log import Ledger
from pipeline.ledger.verify import verify_ledger
from pipeline.storage.local import LocalStore

ACK = b"From: service@servicer.example\r\nSubject: We received your message\r\n\r\nThanks\r\n"


def _ledger_with_ack(root: Path) -> tuple[LocalStore, SigningKey]:
    store = LocalStore(root, fsync=False)
    key = SigningKey.generate("mailledger.test/ledger")
    digest = sha256_hex(ACK)
    store.put(object_key(digest), ACK)
    body = {"record_id": "r-1", "ack_sha256": digest, "ack_message_id": "<ack.r-1@x>"}
    Ledger(store, "mailledger.test/ledger", [], key).append(
        [EntryDraft("acknowledgment.sent", body, "handler:test")]
    )
    return store, key


def test_a_stored_acknowledgment_is_checked_by_verify(tmp_path: Path) -> None:
    store, key = _ledger_with_ack(tmp_path)
    report = verify_ledger(store, [key.verifier], "mailledger.test/ledger")
    assert report.ok
    assert report.objects_checked == 1


def test_a_deleted_acknowledgment_is_reported_missing(tmp_path: Path) -> None:
    store, key = _ledger_with_ack(tmp_path)
    path = tmp_path / object_key(sha256_hex(ACK))
    path.chmod(0o644)
    path.unlink()
    report = verify_ledger(store, [key.verifier], "mailledger.test/ledger")
    assert [p.fault for p in report.problems] == [Fault.CONTENT_MISSING]
    assert report.problems[0].position == 0
