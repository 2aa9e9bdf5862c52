"""``link``, ``extend``, ``resolve``, ``reopen``, ``correct ...``, ``cases`` and ``unlinked``.

REF is a record id (``r-...``), the Message-ID of the message, or the reference
number printed in the acknowledgment (``ML-XXXX-XXXX``). Refused actions exit 1
with the reason; nothing is appended. The commands only parse and format: the
work is done by the archive service (:class:`pipeline.archive.Archive`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import click

from pipeline.archive import Archive
from pipeline.cases.deadlines import CaseStatus
from pipeline.classify.kinds import ESCALATION_FAMILIES, REQUEST_KINDS, REQUEST_SUBKINDS
from pipeline.cli.app import AppContext, echo_json, pass_app
from pipeline.cli.archive import open_archive
from pipeline.cli.output import echo, one_line
from pipeline.cli.params import REQUIRED_TEXT, TEXT
from pipeline.entries import decode_as
from pipeline.entries.models import CaseBody, CaseExtended, CorrectionBody
from pipeline.errors import ConfigError
from pipeline.ledger.entry import LedgerEntry

__all__ = ["register"]

# 12 CFR 1024.35(e)(3)(ii) and 1024.36(d)(2)(ii): one extension of at most 15 business
# days (the configured classification.policy.clock.extension_days may allow fewer).
_MAX_EXTENSION_DAYS = 15


def _apply(app: AppContext, action: Callable[[Archive], LedgerEntry]) -> None:
    with open_archive(app, writable=True) as archive:
        entry = action(archive)
    body = decode_as(entry, CaseBody).body
    click.echo(f"{entry.type} for {body.record_id} at ledger position {entry.seq}")
    if isinstance(body, CaseExtended):
        click.echo(
            f"respond deadline moves from {body.previous_due} to {body.due} once"
            " the written notice is sent ('mailledger handle extension-notices')"
        )
    if isinstance(body, CorrectionBody):
        for change in body.due_changes:
            click.echo(f"{change.clock} due {change.previous_due or '-'} -> {change.due or '-'}")


@click.command()
@click.argument("response_ref")
@click.argument("inbound_ref")
@click.option("--reason", type=TEXT, metavar="TEXT", help="Why they belong together.")
@pass_app
def link(app: AppContext, response_ref: str, inbound_ref: str, reason: str | None) -> None:
    """Record that the response RESPONSE_REF answers the inbound INBOUND_REF."""
    _apply(app, lambda archive: archive.link_reply(response_ref, inbound_ref, reason))


@click.command()
@click.argument("ref")
@click.option(
    "--days",
    type=click.IntRange(1, _MAX_EXTENSION_DAYS),
    default=_MAX_EXTENSION_DAYS,
    show_default=True,
    help="Business days to add.",
)
@click.option(
    "--reason",
    type=REQUIRED_TEXT,
    required=True,
    metavar="TEXT",
    help="Why (sent to the borrower).",
)
@click.option("--language", type=click.Choice(["en", "es"]), help="Notice language override.")
@pass_app
def extend(app: AppContext, ref: str, days: int, reason: str, language: str | None) -> None:
    """Extend the respond deadline once (12 CFR 1024.35(e)(3)(ii), 1024.36(d)(2)(ii))."""
    _apply(app, lambda archive: archive.extend(ref, days, reason, language))


@click.command()
@click.argument("ref")
@click.option(
    "--reason", type=REQUIRED_TEXT, required=True, metavar="TEXT", help="How the case was resolved."
)
@pass_app
def resolve(app: AppContext, ref: str, reason: str) -> None:
    """Mark a case resolved; this meets its respond deadline."""
    _apply(app, lambda archive: archive.resolve_case(ref, reason))


@click.command()
@click.argument("ref")
@click.option("--reason", type=TEXT, metavar="TEXT", help="Why it is reopened.")
@pass_app
def reopen(app: AppContext, ref: str, reason: str | None) -> None:
    """Reopen a resolved case; its resolution no longer meets the respond deadline."""
    _apply(app, lambda archive: archive.reopen_case(ref, reason))


_REASON = click.option(
    "--reason",
    type=REQUIRED_TEXT,
    required=True,
    metavar="TEXT",
    help="Why (kept in the trail and reports).",
)


@click.group()
def correct() -> None:
    """Correct a decision; each correction is a ledger entry with who, when and why."""


@correct.command("kind")
@click.argument("ref")
@click.option(
    "--kind", "kinds", multiple=True, type=click.Choice(REQUEST_KINDS), help="Repeat for several."
)
@click.option("--subkind", "subkinds", multiple=True, type=click.Choice(REQUEST_SUBKINDS))
@_REASON
@pass_app
def correct_kind(
    app: AppContext, ref: str, kinds: tuple[str, ...], subkinds: tuple[str, ...], reason: str
) -> None:
    """Set the request kinds of REF (none given: no regulated request)."""
    _apply(app, lambda archive: archive.reclassify(ref, kinds, subkinds, reason))


@correct.command("not-a-request")
@click.argument("ref")
@_REASON
@pass_app
def correct_not_a_request(app: AppContext, ref: str, reason: str) -> None:
    """Mark REF as not a request: its clocks no longer apply."""
    _apply(app, lambda archive: archive.mark_not_a_request(ref, reason))


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(f"sale date {value!r} is not a date (use YYYY-MM-DD)") from exc


@correct.command("sale-date")
@click.argument("ref")
@click.argument("sale_date", metavar="YYYY-MM-DD")
@_REASON
@pass_app
def correct_sale_date(app: AppContext, ref: str, sale_date: str, reason: str) -> None:
    """Set or change the scheduled foreclosure sale date of REF."""
    day = _date(sale_date)
    _apply(app, lambda archive: archive.set_sale_date(ref, day, reason))


@correct.command("escalate")
@click.argument("ref")
@click.argument("family", metavar="FAMILY", type=click.Choice(ESCALATION_FAMILIES))
@click.option(
    "--route", type=REQUIRED_TEXT, required=True, metavar="NAME", help="Escalation route to notify."
)
@_REASON
@pass_app
def correct_escalate(app: AppContext, ref: str, family: str, route: str, reason: str) -> None:
    """Escalate REF by hand as FAMILY (e.g. legal_representation) to a route (one of
    escalation.routes, when the config has them)."""
    escalation = app.config.escalation
    if escalation is not None and route not in escalation.routes:
        # a route with no target could never be notified
        known = ", ".join(sorted(escalation.routes)) or "(none)"
        raise click.BadParameter(
            f"{route!r} is not one of the configured escalation routes: {known}",
            param_hint="--route",
        )
    _apply(app, lambda archive: archive.add_escalation(ref, family, route, reason))


@correct.command("unescalate")
@click.argument("ref")
@click.argument("family", type=TEXT)
@_REASON
@pass_app
def correct_unescalate(app: AppContext, ref: str, family: str, reason: str) -> None:
    """Withdraw the escalation FAMILY of REF."""
    _apply(app, lambda archive: archive.remove_escalation(ref, family, reason))


@correct.command("holding-reply")
@click.argument("response_ref")
@click.argument("inbound_ref")
@_REASON
@pass_app
def correct_holding_reply(
    app: AppContext, response_ref: str, inbound_ref: str, reason: str
) -> None:
    """Mark the linked reply RESPONSE_REF as a holding reply: it does not answer INBOUND_REF."""
    _apply(app, lambda archive: archive.mark_holding_reply(response_ref, inbound_ref, reason))


def case_json(c: CaseStatus) -> dict[str, object]:
    """One case as ``cases --json`` prints it."""
    return {
        "record_id": c.record_id,
        "ledger_position": c.record.seq,
        "category": c.record.category,
        "request_kind": c.request_kind,
        "request_kinds": list(c.kinds),
        "imported": c.record.imported,
        "state": c.state,
        "not_applicable": c.not_applicable,
        "resolved": c.resolved,
        "extension_without_notice": c.extension_unnoticed,
        "corrections": [
            {
                "type": a.type,
                "ledger_position": a.seq,
                "actor": a.actor,
                "reason": a.body.reason,
            }
            for a in c.corrections
        ],
        "deadlines": [
            {
                "name": d.name,
                "kind": d.deadline.kind,
                "due": d.due.isoformat(),
                "original_due": d.original_due.isoformat(),
                "rule": d.deadline.rule,
                "state": d.state,
                "late_by": d.status.late_by,
                "status": d.describe(),
                "ledger_positions": list(d.positions),
            }
            for d in c.deadlines
        ],
        "responses": [link.response_id for link in c.links],
        "holding_replies": list(c.holding_replies),
        "notes": list(c.notes),
    }


def case_line(c: CaseStatus) -> str:
    """One case as ``cases`` prints it."""
    if c.not_applicable is not None:
        clocks = f"not applicable: {c.not_applicable}"
    else:
        clocks = "; ".join(f"{d.name} due {d.due} {d.describe()}" for d in c.deadlines)
    extra = " (imported)" if c.record.imported else ""
    if c.extension_unnoticed is not None:
        extra += (
            f"; EXTENSION WITHOUT NOTICE (ledger position {c.extension_unnoticed}):"
            " the original due date stands"
        )
    if c.corrections:
        extra += f"; {len(c.corrections)} correction(s)"
    return f"{c.record_id} [{c.request_kind}] {c.state}: {clocks}{extra}"


@click.command()
@click.option("--open", "only_open", is_flag=True, help="Only cases with a clock not yet met.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def cases(app: AppContext, only_open: bool, as_json: bool) -> None:
    """List inbound records and where their deadlines stand."""
    with open_archive(app, writable=False) as archive:
        view = archive.cases()
    rows = [c for c in view.statuses if not only_open or c.state in ("pending", "missed")]
    if as_json:
        echo_json([case_json(c) for c in rows])
        return
    for c in rows:
        echo(one_line(case_line(c)))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def unlinked(app: AppContext, as_json: bool) -> None:
    """Responses that could not be linked to a request: link them with 'mailledger link'."""
    with open_archive(app, writable=False) as archive:
        result = archive.cases().linked
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
        echo(one_line(f"{r.record_id} sent {r.sent_at.isoformat()} (ledger position {r.seq})"))
    click.echo(f"{len(result.unlinked)} unlinked responses", err=True)


def register(group: click.Group) -> None:
    """Add this module's commands to the group."""
    for command in (link, extend, resolve, reopen, correct, cases, unlinked):
        group.add_command(command)
