"""Proof of writer: who may add entries to the log, and the signature every batch carries.

Anyone who can write to the store could otherwise add a batch of well-formed,
correctly chained entries, and the next honest writer would sign a checkpoint
over them. So every batch ends with a proof line: an Ed25519 signature by an
authorised writer over a statement that binds the batch to the whole history
before it (the RFC 6962 root of the tree that the batch completes):

    mailledger-batch/v1
    <origin>
    <position of the batch's first entry>
    <tree size after the batch>
    <base64 root hash at that size>

The proof line is ``— <key name> <tree size> <base64(key id || signature)>``, the
signed-note signature line with the size added, so a verifier can tell entries
appended to a signed batch from a batch that was rewritten.

Authorised writers are the log's own keys (the keys trusted to sign checkpoints)
and writer keys that one of them certified. A certificate is a signed note by a
log key, kept under ``ledger/writers/``:

    mailledger-writer/v1
    <origin>
    <writer verifier key, in note vkey text form>

A log key withdraws a writer key (one that leaked, or a retired worker's) with a
revocation beside it: batches starting at or after the position it names are not
authorised by that writer key any more.

    mailledger-writer-revoked/v1
    <origin>
    <writer verifier key>
    <first position no longer authorised>

Both statements start with a line containing a character (``/`` then a version,
no origin may contain a space) that keeps them from ever parsing as a checkpoint.
Everything here is pure: callers read and write the store.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.errors import CheckpointError, LedgerError
from pipeline.ledger import layout
from pipeline.ledger.checkpoint import (
    SigningKey,
    VerifierKey,
    check_signature,
    open_note,
    sign_note,
    signature_blob,
)

BATCH_STATEMENT = "mailledger-batch/v1"
WRITER_STATEMENT = "mailledger-writer/v1"
REVOKED_STATEMENT = "mailledger-writer-revoked/v1"
PROOF_PREFIX = "\u2014 "  # the signed-note signature line prefix (em dash, space)


def batch_statement(origin: str, first: int, size: int, root: bytes) -> bytes:
    """The text a writer signs for the batch at ``first`` that makes the tree ``size`` long."""
    return (
        f"{BATCH_STATEMENT}\n{origin}\n{first}\n{size}\n{base64.b64encode(root).decode()}\n"
    ).encode()


@dataclass(frozen=True)
class BatchProof:
    """The proof line of a batch: who signed it, for which tree size, and the signature."""

    key_name: str
    size: int
    blob: str  # base64(key id || Ed25519 signature), as in signed-note lines

    def to_line(self) -> bytes:
        """The line stored after the batch's entries (without the newline)."""
        return f"{PROOF_PREFIX}{self.key_name} {self.size} {self.blob}".encode()

    @classmethod
    def parse(cls, line: bytes) -> BatchProof:
        """Parse a proof line; :class:`LedgerError` when it is malformed."""
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise LedgerError("the writer signature line is not text") from exc
        parts = text[len(PROOF_PREFIX) :].split(" ")
        if (
            not text.startswith(PROOF_PREFIX)
            or len(parts) != 3
            or not parts[0]
            or not parts[1].isdigit()
        ):
            raise LedgerError("the writer signature line is malformed")
        return cls(parts[0], int(parts[1]), parts[2])


def sign_batch(key: SigningKey, origin: str, first: int, size: int, root: bytes) -> BatchProof:
    """The proof that ``key``'s holder wrote the batch at ``first`` ending at ``size``."""
    statement = batch_statement(origin, first, size, root)
    return BatchProof(key.name, size, signature_blob(statement, key))


def check_batch_proof(
    proof: BatchProof, writers: Sequence[VerifierKey], origin: str, first: int, root: bytes
) -> VerifierKey:
    """The writer whose signature ``proof`` is, over the tree of ``proof.size`` with ``root``.

    Raises :class:`CheckpointError` naming what is wrong: an unknown (uncertified)
    writer key, or a signature that does not match the stored entries.
    """
    statement = batch_statement(origin, first, proof.size, root)
    key = check_signature(statement, proof.key_name, proof.blob, list(writers), "batch")
    if key is None:
        raise CheckpointError(
            f"the batch is signed by key {proof.key_name!r}, which is neither a trusted log key nor"
            " a writer key a trusted log key certified"
        )
    return key


