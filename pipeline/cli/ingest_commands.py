"""``poll``, ``run``, ``assemble`` and ``import``.

The workers are imported by the commands that run them: they bring the IMAP client,
the MIME parser and the attachment checkers (some 45 MiB), which every other command,
an export or a verify over a large log among them, would otherwise carry too.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

import click

from pipeline.cli.app import (
    EXIT_FAILED,
    EXIT_LEASE_HELD,
    EXIT_OK,
    EXIT_SIGNAL_BASE,
    AppContext,
    echo_json,
    pass_app,
)
from pipeline.cli.output import echo, fail
from pipeline.cli.params import REQUIRED_TEXT
from pipeline.runtime import Runtime, sqs_client
from pipeline.worker.metrics import IngestMetrics
from pipeline.worker.reports import MailboxReport
from pipeline.worker.stop import StopFlag

if TYPE_CHECKING:
    from pipeline.worker.assembler import AssemblyReport


class SignalStop(StopFlag):
    """The workers' stop flag, remembering which signal set it first (None: no signal),
    so a one-shot command can say it was stopped and exit as a stopped command does."""

    def __init__(self) -> None:
        super().__init__()
        self.signal: signal.Signals | None = None

    def set(self, *args: Any) -> None:
        """Ask the worker to stop after the current batch; a handler passes the signal."""
        if self.signal is None and args and isinstance(args[0], int):
            self.signal = signal.Signals(args[0])
        super().set()


def install_stop() -> SignalStop:
    """The stop flag, installed for SIGINT and SIGTERM (assembly worker processes ignore
    SIGINT themselves: see ``init_worker_process``)."""
    stop = SignalStop()
    stop.install()
    return stop


def _stopped(stop: SignalStop, what: str) -> None:
    """When a signal stopped the command: one line saying what was done, exit 128+N."""
    if stop.signal is not None:
        fail(f"stopped by {stop.signal.name} {what}", EXIT_SIGNAL_BASE + stop.signal)


def _print_reports(reports: list[MailboxReport]) -> None:
    for report in reports:
        state = "skipped" if report.skipped else ("ok" if report.ok else "FAILED")
        echo(
            f"{report.mailbox}: {state}: fetched {report.total('fetched')},"
            f" sealed {report.total('sealed')},"
            f" recorded {report.total('recorded')},"
            f" already recorded {report.total('already_recorded')},"
            f" attachments accepted {report.total('attachments_accepted')}"
            f" / rejected {report.total('attachments_rejected')}"
            f" ({report.seconds:.1f} s)"
        )
        for folder in report.folders:
            gap = f", {len(folder.gaps)} NOT RECORDED" if folder.gaps else ""
            echo(
                f"  {folder.folder}: server {folder.server_count}, in ledger"
                f" {folder.recorded_count}{gap}"
            )
        for error in report.errors + [e for f in report.folders for e in f.errors]:
            echo(f"  error: {error}")


@click.command()
@click.option("--mailbox", "mailboxes", multiple=True, metavar="NAME", help="Only these mailboxes.")
@click.option("--json", "as_json", is_flag=True, help="Print per-mailbox results as JSON.")
@click.option("--no-dispatch", is_flag=True, help="Do not deliver events after the cycle.")
@click.option(
    "--seal-only",
    is_flag=True,
    help="Only seal (store raw bytes, append message.sealed); leave assembly to"
    " 'mailledger assemble'.",
)
@pass_app
def poll(
    app: AppContext,
    mailboxes: tuple[str, ...],
    as_json: bool,
    no_dispatch: bool,
    seal_only: bool,
) -> None:
    """Run one poll cycle over the mailboxes and exit (for cron and schedulers).

    Every new message is sealed, then assembled into its record right behind (or by
    'mailledger assemble' workers when worker.assembly_queue is set, or later with
    --seal-only). Exit status 0 when every mailbox succeeded, 1 when any failed, 4 when
    none failed but a mailbox was skipped because another worker holds its lease.
    """
    from pipeline.worker.build import open_poller

    config = app.config
    runtime = app.runtime(writable=True)
    stop = install_stop()
    metrics = IngestMetrics([m.name for m in config.mailboxes])
    textfile = config.metrics.textfile
    if textfile is not None:
        metrics.restore_textfile(textfile)
    reports: list[MailboxReport] = []
    try:
        with open_poller(
            config, runtime, stop=stop, metrics=metrics, seal_only=seal_only
        ) as poller:
            reports = poller.poll(mailboxes)
        dispatch_ok = True
        if config.worker.dispatch_after_poll and not no_dispatch:
            from pipeline.cli.event_commands import run_dispatch

            dispatch_ok = run_dispatch(app, quiet=as_json, metrics=metrics)
    except BaseException:
        # The cycle died before its mailboxes reported: count it, so the error counter
        # and the (kept) last-success time still tell the alerting what happened.
        if not reports:
            for name in mailboxes or [m.name for m in config.mailboxes]:
                metrics.errors.labels(mailbox=name).inc()
        raise
    finally:
        if textfile is not None:
            metrics.write_textfile(textfile)
    if as_json:
        echo_json({"mailboxes": [r.to_json() for r in reports], "dispatch_ok": dispatch_ok})
    else:
        _print_reports(reports)
    _stopped(
        stop,
        "before the poll finished; what it sealed is kept, and the next poll continues from there",
    )
    if not (all(r.ok for r in reports) and dispatch_ok):
        sys.exit(EXIT_FAILED)
    sys.exit(EXIT_LEASE_HELD if any(r.skipped for r in reports) else EXIT_OK)


@click.command()
@click.option("--once", is_flag=True, help="Run a single cycle, then exit (for testing).")
@click.option("--no-idle", is_flag=True, help="Poll on the interval only, without IMAP IDLE.")
@pass_app
def run(app: AppContext, once: bool, no_idle: bool) -> None:
    """Run continuously: IMAP IDLE where supported, else the poll interval.

    Serves Prometheus metrics on /metrics; SIGTERM commits the batch in hand and exits 0.
    """
    from pipeline.cli.event_commands import run_dispatch
    from pipeline.worker.build import open_background, open_poller
    from pipeline.worker.run import run_worker

    config = app.config
    runtime = app.runtime(writable=True)
    # SIGTERM (or Ctrl-C) is how a run ends: it finishes the batch in hand and exits 0
    stop = install_stop()
    metrics = IngestMetrics([m.name for m in config.mailboxes])
    if config.metrics.listen_port:
        metrics.serve(config.metrics.listen_host, config.metrics.listen_port)

    queued = config.worker.assembly_queue is not None

    def after_cycle(reports: list[MailboxReport]) -> None:
        # With assembly in the background, events are delivered by that thread after
        # each assembled batch (and after each cycle's catch-up), through its own ledger.
        if queued and config.worker.dispatch_after_poll:
            run_dispatch(app, quiet=True, metrics=metrics)

    def dispatcher(background_runtime: Runtime) -> Callable[[AssemblyReport], None]:
        def deliver(_report: AssemblyReport) -> None:
            if config.worker.dispatch_after_poll:
                run_dispatch(app, quiet=True, metrics=metrics, runtime=background_runtime)

        return deliver

    with ExitStack() as stack:
        background = None
        if not queued:
            # Assembly right behind sealing: APPEND -> event waits for its own batch only.
            background = stack.enter_context(
                open_background(config, after_commit=dispatcher, metrics=metrics)
            )
        poller = stack.enter_context(
            open_poller(config, runtime, stop=stop, metrics=metrics, background=background)
        )
        run_worker(
            config,
            poller,
            stop,
            after_cycle=after_cycle,
            use_idle=not no_idle,
            max_cycles=1 if once else None,
        )
        if background is not None:
            # --once ends with everything it sealed assembled; SIGTERM finishes the batch
            # in hand and leaves the rest (sealed) to the next start's catch-up.
            background.close(drain=once)
            background.check()
    sys.exit(0)


@click.command()
@click.option(
    "--queue-url",
    metavar="URL",
    help="Assemble the sealed batches announced on this SQS queue (default: the one in"
    " worker.assembly_queue; without either, every sealed message without a record).",
)
@click.option("--endpoint-url", metavar="URL", help="SQS endpoint (a local emulator).")
@click.option("--region", metavar="NAME", help="SQS region.")
@click.option(
    "--workers", type=click.IntRange(min=0, max=64), help="Assembly processes (0: one per core)."
)
@click.option("--until-empty", is_flag=True, help="With a queue: exit at the first empty receive.")
@click.option(
    "--wait-seconds",
    type=click.IntRange(min=0, max=20),
    default=20,
    show_default=True,
    help="With a queue: long-poll wait per receive.",
)
@click.option("--json", "as_json", is_flag=True, help="Print counts as JSON.")
@pass_app
def assemble(
    app: AppContext,
    queue_url: str | None,
    endpoint_url: str | None,
    region: str | None,
    workers: int | None,
    until_empty: bool,
    wait_seconds: int,
    as_json: bool,
) -> None:
    """Assemble sealed messages into records (stage 2 alone).

    Without a queue: every sealed message that has no record yet, oldest first, then
    exit. With a queue: receive sealed batches until SIGTERM (or, with --until-empty,
    until the queue is empty); several workers may share one queue. Exit status 0;
    128 + the signal's number when a signal stopped it before the work it was given
    was done (all pending messages, or the queue with --until-empty).
    """
    from pipeline.worker.assembly_queue import consume
    from pipeline.worker.build import open_assembler

    config = app.config
    settings = config.worker.assembly_queue
    url = queue_url or (settings.queue_url if settings else None)
    client = None
    if url is not None:
        # before the runtime and the workers: a queue without a region is a usage error
        client = sqs_client(
            url,
            region or (settings.region if settings else None),
            endpoint_url or (settings.endpoint_url if settings else None),
            option="--queue-url" if queue_url else "worker.assembly_queue.queue_url",
        )
    runtime = app.runtime(writable=True)
    stop = install_stop()
    with open_assembler(config, runtime, workers=workers) as assembler:
        if url is None or client is None:
            report = assembler.assemble_pending(lambda: stop.is_set)
        else:
            report = consume(
                client,
                url,
                config.origin,
                assembler,
                should_stop=lambda: stop.is_set,
                wait_seconds=wait_seconds,
                until_empty=until_empty,
            )
        waiting = assembler.identities.unassembled_count()
    if as_json:
        echo_json(
            {
                "assembled": report.assembled,
                "already_assembled": report.already_assembled,
                "attachments_accepted": report.attachments_accepted,
                "attachments_rejected": report.attachments_rejected,
                "waiting": waiting,
            }
        )
    else:
        click.echo(
            f"assembled {report.assembled}, already assembled {report.already_assembled},"
            f" attachments accepted {report.attachments_accepted}"
            f" / rejected {report.attachments_rejected}; sealed and waiting: {waiting}"
        )
    # A queue worker without --until-empty runs until a signal ends it, by design.
    if url is None or until_empty:
        _stopped(
            stop,
            f"after assembling {report.assembled} messages; {waiting} sealed messages"
            " still wait: run 'mailledger assemble' again to assemble them",
        )
    sys.exit(0)


@click.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--label",
    type=REQUIRED_TEXT,
    default="import",
    show_default=True,
    help="Name recorded as the mailbox.",
)
@click.option("--json", "as_json", is_flag=True, help="Print counts as JSON.")
@pass_app
def import_(app: AppContext, paths: tuple[str, ...], label: str, as_json: bool) -> None:
    """Backfill .eml files, mbox files and Maildir folders (never auto-acknowledged)."""
    from pathlib import Path

    from pipeline.fetch.files import path_text, read_messages
    from pipeline.worker.build import open_poller

    config = app.config
    runtime = app.runtime(writable=True)
    stop = install_stop()
    results = []
    finished = read = recorded = 0
    with open_poller(config, runtime, stop=stop) as poller:
        for path in paths:
            report = poller.import_files(read_messages(Path(path)), label)
            read += report.fetched
            recorded += report.recorded
            results.append(
                {
                    "path": path_text(path),  # a name that is not UTF-8 still prints
                    "read": report.fetched,
                    "recorded": report.recorded,
                    "already_recorded": report.already_recorded,
                    "attachments_rejected": report.attachments_rejected,
                }
            )
            if stop.is_set:
                # the batch in hand was committed; the paths after it were never opened
                break
            finished += 1
    if as_json:
        echo_json({"imports": results})
    else:
        for item in results:
            echo(
                f"{item['path']}: read {item['read']}, recorded {item['recorded']},"
                f" already recorded {item['already_recorded']}"
            )
    _stopped(
        stop,
        f"after {finished} of {len(paths)} paths ({read} messages read, {recorded}"
        " recorded); run the same import again to continue: messages already recorded"
        " are skipped",
    )


def register(group: click.Group) -> None:
    """Add this module's commands to the group."""
    group.add_command(poll)
    group.add_command(run)
    group.add_command(assemble)
    group.add_command(import_)
