"""``demo``: the whole pipeline on this machine, on embedded defaults."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option(
    "--dir",
    "directory",
    default="var/demo",
    show_default=True,
    help="Where the demo keeps its config, records and servers (must be empty).",
)
def demo(directory: str) -> None:
    """Start a local IMAP server with sample servicing mail and an SMTP sink, then
    poll, acknowledge, escalate, verify and show the audit trail, printing each
    command as an operator would type it."""
    from pipeline.demo.runner import run_demo

    run_demo(Path(directory))


def register(group: click.Group) -> None:
    """Add this module's commands to the group."""
    group.add_command(demo)
