"""Runs record assembly (parse, attachment checks, classification) on every core.

Assembly is pure and CPU-bound; worker processes keep both cores busy while
the main process does I/O. Results come back in submission order, so ledger
order stays deterministic (the order of UIDs), whatever finishes first.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime

import structlog

from pipeline.record.assemble import AssembledRecord, RecordSettings, assemble
from pipeline.record.source import MessageSource

log = structlog.get_logger(__name__)

_settings: RecordSettings | None = None


def _init(settings: RecordSettings) -> None:
    global _settings
    _settings = settings


def _assemble(item: tuple[bytes, MessageSource, datetime | None]) -> AssembledRecord:
    assert _settings is not None
    raw, source, received_at = item
    return assemble(raw, source, _settings, received_at)


class AssemblyPool:
    """Assembles records inline (``workers=1``) or in worker processes."""

    def __init__(self, settings: RecordSettings, workers: int = 0) -> None:
        self.settings = settings
        self._count = workers or os.cpu_count() or 1
        self._executor: Executor | None = self._start(self._count) if self._count > 1 else None

    def _start(self, count: int) -> Executor:
        # forkserver: forking a process that already runs I/O threads is unsafe
        context = multiprocessing.get_context("forkserver")
        return ProcessPoolExecutor(
            max_workers=count, mp_context=context, initializer=_init, initargs=(self.settings,)
        )

    def assemble(
        self, items: Sequence[tuple[bytes, MessageSource, datetime | None]]
    ) -> Iterator[AssembledRecord]:
        """Assemble ``items`` in order."""
        if self._executor is None:
            for raw, source, received_at in items:
                yield assemble(raw, source, self.settings, received_at)
            return
        chunk = max(1, len(items) // 16)
        try:
            results = list(self._executor.map(_assemble, items, chunksize=chunk))
        except BrokenProcessPool:
            # A worker died (a parser crash in C code, or the OOM killer): the raw bytes
            # are already stored, so assemble this batch here and start fresh workers.
            log.error("assembly.worker_died", batch=len(items))
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = self._start(self._count)
            results = [assemble(raw, src, self.settings, at) for raw, src, at in items]
        yield from results

    def close(self) -> None:
        """Stop the worker processes."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
