"""Locating damage in a ledger: pure checks over stored entry lines and checkpoints.

The chain (``seq`` and ``prev``) says where an entry was changed, removed,
inserted or moved; signed checkpoints say whether the history as a whole is the
one the log signed, and catch a cut-off tail or a rewritten suffix that the
chain alone cannot.
"""

from __future__ import annotations

import enum
import re
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import overload

from pipeline.errors import CheckpointError, LedgerError
from pipeline.hashing import ZERO_HASH, is_sha256_hex
from pipeline.ledger import layout
from pipeline.ledger.checkpoint import SignedCheckpoint, VerifierKey, verify_note
from pipeline.ledger.entry import LedgerEntry
from pipeline.ledger.writers import BatchProof, Grant, check_batch_proof, writers_at
from pipeline.merkle import CompactRange, Hashes, MerkleTree, leaf_hash


class Fault(enum.Enum):
    """What is wrong at a position."""

    MODIFIED = "modified"
    MISSING = "missing"
    INSERTED = "inserted"
    REORDERED = "reordered"
    FORKED = "forked"
    SIGNATURE_INVALID = "signature invalid"
    INCONSISTENT = "inconsistent with the given earlier checkpoint"
    CONTENT_ALTERED = "content altered"
    CONTENT_MISSING = "content missing"
    UNPROVEN = "not written by an authorised writer"
    MISPLACED = "checkpoint stored under another size"
    UNLAWFUL_DISPOSAL = "disposal of held or unexpired content"
    DELETE_MARKER = "deleted outside mailledger"
    EXTRA_VERSION = "extra version"
    EMPTY = "no ledger"
    WITNESS_DISAGREES = "disagrees with the witnessed checkpoint"


@dataclass(frozen=True)
class Problem:
    """One finding: where, what, and a sentence a records officer can act on."""

    position: int | None
    fault: Fault
    detail: str

    def __str__(self) -> str:
        where = f"position {self.position}" if self.position is not None else "log"
        return f"{where}: {self.fault.value}: {self.detail}"


@dataclass(frozen=True, slots=True)
class ChainLink:
    """What the chain check needs of one stored line: its claimed position and link."""

    seq: int
    prev: str
    leaf: bytes

    @property
    def entry_hash(self) -> str:
        """Hex leaf hash: what the next entry's ``prev`` must be."""
        return self.leaf.hex()


# Canonical entries end with their sorted top-level fields prev, seq, time and type
# (RFC 8785 orders keys; "body" and "actor" come first), so the chain fields can be
# read from the tail without decoding the body. A line that does not fit is decoded
# in full. Reading the tail is safe for tamper detection: every byte of a line is
# covered by its leaf hash, which the next entry's prev and the signed checkpoints fix.
_TAIL = re.compile(
    rb',"prev":"([0-9a-f]{64})","seq":(0|[1-9][0-9]*),"time":"[^"\\]*","type":"[^"\\]*"}$'
)


def chain_link(raw: bytes, leaf: bytes | None = None) -> ChainLink | None:
    """The line's position, link and leaf hash (``leaf`` when the caller hashed the line
    already); None when it is not a readable entry."""
    leaf = leaf_hash(raw) if leaf is None else leaf
    # rfind + match at that offset: a short anchored match instead of a scan of the line
    match = _TAIL.match(raw, raw.rfind(b',"prev":"'))
    if match is not None and raw.startswith(b'{"actor":'):
        return ChainLink(int(match.group(2)), match.group(1).decode(), leaf)
    try:
        entry = LedgerEntry.decode(raw)
    except LedgerError:
        return None
    return ChainLink(entry.seq, entry.prev, leaf)


