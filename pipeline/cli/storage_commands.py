"""``hold add|remove|list`` (legal holds) and ``dispose`` (lawful disposal)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from pipeline.cli.app import AppContext, echo_json, pass_app
from pipeline.config import LocalStorageConfig
from pipeline.errors import RetentionError
from pipeline.runtime import actor_name
from pipeline.storage.lifecycle import (
    HoldChange,
    add_hold,
    cutoff_before,
    dispose,
    list_holds,
    plan_disposal,
    remove_hold,
)


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
@click.option("--reason", metavar="TEXT", help="Why (matter, request), kept in the ledger.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_app
def hold_add(app: AppContext, refs: tuple[str, ...], reason: str | None, as_json: bool) -> None:
    """Hold every stored object of the records REF (record id, Message-ID, raw SHA-256)."""
    runtime = app.runtime(writable=True)
    change = add_hold(
        runtime.store,
        runtime.ledger,
        runtime.ledger,
        refs,
        reason=reason,
        actor=actor_name(app.config),
    )
    _print_change(change, "held", as_json)


@hold.command("remove")
@click.argument("refs", nargs=-1, required=True, metavar="REF...")
@click.option("--reason", metavar="TEXT", required=True, help="Why the hold ends (required).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_app
def hold_remove(app: AppContext, refs: tuple[str, ...], reason: str, as_json: bool) -> None:
    """Lift the hold of the records REF; objects another held record shares stay held."""
    runtime = app.runtime(writable=True)
    change = remove_hold(
        runtime.store,
        runtime.ledger,
        runtime.ledger,
        refs,
        reason=reason,
        actor=actor_name(app.config),
    )
    _print_change(change, "released", as_json)


@hold.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the holds as JSON.")
@click.option("--no-check", is_flag=True, help="Do not ask the store whether each object is held.")
@pass_app
def hold_list(app: AppContext, as_json: bool, no_check: bool) -> None:
    """Records under hold, from the ledger; exit 1 when the store disagrees."""
    runtime = app.runtime()
    views = list_holds(runtime.ledger, None if no_check else runtime.store)
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


def _retention_policy(app: AppContext) -> dict[str, Any]:
    storage = app.config.storage
    if isinstance(storage, LocalStorageConfig):
        return {"retain_days": storage.retain_days, "mode": None}
    lock = storage.object_lock
    return {
        "retain_days": lock.retain_days if lock else None,
        "mode": lock.mode if lock else None,
    }


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
    now = datetime.now(UTC)
    try:
        cutoff = cutoff_before(now, older_than)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--older-than") from exc
    if not dry_run and not (reason and reason.strip()):
        raise click.UsageError("--reason is required to dispose of records (or use --dry-run)")
    floor_days = app.config.retention.min_dispose_days
    if cutoff > now - timedelta(days=floor_days):
        raise RetentionError(
            f"--older-than {older_than} is shorter than the minimum retention of"
            f" {floor_days} days (retention.min_dispose_days in {app.config.source_path});"
            " nothing was disposed"
        )
    runtime = app.runtime(writable=not dry_run)
    plan = plan_disposal(runtime.store, runtime.ledger, cutoff=cutoff, now=now)
    policy = {"older_than": older_than, **_retention_policy(app)}
    due = [d for d in plan if d.refused is None and d.keys]
    if not dry_run and due and not yes:
        click.confirm(
            f"Dispose of the stored content of {len(due)} records received before"
            f" {cutoff.date().isoformat()}? This cannot be undone",
            abort=True,
            err=True,
        )
    done = (
        plan
        if dry_run
        else dispose(
            runtime.store,
            runtime.ledger,
            plan,
            policy=policy,
            reason=reason,
            actor=actor_name(app.config),
        )
    )
    disposed = [d for d in (plan if dry_run else done) if d.refused is None and d.keys]
    refused = [d for d in plan if d.refused is not None]
    if as_json:
        echo_json(
            {
                "dry_run": dry_run,
                "policy": policy,
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
