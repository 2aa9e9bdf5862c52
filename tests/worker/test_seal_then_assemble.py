"""Seal on receipt, assemble behind: identity at the seal, one record per seal, clocks from receipt.

Real ledgers on a local store (``tests.index.factory``); assembly runs inline.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.archive import Archive, ArchiveSettings
from pipeline.classify.clocks import deadlines_for
from pipeline.entries import decode_record
from pipeline.index.db import SearchCriteria
from pipeline.record.identities import IdentityIndex
from pipeline.record.recorder import Received, Recorder
from pipeline.record.source import MessageSource
from pipeline.trail.build import build_trail
from pipeline.worker.assembler import Assembler
from pipeline.worker.assembly_pool import AssemblyPool
from tests.index.factory import LedgerEnv, make_env, make_raw

RECEIVED = datetime(2026, 11, 2, 14, 5, tzinfo=UTC)  # a Monday
NOTICE = make_raw(
    subject="Notice of error",
    text="I am writing to dispute a late fee. This is a notice of error under RESPA.",
)


def _source(uid: int) -> MessageSource:
    return MessageSource(
        kind="imap",
        mailbox="servicing",
        folder="INBOX",
        uidvalidity=7,
        uid=uid,
        internaldate=RECEIVED,
    )


def _assembler(env: LedgerEnv) -> Assembler:
    """A worker of its own: own identity cache, as on another machine."""
    identities = IdentityIndex(None)
    recorder = Recorder(env.runtime.store, env.runtime.ledger, identities, "worker:test/1")
    return Assembler(recorder, identities, AssemblyPool(env.settings(), workers=1))


def _seal(env: LedgerEnv, raw: bytes, uid: int) -> int:
    outcome = _assembler(env).recorder.seal([Received.of(raw, _source(uid), RECEIVED)])
    ((_, entry),) = outcome.sealed
    return entry.seq


@pytest.fixture
def env(tmp_path: Path) -> LedgerEnv:
    return make_env(tmp_path)


def test_a_seal_is_one_small_entry_with_identity_and_raw_hash_and_no_parsed_fields(
    env: LedgerEnv,
) -> None:
    seq = _seal(env, NOTICE, uid=1)
    entry = env.runtime.ledger.entry(seq)
    assert entry.type == "message.sealed"
    assert set(entry.body) == {"record_id", "source", "raw", "schema"}
    assert entry.body["source"]["uid"] == 1 and entry.body["source"]["uidvalidity"] == 7
    assert entry.body["source"]["internaldate"] == "2026-11-02T14:05:00.000000Z"
    assert entry.body["raw"]["size"] == len(NOTICE)
    assert env.runtime.store.get(entry.body["raw"]["key"]) == NOTICE
    assert len(entry.raw) < 700


def test_a_message_sealed_again_by_another_worker_is_not_sealed_twice(env: LedgerEnv) -> None:
    _seal(env, NOTICE, uid=1)
    again = _assembler(env).recorder.seal([Received.of(NOTICE, _source(1), RECEIVED)])
    assert again.sealed == [] and len(again.already_sealed) == 1
    assert [e.type for e in env.runtime.ledger.entries()] == ["message.sealed"]


def test_the_assembled_record_names_its_seal_and_keeps_its_record_id(env: LedgerEnv) -> None:
    seq = _seal(env, NOTICE, uid=1)
    report = _assembler(env).assemble_pending()
    assert report.assembled == 1
    seal = env.runtime.ledger.entry(seq)
    (record,) = [e for e in env.runtime.ledger.entries() if e.type == "message.received"]
    body = decode_record(record).body
    assert body.sealed is not None
    assert (body.sealed.seq, body.sealed.sha256) == (seq, seal.body["raw"]["sha256"])
    assert body.record_id == seal.body["record_id"]


def test_one_seal_assembled_by_two_workers_at_once_is_recorded_once(env: LedgerEnv) -> None:
    seq = _seal(env, NOTICE, uid=1)
    first, second = _assembler(env), _assembler(env)
    # both read the seal before either appends
    pending_first = first.start(first.items_for([seq]))
    pending_second = second.start(second.items_for([seq]))
    assert len(first.finish(pending_first).committed) == 1
    late = second.finish(pending_second)
    assert (len(late.committed), len(late.already_recorded)) == (0, 1)
    types = [e.type for e in env.runtime.ledger.entries()]
    assert types == ["message.sealed", "message.received"]


def test_clocks_start_at_receipt_not_at_assembly(env: LedgerEnv) -> None:
    _seal(env, NOTICE, uid=1)
    _assembler(env).assemble_pending()  # weeks after receipt
    (record,) = [e for e in env.runtime.ledger.entries() if e.type == "message.received"]
    body = decode_record(record).body
    policy = env.config.classification.policy.clock
    expected = deadlines_for(body.classification.request_kind, RECEIVED, policy)
    assert expected, "the notice must start a clock for this test to mean anything"
    assert [(d.name, d.due) for d in body.deadlines] == [(d.name, d.due) for d in expected]


def test_a_message_that_cannot_be_parsed_is_still_assembled_with_its_error(
    env: LedgerEnv,
) -> None:
    broken = b"\x00\xff\xfe" * 10
    _seal(env, broken, uid=2)
    assert _assembler(env).assemble_pending().assembled == 1
    (record,) = [e for e in env.runtime.ledger.entries() if e.type == "message.received"]
    body = decode_record(record).body
    assert body.raw is not None and body.raw.size == len(broken)
    assert body.parse_error or body.defects


def test_a_sealed_message_not_yet_assembled_is_found_by_search_and_shown_in_its_trail(
    env: LedgerEnv,
) -> None:
    seq = _seal(env, NOTICE, uid=1)
    with env.index() as index:
        (row,) = index.search(SearchCriteria(mailbox="servicing"))
        assert (row.seq, row.assembled, row.uid) == (seq, False, 1)
        assert row.received == "2026-11-02T14:05:00.000000Z"
        proofs = env.proofs()
        trail = build_trail(
            row.record_id, index=index, ledger=env.runtime.ledger, proofs=proofs, now=RECEIVED
        )
    assert [i.type for i in trail.items] == ["message.sealed"]
    assert trail.items[0].summary.startswith("sealed on receipt from servicing/INBOX UID 1")
    assert trail.verified and trail.deadlines == ()


def test_assembly_replaces_the_sealed_row_in_search_with_the_record(env: LedgerEnv) -> None:
    _seal(env, NOTICE, uid=1)
    with env.index():
        pass  # the index saw the seal alone first
    _assembler(env).assemble_pending()
    with env.index() as index:
        (row,) = index.search(SearchCriteria(mailbox="servicing"))
    assert (row.type, row.assembled, row.subject) == ("message.received", True, "Notice of error")


def test_a_sealed_message_not_yet_assembled_is_exported_and_the_bundle_verifies(
    env: LedgerEnv, tmp_path: Path
) -> None:
    _seal(env, NOTICE, uid=1)
    out = tmp_path / "export"
    settings = ArchiveSettings(index_path=env.index_path)
    with Archive(env.runtime.store, env.runtime.ledger, settings, "person:examiner-liaison") as a:
        a.export(out, SearchCriteria(), "CFPB exam 2026-7")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    (record,) = manifest["records"]
    assert record["assembled"] is False
    assert (out / record["native"]).read_bytes() == NOTICE
    key = env.key.verifier.to_text()
    done = subprocess.run(
        [sys.executable, "-I", "-S", str(out / "verify.py"), str(out), "--public-key", key],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_sealed_message_not_yet_assembled_resolves_from_the_signed_log_with_its_trail(
    env: LedgerEnv,
) -> None:
    seq = _seal(env, NOTICE, uid=1)
    settings = ArchiveSettings(index_path=env.index_path)
    with Archive(env.runtime.store, env.runtime.ledger, settings, "person:records") as a:
        record_id = env.runtime.ledger.entry(seq).body["record_id"]
        raw = a.raw(record_id, "records request 2026-41")
        trail = a.trail(record_id, "records request 2026-41")
    assert (raw.record.seq, raw.record.assembled, raw.data) == (seq, False, NOTICE)
    assert trail.verified
    assert trail.items[0].type == "message.sealed"