class ChainLinks(Sequence[ChainLink | None]):
    """The chain links of every stored line, in log order, packed: a position in a
    machine integer and the link and leaf as 32 raw bytes each, about 72 bytes per entry
    where a list of :class:`ChainLink` objects holds some 270 (what ``verify`` keeps of
    every entry of a log of any size). A line that is not a readable entry, or whose
    link cannot be packed and read back the same, is kept as it is."""

    __slots__ = ("_leaves", "_odd", "_prevs", "_seqs")

    def __init__(self) -> None:
        self._seqs = array("q")
        self._prevs = bytearray()
        self._leaves = bytearray()
        self._odd: dict[int, ChainLink | None] = {}

    def add_lines(self, raws: Sequence[bytes]) -> None:
        """Hash and read the chain link of each line, after those added before."""
        for raw in raws:
            leaf = leaf_hash(raw)
            self.add(chain_link(raw, leaf), leaf)

    def add(self, link: ChainLink | None, leaf: bytes) -> None:
        """One line's link (None: not a readable entry) and its leaf hash."""
        self._leaves += leaf
        if link is not None and link.seq < 1 << 63 and is_sha256_hex(link.prev):
            self._seqs.append(link.seq)
            self._prevs += bytes.fromhex(link.prev)
            return
        self._odd[len(self._seqs)] = link
        self._seqs.append(-1)
        self._prevs += bytes(32)

    def leaves(self) -> Hashes:
        """Every line's leaf hash, packed, in log order."""
        return Hashes(bytes(self._leaves))

    def __len__(self) -> int:
        return len(self._seqs)

    def __iter__(self) -> Iterator[ChainLink | None]:
        return (self[pos] for pos in range(len(self._seqs)))

    @overload
    def __getitem__(self, index: int) -> ChainLink | None: ...
    @overload
    def __getitem__(self, index: slice) -> list[ChainLink | None]: ...
    def __getitem__(self, index: int | slice) -> ChainLink | list[ChainLink | None] | None:
        if isinstance(index, slice):
            return [self[pos] for pos in range(*index.indices(len(self)))]
        pos = index + len(self._seqs) if index < 0 else index
        if not 0 <= pos < len(self._seqs):
            raise IndexError(f"no entry {index} of {len(self._seqs)}")
        if pos in self._odd:
            return self._odd[pos]
        at = 32 * pos
        return ChainLink(
            self._seqs[pos], self._prevs[at : at + 32].hex(), bytes(self._leaves[at : at + 32])
        )


def check_chain(links: Sequence[ChainLink | None], where: Sequence[str]) -> list[Problem]:
    """Walk the stored lines' chain links (:func:`chain_link`) in order and report the
    first chain fault, located; ``where[pos]`` names the batch holding position ``pos``.

    Only the first fault is reported: everything after it is suspect anyway,
    and the first one is where a person has to start.
    """
    entries = links
    # Which positions claim each position: an entry claiming its own position claims it
    # alone unless some entry elsewhere claims it too, so only entries out of place are
    # gathered (none in an intact log, which then costs nothing per entry here).
    elsewhere: dict[int, list[int]] = {}
    for pos, decoded in enumerate(entries):
        if decoded is not None and decoded.seq != pos:
            elsewhere.setdefault(decoded.seq, []).append(pos)

    def claimants(seq: int) -> list[int]:
        at = entries[seq] if seq < len(entries) else None
        here = [seq] if at is not None and at.seq == seq else []
        return sorted(here + elsewhere.get(seq, []))

    prev_hash = ZERO_HASH
    for pos, entry in enumerate(entries):
        batch = where[pos]
        if entry is None:
            return [Problem(pos, Fault.MODIFIED, f"entry in {batch} is not a readable entry")]
        if entry.seq in elsewhere and len(claimed := claimants(entry.seq)) > 1:
            return [_intruder(entries, claimed, entry.seq, batch)]
        if entry.seq == pos:
            if entry.prev != prev_hash:
                follower = entries[pos + 1] if pos + 1 < len(entries) else None
                if pos == 0 or (
                    follower is not None
                    and follower.seq == pos + 1
                    and follower.prev != entry.entry_hash
                ):
                    # The next entry does not vouch for this one either: this entry changed.
                    detail = f"entry {pos} was edited: its recorded link and its hash changed"
                    return [Problem(pos, Fault.MODIFIED, detail)]
                # The link to the previous entry is broken: the previous entry's bytes changed.
                detail = f"entry {pos - 1} no longer hashes to what entry {pos} recorded"
                return [Problem(pos - 1, Fault.MODIFIED, detail)]
            prev_hash = entry.entry_hash
            continue
        if entry.seq > pos and not claimants(pos):
            return [Problem(pos, Fault.MISSING, f"entries {pos} to {entry.seq - 1} are missing")]
        return [Problem(pos, Fault.REORDERED, f"entry {entry.seq} is stored at position {pos}")]
    return []


