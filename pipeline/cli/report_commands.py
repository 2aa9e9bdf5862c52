"""``report sla``: acknowledgment and response times against the regulatory clocks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import click

from pipeline.cases.read import read_cases
from pipeline.cli.app import AppContext, pass_app
from pipeline.cli.output import terminal_safe
from pipeline.cli.params import check_moment
from pipeline.errors import ConfigError

__all__ = ["register"]


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"expected YYYY-MM-DD, got {value!r}", param_hint=option) from exc
    # the report counts days from here: a far date would run past what a date can hold
    check_moment(datetime.combine(day, time(), UTC), value, option)
    return day


def _moment(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise click.BadParameter(
            f"expected an ISO 8601 time, got {value!r}", param_hint="--as-of"
        ) from exc
    # the clocks count business days from each due date to this moment, one day at a time
    return check_moment(moment if moment.tzinfo else moment.replace(tzinfo=UTC), value, "--as-of")


@click.group()
def report() -> None:
    """Reports from the ledger."""


@report.command()
@click.option("--from", "date_from", metavar="DATE", help="First receipt date (YYYY-MM-DD).")
@click.option("--to", "date_to", metavar="DATE", help="Last receipt date (YYYY-MM-DD).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "csv", "html"]),
    default="text",
    show_default=True,
)
@click.option("--out", metavar="FILE", help="Write to FILE instead of standard output.")
@click.option(
    "--as-of",
    metavar="TIME",
    help="Evaluate as of this ISO 8601 time, reading only entries recorded by then"
    " (default: now), to reproduce an earlier report.",
)
@pass_app
def sla(
    app: AppContext,
    date_from: str | None,
    date_to: str | None,
    fmt: str,
    out: str | None,
    as_of: str | None,
) -> None:
    """Received, acknowledged and answered on time, per category and escalation rule."""
    start, end = _day(date_from, "--from"), _day(date_to, "--to")
    if start and end and start > end:
        raise ConfigError(f"--from {start} is after --to {end}")
    now = _moment(as_of)
    runtime = app.runtime()
    policy = app.config.classification.policy.clock
    entries = runtime.ledger.entries()
    if as_of is not None:
        entries = (e for e in entries if e.moment <= now)
    cases = read_cases(entries, runtime.store, now, policy)

    # Imported lazily: matplotlib is only needed for HTML.
    from pipeline.report.render import render_csv, render_json, render_text
    from pipeline.report.sla import build_sla_report

    figures = build_sla_report(
        cases.statuses,
        now,
        policy,
        date_from=start,
        date_to=end,
        ledger_size=cases.book.size,
        unlinked=cases.linked.unlinked,
    )
    if fmt == "html":
        from pipeline.report.html import render_html

        text = render_html(figures)
    elif fmt == "json":
        text = render_json(figures)
    elif fmt == "csv":
        text = render_csv(figures)
    else:
        text = render_text(figures)
    if out:
        Path(out).write_text(text, encoding="utf-8", newline="")
        click.echo(f"wrote {fmt} SLA report to {out}", err=True)
    else:
        # The text report is for a terminal; csv and html are data, printed exactly.
        click.echo(terminal_safe(text) if fmt == "text" else text, nl=False)


def register(group: click.Group) -> None:
    """Add this module's commands to the group."""
    group.add_command(report)
