"""The corpus, APPENDed to a real Dovecot and polled by the CLI, checked record by record."""

from __future__ import annotations

import hashlib
import random
import sysconfig
from pathlib import Path
from typing import Any

import pytest

from pipeline.ledger.entry import LedgerEntry
from tests.conftest import ImapAccount, S3Bucket
from tests.ingest.conftest import Deployment, mailbox_entry
from tests.ingest.corpus import Sample, build_corpus, with_attachment


def _server_bytes(account: ImapAccount, uids: list[int]) -> dict[int, bytes]:
    with account.server.session(account.user) as imap:
        imap.select_folder("INBOX", readonly=True)
        got = imap.fetch(uids, [b"BODY.PEEK[]"])
    return {int(uid): bytes(data[b"BODY[]"]) for uid, data in got.items()}


def _server_flags(account: ImapAccount, uids: list[int]) -> dict[int, tuple[bytes, ...]]:
    with account.server.session(account.user) as imap:
        imap.select_folder("INBOX", readonly=True)
        got = imap.get_flags(uids)
    return {int(uid): tuple(flags) for uid, flags in got.items()}


def _text(app: Deployment, ref: dict[str, Any] | None) -> str:
    assert ref is not None
    data = app.stored(ref["key"])
    assert hashlib.sha256(data).hexdigest() == ref["sha256"]
    return data.decode("utf-8")


def _check_record(app: Deployment, sample: Sample, entry: LedgerEntry, raw: bytes) -> None:
    body = entry.body
    headers = body["headers"]
    assert headers["subject"] == sample.subject, sample.name
    assert headers["message_id"] == sample.message_id, sample.name
    if sample.from_name is not None:
        assert headers["from"][0]["name"] == sample.from_name
    assert body["raw"]["sha256"] == hashlib.sha256(raw).hexdigest(), sample.name
    assert body["raw"]["size"] == len(raw)
    assert app.stored(body["raw"]["key"]) == raw, sample.name
    if sample.text_contains is not None:
        assert sample.text_contains in _text(app, body["bodies"]["text"]), sample.name
    if sample.html_contains is not None:
        assert sample.html_contains in _text(app, body["bodies"]["html"]), sample.name
    if sample.defects:
        assert body["defects"], f"{sample.name}: no defect recorded"
    if sample.attachments is None:
        return
    assert len(body["attachments"]) == len(sample.attachments), (sample.name, body["attachments"])
    for want, got in zip(sample.attachments, body["attachments"], strict=True):
        assert got["filename"] == want.filename, sample.name
        assert got["verdict"] == want.verdict, (sample.name, got["reasons"])
        if want.data is not None:
            assert got["sha256"] == hashlib.sha256(want.data).hexdigest(), sample.name
            assert got["size"] == len(want.data)
        assert bool(got["nested_in"]) == want.nested, sample.name
        if want.verdict == "accepted":
            assert got["key"].startswith("objects/sha256/"), sample.name
            assert got["reasons"] == []
        else:
            assert got["key"].startswith("quarantine/sha256/"), sample.name
            assert got["reasons"], f"{sample.name}: rejected without a reason"
            assert any(want.reason in reason for reason in got["reasons"]), (
                sample.name,
                got["reasons"],
            )
        stored = app.stored(got["key"])
        assert hashlib.sha256(stored).hexdigest() == got["sha256"], sample.name
        if want.data is not None:
            assert stored == want.data, sample.name


@pytest.mark.parametrize("backend", ["local", "s3"])
def test_corpus_is_recorded_once_per_uid_with_decoded_headers_and_verdicts(
    backend: str, imap_user: ImapAccount, deploy: Any, request: pytest.FixtureRequest
) -> None:
    corpus = build_corpus()
    uids = imap_user.server.append_many(imap_user.user, "INBOX", [s.raw for s in corpus])
    bucket: S3Bucket | None = request.getfixturevalue("moto_bucket") if backend == "s3" else None
    app = deploy([mailbox_entry(imap_user)], bucket=bucket, parse_workers=2)

    report = app.poll_json()

    (box,) = report["mailboxes"]
    assert (box["ok"], box["fetched"], box["recorded"]) == (True, len(corpus), len(corpus))
    records = app.records_by_uid()
    assert sorted(records) == uids
    assert len({r.body["record_id"] for r in records.values()}) == len(corpus)
    server = _server_bytes(imap_user, uids)
    for uid, sample in zip(uids, corpus, strict=True):
        _check_record(app, sample, records[uid], server[uid])
    assert all(b"\\Seen" not in flags for flags in _server_flags(imap_user, uids).values())
    verified = app.verify()
    assert verified.returncode == 0, verified.stdout + verified.stderr


def _cpython_messages() -> list[bytes]:
    data = Path(sysconfig.get_paths()["stdlib"]) / "test" / "test_email" / "data"
    files = sorted(data.glob("msg_*.txt"))
    if not files:
        pytest.skip("this Python ships without its email test data")
    return [f.read_bytes() for f in files]


def test_every_cpython_email_test_message_is_recorded_never_dropped(
    imap_user: ImapAccount, deploy: Any
) -> None:
    messages = _cpython_messages()
    uids = imap_user.server.append_many(imap_user.user, "INBOX", messages)
    app = deploy([mailbox_entry(imap_user)], parse_workers=2)

    (box,) = app.poll_json()["mailboxes"]

    assert (box["fetched"], box["recorded"]) == (len(messages), len(messages))
    records = app.records_by_uid()
    assert sorted(records) == uids
    server = _server_bytes(imap_user, uids)
    for uid in uids:
        assert records[uid].body["raw"]["sha256"] == hashlib.sha256(server[uid]).hexdigest()


def test_a_30_mb_message_is_recorded_whole(imap_user: ImapAccount, deploy: Any) -> None:
    payload = random.Random(30).randbytes(22 * 1024 * 1024)  # ~30 MB once base64-encoded
    raw = with_attachment("large", "archive.zip", payload, "application/zip")
    assert len(raw) > 30_000_000
    (uid,) = imap_user.server.append_many(imap_user.user, "INBOX", [raw])
    app = deploy([mailbox_entry(imap_user)])

    (box,) = app.poll_json()["mailboxes"]

    assert (box["fetched"], box["recorded"]) == (1, 1)
    body = app.records_by_uid()[uid].body
    server = _server_bytes(imap_user, [uid])[uid]
    assert body["raw"]["size"] == len(server)
    assert app.stored(body["raw"]["key"]) == server
    (attachment,) = body["attachments"]
    assert attachment["sha256"] == hashlib.sha256(payload).hexdigest()
    assert attachment["verdict"] == "rejected"
    assert attachment["key"].startswith("quarantine/")