def _intruder(
    entries: Sequence[ChainLink | None], claimants: list[int], seq: int, where: str
) -> Problem:
    """Of several entries claiming one position, find the one the chain does not vouch for."""
    followers = [e for e in entries if e is not None and e.seq == seq + 1]
    vouched = {f.prev for f in followers}
    copies = {c.entry_hash for c in (entries[p] for p in claimants) if c is not None}
    # Identical copies cannot be told apart: the later one is the extra.
    for pos in claimants if len(copies) > 1 else []:
        candidate = entries[pos]
        if candidate is not None and candidate.entry_hash not in vouched:
            return Problem(
                pos, Fault.INSERTED, f"an extra entry claiming position {seq} was added ({where})"
            )
    return Problem(
        claimants[-1], Fault.INSERTED, f"more than one entry claims position {seq} ({where})"
    )


@dataclass(frozen=True, slots=True)
class CheckpointFinding:
    """A checkpoint that was checked against the recomputed tree."""

    size: int
    key: str
    ok: bool


def check_checkpoints(
    tree: MerkleTree,
    notes: Iterable[tuple[str, str]],
    keys: list[VerifierKey],
    origin: str,
    chain_ok: bool,
) -> tuple[list[Problem], list[CheckpointFinding]]:
    """Check every stored checkpoint note (``(key, text)``) against the tree of the entries,
    one at a time: a log signs a checkpoint per batch, so ``notes`` may be read as they
    come rather than held."""
    problems: list[Problem] = []
    findings: list[CheckpointFinding] = []
    last_good = 0
    for key, note in notes:
        try:
            signed = verify_note(note, keys, origin=origin)
        except CheckpointError as exc:
            problems.append(Problem(None, Fault.SIGNATURE_INVALID, f"checkpoint {key}: {exc}"))
            findings.append(CheckpointFinding(-1, key, False))
            continue
        size = signed.checkpoint.size
        named = layout.seq_of(key)
        if named != size:
            problems.append(
                Problem(
                    min(size, named if named is not None else size),
                    Fault.MISPLACED,
                    f"checkpoint {key} holds the note signed for size {size}: the checkpoint"
                    f" for size {named} was replaced with an older or newer one",
                )
            )
            findings.append(CheckpointFinding(size, key, False))
            continue
        if size > tree.size:
            problems.append(
                Problem(
                    tree.size,
                    Fault.MISSING,
                    f"checkpoint {key} was signed over {size} entries but only {tree.size}"
                    f" are stored: entries {tree.size} to {size - 1} were removed",
                )
            )
            findings.append(CheckpointFinding(size, key, False))
            continue
        if tree.root(size) != signed.checkpoint.root:
            # An intact chain with a different root means a whole alternative history (a fork);
            # with a broken chain the mismatch is the consequence of the damage found there.
            fault = Fault.FORKED if chain_ok else Fault.MODIFIED
            problems.append(
                Problem(
                    last_good,
                    fault,
                    f"entries between {last_good} and {size - 1} differ from the history"
                    f" signed in checkpoint {key}",
                )
            )
            findings.append(CheckpointFinding(size, key, False))
            continue
        last_good = size
        findings.append(CheckpointFinding(size, key, True))
    return problems, findings


