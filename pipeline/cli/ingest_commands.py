"""``poll``, ``run`` and ``import``."""

from __future__ import annotations

import sys

import click

from pipeline.cli.app import AppContext, echo_json, pass_app
from pipeline.worker.build import open_poller
from pipeline.worker.metrics import IngestMetrics
from pipeline.worker.poll import StopFlag
from pipeline.worker.reports import MailboxReport


def _print_reports(reports: list[MailboxReport]) -> None:
    for report in reports:
        state = "skipped" if report.skipped else ("ok" if report.ok else "FAILED")
        click.echo(
            f"{report.mailbox}: {state}: fetched {report.total('fetched')},"
            f" recorded {report.total('recorded')},"
            f" already recorded {report.total('already_recorded')},"
            f" attachments accepted {report.total('attachments_accepted')}"
            f" / rejected {report.total('attachments_rejected')}"
            f" ({report.seconds:.1f} s)"
        )
        for folder in report.folders:
            gap = f", {len(folder.gaps)} NOT RECORDED" if folder.gaps else ""
            click.echo(
                f"  {folder.folder}: server {folder.server_count}, in ledger"
                f" {folder.recorded_count}{gap}"
            )
        for error in report.errors + [e for f in report.folders for e in f.errors]:
            click.echo(f"  error: {error}")


@click.command()
@click.option("--mailbox", "mailboxes", multiple=True, metavar="NAME", help="Only these mailboxes.")
@click.option("--json", "as_json", is_flag=True, help="Print per-mailbox results as JSON.")
@click.option("--no-dispatch", is_flag=True, help="Do not deliver events after the cycle.")
@pass_app
def poll(app: AppContext, mailboxes: tuple[str, ...], as_json: bool, no_dispatch: bool) -> None:
    """Run one poll cycle over the mailboxes and exit (for cron and schedulers).

    Exit status 0 when every mailbox succeeded, 1 when any failed.
    """
    config = app.config
    runtime = app.runtime(writable=True)
    stop = StopFlag()
    stop.install()
    metrics = IngestMetrics()
    with open_poller(config, runtime, stop=stop, metrics=metrics) as poller:
        reports = poller.poll(mailboxes)
    if config.metrics.textfile is not None:
        metrics.write_textfile(config.metrics.textfile)
    dispatch_ok = True
    if config.worker.dispatch_after_poll and not no_dispatch:
        from pipeline.cli.event_commands import run_dispatch

        dispatch_ok = run_dispatch(app, quiet=as_json)
    if as_json:
        echo_json({"mailboxes": [r.to_json() for r in reports], "dispatch_ok": dispatch_ok})
    else:
        _print_reports(reports)
    sys.exit(0 if all(r.ok for r in reports) and dispatch_ok else 1)


def register(group: click.Group) -> None:
    """Add this module's commands to the group."""
    group.add_command(poll)
