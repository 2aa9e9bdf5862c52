"""Wires a poller from the config: the one place ingestion's adapters are chosen."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from pipeline.config import Config
from pipeline.fetch.imap import ImapClientSession
from pipeline.record.assemble import RecordSettings
from pipeline.record.identities import IDENTITIES_FILE, IdentityIndex
from pipeline.record.recorder import Recorder
from pipeline.runtime import Runtime, actor_name, open_runtime, sqs_client, store_settings
from pipeline.worker.assembler import Assembler, AssemblyReport
from pipeline.worker.assembly_pool import AssemblyPool
from pipeline.worker.assembly_queue import SqsAssemblyQueue
from pipeline.worker.background import BackgroundAssembly
from pipeline.worker.metrics import IngestMetrics
from pipeline.worker.poll import Poller
from pipeline.worker.sessions import SessionFactory
from pipeline.worker.stop import StopFlag


def record_settings(config: Config) -> RecordSettings:
    """What assembly needs, taken from the config."""
    return RecordSettings(
        attachment_policy=config.attachments,
        rules=config.classification.rule_set(),
        classify_policy=config.classification.policy,
        recogniser=config.classification.recogniser(),
    )


@contextmanager
def open_assembler(
    config: Config, runtime: Runtime, *, workers: int | None = None
) -> Iterator[Assembler]:
    """A ready assembler (stage 2); closes its worker processes and databases afterwards."""
    identities = IdentityIndex(config.state_dir / IDENTITIES_FILE)
    recorder = Recorder(runtime.store, runtime.ledger, identities, actor_name(config, "worker"))
    pool = AssemblyPool(
        lambda: record_settings(config),
        config.worker.parse_workers if workers is None else workers,
        store_settings(config),
    )
    try:
        yield Assembler(recorder, identities, pool)
    finally:
        pool.close()
        recorder.close()
        identities.close()


def assembly_queue(config: Config) -> SqsAssemblyQueue | None:
    """The configured assembly queue, if any."""
    settings = config.worker.assembly_queue
    if settings is None:
        return None
    # the region as `assemble` finds it: the setting, the AWS environment, the queue's host
    client = sqs_client(
        settings.queue_url,
        settings.region,
        settings.endpoint_url,
        option="worker.assembly_queue.queue_url",
    )
    mark = config.state_dir / "assembly-queue.json"
    return SqsAssemblyQueue(client, settings.queue_url, config.origin, mark)


@contextmanager
def open_background(
    config: Config,
    *,
    workers: int | None = None,
    after_commit: Callable[[Runtime], Callable[[AssemblyReport], None]] | None = None,
    metrics: IngestMetrics | None = None,
) -> Iterator[BackgroundAssembly]:
    """A started assembly thread with a runtime (store, ledger) of its own.

    ``after_commit`` is given that runtime and returns what runs after each assembled
    batch (the run command delivers events there, through the thread's own ledger).
    Leaving the block finishes the batch in hand and leaves queued ones to the next
    catch-up; call ``close(drain=True)`` first to assemble everything queued.
    """
    runtime = open_runtime(config, writable=True)
    with open_assembler(config, runtime, workers=workers) as assembler:
        hook = after_commit(runtime) if after_commit is not None else None
        background = BackgroundAssembly(
            assembler, after_commit=hook or (lambda _report: None), metrics=metrics
        )
        background.start()
        try:
            yield background
        finally:
            background.close(drain=False)


@contextmanager
def open_poller(
    config: Config,
    runtime: Runtime,
    *,
    session_factory: SessionFactory = ImapClientSession,
    stop: StopFlag | None = None,
    metrics: IngestMetrics | None = None,
    workers: int | None = None,
    seal_only: bool = False,
    background: BackgroundAssembly | None = None,
) -> Iterator[Poller]:
    """A ready poller; closes its worker processes and databases afterwards.

    With an assembly queue configured, or ``seal_only``, it only seals and starts no
    worker processes; with ``background`` it seals and hands each sealed batch to that
    thread (which has the worker processes).
    """
    queue = None if seal_only else assembly_queue(config)
    if queue is not None:
        background = None  # other machines assemble
    if queue is not None or seal_only or background is not None:
        workers = 1
    with open_assembler(config, runtime, workers=workers) as assembler:
        yield Poller(
            config,
            assembler.recorder,
            assembler.identities,
            assembler,
            session_factory,
            metrics or IngestMetrics(),
            stop,
            queue=queue,
            seal_only=seal_only,
            background=background,
        )
