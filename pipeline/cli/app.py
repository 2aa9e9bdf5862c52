"""The command group, shared options and error handling.

Exit codes: 0 success, 1 a failure the command reports (a damaged ledger, a
mailbox that failed), 2 usage or configuration errors.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import structlog

from pipeline.config import Config, config_path, load_config
from pipeline.errors import MailledgerError
from pipeline.logs import configure_logging
from pipeline.memory import return_large_buffers
from pipeline.python_check import require_safe_python
from pipeline.runtime import Runtime, open_runtime


@dataclass
class AppContext:
    """Lazily loaded config and adapters for one invocation."""

    config_option: str | None
    log_level: str | None
    _config: Config | None = None
    _runtimes: dict[bool, Runtime] = field(default_factory=dict)

    @property
    def config(self) -> Config:
        """The validated config (loaded on first use)."""
        if self._config is None:
            self._config = load_config(config_path(self.config_option))
            configure_logging(
                self.log_level or self._config.logging.level, self._config.logging.format
            )
        return self._config

    def runtime(self, *, writable: bool = False) -> Runtime:
        """Store and ledger built from the config."""
        if writable not in self._runtimes:
            self._runtimes[writable] = open_runtime(self.config, writable=writable)
        return self._runtimes[writable]


class MailledgerGroup(click.Group):
    """Turns :class:`MailledgerError` into a readable message and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand, reporting our errors without a traceback."""
        try:
            return super().invoke(ctx)
        except MailledgerError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)


pass_app = click.make_pass_decorator(AppContext)


def echo_json(value: Any) -> None:
    """Print ``value`` as indented JSON on stdout."""
    click.echo(json.dumps(value, indent=2, sort_keys=True, default=str))


@click.group(cls=MailledgerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_option",
    metavar="PATH",
    help="Config file (default: $MAILLEDGER_CONFIG, else ./config.yaml).",
)
@click.option(
    "--log-level",
    type=click.Choice(["debug", "info", "warning", "error"]),
    help="Override the configured log level.",
)
@click.version_option(package_name="mailledger")
@click.pass_context
def cli(ctx: click.Context, config_option: str | None, log_level: str | None) -> None:
    """mailledger: email ingestion with a tamper-evident audit trail."""
    configure_logging(log_level or "warning")
    ctx.obj = AppContext(config_option, log_level)
    structlog.contextvars.clear_contextvars()


def _register() -> None:
    # Command modules import heavy libraries; importing them here keeps the
    # group importable on its own and each module small.
    from pipeline.cli import (
        case_commands,
        demo_commands,
        event_commands,
        handler_commands,
        ingest_commands,
        ledger_commands,
        records_commands,
        report_commands,
        storage_commands,
    )

    for module in (
        ledger_commands,
        ingest_commands,
        event_commands,
        handler_commands,
        demo_commands,
        case_commands,
        report_commands,
        records_commands,
        storage_commands,
    ):
        module.register(cli)


_register()


def main() -> None:
    """Console-script entry point."""
    require_safe_python()
    return_large_buffers()
    cli(prog_name="mailledger")


def resolve_path(value: str | None) -> Path | None:
    """Optional CLI path argument as a Path."""
    return Path(value) if value else None
