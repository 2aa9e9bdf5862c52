"""Checkpoint witnesses: signed checkpoints kept where the log's writers cannot remove them.

Whoever can write the store can cut entries off the end together with their
checkpoints, leaving a shorter log that is consistent on its own. A witness keeps a
copy of every checkpoint the log signs, create-only, somewhere the writers cannot
delete from: a folder on other storage (:class:`StoreWitness` over a
``LocalStore``) or an S3 Object Lock bucket or prefix with its own credentials
(:class:`StoreWitness` over an ``S3Store`` whose every object carries COMPLIANCE or
GOVERNANCE retention). ``verify`` then checks the log against the newest
checkpoint it finds there (:func:`check_witnessed`):

- the same size: the same root;
- a smaller witnessed size: an RFC 6962 section 2.1.2 consistency proof from the
  witnessed tree to the log's;
- a larger witnessed size: the log was truncated;
- a note no trusted log key signed, or one stored under another size: a failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from pipeline.errors import CheckpointError, LedgerError, ObjectConflictError, StorageError
from pipeline.ledger import layout
from pipeline.ledger.audit import Fault, Problem
from pipeline.ledger.checkpoint import VerifierKey, verify_note
from pipeline.merkle import MerkleTree, verify_consistency
from pipeline.storage.base import ObjectStore, VersionedStore

_SIG_PREFIX = "\u2014 "  # signed-note signature lines start with an em dash and a space


@dataclass(frozen=True)
class WitnessedCheckpoint:
    """The newest checkpoint note a witness holds."""

    stored_size: int  # the size it is stored under
    note: str
    where: str  # the witness and key, for findings
    hidden: bool = False  # found only behind an S3 delete marker


class CheckpointSink(Protocol):
    """What the ledger gives each checkpoint it signs to: a witness itself, or a
    :class:`pipeline.ledger.relay.WitnessRelay` that delivers in the background."""

    def add(self, size: int, note: str) -> None:
        """Take the checkpoint for ``size`` entries."""
        ...


class CheckpointWitness(Protocol):
    """Somewhere signed checkpoints are kept out of the writers' reach."""

    description: str

    def add(self, size: int, note: str) -> None:
        """Keep ``note`` (the checkpoint for ``size`` entries), create-only.

        The same note again is a success; a different note for the same size raises
        :class:`LedgerError` (the log forked or was rewritten).
        """
        ...

    def latest(self) -> WitnessedCheckpoint | None:
        """The checkpoint stored under the largest size, or None when there is none."""
        ...


class StoreWitness:
    """A witness over an object store's create-only writes (a folder or an S3 bucket).

    ``require_retention``: every checkpoint must come back protected from deletion
    (S3 Object Lock); a bucket that stores it without retention is refused loudly, as
    such a witness would not survive the insider it is there for.
    """

    def __init__(self, store: ObjectStore, *, require_retention: bool = False) -> None:
        self.store = store
        self.require_retention = require_retention
        # Object Lock cannot be turned off on a bucket once on, and every put asks for the
        # same retention: the first checkpoint a process writes shows whether the server
        # keeps it, and the HEAD is not repeated for every later batch.
        self._retention_seen = False
        self.description = f"the witness ({store.description})"

    def add(self, size: int, note: str) -> None:
        """Write the note under ``ledger/checkpoints/<size>``, never replacing one."""
        key = layout.checkpoint_key(size)
        try:
            self.store.put(key, note.encode("utf-8"))
        except ObjectConflictError as exc:
            raise LedgerError(
                f"{self.description} already holds a different checkpoint for size {size}:"
                " the log has forked or was rewritten; run 'mailledger verify'"
            ) from exc
        if not self.require_retention or self._retention_seen:
            return
        if not self.store.protection(key).blocks_deletion(datetime.now(UTC)):
            raise StorageError(
                f"{self.description} stored {key} without retention: enable Object Lock on"
                " the witness bucket and set ledger.witness_s3.object_lock"
            )
        self._retention_seen = True

    def latest(self) -> WitnessedCheckpoint | None:
        """The note under the largest size, also when a delete marker hides it (S3)."""
        visible = {size for key in self.store.list(layout.CHECKPOINTS) if (size := _size(key))}
        hidden: dict[int, str] = {}  # size -> the oldest stored version's id
        if isinstance(self.store, VersionedStore):
            for version in self.store.list_versions(layout.CHECKPOINTS) or []:
                size = _size(version.key)
                if size and size not in visible and not version.delete_marker:
                    hidden[size] = version.version_id  # newest first: the last one is the oldest
        if not visible and not hidden:
            return None
        size = max(visible | hidden.keys())
        key = layout.checkpoint_key(size)
        where = f"{key} in {self.description}"
        if size in visible:
            return WitnessedCheckpoint(size, _text(self.store.get(key, verify=False)), where)
        assert isinstance(self.store, VersionedStore)
        data = self.store.read_version(key, hidden[size])
        return WitnessedCheckpoint(size, _text(data), where, hidden=True)


