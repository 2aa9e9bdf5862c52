"""``keygen``, ``verify`` and ``checkpoint``."""

from __future__ import annotations

import socket
import sys
from dataclasses import asdict
from pathlib import Path

import click

from pipeline.cli.app import AppContext, echo_json, pass_app
from pipeline.cli.params import key_argument, read_text_file
from pipeline.config import Config
from pipeline.errors import CheckpointError, ConfigError, LedgerError, WitnessError
from pipeline.ledger.checkpoint import SigningKey, VerifierKey
from pipeline.ledger.keys import read_signing_key, write_signing_key
from pipeline.ledger.log import Ledger
from pipeline.ledger.relay import WITNESS_STATUS_FILE, WitnessRelay, read_statuses
from pipeline.ledger.tlog_witness import TlogWitnessClient
from pipeline.ledger.verify import verify_ledger
from pipeline.ledger.writers import (
    certificate_key,
    certify_writer,
    revocation_key,
    revoke_writer,
)
from pipeline.merkle import MerkleTree
from pipeline.retention.audit import DisposalAudit
from pipeline.runtime import (
    checkpoint_witness,
    retention_days,
    tlog_witnesses,
    verifier_keys,
    witness_wait_seconds,
)


@click.command()
@click.option("--out", "out", metavar="FILE", help="Key file (default: signing.key_file).")
@click.option("--name", metavar="NAME", help="Key name (default: the log origin).")
@click.option(
    "--writer",
    is_flag=True,
    help="Make a worker's batch-signing key (default file: signing.writer_key_file) and"
    " certify it with the log key, which must be available here.",
)
@pass_app
def keygen(app: AppContext, out: str | None, name: str | None, writer: bool) -> None:
    """Create the Ed25519 key that signs checkpoints (or, with --writer, a worker's key that
    signs its batches); prints its public (verifier) key."""
    config = app.config
    if writer:
        _writer_keygen(app, out, name)
        return
    path = Path(out) if out else config.signing.key_file
    if path is None:
        raise ConfigError("no key file: pass --out or set signing.key_file")
    key = SigningKey.generate(name or config.origin)
    write_signing_key(path, key)
    click.echo(f"wrote signing key to {path} (keep it secret; back it up)", err=True)
    click.echo(key.verifier.to_text())


def _writer_keygen(app: AppContext, out: str | None, name: str | None) -> None:
    config = app.config
    log_key = read_signing_key(env=config.signing.key_env, file=config.signing.key_file)
    if log_key is None:
        raise ConfigError(
            "certifying a writer key needs the log's signing key (signing.key_file or"
            f" {config.signing.key_env or 'signing.key_env'}); run this where it is"
        )
    path = Path(out) if out else config.signing.writer_key_file
    if path is None:
        raise ConfigError("no writer key file: pass --out or set signing.writer_key_file")
    key_name = name or f"{config.origin}/writer-{socket.gethostname()}"
    if not key_name or any(c.isspace() or c == "+" for c in key_name):
        raise ConfigError(f"key name {key_name!r} must not be empty or contain spaces or '+'")
    key = SigningKey.generate(key_name)
    write_signing_key(path, key)
    certificate = certify_writer(log_key, config.origin, key.verifier)
    runtime = app.runtime()
    runtime.store.put(certificate_key(key.verifier), certificate.encode("utf-8"))
    click.echo(
        f"wrote writer key to {path} and its certificate to {certificate_key(key.verifier)}"
        " (set signing.writer_key_file on the worker)",
        err=True,
    )
    click.echo(key.verifier.to_text())


