"""The command group, shared options and error handling.

Exit codes (documented in the README; every error is one line on stderr):

- 0 success;
- 1 a failure the command reports: a damaged ledger or export, a record that did
  not verify, an action refused by policy (retention, holds, case state), a
  reference that matches no record, a mailbox that failed;
- 2 usage or configuration error (bad option, date, config file, key file);
- 3 operational failure: a file or folder that cannot be read or written, a full
  disk, a broken index database, or an internal error;
- 4 ``poll``: a mailbox was skipped because another worker holds its lease (and
  nothing failed), so a stalled mailbox does not look like success;
- 128 + the signal's number (130 for Ctrl-C, SIGINT; 143 for SIGTERM): a one-shot
  command (``import``, ``poll``, ``assemble``) stopped by a signal before it finished,
  as shells report a command a signal ended; what it committed is kept, and running it
  again continues. ``run``, and ``assemble`` on a queue, end on SIGTERM by design: 0.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import structlog

from pipeline.cli.output import fail
from pipeline.config import Config, config_path, load_config
from pipeline.errors import ConfigError, MailledgerError
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
            try:
                self._config = load_config(config_path(self.config_option))
            except OSError as exc:
                raise ConfigError(f"cannot read the config: {_os_error(exc)}") from exc
            # Every file and folder this process creates from here on (exports, raw
            # dumps, state, index, outbox, store objects, and whatever SQLite or zipfile
            # create for us) gets at most files.file_mode / files.dir_mode.
            os.umask(self._config.files.umask())
            configure_logging(
                self.log_level or self._config.logging.level, self._config.logging.format
            )
        return self._config

    def runtime(self, *, writable: bool = False) -> Runtime:
        """Store and ledger built from the config.

        A read-only command over a local store that does not exist fails (exit 2) naming
        the path, instead of reporting an empty ledger; a writable one creates the store.
        """
        if writable not in self._runtimes:
            self._runtimes[writable] = open_runtime(
                self.config, writable=writable, existing_store=True
            )
        return self._runtimes[writable]

    def close(self) -> None:
        """At the command's end: the witnesses take the checkpoints it signed."""
        for runtime in self._runtimes.values():
            runtime.close()


EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_OPERATIONAL = 3
EXIT_LEASE_HELD = 4
EXIT_SIGNAL_BASE = 128  # plus the signal's number, as shells report a command a signal ended

log = structlog.get_logger(__name__)


def _os_error(exc: OSError) -> str:
    what = exc.strerror or exc.__class__.__name__
    where = exc.filename if exc.filename is not None else None
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        what += " (free space there, then run the command again)"
    return f"{where}: {what}" if where is not None else what


def _state_dir(ctx: click.Context) -> str:
    app = ctx.find_object(AppContext)
    if app is not None and app._config is not None:
        return str(app._config.state_dir)
    return "state_dir"


class MailledgerGroup(click.Group):
    """Turns every error into one line on stderr and its documented exit code."""

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command; usage errors are one line (click's are several), exit 2."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        # The config sets the umask; put the caller's back afterwards (tests invoke the
        # command in-process, and their later files must not inherit ours).
        umask = os.umask(0o077)
        os.umask(umask)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as exc:
            where = exc.ctx.command_path if exc.ctx is not None else (prog_name or "mailledger")
            fail(f"{where}: {exc.format_message()} (see '{where} --help')", EXIT_USAGE)
        except click.ClickException as exc:
            fail(exc.format_message(), exc.exit_code)
        except click.Abort as exc:
            if isinstance(exc.__context__, KeyboardInterrupt):
                # Ctrl-C outside a worker's stop flag: whatever was committed is kept
                fail(
                    "stopped by SIGINT before the command finished; run it again",
                    EXIT_SIGNAL_BASE + signal.SIGINT,
                )
            fail("aborted", EXIT_FAILED)
        finally:
            os.umask(umask)
        sys.exit(code if isinstance(code, int) else EXIT_OK)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand, reporting every error in one line, without a traceback."""
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.Abort, click.exceptions.Exit):
            raise
        except MailledgerError as exc:
            fail(str(exc), exc.exit_code)
        except OSError as exc:
            fail(_os_error(exc), EXIT_OPERATIONAL)
        except sqlite3.Error as exc:
            fail(
                f"the search index in {_state_dir(ctx)} failed: {exc}; if it persists,"
                " delete the index files there (the index is rebuilt from the ledger)",
                EXIT_OPERATIONAL,
            )
        except Exception as exc:  # the last line of defence: no traceback for the operator
            log.debug("cli.internal_error", exc_info=True)
            fail(
                f"internal error ({type(exc).__name__}) in '{ctx.command_path}';"
                " run with --log-level debug for details and report it",
                EXIT_OPERATIONAL,
            )


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
    ctx.call_on_close(ctx.obj.close)
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
        web_commands,
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
        web_commands,
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
