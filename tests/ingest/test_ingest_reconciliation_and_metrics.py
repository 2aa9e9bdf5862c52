"""Completeness reconciliation in the ledger, and the Prometheus textfile of a cycle."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from pipeline.config import MailboxConfig
from pipeline.fetch.imap import FetchedMessage, ImapClientSession
from pipeline.runtime import open_runtime
from pipeline.worker.build import open_poller
from pipeline.worker.metrics import IngestMetrics
from tests.attachments.attachment_samples import pdf_bytes, zip_bytes
from tests.conftest import ImapAccount
from tests.ingest._mail import filler_message
from tests.ingest.conftest import Deployment, mailbox_entry
from tests.ingest.corpus import with_attachment


def _reconciliations(app: Deployment) -> list[dict[str, Any]]:
    return [dict(e.body) for e in app.entries() if e.type == "mailbox.reconciled"]


def test_reconciliation_entry_matches_the_server_after_a_complete_poll(
    imap_user: ImapAccount, deploy: Any
) -> None:
    server = imap_user.server
    uids = server.append_many(imap_user.user, "INBOX", [filler_message(i) for i in range(7)])
    app = deploy([mailbox_entry(imap_user)])

    app.poll_json()

    (entry,) = _reconciliations(app)
    assert entry["mailbox"] == "inbox"
    assert entry["folder"] == "INBOX"
    assert entry["uidvalidity"] == server.uidvalidity(imap_user.user)
    assert entry["uidnext"] == uids[-1] + 1
    assert (entry["server_count"], entry["recorded_count"]) == (7, 7)
    assert (entry["gap_count"], entry["gaps"]) == (0, [])


def test_a_message_that_could_not_be_fetched_is_reported_as_a_gap_then_filled(
    imap_user: ImapAccount, deploy: Any
) -> None:
    uids = imap_user.server.append_many(
        imap_user.user, "INBOX", [filler_message(i) for i in range(5)]
    )
    hidden = uids[2]
    app = deploy([mailbox_entry(imap_user)])

    class Hiding:
        """The server lists ``hidden`` but its FETCH returns nothing (expunged meanwhile)."""

        def __init__(self, config: MailboxConfig) -> None:
            self.inner = ImapClientSession(config)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

        def fetch(self, fetch_uids: Sequence[int]) -> Iterator[FetchedMessage]:
            return self.inner.fetch([u for u in fetch_uids if u != hidden])

    metrics = IngestMetrics()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in app.env.items():
            patch.setenv(name, value)
        config = app.config
        runtime = open_runtime(config, writable=True)
        with open_poller(config, runtime, session_factory=Hiding, metrics=metrics) as poller:
            (report,) = poller.poll()

    assert report.folders[0].gaps == [hidden]
    (entry,) = _reconciliations(app)
    assert (entry["server_count"], entry["recorded_count"]) == (5, 4)
    assert (entry["gap_count"], entry["gaps"]) == (1, [hidden])
    gauge = metrics.registry.get_sample_value(
        "mailledger_unrecorded_messages", {"mailbox": "inbox", "folder": "INBOX"}
    )
    assert gauge == 1

    app.poll_json()

    assert sorted(app.records_by_uid()) == uids
    last = _reconciliations(app)[-1]
    assert (last["recorded_count"], last["gap_count"], last["gaps"]) == (5, 0, [])


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def test_metrics_textfile_holds_the_cycle_counters_per_mailbox(
    imap_user: ImapAccount, deploy: Any
) -> None:
    messages = [
        filler_message(1),
        filler_message(2),
        with_attachment("pdf", "statement.pdf", pdf_bytes()),
        with_attachment("zip", "docs.zip", zip_bytes(), "application/zip"),
    ]
    imap_user.server.append_many(imap_user.user, "INBOX", messages)
    with imap_user.server.session(imap_user.user) as imap:
        imap.select_folder("INBOX", readonly=True)
        sizes = imap.fetch(imap.search("ALL"), [b"RFC822.SIZE"])
    total_bytes = sum(int(data[b"RFC822.SIZE"]) for data in sizes.values())
    app = deploy([mailbox_entry(imap_user, "good"), mailbox_entry(imap_user, "bad", password="x")])
    started = time.time()

    app.poll_json(expect=1)

    metrics = _samples((app.root / "metrics" / "mailledger.prom").read_text())
    good, bad = (("mailbox", "good"),), (("mailbox", "bad"),)
    assert metrics[("mailledger_messages_fetched_total", good)] == 4
    assert metrics[("mailledger_messages_recorded_total", good)] == 4
    assert metrics[("mailledger_messages_already_recorded_total", good)] == 0
    assert metrics[("mailledger_bytes_fetched_total", good)] == total_bytes
    accepted = (("mailbox", "good"), ("verdict", "accepted"))
    rejected = (("mailbox", "good"), ("verdict", "rejected"))
    assert (
        metrics[("mailledger_attachments_total", accepted)],
        metrics[("mailledger_attachments_total", rejected)],
    ) == (1, 1)
    unrecorded = (("folder", "INBOX"), ("mailbox", "good"))
    assert metrics[("mailledger_unrecorded_messages", unrecorded)] == 0
    assert metrics[("mailledger_last_success_timestamp_seconds", good)] >= int(started)
    assert ("mailledger_last_success_timestamp_seconds", bad) not in metrics
    assert metrics[("mailledger_errors_total", bad)] == 1
    assert metrics[("mailledger_errors_total", good)] == 0  # zero series are written
    assert metrics[("mailledger_cycle_duration_seconds", good)] > 0