@click.command("revoke-writer")
@click.argument("verifier_key", metavar="VKEY")
@click.option(
    "--from",
    "position",
    type=click.IntRange(min=0),
    help="First ledger position the key no longer covers (default: the log's size now).",
)
@pass_app
def revoke_writer_command(app: AppContext, verifier_key: str, position: int | None) -> None:
    """Withdraw a writer key (printed by 'keygen --writer'): batches it signs from the
    position on are refused. Needs the log key."""
    config = app.config
    log_key = read_signing_key(env=config.signing.key_env, file=config.signing.key_file)
    if log_key is None:
        raise ConfigError("revoking a writer key needs the log's signing key; run this where it is")
    try:
        writer = VerifierKey.from_text(verifier_key)
    except CheckpointError as exc:
        raise click.BadParameter(str(exc), param_hint="VKEY") from exc
    runtime = app.runtime()
    at = runtime.ledger.size() if position is None else position
    try:
        note = revoke_writer(log_key, config.origin, writer, at, verifier_keys(config))
    except CheckpointError as exc:
        raise click.BadParameter(str(exc), param_hint="VKEY") from exc
    runtime.store.put(revocation_key(writer), note.encode("utf-8"))
    click.echo(f"writer key {writer.name!r} is revoked from ledger position {at}")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--checkpoint",
    "checkpoint_file",
    metavar="FILE",
    type=click.Path(exists=True, dir_okay=False),
    help="A checkpoint saved earlier: the log must still contain that history.",
)
@click.option(
    "--skip-content",
    is_flag=True,
    help="Do not re-hash stored messages and files (nor check disposals against holds).",
)
@click.option(
    "--allow-empty",
    is_flag=True,
    help="Accept a store with no ledger yet (otherwise an empty store is a failure).",
)
@click.option(
    "--public-key",
    "public_keys",
    multiple=True,
    metavar="KEY",
    help="Trust only this published verifier key (key text or a file holding one); repeatable.",
)
@pass_app
def verify(
    app: AppContext,
    as_json: bool,
    checkpoint_file: str | None,
    skip_content: bool,
    allow_empty: bool,
    public_keys: tuple[str, ...],
) -> None:
    """Check the whole ledger; exit 0 when intact, 1 when not, 2 for a configuration error."""
    config = app.config
    # read before anything is printed, so a bad file is the command's only output
    earlier = read_text_file(checkpoint_file, "--checkpoint") if checkpoint_file else None
    if public_keys:
        # Pinned keys replace the configured ones: whoever can replace the key file (or the
        # config) could otherwise re-sign a rewritten history under a key of their own.
        keys = [_pinned_key(value) for value in public_keys]
    else:
        keys = verifier_keys(config)
        if not keys:
            raise ConfigError(
                "no verifier key is configured: set signing.verifier_keys to the log's published"
                " key (or make the signing key available); without it nothing can be verified"
            )
        if not config.signing.verifier_keys:
            click.echo(
                "warning: the only trusted key comes from the signing key file, which anyone"
                " able to replace it can use to re-sign a rewritten history; pass --public-key"
                " with the log's published key",
                err=True,
            )
    runtime = app.runtime()
    report = verify_ledger(
        runtime.store,
        keys,
        config.origin,
        earlier_checkpoint=earlier,
        witness=checkpoint_witness(config),
        check_content=not skip_content,
        allow_empty=allow_empty,
        audits=[DisposalAudit(retention_days(config))],
    )
    witnesses = read_statuses(config.state_dir / WITNESS_STATUS_FILE)
    if as_json:
        data = report.to_json()
        data["witnesses"] = [{**asdict(s), "behind": s.behind} for s in witnesses.values()]
        echo_json(data)
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
    if not as_json:
        # what the writers last delivered to each witness (a report; the witnessed
        # checkpoint above is the evidence)
        for status in witnesses.values():
            level = "warning" if status.behind else "note"
            click.echo(f"{level}: {status.describe()}; the log has {report.size} entries")
    sys.exit(0 if report.ok else 1)


