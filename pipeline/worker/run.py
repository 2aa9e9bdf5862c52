"""The long-running worker (``mailledger run``).

Polls every mailbox, dispatches events, then sleeps until an IDLE watcher
reports new mail or the poll interval passes. SIGTERM lets the batch in hand
commit, then the loop ends and the process exits 0.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import structlog

from pipeline.config import Config
from pipeline.worker.poll import Poller
from pipeline.worker.reports import MailboxReport
from pipeline.worker.sessions import SessionPool
from pipeline.worker.stop import StopFlag
from pipeline.worker.watch import IdleWatcher

log = structlog.get_logger(__name__)


def run_worker(
    config: Config,
    poller: Poller,
    stop: StopFlag,
    *,
    after_cycle: Callable[[list[MailboxReport]], None] = lambda _reports: None,
    use_idle: bool = True,
    max_cycles: int | None = None,
) -> int:
    """Run cycles until stopped; returns the number of cycles run.

    Each mailbox keeps one IMAP session across cycles, shared by the poller and the
    mailbox's IDLE watcher (see :mod:`pipeline.worker.sessions`).
    """
    wake = threading.Event()
    sessions = SessionPool(poller.session_factory)
    poller.sessions = sessions
    watchers = []
    if use_idle:
        for mailbox in config.mailboxes:
            watcher = IdleWatcher(
                mailbox,
                sessions,
                wake,
                stop,
                config.worker.idle_seconds,
                noop_seconds=config.worker.noop_seconds,
            )
            watcher.start()
            watchers.append(watcher)
    try:
        return _cycles(config, poller, stop, wake, after_cycle, max_cycles)
    finally:
        stop.set()
        for watcher in watchers:
            watcher.join(timeout=2)
        poller.sessions = None
        sessions.close()


def _cycles(
    config: Config,
    poller: Poller,
    stop: StopFlag,
    wake: threading.Event,
    after_cycle: Callable[[list[MailboxReport]], None],
    max_cycles: int | None,
) -> int:
    cycles = 0
    while not stop.is_set:
        wake.clear()
        reports = poller.poll()
        after_cycle(reports)
        cycles += 1
        log.info(
            "run.cycle_done",
            cycle=cycles,
            recorded=sum(r.total("recorded") for r in reports),
            failed=[r.mailbox for r in reports if not r.ok],
        )
        if max_cycles is not None and cycles >= max_cycles:
            break
        deadline = config.worker.poll_interval_seconds
        # Wait for a watcher's wake-up, the interval, or a stop, whichever comes first.
        waited = 0.0
        while not stop.is_set and not wake.is_set() and waited < deadline:
            wake.wait(0.5)
            waited += 0.5
    return cycles