def check_earlier_checkpoint(
    tree: MerkleTree,
    note: str,
    keys: list[VerifierKey],
    origin: str,
    label: str = "the given checkpoint",
) -> tuple[SignedCheckpoint | None, list[Problem]]:
    """Compare the log with a checkpoint saved earlier (``label`` names it in findings)."""
    try:
        signed = verify_note(note, keys, origin=origin)
    except CheckpointError as exc:
        return None, [Problem(None, Fault.SIGNATURE_INVALID, f"{label}: {exc}")]
    size = signed.checkpoint.size
    if size > tree.size:
        return signed, [
            Problem(
                tree.size,
                Fault.MISSING,
                f"{label} covers {size} entries but the log has {tree.size}:"
                f" entries {tree.size} to {size - 1} were removed (truncated tail)",
            )
        ]
    if tree.root(size) != signed.checkpoint.root:
        return signed, [
            Problem(
                None,
                Fault.INCONSISTENT,
                f"the log's first {size} entries are not the history {label}"
                " signed: the log was rewritten or forked",
            )
        ]
    return signed, []


@dataclass(frozen=True, slots=True)
class StoredBatch:
    """One batch object as found in storage: where its lines start and its proof line."""

    key: str
    start: int  # position of its first line among all stored lines
    count: int
    proof: bytes | None


@dataclass(frozen=True)
class ProofFindings:
    """What the writers' proofs cover and what is wrong with them."""

    problems: list[Problem]
    covered: int  # entries before this position are proven (by a writer or a checkpoint)


def check_batch_proofs(
    leaves: Sequence[bytes],
    batches: Sequence[StoredBatch],
    log_keys: list[VerifierKey],
    grants: Sequence[Grant],
    origin: str,
    checkpointed: int,
) -> ProofFindings:
    """Check every batch's writer proof; report batches that no proof or checkpoint covers.

    A valid proof at the end of a batch vouches for the whole history before it (its
    writer refused to build on anything unproven), as a checkpoint does. A batch with
    no proof is accepted only under such cover (batches written before proofs
    existed); a proof that does not verify is a finding wherever it is.
    """
    problems: list[Problem] = []
    covered = checkpointed
    compact = CompactRange.empty()
    unproven: list[StoredBatch] = []
    for batch in batches:
        end = batch.start + batch.count
        batch_leaves = leaves[batch.start : end]
        after = compact.extend(batch_leaves)
        where = f"{batch.key} (positions {batch.start} to {end - 1})"
        if batch.proof is None:
            unproven.append(batch)
        else:
            writers = writers_at(log_keys, grants, batch.start)
            problem, proven = _check_one_proof(batch, compact, after, batch_leaves, writers, origin)
            if problem is not None:
                problems.append(Problem(problem[0], Fault.UNPROVEN, f"{where}: {problem[1]}"))
            covered = max(covered, proven)
        compact = after
    for batch in unproven:
        end = batch.start + batch.count
        if end > covered:
            problems.append(
                Problem(
                    max(batch.start, covered),
                    Fault.UNPROVEN,
                    f"entries {max(batch.start, covered)} to {end - 1} in {batch.key} carry no"
                    " signature of an authorised writer and no checkpoint covers them: they"
                    " were not appended by mailledger",
                )
            )
    problems.sort(key=lambda p: p.position or 0)
    return ProofFindings(problems, covered)


def _check_one_proof(
    batch: StoredBatch,
    start: CompactRange,
    after: CompactRange,
    leaves: Sequence[bytes],
    writers: list[VerifierKey],
    origin: str,
) -> tuple[tuple[int, str] | None, int]:
    """(position and reason of the fault or None, size the proof validly covers)."""
    assert batch.proof is not None
    end = batch.start + batch.count
    try:
        proof = BatchProof.parse(batch.proof)
    except LedgerError as exc:
        return (batch.start, str(exc)), 0
    if not batch.start < proof.size <= end:
        return (batch.start, f"its writer signature claims size {proof.size}"), 0
    covered = after if proof.size == end else start.extend(leaves[: proof.size - batch.start])
    root = covered.root()
    try:
        check_batch_proof(proof, writers, origin, batch.start, root)
    except CheckpointError as exc:
        return (batch.start, str(exc)), 0
    if proof.size < end:
        return (
            proof.size,
            f"entries {proof.size} to {end - 1} were added after its writer signed it",
        ), proof.size
    return None, end
