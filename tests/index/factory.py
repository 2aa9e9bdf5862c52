"""Real ledgers for index, trail and export tests.

Records are made the way ingestion makes them: raw RFC 5322 bytes are sealed, then
``assemble_and_store`` (parsing, attachment checks, classification, clocks) stores every
referenced object before the ``Recorder`` appends the entry, on a ``LocalStore`` with a
generated signing key.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from pipeline.attachments.policy import AttachmentPolicy
from pipeline.config import Config, LocalStorageConfig, SigningConfig
from pipeline.index.db import INDEX_FILE, RecordIndex, SearchCriteria
from pipeline.ledger.checkpoint import SigningKey
from pipeline.ledger.entry import EntryDraft, LedgerEntry, format_time
from pipeline.ledger.keys import write_signing_key
from pipeline.record.assemble import RecordSettings
from pipeline.record.identities import IdentityIndex
from pipeline.record.recorder import Received, Recorder
from pipeline.record.source import MessageSource
from pipeline.runtime import Runtime, open_runtime
from pipeline.trail.evidence import LedgerRecords
from pipeline.trail.proofs import ProofContext
from pipeline.worker.assembly_pool import Item, assemble_and_store

ORIGIN = "servicer.example/mailledger"
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n170\n%%EOF\n"
)
_uids = itertools.count(100)


def make_raw(
    *,
    sender: str = "borrower@example.net",
    to: str = "servicing@servicer.example",
    cc: str | None = None,
    subject: str = "Question about my loan",
    text: str = "Hello, I have a question.",
    message_id: str | None = None,
    date: datetime | None = None,
    attachment: tuple[str, bytes] | None = None,
) -> bytes:
    """An RFC 5322 message as a mail client would send it."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if cc:
        msg["Cc"] = cc
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date or datetime(2026, 11, 2, 14, 0, tzinfo=UTC))
    msg["Message-ID"] = message_id or f"<m{next(_uids)}@example.net>"
    msg.set_content(text)
    if attachment is not None:
        name, data = attachment
        msg.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return bytes(msg)


@dataclass
class LedgerEnv:
    """A config, a signed ledger on a local store, and helpers to add entries."""

    root: Path
    config: Config
    runtime: Runtime
    key: SigningKey
    records: dict[str, LedgerEntry] = field(default_factory=dict)

    @property
    def index_path(self) -> Path:
        return self.config.state_dir / INDEX_FILE

    def settings(self) -> RecordSettings:
        return RecordSettings(
            attachment_policy=AttachmentPolicy(),
            rules=self.config.classification.rule_set(),
            classify_policy=self.config.classification.policy,
            recogniser=self.config.classification.recogniser(),
        )

    def record(
        self,
        raw: bytes,
        *,
        mailbox: str = "servicing",
        folder: str = "INBOX",
        received: datetime = datetime(2026, 11, 2, 14, 5, tzinfo=UTC),
        imported: bool = False,
        outbound: bool = False,
    ) -> LedgerEntry:
        """Record one message exactly as ingestion does; returns its entry."""
        source = MessageSource(
            kind="import" if imported else "imap",
            mailbox=mailbox,
            folder=folder,
            uidvalidity=None if imported else 7,
            uid=None if imported else next(_uids),
            internaldate=None if imported else received,
            direction="outbound" if outbound else "inbound",
            path="backfill/1.eml" if imported else None,
        )
        recorder = Recorder(
            self.runtime.store, self.runtime.ledger, IdentityIndex(None), "worker:test/1"
        )
        try:
            message = Received.of(raw, source, received)
            seal = recorder.seal([message]).sealed[0][1]
            (assembled,) = assemble_and_store(
                [Item.held(message, seal.seq)], self.settings(), self.runtime.store
            )
            outcome = recorder.append([assembled])
        finally:
            recorder.close()
        entry = outcome.committed[0][1]
        self.records[assembled.record_id] = entry
        return entry

    def append(
        self, type_: str, body: dict[str, Any], *, time: datetime, actor: str = "worker:test/1"
    ) -> LedgerEntry:
        """Append one entry of any type."""
        return self.runtime.ledger.append([EntryDraft(type_, body, actor, time)])[0]

    def ack_sent(self, record: LedgerEntry, at: datetime) -> LedgerEntry:
        """An ``acknowledgment.sent`` as the acknowledgment handler writes it."""
        rid = record.body["record_id"]
        return self.append(
            "acknowledgment.sent",
            {
                "record_id": rid,
                "entry_seq": record.seq,
                "intent_seq": record.seq,
                "time": format_time(at),
                "ack_message_id": f"<ack.{rid}@servicer.example>",
                "to": "borrower@example.net",
                "transport": "smtp",
                "provider_id": "q1",
                "reply": "250 2.0.0 Ok: queued as 4F1",
                "reply_code": 250,
                "ack_sha256": "0" * 64,
                "ack_size": 900,
            },
            time=at,
            actor="handler:ack/1",
        )

    def escalation_notified(self, record: LedgerEntry, at: datetime) -> LedgerEntry:
        """An ``escalation.notified`` as the escalation handler writes it."""
        return self.append(
            "escalation.notified",
            {
                "record_id": record.body["record_id"],
                "entry_seq": record.seq,
                "intent_seq": record.seq,
                "route": "compliance",
                "target_kind": "email",
                "rules": ["notice_of_error"],
                "severity": "high",
                "provider_ids": ["p-1"],
            },
            time=at,
            actor="handler:escalate/1",
        )

    def proofs(self, size: int | None = None) -> ProofContext:
        """Proofs against the signed checkpoint of the ledger head (or of ``size``), read
        from the signed log as trails and exports read them."""
        ledger = self.runtime.ledger
        signed = ledger.read_checkpoint_text(
            ledger.checkpoint_note(ledger.size() if size is None else size)
        )
        scratch = self.config.state_dir
        scratch.mkdir(parents=True, exist_ok=True)
        entries = ledger.entries(0, signed.checkpoint.size)
        with LedgerRecords.build(signed, entries, scratch) as records:
            return records.proofs

    def index(self) -> RecordIndex:
        """The synced index."""
        index = RecordIndex(self.index_path)
        index.sync(self.runtime.ledger, self.runtime.store)
        return index


