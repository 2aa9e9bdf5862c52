"""The record-by-record case model reads a reply's body only when its headers and
subject link it to nothing, and a reference found there links as read_cases links it."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from pipeline.cases.read import read_cases, read_record_cases
from pipeline.entries.references import reference_number
from pipeline.storage.base import ObjectStore
from tests.index.factory import LedgerEnv, make_env

REQUEST_AT = datetime(2026, 11, 2, 14, 5, tzinfo=UTC)
REPLY_AT = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
NOW = datetime(2026, 12, 10, 15, 0, tzinfo=UTC)


def _mail(message_id: str, subject: str, text: str, at: datetime, **extra: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "help@servicer.example" if "reply" in message_id else "pat@example.net"
    msg["To"] = "servicing@servicer.example"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(at)
    msg["Message-ID"] = message_id
    for name, value in extra.items():
        msg[name] = value
    msg.set_content(text)
    return bytes(msg)


class _CountingStore:
    """The real store, noting every key read from it."""

    def __init__(self, store: ObjectStore) -> None:
        self._store = store
        self.read: list[str] = []

    def get(self, key: str, *, verify: bool = True) -> bytes:
        self.read.append(key)
        return self._store.get(key, verify=verify)

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)


def _request(env: LedgerEnv, name: str) -> str:
    raw = _mail(
        f"<{name}@example.net>", "Notice of error", "You misapplied my payment.", REQUEST_AT
    )
    return str(env.record(raw, received=REQUEST_AT).body["record_id"])


def _reply(env: LedgerEnv, name: str, text: str, **extra: str) -> dict:
    raw = _mail(f"<reply-{name}@servicer.example>", "Your letter", text, REPLY_AT, **extra)
    entry = env.record(raw, folder="Sent", received=REPLY_AT, outbound=True)
    return dict(entry.body)


def test_a_reference_only_in_a_reply_body_links_as_read_cases_links_it(tmp_path: Path) -> None:
    env = make_env(tmp_path / "env")
    threaded = _request(env, "threaded")
    by_body = _request(env, "by-body")
    _request(env, "unrelated")
    header_reply = _reply(env, "threaded", "Answered.", **{"In-Reply-To": "<threaded@example.net>"})
    body_reply = _reply(env, "by-body", f"About your notice {reference_number(by_body)}: fixed.")
    store = _CountingStore(env.runtime.store)
    scratch = tmp_path / "scratch"
    scratch.mkdir()

    one_by_one = read_record_cases(env.runtime.ledger.entries(), store, NOW, scratch)  # type: ignore[arg-type]
    whole = read_cases(env.runtime.ledger.entries(), env.runtime.store, NOW)
    try:
        for record_id in [*env.records, "r-unknown"]:
            assert one_by_one.for_record(record_id) == whole.for_record(record_id)
            assert one_by_one.response_seqs(record_id) == whole.response_seqs(record_id)
        assert one_by_one.response_seqs(by_body) == [env.records[body_reply["record_id"]].seq]
        assert one_by_one.response_seqs(threaded) == [env.records[header_reply["record_id"]].seq]
    finally:
        one_by_one.close()
    # only the reply its headers and subject do not link had its body read
    assert store.read == [body_reply["bodies"]["text"]["key"]]
