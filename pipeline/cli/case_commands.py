"""``link``, ``extend``, ``resolve``, ``reopen``, ``cases`` and ``unlinked``.

REF is a record id (``r-...``), the Message-ID of the message, or the reference
number printed in the acknowledgment (``ML-XXXX-XXXX``). Refused actions exit 1
with the reason; nothing is appended.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import click

from pipeline.cases.actions import (
    Planner,
    plan_extend,
    plan_link,
    plan_reopen,
    plan_resolve,
)
from pipeline.cases.book import ResponseRecord, collect
from pipeline.cases.deadlines import evaluate_book
from pipeline.cases.linking import link_responses
from pipeline.classify.clocks import ClockPolicy
from pipeline.cli.app import AppContext, echo_json, pass_app
from pipeline.cli.archive import open_archive
from pipeline.cli.output import echo, one_line
from pipeline.entries import decode_as
from pipeline.entries.models import CaseBody, CaseExtended
from pipeline.errors import StorageError
from pipeline.runtime import actor_name
from pipeline.storage.base import ObjectStore

__all__ = ["body_text_loader", "register"]


def body_text_loader(store: ObjectStore) -> Callable[[ResponseRecord], str | None]:
    """Reads a response's text body from the store, for reference-number linking."""

    def load(response: ResponseRecord) -> str | None:
        if not response.text_key:
            return None
        try:
            return store.get(response.text_key).decode("utf-8", errors="replace")
        except StorageError:
            # A disposed or unreadable body only means we cannot link by its text.
            return None

    return load


def _policy(app: AppContext) -> ClockPolicy:
    return app.config.classification.policy.clock


def _apply(app: AppContext, plan: Planner) -> None:
    with open_archive(app, writable=True) as archive:
        entry = archive.case_action(plan)
    body = decode_as(entry, CaseBody).body
    click.echo(f"{entry.type} for {body.record_id} at ledger position {entry.seq}")
    if isinstance(body, CaseExtended):
        click.echo(f"respond deadline moved from {body.previous_due} to {body.due}")


@click.command()
@click.argument("response_ref")
@click.argument("inbound_ref")
@click.option("--reason", metavar="TEXT", help="Why they belong together.")
@pass_app
def link(app: AppContext, response_ref: str, inbound_ref: str, reason: str | None) -> None:
    """Record that the response RESPONSE_REF answers the inbound INBOUND_REF."""
    now = datetime.now(UTC)
    _apply(app, plan_link(response_ref, inbound_ref, reason, actor_name(app.config), now))


@click.command()
@click.argument("ref")
@click.option("--days", type=int, default=15, show_default=True, help="Business days to add.")
@click.option("--reason", required=True, metavar="TEXT", help="Why (sent to the borrower).")
@pass_app
def extend(app: AppContext, ref: str, days: int, reason: str) -> None:
    """Extend the respond deadline once (12 CFR 1024.35(e)(3)(ii), 1024.36(d)(2)(ii))."""
    now = datetime.now(UTC)
    plan = plan_extend(ref, days, reason, actor_name(app.config), now, _policy(app))
    _apply(app, plan)


@click.command()
@click.argument("ref")
@click.option("--reason", required=True, metavar="TEXT", help="How the case was resolved.")
@pass_app
def resolve(app: AppContext, ref: str, reason: str) -> None:
    """Mark a case resolved; this meets its respond deadline."""
    _apply(app, plan_resolve(ref, reason, actor_name(app.config), datetime.now(UTC)))


@click.command()
@click.argument("ref")
@click.option("--reason", metavar="TEXT", help="Why it is reopened.")
@pass_app
def reopen(app: AppContext, ref: str, reason: str | None) -> None:
    """Reopen a resolved case; its resolution no longer meets the respond deadline."""
    _apply(app, plan_reopen(ref, reason, actor_name(app.config), datetime.now(UTC)))


@click.command()
@click.option("--open", "only_open", is_flag=True, help="Only cases with a clock not yet met.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def cases(app: AppContext, only_open: bool, as_json: bool) -> None:
    """List inbound records and where their deadlines stand."""
    runtime = app.runtime()
    policy = _policy(app)
    now = datetime.now(UTC)
    book = collect(runtime.ledger.entries(), policy)
    statuses = evaluate_book(
        book, link_responses(book, body_text_loader(runtime.store)), now, policy
    )
    rows = []
    for case in statuses:
        if only_open and all(d.state == "met" for d in case.deadlines):
            continue
        rows.append(case)
    if as_json:
        echo_json(
            [
                {
                    "record_id": c.record_id,
                    "ledger_position": c.record.seq,
                    "category": c.record.category,
                    "request_kind": c.record.request_kind,
                    "resolved": c.resolved,
                    "deadlines": [
                        {
                            "name": d.name,
                            "due": d.due.isoformat(),
                            "state": d.state,
                            "status": d.describe(),
                            "ledger_positions": list(d.positions),
                        }
                        for d in c.deadlines
                    ],
                    "responses": [link.response_id for link in c.links],
                }
                for c in rows
            ]
        )
        return
    for c in rows:
        clocks = (
            "; ".join(f"{d.name} due {d.due} {d.describe()}" for d in c.deadlines) or "no clocks"
        )
        echo(one_line(f"{c.record_id} [{c.record.request_kind}] {clocks}"))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def unlinked(app: AppContext, as_json: bool) -> None:
    """Responses that could not be linked to a request: link them with 'mailledger link'."""
    runtime = app.runtime()
    book = collect(runtime.ledger.entries(), _policy(app))
    result = link_responses(book, body_text_loader(runtime.store))
    if as_json:
        echo_json(
            [
                {
                    "record_id": r.record_id,
                    "ledger_position": r.seq,
                    "sent_at": r.sent_at.isoformat(),
                    "message_id": r.message_id,
                }
                for r in result.unlinked
            ]
        )
        return
    for r in result.unlinked:
        click.echo(f"{r.record_id} sent {r.sent_at.isoformat()} (ledger position {r.seq})")
    click.echo(f"{len(result.unlinked)} unlinked responses", err=True)


def register(group: click.Group) -> None:
    """Add this module's commands to the group."""
    for command in (link, extend, resolve, reopen, cases, unlinked):
        group.add_command(command)
