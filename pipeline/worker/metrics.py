"""Prometheus metrics: a node-exporter textfile after one-shot runs, /metrics for ``run``."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    start_http_server,
    write_to_textfile,
)


class IngestMetrics:
    """The counters and gauges of ingestion, in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        labels = ["mailbox"]
        self.fetched = Counter(
            "mailledger_messages_fetched",
            "Messages fetched from IMAP",
            labels,
            registry=self.registry,
        )
        self.recorded = Counter(
            "mailledger_messages_recorded",
            "Messages newly recorded in the ledger",
            labels,
            registry=self.registry,
        )
        self.already = Counter(
            "mailledger_messages_already_recorded",
            "Fetched messages the ledger already had",
            labels,
            registry=self.registry,
        )
        self.bytes = Counter(
            "mailledger_bytes_fetched", "Raw message bytes fetched", labels, registry=self.registry
        )
        self.attachments = Counter(
            "mailledger_attachments",
            "Attachment verdicts",
            [*labels, "verdict"],
            registry=self.registry,
        )
        self.errors = Counter(
            "mailledger_errors", "Mailbox cycles that failed", labels, registry=self.registry
        )
        self.cycle_seconds = Gauge(
            "mailledger_cycle_duration_seconds",
            "Duration of the last poll cycle",
            labels,
            registry=self.registry,
        )
        self.last_success = Gauge(
            "mailledger_last_success_timestamp_seconds",
            "When a cycle last succeeded",
            labels,
            registry=self.registry,
        )
        self.gaps = Gauge(
            "mailledger_unrecorded_messages",
            "Messages on the server not in the ledger after the cycle",
            [*labels, "folder"],
            registry=self.registry,
        )

    def write_textfile(self, path: Path) -> None:
        """Write the node-exporter textfile atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        write_to_textfile(str(path), self.registry)

    def serve(self, host: str, port: int) -> None:
        """Serve /metrics on a background thread."""
        start_http_server(port, addr=host, registry=self.registry)