# -- writer certificates -----------------------------------------------------------------


def _writer_digest(writer: VerifierKey) -> str:
    # names may hold '/', so a hash of the key text names a writer's objects
    return hashlib.sha256(writer.to_text().encode()).hexdigest()[:32]


def certificate_key(writer: VerifierKey) -> str:
    """Store key of the certificate for ``writer``."""
    return f"{layout.WRITERS}{_writer_digest(writer)}.note"


def revocation_key(writer: VerifierKey) -> str:
    """Store key of the revocation of ``writer``."""
    return f"{layout.WRITERS}{_writer_digest(writer)}.revoked"


def certify_writer(log_key: SigningKey, origin: str, writer: VerifierKey) -> str:
    """A certificate: ``log_key`` authorises ``writer`` to append to the log ``origin``."""
    return sign_note(f"{WRITER_STATEMENT}\n{origin}\n{writer.to_text()}\n", log_key)


def revoke_writer(
    log_key: SigningKey,
    origin: str,
    writer: VerifierKey,
    position: int,
    log_keys: Sequence[VerifierKey] = (),
) -> str:
    """A revocation: batches at or after ``position`` signed by ``writer`` are not authorised.

    ``writer`` must be a certified writer key. A log key (``log_key`` itself or one of
    ``log_keys``) signs batches on its own authority, which no revocation withdraws:
    :class:`CheckpointError` rather than a statement that would change nothing.
    """
    if writer == log_key.verifier or writer in log_keys:
        raise CheckpointError(
            f"{writer.name!r} is a log key, not a certified writer key: revoking it would"
            " change nothing; to retire a log key, rotate it (mailledger keygen with a new"
            " key file) and drop the old one from signing.verifier_keys"
        )
    return sign_note(f"{REVOKED_STATEMENT}\n{origin}\n{writer.to_text()}\n{position}\n", log_key)


def _open(note: str, log_keys: Sequence[VerifierKey], origin: str, what: str) -> list[str]:
    body, _ = open_note(note, list(log_keys), what)
    lines = body.split("\n")
    statement = WRITER_STATEMENT if what == "writer certificate" else REVOKED_STATEMENT
    expected = 4 if what == "writer certificate" else 5
    if len(lines) != expected or lines[0] != statement or lines[-1] != "":
        raise CheckpointError(f"{what} is not in the {statement} form")
    if lines[1] != origin:
        raise CheckpointError(f"{what} is for log {lines[1]!r}, not this log {origin!r}")
    return lines


def read_certificate(note: str, log_keys: Sequence[VerifierKey], origin: str) -> VerifierKey:
    """The writer key a certificate authorises; :class:`CheckpointError` when it is not valid."""
    return VerifierKey.from_text(_open(note, log_keys, origin, "writer certificate")[2])


def read_revocation(
    note: str, log_keys: Sequence[VerifierKey], origin: str
) -> tuple[VerifierKey, int]:
    """The writer key a revocation withdraws and the first position it no longer covers."""
    lines = _open(note, log_keys, origin, "writer revocation")
    if not lines[3].isdigit():
        raise CheckpointError("writer revocation names no position")
    return VerifierKey.from_text(lines[2]), int(lines[3])


@dataclass(frozen=True)
class Grant:
    """A certified writer key and the first position it no longer covers (None: none)."""

    key: VerifierKey
    until: int | None = None


def grants_from(certified: Sequence[VerifierKey], revoked: dict[VerifierKey, int]) -> list[Grant]:
    """Certified keys with their revocations applied (the earliest revocation wins)."""
    return [Grant(key, revoked.get(key)) for key in certified]


def writers_at(
    log_keys: Sequence[VerifierKey], grants: Sequence[Grant], first: int
) -> list[VerifierKey]:
    """The keys authorised to sign a batch starting at ``first``."""
    return [*log_keys, *(g.key for g in grants if g.until is None or first < g.until)]
