"""Prometheus metrics: a node-exporter textfile after one-shot runs, /metrics for ``run``.

The textfile follows the collector's conventions, so alerts work on one-shot runs:

- counters are cumulative across runs: each run reads the previous textfile back and
  continues from its values (``increase(mailledger_errors_total[1h])`` grows during an
  outage instead of staying at 1);
- the last-success timestamp is kept when a run fails (a staleness alert fires);
- every configured mailbox has every counter, at zero until something happens;
- no ``_created`` series (they reset on every run and mean nothing in a textfile);
- written to a temporary file in the same folder and renamed over the old one, so the
  collector never reads half a file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import structlog
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    disable_created_metrics,
    generate_latest,
    start_http_server,
)
from prometheus_client.parser import text_string_to_metric_families

log = structlog.get_logger(__name__)

disable_created_metrics()  # type: ignore[no-untyped-call]

# node-exporter usually runs as its own user; the textfile holds counts and
# timestamps only (no personal data), so it is readable by everyone.
TEXTFILE_MODE = 0o644
VERDICTS = ("accepted", "rejected")


class IngestMetrics:
    """The counters and gauges of ingestion, in their own registry."""

    def __init__(self, mailboxes: Sequence[str] = ()) -> None:
        self.registry = CollectorRegistry()
        self.mailboxes = tuple(mailboxes)
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
        self.lease_held = Counter(
            "mailledger_lease_held",
            "Mailbox cycles skipped because another worker held the mailbox lease",
            labels,
            registry=self.registry,
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
        self.events_pending = Gauge(
            "mailledger_events_pending_entries",
            "Ledger entries a sink has not yet been given the events of, after the last dispatch",
            ["sink"],
            registry=self.registry,
        )
        self._counters: dict[str, Counter] = {
            "mailledger_messages_fetched": self.fetched,
            "mailledger_messages_recorded": self.recorded,
            "mailledger_messages_already_recorded": self.already,
            "mailledger_bytes_fetched": self.bytes,
            "mailledger_attachments": self.attachments,
            "mailledger_errors": self.errors,
            "mailledger_lease_held": self.lease_held,
        }
        self._gauges: dict[str, Gauge] = {
            "mailledger_cycle_duration_seconds": self.cycle_seconds,
            "mailledger_last_success_timestamp_seconds": self.last_success,
            "mailledger_unrecorded_messages": self.gaps,
            "mailledger_events_pending_entries": self.events_pending,
        }
        for name in self.mailboxes:
            for counter in (
                self.fetched,
                self.recorded,
                self.already,
                self.bytes,
                self.errors,
                self.lease_held,
            ):
                counter.labels(mailbox=name)
            for verdict in VERDICTS:
                self.attachments.labels(mailbox=name, verdict=verdict)

    def restore_textfile(self, path: Path) -> None:
        """Continue from the values of the previous run's textfile, if there is one.

        Counters resume from their totals and gauges keep their last value until this
        run sets them. Series of mailboxes no longer configured are dropped. A file
        that cannot be parsed is logged and ignored: metrics never stop a poll.
        """
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except OSError as exc:
            log.warning("metrics.restore_failed", path=str(path), error=exc.strerror)
            return
        try:
            families = list(text_string_to_metric_families(text))
        except ValueError as exc:
            log.warning("metrics.restore_failed", path=str(path), error=str(exc))
            return
        for family in families:
            counter = self._counters.get(family.name)
            gauge = self._gauges.get(family.name)
            for sample in family.samples:
                mailbox = sample.labels.get("mailbox")
                if mailbox is not None and self.mailboxes and mailbox not in self.mailboxes:
                    continue
                try:
                    if counter is not None and sample.name == family.name + "_total":
                        counter.labels(**sample.labels).inc(sample.value)
                    elif gauge is not None and sample.name == family.name:
                        gauge.labels(**sample.labels).set(sample.value)
                except ValueError:  # labels of an older version; start that series afresh
                    continue

    def write_textfile(self, path: Path) -> None:
        """Write the node-exporter textfile atomically (temporary file, then rename)."""
        if not path.parent.is_dir():
            path.parent.mkdir(parents=True, exist_ok=True)
            # The process umask keeps new folders owner-only; the collector must get in.
            path.parent.chmod(0o755)
        data = generate_latest(self.registry)
        # The collector reads only *.prom files, so the dot-prefixed temporary file
        # in the same folder is never read, and the rename is atomic.
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fchmod(handle.fileno(), TEXTFILE_MODE)
                os.fsync(handle.fileno())
            tmp.replace(path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def serve(self, host: str, port: int) -> None:
        """Serve /metrics on a background thread."""
        start_http_server(port, addr=host, registry=self.registry)
