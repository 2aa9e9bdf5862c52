"""``dispatch``: deliver events derived from the ledger to the configured sinks."""

from __future__ import annotations

import sys

import click

from pipeline.cli.app import AppContext, echo_json, pass_app
from pipeline.cli.output import echo
from pipeline.emit.dispatch import Dispatcher, DispatchReport
from pipeline.emit.sinks import build_sink
from pipeline.runtime import Runtime, actor_name
from pipeline.worker.metrics import IngestMetrics


def dispatch_once(app: AppContext, runtime: Runtime | None = None) -> DispatchReport:
    """One dispatch pass over every configured sink (through ``runtime``'s ledger when
    given: a thread with a ledger of its own)."""
    config = app.config
    runtime = runtime or app.runtime(writable=True)
    dispatcher = Dispatcher(
        runtime.ledger,
        [build_sink(sink) for sink in config.events.sinks],
        f"{config.origin}",
        actor_name(config, "worker"),
        chunk_size=config.events.chunk_size,
        max_attempts=config.events.max_attempts,
    )
    return dispatcher.dispatch()


def _describe(report: DispatchReport) -> list[str]:
    lines = []
    for sink in report.sinks:
        state = "FAILED" if sink.failed else "ok"
        lines.append(
            f"{sink.sink}: {state}: delivered {sink.delivered} events, through position"
            f" {sink.through_seq}"
        )
        lines.extend(f"  error: {error}" for error in sink.errors)
    return lines


def run_dispatch(
    app: AppContext,
    *,
    quiet: bool = False,
    metrics: IngestMetrics | None = None,
    runtime: Runtime | None = None,
) -> bool:
    """Dispatch and print a summary unless ``quiet``; True when every sink succeeded.

    With ``metrics``, sets each sink's pending gauge: the ledger entries after its
    recorded progress when it gave up (their events wait for the next run), else 0.
    """
    size = (runtime or app.runtime(writable=True)).ledger.size()
    report = dispatch_once(app, runtime)
    if metrics is not None:
        for sink in report.sinks:
            pending = max(0, size - 1 - sink.through_seq) if sink.failed else 0
            metrics.events_pending.labels(sink=sink.sink).set(pending)
    if not quiet:
        for line in _describe(report):
            echo(line)
    return report.ok


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print per-sink results as JSON.")
@pass_app
def dispatch(app: AppContext, as_json: bool) -> None:
    """Deliver every event not yet delivered, at least once; exit 1 if a sink failed."""
    report = dispatch_once(app)
    if as_json:
        echo_json(
            {
                "ok": report.ok,
                "sinks": [
                    {
                        "sink": s.sink,
                        "delivered": s.delivered,
                        "through_seq": s.through_seq,
                        "failed": s.failed,
                        "errors": list(s.errors),
                    }
                    for s in report.sinks
                ],
            }
        )
    else:
        for line in _describe(report):
            echo(line)
    sys.exit(0 if report.ok else 1)


def register(group: click.Group) -> None:
    """Add this module's commands to the group."""
    group.add_command(dispatch)
