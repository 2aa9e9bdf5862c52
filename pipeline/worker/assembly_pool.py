"""Runs record assembly (parse, attachment checks, classification) on every core.

Assembly is pure and CPU-bound; worker processes keep both cores busy while
the main process does I/O. Results come back in submission order, so ledger
order stays deterministic (the order of UIDs), whatever finishes first.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime

import structlog

from pipeline.logs import LogSettings, configure_logging, current_settings
from pipeline.record.assemble import AssembledRecord, RecordSettings, assemble
from pipeline.record.source import MessageSource

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Item:
    """One sealed message to assemble."""

    raw: bytes
    source: MessageSource
    received_at: datetime | None  # receipt: starts the record's clocks
    sealed_seq: int | None  # position of its ``message.sealed`` entry

    def assemble(self, settings: RecordSettings) -> AssembledRecord:
        """The record of this message."""
        return assemble(self.raw, self.source, settings, self.received_at, self.sealed_seq)


_settings: RecordSettings | None = None


def _init(settings: RecordSettings, logs: LogSettings) -> None:
    global _settings
    _settings = settings
    # A forkserver child starts with unconfigured logging: without this, library
    # messages (with the message text they quote) would go to stderr unredacted.
    configure_logging(logs.level, logs.fmt)


def _ready() -> bool:
    return _settings is not None


def _assemble(item: Item) -> AssembledRecord:
    assert _settings is not None
    return item.assemble(_settings)


@dataclass(frozen=True)
class PendingAssembly:
    """A batch handed to the pool; :meth:`AssemblyPool.results` waits for it."""

    items: Sequence[Item]
    # None when assembled inline, or when the pool was broken at submission
    mapped: Iterator[AssembledRecord] | None
    executor: Executor | None


class AssemblyPool:
    """Assembles records inline (``workers=1``) or in worker processes.

    :meth:`submit` returns at once, so the caller can fetch and store the next batch
    while this one is assembled; :meth:`results` then returns it in submission order.
    """

    def __init__(
        self, settings: RecordSettings | Callable[[], RecordSettings], workers: int = 0
    ) -> None:
        # A factory is called on first use: a poll that only seals never loads the rules.
        self._settings = settings
        self._count = workers or os.cpu_count() or 1
        self._executor: Executor | None = self._start(self._count) if self._count > 1 else None

    @property
    def settings(self) -> RecordSettings:
        """What assembly needs (made on first use when given as a factory)."""
        if not isinstance(self._settings, RecordSettings):
            self._settings = self._settings()
        return self._settings

    def _start(self, count: int) -> Executor:
        # forkserver: forking a process that already runs I/O threads is unsafe
        context = multiprocessing.get_context("forkserver")
        return ProcessPoolExecutor(
            max_workers=count,
            mp_context=context,
            initializer=_init,
            initargs=(self.settings, current_settings()),
        )

    def warm(self) -> None:
        """Start the worker processes now (imports, rules), not at the first message.

        A long-running worker calls this at start, so the first mail it receives does
        not wait for the processes to start and load the classification rules.
        """
        executor = self._executor
        if executor is None:
            self.settings  # noqa: B018 - loads the rules for inline assembly
            return
        try:
            for future in [executor.submit(_ready) for _ in range(self._count)]:
                future.result()
        except BrokenProcessPool:
            self._restart(executor, 0)

    def submit(self, items: Sequence[Item]) -> PendingAssembly:
        """Start assembling ``items``."""
        executor = self._executor
        if executor is None or not items:
            return PendingAssembly(items, None, None)
        chunk = max(1, len(items) // 16)
        try:
            mapped = executor.map(_assemble, items, chunksize=chunk)
        except BrokenProcessPool:
            self._restart(executor, len(items))
            return PendingAssembly(items, None, None)
        return PendingAssembly(items, mapped, executor)

    def results(self, pending: PendingAssembly) -> list[AssembledRecord]:
        """The records of ``pending``, in the order its items were submitted."""
        if pending.mapped is not None:
            try:
                return list(pending.mapped)
            except BrokenProcessPool:
                # A worker died (a parser crash in C code, or the OOM killer): the raw
                # bytes are already stored, so assemble this batch here.
                assert pending.executor is not None
                self._restart(pending.executor, len(pending.items))
        return [item.assemble(self.settings) for item in pending.items]

    def _restart(self, broken: Executor, batch: int) -> None:
        # Two batches in flight both see the same broken pool; only the first restarts it.
        if broken is not self._executor:
            return
        log.error("assembly.worker_died", batch=batch)
        broken.shutdown(wait=False, cancel_futures=True)
        self._executor = self._start(self._count)

    def close(self) -> None:
        """Stop the worker processes."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