@click.command()
@click.option(
    "--out",
    metavar="FILE",
    help="Save the signed checkpoint to FILE (a new file; never overwritten).",
)
@click.option("--json", "as_json", is_flag=True, help="Print size, root and note as JSON.")
@click.option(
    "--status",
    is_flag=True,
    help="Only say how far each witness has taken the log's checkpoints (exit 1 when one"
    " is behind); contacts nothing.",
)
@pass_app
def checkpoint(app: AppContext, out: str | None, as_json: bool, status: bool) -> None:
    """Print (or save) the latest signed checkpoint, for a records officer or regulator to keep;
    it is also given to the configured witness, and cosigned by any external witnesses."""
    if status:
        _witness_status(app, as_json)
        return
    runtime = app.runtime(
        writable=read_signing_key(env=app.config.signing.key_env, file=app.config.signing.key_file)
        is not None
    )
    size = runtime.ledger.size()
    if size == 0:
        raise LedgerError("the ledger is empty: there is no checkpoint yet")
    note = runtime.ledger.checkpoint_note(size)
    signed = runtime.ledger.read_checkpoint_text(note)
    if runtime.relay is not None:
        note = _witnessed(runtime.relay, app.config, size, note)
    else:
        note = _cosigned(runtime.ledger, note, tlog_witnesses(app.config))
    if out:
        _save_new(Path(out), note)
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


def _witness_status(app: AppContext, as_json: bool) -> None:
    """What the writers last recorded of each witness (``state_dir/witnesses.json``)."""
    statuses = list(read_statuses(app.config.state_dir / WITNESS_STATUS_FILE).values())
    if as_json:
        echo_json([{**asdict(s), "behind": s.behind} for s in statuses])
    elif not statuses:
        click.echo("no witness has been given a checkpoint by this installation")
    for status in statuses if not as_json else ():
        click.echo(f"{'behind' if status.behind else 'ok'}: {status.describe()}")
    sys.exit(1 if any(s.behind for s in statuses) else 0)


def _witnessed(relay: WitnessRelay, config: Config, size: int, note: str) -> str:
    """``note`` given to every configured witness now, with each tlog witness's cosignature.

    Appends hand the witnesses each checkpoint they sign in the background; this covers
    a head signed before a witness was configured, or one a witness missed while it was
    down, and waits for the answers: a witness that refuses or cannot be reached fails
    the command, naming it.
    """
    relay.add(size, note)
    statuses = relay.flush(witness_wait_seconds(config))
    behind = [s for s in statuses if s.error is not None or s.size < size]
    if behind:
        # the witness's own words (a refusal names the sizes), else how far it got
        raise WitnessError("; ".join(s.error or s.describe() for s in behind))
    lines = [
        s.cosigned_note.removeprefix(note)
        for s in statuses
        if s.kind == "tlog" and s.cosigned_note is not None and s.cosigned_note.startswith(note)
    ]
    return note + "".join(lines)


def _cosigned(ledger: Ledger, note: str, witnesses: list[TlogWitnessClient]) -> str:
    """``note`` with each external witness's cosignature line appended.

    A witness refuses a log that is shorter than, or does not extend, what it cosigned
    before; that refusal is the command's failure.
    """
    if not witnesses:
        return note
    signed = ledger.read_checkpoint_text(note).checkpoint
    tree = MerkleTree([entry.leaf_hash for entry in ledger.entries(0, signed.size)])
    if tree.size != signed.size or tree.root() != signed.root:
        raise LedgerError(
            f"the log's first {signed.size} entries do not have the signed root: run"
            " 'mailledger verify'"
        )
    try:
        return note + "".join(witness.cosign(tree, note).line for witness in witnesses)
    finally:
        for witness in witnesses:
            witness.close()


def _pinned_key(value: str) -> VerifierKey:
    """A ``--public-key`` value: the key text itself, or a file holding it."""
    text = key_argument(value, "--public-key")
    try:
        return VerifierKey.from_text(text.strip())
    except CheckpointError as exc:
        raise click.BadParameter(str(exc), param_hint="--public-key") from exc


def _save_new(path: Path, note: str) -> None:
    """Write a checkpoint to a new file: a saved checkpoint is the user's evidence against a cut
    tail, so replacing one with a later (possibly shorter) note would discard that evidence."""
    try:
        with path.open("x", encoding="utf-8") as handle:
            handle.write(note)
    except FileExistsError as exc:
        raise click.BadParameter(
            f"{path} already exists; a saved checkpoint is never overwritten (choose a new file)",
            param_hint="--out",
        ) from exc


def register(group: click.Group) -> None:
    """Add this module's commands to the group."""
    for command in (keygen, revoke_writer_command, verify, checkpoint):
        group.add_command(command)