def _size(key: str) -> int | None:
    return layout.seq_of(key) if key.startswith(layout.CHECKPOINTS) else None


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def signer_names(note: str) -> list[str]:
    """The key names on a signed note's signature lines (trusted or not)."""
    _, _, signatures = note.partition("\n\n")
    return [
        line[len(_SIG_PREFIX) :].rpartition(" ")[0]
        for line in signatures.splitlines()
        if line.startswith(_SIG_PREFIX)
    ]


@dataclass(frozen=True)
class WitnessCheck:
    """What comparing the log with the witness's newest checkpoint found."""

    problems: list[Problem]
    witnessed_size: int | None  # the size checked against (None: nothing witnessed)
    consistency_proof: list[bytes]  # from the witnessed size to the log's (empty if equal)


def check_witnessed(
    tree: MerkleTree, witnessed: WitnessedCheckpoint, keys: list[VerifierKey], origin: str
) -> WitnessCheck:
    """Compare the log's tree with the witness's newest checkpoint (see the module doc)."""
    where = witnessed.where
    problems: list[Problem] = []
    if witnessed.hidden:
        problems.append(
            Problem(
                None,
                Fault.DELETE_MARKER,
                f"{where} was deleted without its version id: a delete marker hides it",
            )
        )
    try:
        signed = verify_note(witnessed.note, keys, origin=origin)
    except CheckpointError as exc:
        names = ", ".join(repr(name) for name in signer_names(witnessed.note)) or "no key"
        trusted = ", ".join(repr(key.name) for key in keys)
        problems.append(
            Problem(
                None,
                Fault.SIGNATURE_INVALID,
                f"the witnessed checkpoint {where} is signed by {names}, not by a trusted log"
                f" key ({trusted}): {exc}",
            )
        )
        return WitnessCheck(problems, witnessed.stored_size, [])
    size, root = signed.checkpoint.size, signed.checkpoint.root
    if size != witnessed.stored_size:
        problems.append(
            Problem(
                None,
                Fault.MISPLACED,
                f"the witnessed checkpoint {where} signs size {size}, not {witnessed.stored_size}",
            )
        )
        return WitnessCheck(problems, witnessed.stored_size, [])
    if size > tree.size:
        problems.append(
            Problem(
                tree.size,
                Fault.MISSING,
                f"the witnessed checkpoint covers {size} entries but the log has {tree.size}:"
                f" entries {tree.size} to {size - 1} were removed (truncated tail; {where})",
            )
        )
        return WitnessCheck(problems, size, [])
    # RFC 6962 section 2.1.2: PROOF(m, D[n]) shows the witnessed tree is a prefix of the log.
    proof = tree.consistency_proof(size)
    if not verify_consistency(size, tree.size, root, tree.root(), proof):
        if size == tree.size:
            detail = (
                f"the log's {size} entries have root {tree.root().hex()} but the witnessed"
                f" checkpoint of the same size signs {root.hex()}: the log was rewritten"
            )
        else:
            detail = (
                f"no consistency proof leads from the witnessed checkpoint (size {size}, root"
                f" {root.hex()}) to the log's {tree.size} entries (root {tree.root().hex()}):"
                f" its first {size} entries were rewritten or the log forked"
            )
        problems.append(Problem(None, Fault.WITNESS_DISAGREES, f"{detail} ({where})"))
    return WitnessCheck(problems, size, proof)