def make_env(root: Path) -> LedgerEnv:
    """A fresh ledger under ``root`` with its own signing key and config."""
    key = SigningKey.generate(ORIGIN)
    key_file = root / "keys" / "ledger.key"
    write_signing_key(key_file, key)
    config = Config(
        origin=ORIGIN,
        actor="person:records.officer@servicer.example",
        state_dir=root / "state",
        storage=LocalStorageConfig(path=root / "store", fsync=False),
        signing=SigningConfig(key_file=key_file, key_env=None),
    )
    return LedgerEnv(root, config, open_runtime(config, writable=True), key)


def later(start: datetime, **delta: float) -> datetime:
    """``start`` plus a timedelta, for readable fixtures."""
    return start + timedelta(**delta)


def write_config(env: LedgerEnv, *, quiet: bool = False) -> Path:
    """The env's config as a YAML file, for running the CLI against the same ledger.

    ``quiet``: logs only errors, as JSON, so a test reads the command's own one-line
    error on stderr alone."""
    config = env.config
    assert config.signing.key_file is not None
    path = env.root / "config.yaml"
    path.write_text(
        f"origin: {config.origin}\n"
        f"actor: {config.actor}\n"
        f"state_dir: {config.state_dir}\n"
        "storage:\n  backend: local\n"
        f"  path: {env.root / 'store'}\n  fsync: false\n"
        f"signing:\n  key_file: {config.signing.key_file}\n  key_env: null\n"
        + ("logging:\n  level: error\n  format: json\n" if quiet else ""),
        encoding="utf-8",
    )
    return path


@dataclass
class Scenario:
    """Three records with acknowledgments, an escalation and an access, as in production."""

    env: LedgerEnv
    notice: LedgerEntry  # escalated notice of error, servicing, with a PDF, acknowledged
    payoff: LedgerEntry  # payoff request to the payoffs mailbox, not acknowledged
    imported: LedgerEntry  # backfilled thank-you note
    ack: LedgerEntry
    escalation: LedgerEntry
    access: LedgerEntry


def build_scenario(root: Path) -> Scenario:
    """The standard ledger most tests read."""
    env = make_env(root)
    t0 = datetime(2026, 11, 2, 14, 5, tzinfo=UTC)
    notice = env.record(
        make_raw(
            subject="Notice of error - escrow",
            text="You made an error on loan account 1234567890: my escrow payment was misapplied.",
            attachment=("statement.pdf", PDF),
            cc="attorney@lawfirm.example",
        ),
        received=t0,
    )
    payoff = env.record(
        make_raw(
            sender="Jane Roe <jane@other.org>",
            subject="Payoff statement request",
            text="Please send me a payoff statement for my mortgage, account 5550001234.",
        ),
        mailbox="payoffs",
        received=later(t0, days=8),
    )
    imported = env.record(
        make_raw(
            sender="bob@example.net",
            subject="Thanks",
            text="Thank you for the help.",
            date=datetime(2026, 10, 1, 9, 0, tzinfo=UTC),
        ),
        received=datetime(2026, 10, 1, 9, 0, tzinfo=UTC),
        imported=True,
    )
    ack = env.ack_sent(notice, later(t0, days=1))
    escalation = env.escalation_notified(notice, later(t0, hours=1))
    access = env.append(
        "access.viewed",
        {"record_ids": [notice.body["record_id"]], "what": "message", "actor": "person:auditor"},
        time=later(t0, days=2),
        actor="person:auditor",
    )
    return Scenario(env, notice, payoff, imported, ack, escalation, access)


def ids(index: RecordIndex, **criteria: Any) -> set[str]:
    """The record ids a search with ``criteria`` finds."""
    return {r.record_id for r in index.search(SearchCriteria(**criteria))}


def rid(entry: LedgerEntry) -> str:
    """The record id of a record entry."""
    return str(entry.body["record_id"])
