"""``trail``, ``search``, ``show``, ``export``, ``verify-export`` and ``index``.

These commands parse arguments and format output; the archive service
(:mod:`pipeline.archive`) does the work and records every retrieval of message
content (``show``, ``trail``, ``export``) in the ledger before anything is shown.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import click

from pipeline.archive import ShownMessage
from pipeline.classify.accounts import mask_account
from pipeline.cli.app import AppContext, echo_json, pass_app
from pipeline.cli.archive import open_archive
from pipeline.cli.output import echo, format_table
from pipeline.cli.params import TEXT, check_moment, key_argument, new_file
from pipeline.entries.models import Party
from pipeline.errors import ConfigError, ExportError
from pipeline.export.bundle_verifier import (
    NoteError,
    UsageError,
    parse_verifier_keys,
    verify_bundle,
)
from pipeline.index.db import INDEX_FILE, RecordRow, SearchCriteria, SearchTextError
from pipeline.index.proven import ProvenRow
from pipeline.ledger.entry import format_time
from pipeline.record.identities import IDENTITIES_FILE
from pipeline.trail.build import Trail

# Far more rows than any search needs, and inside the index's 64-bit integers.
_MAX_LIMIT = 1_000_000_000


def _moment(value: str | None, app: AppContext, *, end: bool, option: str) -> datetime | None:
    """A ``--from``/``--to`` value as a moment.

    A bare date is a whole day in the servicer's time zone (the one its clocks
    count in), so ``--to 2026-11-30`` includes that day; a date and time is
    taken as given (UTC when it has no offset). A time outside the accepted range
    (:data:`pipeline.cli.params.EARLIEST` to ``LATEST``) is a usage error.
    """
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = datetime.strptime(value, "%Y-%m-%d").date()
            zone = app.config.classification.policy.clock.zone
            check_moment(datetime.combine(day, time(), zone), value, option)
            return datetime.combine(day + timedelta(days=1 if end else 0), time(), zone)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    except ValueError as exc:
        raise click.BadParameter(
            f"{value!r} is not YYYY-MM-DD or an ISO 8601 time", param_hint=option
        ) from exc
    return check_moment(moment, value, option)


def _criteria(
    app: AppContext,
    date_from: str | None,
    date_to: str | None,
    mailbox: str | None,
    sender: str | None,
    account: str | None,
    category: str | None,
    escalated: bool,
    text: str | None,
    limit: int | None,
) -> SearchCriteria:
    start = _moment(date_from, app, end=False, option="--from")
    end = _moment(date_to, app, end=True, option="--to")
    if start is not None and end is not None and start > end:
        # an empty range is a mistake, not a search that found nothing
        raise click.UsageError(f"--from {date_from} is after --to {date_to}")
    return SearchCriteria(
        received_from=format_time(start) if start is not None else None,
        received_to=format_time(end) if end is not None else None,
        mailbox=mailbox,
        sender=sender,
        account=account,
        category=category,
        escalated=True if escalated else None,
        text=text,
        limit=limit,
    )


def _masked_json(row: RecordRow) -> dict[str, Any]:
    data = row.to_json()
    data["accounts"] = [mask_account(a) for a in row.accounts]
    data["subject"] = row.listed_subject
    return data


def _proven_json(proven: ProvenRow) -> dict[str, Any]:
    """A search result as its ledger entry says, and where the index disagreed."""
    data = _masked_json(proven.row)
    data["request_kinds"] = list(proven.request_kinds)
    data["language"] = proven.language
    data["machine"] = proven.machine
    data["signed"] = proven.signed
    data["index_disagrees"] = list(proven.index_differs)
    return data


_reason_option = click.option(
    "--reason", type=TEXT, metavar="TEXT", help="Why you are looking (recorded in the ledger)."
)


# -- trail -----------------------------------------------------------------------


@click.command()
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Print the trail as JSON.")
@_reason_option
@pass_app
def trail(app: AppContext, ref: str, as_json: bool, reason: str | None) -> None:
    """Show the audit trail of a record, each entry proven against the signed checkpoint.

    REF is a record id (r-...), a Message-ID, a raw SHA-256 or a ledger position.
    Viewing is recorded as an access.viewed entry.
    """
    with open_archive(app, writable=True) as archive:
        result = archive.trail(ref, reason)
    if as_json:
        echo_json(result.to_json())
    else:
        echo(render_trail(result))
    sys.exit(0 if result.verified else 1)


def render_trail(t: Trail) -> str:
    """The trail as terminal text."""
    r = t.record
    subject = t.headers.get("subject") or ""
    out = [
        f"Record {r.record_id}  (ledger position {r.seq})",
        f"  {r.mailbox}/{r.folder}  from {r.sender}  subject {subject!r}",
        f"  category {r.category or '-'}, {'ESCALATED' if r.escalated else 'not escalated'}"
        + (f", accounts {', '.join(mask_account(a) for a in r.accounts)}" if r.accounts else ""),
        f"Checkpoint {t.origin} size {t.checkpoint_size} root {t.checkpoint_root}"
        f" signed by {t.signed_by}",
        "",
    ]
    kinds = "+".join(t.request_kinds) or "no regulated request"
    if t.not_applicable:
        out += [f"Clocks: not applicable ({t.not_applicable})", ""]
    elif t.deadlines:
        out.append(f"Deadlines (as of now; {kinds}; case {t.state}):")
        out.extend(f"  {d.describe()}" for d in t.deadlines)
        out.extend(f"  note: {n}" for n in t.notes)
        out.append("")
    for item in t.items:
        proof = (
            f"inclusion proof verified ({len(item.proof.path)} hashes)"
            if item.proof.verified
            else "INCLUSION PROOF NOT VERIFIED"
        )
        out.append(f"#{item.seq}  {item.time}  {item.type}  by {item.actor}  [{proof}]")
        out.append(f"    {item.summary}")
        out.extend(f"    {line}" for line in item.details)
    out.append("")
    out.append(
        "All entries verified against the signed checkpoint."
        if t.verified
        else "FAILED: some entries did not verify; run 'mailledger verify'."
    )
    return "\n".join(out)


# -- search ----------------------------------------------------------------------


@click.command()
@click.option("--from", "date_from", metavar="DATE", help="Received on or after (YYYY-MM-DD).")
@click.option("--to", "date_to", metavar="DATE", help="Received on or before (YYYY-MM-DD).")
@click.option("--mailbox", type=TEXT, metavar="NAME", help="Only this mailbox.")
@click.option("--sender", type=TEXT, metavar="ADDR", help="Sender address, or @domain.")
@click.option("--account", type=TEXT, metavar="NUMBER", help="Loan account number mentioned.")
@click.option("--category", type=TEXT, metavar="C", help="Classification category.")
@click.option("--escalated", is_flag=True, help="Only escalated records.")
@click.option(
    "--text", type=TEXT, metavar="WORDS", help="Words in subject, body or attachment names."
)
@click.option("--limit", type=click.IntRange(min=1, max=_MAX_LIMIT), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print records as JSON.")
@pass_app
def search(
    app: AppContext,
    date_from: str | None,
    date_to: str | None,
    mailbox: str | None,
    sender: str | None,
    account: str | None,
    category: str | None,
    escalated: bool,
    text: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """Find records; account numbers are shown masked."""
    criteria = _criteria(
        app, date_from, date_to, mailbox, sender, account, category, escalated, text, limit
    )
    with open_archive(app, writable=False) as archive:
        try:
            page = archive.search_proven(criteria)
        except SearchTextError as exc:
            raise click.BadParameter(str(exc), param_hint="--text") from exc
    rows = [p.row for p in page.rows]
    for found in page.disagreements:
        # stderr, so a script reading the table or JSON still sees it
        click.echo(
            f"warning: the search index disagrees with the ledger at {found.describe()};"
            " shown as the ledger says (run 'mailledger verify', then"
            " 'mailledger index --rebuild')",
            err=True,
        )
    if as_json:
        echo_json([_proven_json(p) for p in page.rows])
        return
    if not rows:
        click.echo("no records match")
        return
    head = ("POS", "RECEIVED", "MAILBOX", "SENDER", "SUBJECT", "CATEGORY", "ESC", "REQUESTS",
            "ACCOUNTS")  # fmt: skip
    table = [
        (
            str(r.seq) + ("!" if p.index_differs else "") + ("" if p.signed else "*"),
            r.received[:19].replace("T", " "),
            r.mailbox,
            r.sender,
            (r.listed_subject if len(r.listed_subject) <= 40 else r.listed_subject[:39] + "…")
            if r.assembled
            else "(sealed, not yet assembled)",
            r.category or "-",
            "yes" if r.escalated else "no",
            ",".join(p.request_kinds) + ("machine" if p.machine and not p.request_kinds else "")
            or "-",
            ",".join(mask_account(a) for a in r.accounts) or "-",
        )
        for p in page.rows
        for r in (p.row,)
    ]
    click.echo(format_table(head, table))
    click.echo(
        f"{len(rows)} record(s){' (limit reached)' if len(rows) == limit else ''}, each as"
        f" its ledger entry says (checkpoint of size {page.checkpoint_size})"
        + ("; !: the index disagreed" if page.disagreements else "")
        + ("; *: after that checkpoint" if any(not p.signed for p in page.rows) else ""),
        err=True,
    )


# -- show ------------------------------------------------------------------------


@click.command()
@click.argument("ref")
@click.option("--raw", is_flag=True, help="Write the original message bytes, unchanged.")
@click.option("--out", metavar="FILE", help="With --raw: write to FILE instead of stdout.")
@_reason_option
@pass_app
def show(app: AppContext, ref: str, raw: bool, out: str | None, reason: str | None) -> None:
    """Show a record (headers, text, attachment verdicts) or, with --raw, its original bytes.

    Viewing is recorded as an access.viewed entry before anything is shown.
    """
    if out and not raw:
        raise ConfigError("--out is only for --raw")
    if raw and out:
        _ = app.config  # loaded first: its umask sets the new file's mode
        # Created before the viewing is recorded, so an unusable --out records nothing.
        with new_file(out, "--out") as handle, open_archive(app, writable=True) as archive:
            original = archive.raw(ref, reason)
            handle.write(original.data)
        click.echo(
            f"wrote {len(original.data)} bytes ({original.record.raw_sha256}) to {out}", err=True
        )
        return
    with open_archive(app, writable=True) as archive:
        if raw:
            original = archive.raw(ref, reason)
            sys.stdout.buffer.write(original.data)
            sys.stdout.buffer.flush()
            return
        shown = archive.show(ref, reason)
    echo(render_message(shown))


def render_message(shown: ShownMessage) -> str:
    """Headers, text body and attachment verdicts of a record."""
    record, h = shown.record, shown.body.headers

    def parties(values: Sequence[Party]) -> str:
        return ", ".join(f"{p.name} <{p.address}>" if p.name else p.address for p in values)

    lines = [
        f"Record:      {record.record_id} (ledger position {record.seq})",
        f"Mailbox:     {record.mailbox}/{record.folder} UID {record.uid}",
        f"Received:    {record.received}",
        f"From:        {parties(h.from_)}",
        f"To:          {parties(h.to)}",
    ]
    if h.cc:
        lines.append(f"Cc:          {parties(h.cc)}")
    lines += [
        f"Subject:     {h.subject}",
        f"Date:        {h.date or ''}",
        f"Message-ID:  {h.message_id or ''}",
        f"Raw SHA-256: {record.raw_sha256} ({record.raw_size} bytes)",
        "",
    ]
    lines += [shown.text.rstrip("\n"), ""]
    attachments = shown.body.attachments
    lines.append(f"Attachments: {len(attachments) or 'none'}")
    for a in attachments:
        reasons = ", ".join(a.reasons)
        lines.append(
            f"  {a.safe_filename}  {a.size} bytes  {a.detected_type}"
            f"  {a.verdict.upper()}{'  ' + reasons if reasons else ''}"
        )
    return "\n".join(lines)


# -- export ----------------------------------------------------------------------


@click.command()
@click.option("--out", "out", required=True, metavar="PATH", help="New folder, or a .zip file.")
@click.option("--from", "date_from", metavar="DATE", help="Received on or after (YYYY-MM-DD).")
@click.option("--to", "date_to", metavar="DATE", help="Received on or before (YYYY-MM-DD).")
@click.option("--mailbox", type=TEXT, metavar="NAME", help="Only this mailbox.")
@click.option("--account", type=TEXT, metavar="NUMBER", help="Loan account number mentioned.")
@click.option("--escalated", is_flag=True, help="Only escalated records.")
@click.option(
    "--reason", type=TEXT, metavar="TEXT", default="", help="Why (e.g. the examination request)."
)
@click.option(
    "--as-of",
    "as_of",
    type=click.IntRange(min=1),
    metavar="SIZE",
    help="Prove against the checkpoint of this tree size (re-creates an earlier export).",
)
@click.option(
    "--public-key-out",
    metavar="FILE",
    help="Also write the log's public key to FILE, to send the examiner separately.",
)
@pass_app
def export(
    app: AppContext,
    out: str,
    date_from: str | None,
    date_to: str | None,
    mailbox: str | None,
    account: str | None,
    escalated: bool,
    reason: str,
    as_of: int | None,
    public_key_out: str | None,
) -> None:
    """Write an examination export that verifies offline with its own verify.py."""
    criteria = _criteria(
        app, date_from, date_to, mailbox, None, account, None, escalated, None, None
    )
    _ = app.config  # loaded first: its umask sets the key file's mode
    with ExitStack() as stack:
        # The key file is created before the export, so a path that cannot take it fails
        # the command before anything is written or recorded (and is never overwritten).
        key_file = (
            stack.enter_context(new_file(public_key_out, "--public-key-out"))
            if public_key_out
            else None
        )
        archive = stack.enter_context(open_archive(app, writable=True))
        outcome = archive.export(Path(out), criteria, reason, as_of)
        if key_file is not None:
            keys = "".join(k.to_text() + "\n" for k in archive.ledger.verifier_keys)
            key_file.write(keys.encode("utf-8"))
    result = outcome.result
    click.echo(
        f"exported {len(result.record_ids)} record(s), {result.files} files,"
        f" {result.entries} ledger entries to {out} against checkpoint size"
        f" {result.checkpoint_size}; manifest SHA-256 {result.manifest_sha256};"
        f" recorded as ledger entry {outcome.created.seq}"
    )


@click.command("verify-export")
@click.argument("path", type=click.Path(exists=True))
@click.option(
    "--public-key",
    metavar="FILE",
    help="The log's public key, obtained separately (file or key text).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def verify_export(path: str, public_key: str | None, as_json: bool) -> None:
    """Verify an export folder or .zip; exit 0 when verified, 1 when not."""
    key_text = None
    if public_key is not None:
        key_text = key_argument(public_key, "--public-key")
        try:
            parse_verifier_keys(key_text)
        except NoteError as exc:
            # the same usage error as verify's --public-key, not a failed export
            raise click.BadParameter(str(exc), param_hint="--public-key") from exc
    try:
        report = verify_bundle(path, key_text)
    except UsageError as exc:
        raise ExportError(str(exc)) from exc
    if as_json:
        echo_json(report.to_dict())
    else:
        click.echo(report.render())
    sys.exit(0 if report.verified else 1)


@click.command("index")
@click.option("--rebuild", is_flag=True, help="Delete the index and build it again.")
@pass_app
def index_command(app: AppContext, rebuild: bool) -> None:
    """Bring the local search index up to date with the ledger (or rebuild it)."""
    path = app.config.state_dir / INDEX_FILE
    if rebuild:
        # The explicit way out after a cache was found ahead of the ledger: both caches go.
        for cache in (path, app.config.state_dir / IDENTITIES_FILE):
            for suffix in ("", "-wal", "-shm"):
                Path(str(cache) + suffix).unlink(missing_ok=True)
    with open_archive(app, writable=False) as archive:
        counts = archive.index().counts()
    click.echo(
        f"index {path}: {counts['entries']} entries, {counts['records']} records,"
        f" {counts['links']} record links"
    )


def register(group: click.Group) -> None:
    """Add this module's commands to the group."""
    for command in (trail, search, show, export, verify_export, index_command):
        group.add_command(command)
