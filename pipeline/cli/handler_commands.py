"""``handle acknowledge|escalate``: run a handler over events from SQS or the local outbox.

``handle extension-notices`` sends the written notice of every extension not yet noticed.
"""

from __future__ import annotations

import sys

import click

from pipeline.cli.app import AppContext, echo_json, pass_app
from pipeline.cli.output import echo, one_line
from pipeline.emit.config import JsonlSinkConfig
from pipeline.errors import ConfigError, HandlerError
from pipeline.runtime import sqs_client

# the config section each handler is built from
_SECTIONS = {"acknowledge": "acknowledgment", "escalate": "escalation"}


@click.command()
@click.argument("which", type=click.Choice(["acknowledge", "escalate", "extension-notices"]))
@click.option("--queue-url", metavar="URL", help="Read from this SQS queue instead of the outbox.")
@click.option("--endpoint-url", metavar="URL", help="SQS endpoint (a local emulator).")
@click.option(
    "--region",
    metavar="NAME",
    help="With --queue-url: SQS region (default: the AWS environment's, else the queue URL's).",
)
@click.option("--max-batches", type=int, help="With --queue-url: stop after N receive calls.")
@click.option("--json", "as_json", is_flag=True, help="Print counts as JSON.")
@pass_app
def handle(
    app: AppContext,
    which: str,
    queue_url: str | None,
    endpoint_url: str | None,
    region: str | None,
    max_batches: int | None,
    as_json: bool,
) -> None:
    """Acknowledge senders or notify escalation routes for events not yet handled.

    Each action is sealed in the ledger; running twice never acts twice.
    """
    from handlers.queue_source import run_outbox, run_sqs
    from pipeline.handler_app import handlers_for

    config = app.config
    if which == "extension-notices":
        _extension_notices(app, as_json)
        return
    section = _SECTIONS[which]
    if getattr(config, section) is None:
        # one configuration error before any event is read, not a failure per event
        where = f" {config.source_path}" if config.source_path else ""
        raise ConfigError(
            f"handle {which}: the config{where} has no '{section}' section; add one to"
            " enable it (the example config.yaml shows its options)"
        )
    client = sqs_client(queue_url, region, endpoint_url) if queue_url else None
    context = handlers_for(config, app.runtime(writable=True))
    handler = context.acknowledgment if which == "acknowledge" else context.escalation
    if queue_url and client is not None:
        stats = run_sqs(handler, client, queue_url, max_batches=max_batches or 1, wait_seconds=1)
    else:
        outbox = next((s for s in config.events.sinks if isinstance(s, JsonlSinkConfig)), None)
        if outbox is None:
            raise ConfigError("no jsonl sink configured to read events from; pass --queue-url")
        stats = run_outbox(handler, outbox.path, config.state_dir / "handlers" / f"{which}.offset")
    if as_json:
        echo_json(
            {
                "handled": stats.handled,
                "failed": stats.failed,
                "permanent": stats.permanent,
                "deferred": stats.deferred,
                "quarantined": stats.quarantined,
                "errors": stats.errors,
            }
        )
    else:
        click.echo(
            f"{which}: handled {stats.handled} events, {stats.failed} failed "
            f"({stats.permanent} permanently), {stats.deferred} deferred to a later run, "
            f"{stats.quarantined} unreadable lines quarantined"
        )
        for error in stats.errors:
            click.echo(f"  error: {error}")
    sys.exit(0 if stats.failed == 0 else 1)


def _extension_notices(app: AppContext, as_json: bool) -> None:
    """Send every written notice of an extension that is not yet sent; exit 1 on a failure."""
    from pipeline.handler_app import extension_notice_handler

    handler = extension_notice_handler(app.config, app.runtime(writable=True))
    outcomes: list[dict[str, object]] = []
    failed: list[str] = []
    for seq in handler.pending():
        try:
            result = handler.handle(seq)
        except HandlerError as exc:
            failed.append(str(exc))
            continue
        outcomes.append(
            {"extension_seq": seq, "record_id": result.record_id, "outcome": result.outcome}
        )
    if as_json:
        echo_json({"handled": outcomes, "errors": failed})
    else:
        for item in outcomes:
            echo(
                one_line(
                    f"{item['record_id']} extension {item['extension_seq']}: {item['outcome']}"
                )
            )
        for error in failed:
            echo(one_line(f"  error: {error}"))
    sys.exit(0 if not failed else 1)


def register(group: click.Group) -> None:
    """Add this module's commands to the group."""
    group.add_command(handle)
