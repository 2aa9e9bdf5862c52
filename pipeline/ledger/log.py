"""The append-only ledger on an object store.

Batches of entries are written create-only under the key of their first
position, so writers that read the same head race for the same key and exactly
one wins; the others re-read and retry. Every batch ends with its writer's
signature over the tree it completes (see :mod:`pipeline.ledger.writers`), in the
same object, so a batch is never stored without its proof, even when the writer
dies right after. A batch without a valid proof (or, for batches written before
proofs existed, a covering checkpoint) is never built on: reading it is an error.
After each batch a holder of the log key signs a checkpoint. Checkpoints are
deterministic, so two writers finishing the same checkpoint write the same bytes
and the log never signs two histories.
"""

from __future__ import annotations

import bisect
import hashlib
import random
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

import structlog

from pipeline.errors import (
    AppendConflictError,
    CheckpointError,
    ConfigError,
    LedgerError,
    ObjectConflictError,
    ObjectNotFoundError,
)
from pipeline.hashing import ZERO_HASH
from pipeline.ledger import layout
from pipeline.ledger.checkpoint import (
    Checkpoint,
    SignedCheckpoint,
    SigningKey,
    VerifierKey,
    verify_note,
)
from pipeline.ledger.entry import EntryDraft, LedgerEntry
from pipeline.ledger.witness import CheckpointSink
from pipeline.ledger.writers import (
    BatchProof,
    Grant,
    check_batch_proof,
    grants_from,
    read_certificate,
    read_revocation,
    sign_batch,
    writers_at,
)
from pipeline.merkle import CompactRange, leaf_hash
from pipeline.storage.base import ObjectStore

log = structlog.get_logger(__name__)

# Batches kept for re-reads (identity sync, dispatch, the index), as their entry lines
# only: an entry is decoded each time it is read, so what stays here is the stored bytes
# (about 20 KB per record entry), not the decoded bodies (about 70 KB of Python objects
# each, which kept a worker's memory 72 MiB higher). Small on purpose: a worker's memory
# must not grow with the size of the log.
_BATCH_CACHE = 4
_GAP_LOOKS = 3  # listings that must show the same gap before it is reported
# Compact ranges at the ends of the newest batches read or written (O(log n) hashes each),
# so the root at a recent checkpoint's size is known without re-reading the log.
_RECENT_ENDS = 1024


@dataclass(frozen=True)
class AppendResult:
    """Entries committed by one append and the attempts it took."""

    entries: list[LedgerEntry]
    attempts: int


