"""``hold add|remove|list`` (legal holds) and ``dispose`` (lawful disposal)."""

from __future__ import annotations

import sys
from datetime import datetime

import click

from pipeline.cli.app import AppContext, echo_json, pass_app
from pipeline.cli.archive import open_archive
from pipeline.cli.params import REQUIRED_TEXT, TEXT
from pipeline.retention.lifecycle import HoldChange


@click.group()
def hold() -> None:
    """Legal holds: objects of held records cannot be deleted, whatever their retention."""


def _print_change(change: HoldChange, verb: str, as_json: bool) -> None:
    if as_json:
        echo_json(change.to_json())
    else:
        click.echo(
            f"{verb} {len(change.record_ids)} records ({len(change.keys)} objects):"
            f" {' '.join(change.record_ids)}"
        )


@hold.command("add")
@click.argument("refs", nargs=-1, required=True, metavar="REF...")
@click.option(
    "--reason", type=TEXT, metavar="TEXT", help="Why (matter, request), kept in the ledger."
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_app
def hold_add(app: AppContext, refs: tuple[str, ...], reason: str | None, as_json: bool) -> None:
    """Hold every stored object of the records REF (record id, Message-ID, raw SHA-256)."""
    with open_archive(app, writable=True) as archive:
        change = archive.add_hold(refs, reason)
    _print_change(change, "held", as_json)


@hold.command("remove")
@click.argument("refs", nargs=-1, required=True, metavar="REF...")
@click.option(
    "--reason",
    type=REQUIRED_TEXT,
    metavar="TEXT",
    required=True,
    help="Why the hold ends (required).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_app
def hold_remove(app: AppContext, refs: tuple[str, ...], reason: str, as_json: bool) -> None:
    """Lift the hold of the records REF, each of which must be under hold (otherwise
    nothing is released, exit 1); objects another held record shares stay held."""
    with open_archive(app, writable=True) as archive:
        change = archive.remove_hold(refs, reason)
    _print_change(change, "released", as_json)


@hold.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the holds as JSON.")
@click.option("--no-check", is_flag=True, help="Do not ask the store whether each object is held.")
@pass_app
def hold_list(app: AppContext, as_json: bool, no_check: bool) -> None:
    """Records under hold, from the ledger; exit 1 when the store disagrees."""
    with open_archive(app, writable=False) as archive:
        views = archive.holds(check_store=not no_check)
    mismatched = [v for v in views if v.unheld_keys]
    if as_json:
        echo_json({"holds": [v.to_json() for v in views], "ok": not mismatched})
    else:
        if not views:
            click.echo("no records are under legal hold")
        for view in views:
            click.echo(
                f"{view.record_id}  since {view.since}  by {view.actor}"
                f"  {len(view.keys)} objects  {view.reason or ''}".rstrip()
            )
            for key in view.unheld_keys or []:
                click.echo(f"  NOT HELD in the store: {key}")
    sys.exit(1 if mismatched else 0)


@click.command("dispose")
@click.option(
    "--older-than",
    "older_than",
    required=True,
    metavar="DURATION",
    help="Records received longer ago than this: 7y, 2555d, 52w.",
)
@click.option("--dry-run", is_flag=True, help="Say what would be deleted; delete nothing.")
@click.option(
    "--reason",
    type=TEXT,
    metavar="TEXT",
    help="Why (the schedule or approval), kept in the ledger; required unless --dry-run.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (for scripts).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_app
def dispose_command(
    app: AppContext,
    older_than: str,
    dry_run: bool,
    reason: str | None,
    yes: bool,
    as_json: bool,
) -> None:
    """Delete the stored content of old records whose retention ended and that are not held.

    Each disposed record gets a ``record.disposed`` ledger entry; its entries and hashes
    stay, so ``verify`` reports the content as disposed under policy. Content that a
    newer or held record shares is kept. Periods shorter than
    ``retention.min_dispose_days`` are refused; disposal asks for confirmation
    unless --yes is given.
    """
    if not dry_run and not (reason and reason.strip()):
        raise click.UsageError("--reason is required to dispose of records (or use --dry-run)")

    def confirm(count: int, cutoff: datetime) -> None:
        if not yes:
            click.confirm(
                f"Dispose of the stored content of {count} records received before"
                f" {cutoff.date().isoformat()}? This cannot be undone",
                abort=True,
                err=True,
            )

    with open_archive(app, writable=not dry_run) as archive:
        try:
            outcome = archive.dispose(older_than, reason, dry_run=dry_run, confirm=confirm)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--older-than") from exc
    disposed, refused = outcome.disposed, outcome.refused
    if as_json:
        echo_json(
            {
                "dry_run": dry_run,
                "policy": outcome.policy.model_dump(mode="json"),
                "disposed": [d.to_json() for d in disposed],
                "refused": [d.to_json() for d in refused],
            }
        )
        return
    verb = "would dispose of" if dry_run else "disposed of"
    click.echo(
        f"{verb} {len(disposed)} records ({sum(len(d.keys) for d in disposed)} objects);"
        f" {len(refused)} records still protected"
    )
    for d in disposed:
        click.echo(f"  {d.record_id}  {len(d.keys)} objects  kept shared: {len(d.kept_shared)}")
    for d in refused:
        click.echo(f"  kept {d.record_id}: {d.refused}")


def register(group: click.Group) -> None:
    """Add this module's commands to the group."""
    group.add_command(hold)
    group.add_command(dispose_command)
