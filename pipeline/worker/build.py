"""Wires a poller from the config: the one place ingestion's adapters are chosen."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pipeline.config import Config
from pipeline.fetch.imap import ImapClientSession
from pipeline.record.assemble import RecordSettings
from pipeline.record.identities import IDENTITIES_FILE, IdentityIndex
from pipeline.record.recorder import Recorder
from pipeline.runtime import Runtime, actor_name
from pipeline.worker.assembly_pool import AssemblyPool
from pipeline.worker.metrics import IngestMetrics
from pipeline.worker.poll import Poller, SessionFactory, StopFlag


def record_settings(config: Config) -> RecordSettings:
    """What assembly needs, taken from the config."""
    return RecordSettings(
        attachment_policy=config.attachments,
        rules=config.classification.rule_set(),
        classify_policy=config.classification.policy,
    )


@contextmanager
def open_poller(
    config: Config,
    runtime: Runtime,
    *,
    session_factory: SessionFactory = ImapClientSession,
    stop: StopFlag | None = None,
    metrics: IngestMetrics | None = None,
    workers: int | None = None,
) -> Iterator[Poller]:
    """A ready poller; closes its worker processes and databases afterwards."""
    identities = IdentityIndex(config.state_dir / IDENTITIES_FILE)
    recorder = Recorder(runtime.store, runtime.ledger, identities, actor_name(config, "worker"))
    pool = AssemblyPool(
        record_settings(config), config.worker.parse_workers if workers is None else workers
    )
    try:
        yield Poller(
            config,
            recorder,
            identities,
            pool,
            session_factory,
            metrics or IngestMetrics(),
            stop,
        )
    finally:
        pool.close()
        recorder.close()
        identities.close()