class Ledger:
    """Reads and appends entries; implements ``LedgerReader`` and ``LedgerWriter``.

    ``verifier_keys`` are the log keys trusted to sign checkpoints and certify
    writers. ``signing_key`` is the log key (signs checkpoints); ``writer_key``, when
    given, signs this process's batches instead of the log key, and must have been
    certified (``mailledger keygen --writer``). A process with a writer key only
    appends; a holder of the log key signs the checkpoint later. ``witness``, when
    given, receives every checkpoint this process signs (a witness of
    :mod:`pipeline.ledger.witness`, or the relay of :mod:`pipeline.ledger.relay`, which
    delivers to the configured witnesses in the background).
    """

    def __init__(
        self,
        store: ObjectStore,
        origin: str,
        verifier_keys: Sequence[VerifierKey],
        signing_key: SigningKey | None = None,
        *,
        writer_key: SigningKey | None = None,
        max_attempts: int = 200,
        witness: CheckpointSink | None = None,
    ) -> None:
        self.store = store
        self.witness = witness
        self.origin = origin
        self.verifier_keys = list(verifier_keys)
        if signing_key is not None and signing_key.verifier not in self.verifier_keys:
            self.verifier_keys.append(signing_key.verifier)
        self.signing_key = signing_key
        self.writer_key = writer_key if writer_key is not None else signing_key
        self.max_attempts = max_attempts
        self._starts: list[int] = []  # first seq of every known batch, ascending
        self._size = 0
        self._last_hash = ZERO_HASH
        self._batches: OrderedDict[int, list[bytes]] = OrderedDict()  # first -> lines
        # SHA-256 of every batch as first read and proven: a batch read again after it
        # left the cache (trail, show, dispatch) must be the same bytes.
        self._digests: dict[int, bytes] = {}
        self._head = CompactRange.empty()  # compact range over every known entry
        self._proven = 0  # entries covered by a writer's proof or a signed checkpoint
        # Compact ranges at the ends of batches not yet proven (only batches written
        # before proofs existed, which a checkpoint must cover instead).
        self._unproven: dict[int, CompactRange] = {}
        self._signed = 0  # size of the newest checkpoint this process knows exists
        self._ends: OrderedDict[int, CompactRange] = OrderedDict()  # see _RECENT_ENDS
        self._grants: list[Grant] | None = None  # certified writer keys, read lazily
        self._grants_fresh = False  # read during the current refresh

    # -- reading -----------------------------------------------------------------

    def refresh(self) -> int:
        """Learn about batches written since the last look; returns the log size.

        New batches are checked as they are read (positions and chain links), and the
        newest one's writer proof before anything is returned, so a writer never
        extends, and a checkpoint never signs, entries an authorised writer did not
        write. The newest proof is enough: it signs the root over every entry before
        it, and its writer checked the same before appending (``verify`` checks every
        batch's proof, to locate damage); batches after it without a proof need a
        checkpoint. Raises :class:`LedgerError` naming the unproven positions.
        """
        self._grants_fresh = False
        newest: tuple[str, int, CompactRange, BatchProof] | None = None  # last with a proof
        for key in self._new_batch_keys():
            first = layout.seq_of(key)
            assert first is not None
            leaves, proof = self._load_batch(first)
            head = self._head.extend(leaves)
            self._starts.append(first)
            self._size = head.size
            self._last_hash = leaves[-1].hex()
            self._head = head
            self._remember_end(head)
            if proof is not None:
                newest = (key, first, head, proof)
                self._unproven.clear()
                if not any(k.name == proof.key_name for k in self.verifier_keys):
                    # A writer key can be revoked from a position on: check each of its
                    # batches, so a revocation of the past takes effect here too.
                    self._check_proof(*newest)
                    self._proven, newest = head.size, None
            else:
                self._unproven[head.size] = head
        if newest is not None:
            self._check_proof(*newest)
            self._proven = newest[2].size
        if self._proven < self._size:
            self._prove_by_checkpoint()
        return self._size

    def _new_batch_keys(self) -> Iterator[str]:
        """Keys of the batches after the last one read, in order, without a gap.

        A listing is not a snapshot: reading a local directory while other writers
        create batches in it can return a newer batch and miss an older one made a
        moment before. A gap is therefore listed again (from where reading stopped)
        before it is reported as a missing batch.
        """
        looks = 0
        while True:
            after = layout.batch_key(self._starts[-1]) if self._starts else None
            expected = self._size
            gap: str | None = None
            for key in self.store.list(layout.ENTRIES, start_after=after):
                first = layout.seq_of(key)
                if first is None:
                    continue
                if first != expected:
                    gap = key
                    break
                yield key
                expected = self._size
            if gap is None:
                return
            looks += 1
            if looks >= _GAP_LOOKS:
                raise LedgerError(
                    f"ledger batch {gap} starts at position {layout.seq_of(gap)} but the log"
                    f" has {self._size} entries before it; run 'mailledger verify'"
                )
            time.sleep(0.01 * looks)

    def _check_proof(self, key: str, first: int, head: CompactRange, proof: BatchProof) -> None:
        """Raise unless ``proof`` is an authorised writer's signature over the whole batch."""
        self._require_keys()
        where = f"ledger batch {key} (positions {first} to {head.size - 1})"
        if proof.size != head.size:
            raise LedgerError(
                f"{where} holds entries its writer did not sign (the signature covers the log"
                f" up to {proof.size}); run 'mailledger verify'"
            )
        try:
            writers = self._authorised(proof.key_name, first)
            check_batch_proof(proof, writers, self.origin, first, head.root())
        except CheckpointError as exc:
            raise LedgerError(f"{where} is not proven: {exc}; run 'mailledger verify'") from exc

    def _require_keys(self) -> None:
        if not self.verifier_keys:
            raise ConfigError(
                "no verifier key is configured, so the ledger's signatures cannot be checked:"
                " set signing.verifier_keys to the log's published key, or make the signing"
                " key available"
            )

    def _authorised(self, name: str, first: int) -> list[VerifierKey]:
        """The keys that may sign a batch at ``first``: log keys, and certified writer keys
        (re-read once per refresh, so a new certificate or revocation takes effect)."""
        if any(k.name == name for k in self.verifier_keys):
            return list(self.verifier_keys)
        if self._grants is None or not self._grants_fresh:
            self._grants = self._read_grants()
            self._grants_fresh = True
        return writers_at(self.verifier_keys, self._grants, first)

    def _read_grants(self) -> list[Grant]:
        certified: list[VerifierKey] = []
        revoked: dict[VerifierKey, int] = {}
        for key in self.store.list(layout.WRITERS):
            try:
                note = self.store.get(key).decode("utf-8")
                if key.endswith(".revoked"):
                    writer, position = read_revocation(note, self.verifier_keys, self.origin)
                    revoked[writer] = min(position, revoked.get(writer, position))
                else:
                    certified.append(read_certificate(note, self.verifier_keys, self.origin))
            except (CheckpointError, UnicodeDecodeError) as exc:
                # A note no trusted key signed authorises nobody; verify reports it.
                log.warning("ledger.writer_note_invalid", key=key, error=str(exc))
        return grants_from(certified, revoked)

    def _prove_by_checkpoint(self) -> None:
        """Accept batches without a proof only when a signed checkpoint covers them.

        Such batches are written by versions without writer proofs; every batch since
        carries one. The newest unproven end with a valid checkpoint proves all before it.
        """
        self._require_keys()
        for end in sorted(self._unproven, reverse=True):
            try:
                signed = self.read_checkpoint(layout.checkpoint_key(end))
            except ObjectNotFoundError:
                continue
            if signed.checkpoint.root != self._unproven[end].root():
                raise LedgerError(
                    f"checkpoint {layout.checkpoint_key(end)} does not match the stored entries:"
                    " the log was rewritten; run 'mailledger verify'"
                )
            self._proven = max(self._proven, end)
            self._signed = max(self._signed, end)
            self._unproven = {k: v for k, v in self._unproven.items() if k > end}
            break
        if self._proven < self._size:
            raise LedgerError(
                f"ledger entries {self._proven} to {self._size - 1} carry no signature of an"
                " authorised writer: they were not appended by mailledger, and nothing will"
                " be added after them; run 'mailledger verify'"
            )

    def _load_batch(self, first: int) -> tuple[list[bytes], BatchProof | None]:
        """Read and chain-check the batch at ``first`` (positions and links only; bodies
        are decoded when read); its leaf hashes, and its proof when it has one."""
        key = layout.batch_key(first)
        data = self.store.get(key)
        digest = hashlib.sha256(data).digest()
        known = self._digests.get(first)
        if known is not None and known != digest:
            raise LedgerError(
                f"ledger batch {key} changed after it was read and proven; run 'mailledger verify'"
            )
        self._digests[first] = digest
        lines, proof_line = layout.batch_parts(data)
        leaves: list[bytes] = []
        prev = self._last_hash if first == self._size else None
        for offset, line in enumerate(lines):
            try:
                seq, link = LedgerEntry.link_of(line)
            except LedgerError as exc:
                raise LedgerError(
                    f"ledger entry {first + offset} in {key} is damaged: {exc}"
                ) from exc
            if seq != first + offset or (prev is not None and link != prev):
                raise LedgerError(
                    f"ledger entry {first + offset} in {key} does not continue the chain;"
                    " run 'mailledger verify'"
                )
            leaf = leaf_hash(line)
            prev = leaf.hex()
            leaves.append(leaf)
        if not leaves:
            raise LedgerError(f"ledger batch {key} is empty; run 'mailledger verify'")
        try:
            proof = BatchProof.parse(proof_line) if proof_line is not None else None
        except LedgerError as exc:
            raise LedgerError(f"ledger batch {key}: {exc}; run 'mailledger verify'") from exc
        self._remember(first, lines)
        return leaves, proof

    def _batch_lines(self, first: int) -> list[bytes]:
        """The entry lines of a batch read and proven before (by :meth:`refresh`) or
        appended by this process: from the cache, else read again and pinned."""
        lines = self._batches.get(first)
        if lines is None:
            lines = self._pinned_lines(first)
            self._remember(first, lines)
        else:
            self._batches.move_to_end(first)
        return lines

    @staticmethod
    def _decode_at(first: int, seq: int, line: bytes) -> LedgerEntry:
        """Decode the line at ``seq`` of the batch at ``first``."""
        entry = LedgerEntry.decode(line)
        if entry.seq != seq:  # cannot happen to pinned or chain-checked bytes; a guard
            raise LedgerError(
                f"ledger entry {seq} in {layout.batch_key(first)} is not at its position"
            )
        return entry

    def _remember(self, first: int, lines: list[bytes]) -> None:
        """Keep a batch's lines in the small LRU cache."""
        self._batches[first] = lines
        self._batches.move_to_end(first)
        while len(self._batches) > _BATCH_CACHE:
            self._batches.popitem(last=False)

    def release_cache(self) -> None:
        """Drop the batch lines kept for re-reads, for a caller that has read what it
        needs and goes on to long work (an export's pass over its records). A batch read
        again later is still checked against the digest it was first read with."""
        self._batches.clear()

    def _remember_end(self, head: CompactRange) -> None:
        self._ends[head.size] = head
        while len(self._ends) > _RECENT_ENDS:
            self._ends.popitem(last=False)

    def root_at(self, size: int) -> bytes | None:
        """The Merkle root of the first ``size`` entries as this ledger read and proved them,
        when ``size`` ends one of the newest batches it knows (else None: not kept).

        Comparing it with a signed checkpoint of that size ties every entry this ledger
        returns below ``size`` to the signed root: each batch is pinned by the digest it
        had when its leaves went into this root (see :meth:`_load_batch`).
        """
        end = self._ends.get(size)
        return None if end is None else end.root()

    def entries_at(self, seqs: Iterable[int]) -> list[LedgerEntry]:
        """The entries at ``seqs``, in ascending order, after one look for new batches.

        Positions in the same batch are served by one read of it (the batch cache), and
        the store is listed once for all of them, not once per entry.
        """
        self.refresh()
        wanted: dict[int, list[int]] = {}  # batch start -> positions in it
        for seq in sorted(set(seqs)):
            if not 0 <= seq < self._size:
                raise LedgerError(f"no ledger entry at position {seq}; the log has {self._size}")
            first = self._starts[bisect.bisect_right(self._starts, seq) - 1]
            wanted.setdefault(first, []).append(seq)
        out: list[LedgerEntry] = []
        for first, positions in wanted.items():
            lines = self._batch_lines(first)
            out += [self._decode_at(first, seq, lines[seq - first]) for seq in positions]
        return out

    def _pinned_lines(self, first: int) -> list[bytes]:
        """The entry lines of a batch read and proven before, read again from the store.

        The bytes must have the digest they had when the batch was first read (and
        chain-checked into the proven root), so its lines need no chain check again,
        and a page showing one record from each of 50 batches decodes 50 entries, not
        every entry in them.
        """
        key = layout.batch_key(first)
        data = self.store.get(key)
        if hashlib.sha256(data).digest() != self._digests[first]:
            raise LedgerError(
                f"ledger batch {key} changed after it was read and proven; run 'mailledger verify'"
            )
        return layout.batch_parts(data)[0]

    def size(self) -> int:
        """Number of committed entries (after looking for new batches)."""
        return self.refresh()

    def entries(self, start: int = 0, stop: int | None = None) -> Iterator[LedgerEntry]:
        """Committed entries with ``start <= seq < stop``, in order."""
        self.refresh()
        end = self._size if stop is None else min(stop, self._size)
        if start >= end:
            return

        index = max(bisect.bisect_right(self._starts, start) - 1, 0)
        for first in self._starts[index:]:
            if first >= end:
                break
            lines = self._batch_lines(first)
            # Only the entries asked for are decoded: ``entry(seq)`` decodes one.
            for seq in range(max(start, first), min(end, first + len(lines))):
                yield self._decode_at(first, seq, lines[seq - first])

    def entry(self, seq: int) -> LedgerEntry:
        """The entry at ``seq``."""
        for entry in self.entries(seq, seq + 1):
            return entry
        raise LedgerError(f"no ledger entry at position {seq}; the log has {self._size}")

    # -- appending ---------------------------------------------------------------

    def append(self, drafts: Sequence[EntryDraft]) -> list[LedgerEntry]:
        """Commit ``drafts`` as one batch at the head of the log."""
        return self.append_with(lambda _ledger: drafts).entries

    def append_with(self, build: Callable[[Ledger], Sequence[EntryDraft]]) -> AppendResult:
        """Commit what ``build`` returns, calling it again after every lost race.

        ``build`` sees the log as it is at that attempt, so a caller can drop
        drafts that another writer committed meanwhile (how ingestion stays
        exactly-once when workers overlap). An empty result appends nothing.
        """
        writer = self.writer_key
        if writer is None:
            raise LedgerError("this ledger has no signing key configured; it cannot append")
        for attempt in range(1, self.max_attempts + 1):
            self.refresh()
            if writer.verifier not in self._authorised(writer.name, self._size):
                raise ConfigError(
                    f"writer key {writer.name!r} is not certified by a trusted log key (or was"
                    " revoked), so other writers and 'mailledger verify' would reject its"
                    " batches; certify a new one with 'mailledger keygen --writer' where the"
                    " log key is"
                )
            self._ensure_checkpoint()
            viewed = self._size
            drafts = list(build(self))
            if not drafts:
                return AppendResult([], attempt)  # more entries cannot undo "nothing to add"
            if self._size != viewed:
                # A read inside ``build`` learned of batches another writer appended after
                # the look above: what it decided (say, that a message is not sealed yet)
                # may be answered by them, so it decides again on the log as it is now.
                log.debug("ledger.append.log_grew_while_building", position=viewed)
                continue
            first = self._size
            entries: list[LedgerEntry] = []
            prev = self._last_hash
            for offset, draft in enumerate(drafts):
                entry = LedgerEntry.build(first + offset, prev, draft)
                entries.append(entry)
                prev = entry.entry_hash
            head = self._head.extend([entry.leaf_hash for entry in entries])
            proof = sign_batch(writer, self.origin, first, head.size, head.root())
            data = b"".join(entry.raw + b"\n" for entry in entries) + proof.to_line() + b"\n"
            try:
                self.store.put(layout.batch_key(first), data)
            except ObjectConflictError:
                log.debug("ledger.append.lost_race", position=first, attempt=attempt)
                # jittered pause so racing writers spread out instead of colliding again
                time.sleep(random.uniform(0, min(0.05 * attempt, 0.5)))
                continue
            self._starts.append(first)
            # The lines, not the entries: the caller has these entries, and a re-read
            # (identity sync, dispatch, the index) decodes its own from the bytes.
            self._remember(first, [entry.raw for entry in entries])
            self._digests[first] = hashlib.sha256(data).digest()
            self._size = head.size
            self._last_hash = entries[-1].entry_hash
            self._head = head
            self._remember_end(head)
            self._proven = head.size
            self._ensure_checkpoint(just_appended=True)
            log.debug("ledger.appended", first=first, count=len(entries), attempt=attempt)
            return AppendResult(entries, attempt)
        raise AppendConflictError(
            f"gave up appending after {self.max_attempts} attempts: other writers kept taking"
            " the next position"
        )

    # -- checkpoints -------------------------------------------------------------

    def latest_checkpoint(self) -> SignedCheckpoint | None:
        """The newest signed checkpoint in the store, verified, or None for an empty log."""
        # Checkpoints are signed at batch ends: list from the oldest batch end this ledger
        # keeps, so a large log is not listed whole; only when none is there, from the start.
        after = layout.checkpoint_key(next(iter(self._ends)) - 1) if self._ends else None
        keys = list(self.store.list(layout.CHECKPOINTS, start_after=after))
        if not keys and after is not None:
            keys = list(self.store.list(layout.CHECKPOINTS))
        if not keys:
            return None
        return self.read_checkpoint(keys[-1])

    def read_checkpoint(self, key: str) -> SignedCheckpoint:
        """Read and verify the checkpoint note under ``key``, which must name its size."""
        signed = self.read_checkpoint_text(self.store.get(key).decode("utf-8"))
        if layout.seq_of(key) != signed.checkpoint.size:
            raise CheckpointError(
                f"{key} holds the checkpoint signed for size {signed.checkpoint.size}:"
                " a checkpoint was substituted; run 'mailledger verify'"
            )
        return signed

    def read_checkpoint_text(self, note: str) -> SignedCheckpoint:
        """Verify checkpoint note text against this log's keys and origin."""
        return verify_note(note, self.verifier_keys, origin=self.origin)

    def checkpoint_note(self, size: int) -> str:
        """The signed note for ``size``, making it if the log has that size and lacks one."""
        try:
            return self.read_checkpoint(layout.checkpoint_key(size)).note
        except ObjectNotFoundError:
            if size != self.refresh():
                raise
            if self.signing_key is None:
                raise LedgerError(
                    f"no checkpoint is signed yet for the log's {size} entries (a writer without"
                    " the log key wrote the newest); run 'mailledger checkpoint' where the log"
                    " key is"
                ) from None
            self._ensure_checkpoint()
            return self.read_checkpoint(layout.checkpoint_key(size)).note

    def _ensure_checkpoint(self, *, just_appended: bool = False) -> None:
        """Sign the head if it lacks a checkpoint (finishing a crashed or keyless writer's).

        Only a proven head gets here: :meth:`refresh` refuses anything else. A head this
        process did not just write is looked up first: on stores that keep every
        version (first version wins) a repeated put would add a version each time.
        """
        if self.signing_key is None or self._size == 0 or self._signed == self._size:
            return
        assert self._proven == self._size == self._head.size
        checkpoint = Checkpoint(self.origin, self._size, self._head.root())
        key = layout.checkpoint_key(self._size)
        if not just_appended:
            try:
                if self.read_checkpoint(key).checkpoint == checkpoint:
                    self._signed = self._size
                    return
            except (ObjectNotFoundError, CheckpointError):
                pass  # absent, or not ours to trust: the put below decides
        note = checkpoint.sign(self.signing_key)
        try:
            self.store.put(key, note.encode("utf-8"))
        except ObjectConflictError as exc:
            # Signed before by another trusted key (the one before a rotation) is fine.
            try:
                existing = self.read_checkpoint(key)
            except CheckpointError:
                existing = None
            if existing is None or existing.checkpoint != checkpoint:
                raise LedgerError(
                    f"a different checkpoint is already signed for size {self._size}: the log"
                    " has forked or the checkpoint was replaced; run 'mailledger verify'"
                ) from exc
        if self.witness is not None:
            self.witness.add(self._size, note)
        self._signed = self._size
