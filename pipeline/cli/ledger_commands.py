"""``keygen``, ``verify`` and ``checkpoint``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pipeline.cli.app import AppContext, echo_json, pass_app
from pipeline.errors import ConfigError, LedgerError
from pipeline.ledger.checkpoint import SigningKey
from pipeline.ledger.keys import read_signing_key, write_signing_key
from pipeline.ledger.verify import verify_ledger
from pipeline.runtime import verifier_keys


@click.command()
@click.option("--out", "out", metavar="FILE", help="Key file (default: signing.key_file).")
@click.option("--name", metavar="NAME", help="Key name (default: the log origin).")
@pass_app
def keygen(app: AppContext, out: str | None, name: str | None) -> None:
    """Create the Ed25519 key that signs checkpoints; prints its public (verifier) key."""
    config = app.config
    path = Path(out) if out else config.signing.key_file
    if path is None:
        raise ConfigError("no key file: pass --out or set signing.key_file")
    key = SigningKey.generate(name or config.origin)
    write_signing_key(path, key)
    click.echo(f"wrote signing key to {path} (keep it secret; back it up)", err=True)
    click.echo(key.verifier.to_text())


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--checkpoint",
    "checkpoint_file",
    metavar="FILE",
    type=click.Path(exists=True, dir_okay=False),
    help="A checkpoint saved earlier: the log must still contain that history.",
)
@click.option("--skip-content", is_flag=True, help="Do not re-hash stored messages and files.")
@pass_app
def verify(app: AppContext, as_json: bool, checkpoint_file: str | None, skip_content: bool) -> None:
    """Check the whole ledger; exit 0 when intact, 1 when not."""
    config = app.config
    runtime = app.runtime()
    earlier = Path(checkpoint_file).read_text(encoding="utf-8") if checkpoint_file else None
    report = verify_ledger(
        runtime.store,
        verifier_keys(config),
        config.origin,
        earlier_checkpoint=earlier,
        check_content=not skip_content,
    )
    if as_json:
        echo_json(report.to_json())
    elif report.ok:
        click.echo(
            f"OK: {report.size} entries intact, {len(report.checkpoints)} checkpoints verified,"
            f" {report.objects_checked} stored objects match their hashes"
            + (f", {report.disposed} disposed under policy" if report.disposed else "")
        )
        for note in report.notes:
            click.echo(f"note: {note}")
    else:
        first = report.problems[0]
        click.echo(f"FAILED at {first}")
        for problem in report.problems[1:]:
            click.echo(f"  also {problem}")
    sys.exit(0 if report.ok else 1)


@click.command()
@click.option("--out", metavar="FILE", help="Save the signed checkpoint to FILE.")
@click.option("--json", "as_json", is_flag=True, help="Print size, root and note as JSON.")
@pass_app
def checkpoint(app: AppContext, out: str | None, as_json: bool) -> None:
    """Print (or save) the latest signed checkpoint, for a records officer or regulator to keep."""
    runtime = app.runtime(
        writable=read_signing_key(env=app.config.signing.key_env, file=app.config.signing.key_file)
        is not None
    )
    size = runtime.ledger.size()
    if size == 0:
        raise LedgerError("the ledger is empty: there is no checkpoint yet")
    note = runtime.ledger.checkpoint_note(size)
    signed = runtime.ledger.read_checkpoint_text(note)
    if out:
        Path(out).write_text(note, encoding="utf-8")
        click.echo(f"saved checkpoint of size {size} to {out}", err=True)
    if as_json:
        echo_json(
            {
                "origin": signed.checkpoint.origin,
                "size": signed.checkpoint.size,
                "root": signed.checkpoint.root.hex(),
                "key": signed.key_name,
                "note": note,
            }
        )
    elif not out:
        click.echo(note, nl=False)


def register(group: click.Group) -> None:
    """Add this module's commands to the group."""
    for command in (keygen, verify, checkpoint):
        group.add_command(command)
