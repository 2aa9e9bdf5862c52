"""The append-only ledger on an object store.

Batches of entries are written create-only under the key of their first
position, so writers that read the same head race for the same key and exactly
one wins; the others re-read and retry. After each batch a signed checkpoint is
written. Checkpoints are computed from the previous (validated) compact range
plus the new leaves, and are deterministic, so two writers finishing the same
checkpoint write the same bytes and the log never signs two histories.
"""

from __future__ import annotations

import bisect
import json
import random
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import structlog

from pipeline.errors import (
    AppendConflictError,
    CheckpointError,
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
from pipeline.merkle import CompactRange
from pipeline.storage.base import ObjectStore

log = structlog.get_logger(__name__)

# Decoded batches kept for re-reads (identity sync, dispatch). Small on purpose: each
# holds up to a few hundred decoded entries, and a worker's memory must not grow with
# the size of the log.
_BATCH_CACHE = 4


@dataclass(frozen=True)
class AppendResult:
    """Entries committed by one append and the attempts it took."""

    entries: list[LedgerEntry]
    attempts: int


class Ledger:
    """Reads and appends entries; implements ``LedgerReader`` and ``LedgerWriter``."""

    def __init__(
        self,
        store: ObjectStore,
        origin: str,
        verifier_keys: Sequence[VerifierKey],
        signing_key: SigningKey | None = None,
        *,
        max_attempts: int = 200,
    ) -> None:
        self.store = store
        self.origin = origin
        self.verifier_keys = list(verifier_keys)
        if signing_key is not None and signing_key.verifier not in self.verifier_keys:
            self.verifier_keys.append(signing_key.verifier)
        self.signing_key = signing_key
        self.max_attempts = max_attempts
        self._starts: list[int] = []  # first seq of every known batch, ascending
        self._size = 0
        self._last_hash = ZERO_HASH
        self._batches: OrderedDict[int, list[LedgerEntry]] = OrderedDict()
        self._range: CompactRange | None = None  # validated compact range at ``_range.size``

    # -- reading -----------------------------------------------------------------

    def refresh(self) -> int:
        """Learn about batches written since the last look; returns the log size.

        New batches are checked as they are read (positions and chain links), so
        a writer never extends a damaged log.
        """
        after = layout.batch_key(self._starts[-1]) if self._starts else None
        for key in self.store.list(layout.ENTRIES, start_after=after):
            first = layout.seq_of(key)
            if first is None:
                continue
            if first != self._size:
                raise LedgerError(
                    f"ledger batch {key} starts at position {first} but the log has"
                    f" {self._size} entries before it; run 'mailledger verify'"
                )
            entries = self._read_batch(first)
            self._starts.append(first)
            self._size += len(entries)
            self._last_hash = entries[-1].entry_hash
        return self._size

    def _read_batch(self, first: int) -> list[LedgerEntry]:
        cached = self._batches.get(first)
        if cached is not None:
            self._batches.move_to_end(first)
            return cached
        key = layout.batch_key(first)
        data = self.store.get(key)
        entries: list[LedgerEntry] = []
        prev = self._last_hash if first == self._size else None
        for offset, line in enumerate(layout.split_batch(data)):
            try:
                entry = LedgerEntry.decode(line)
            except LedgerError as exc:
                raise LedgerError(
                    f"ledger entry {first + offset} in {key} is damaged: {exc}"
                ) from exc
            if entry.seq != first + offset or (prev is not None and entry.prev != prev):
                raise LedgerError(
                    f"ledger entry {first + offset} in {key} does not continue the chain;"
                    " run 'mailledger verify'"
                )
            prev = entry.entry_hash
            entries.append(entry)
        if not entries:
            raise LedgerError(f"ledger batch {key} is empty; run 'mailledger verify'")
        self._remember(first, entries)
        return entries

    def _remember(self, first: int, entries: list[LedgerEntry]) -> None:
        """Keep a decoded batch in the small LRU cache."""
        self._batches[first] = entries
        self._batches.move_to_end(first)
        while len(self._batches) > _BATCH_CACHE:
            self._batches.popitem(last=False)

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
            for entry in self._read_batch(first):
                if start <= entry.seq < end:
                    yield entry

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
        if self.signing_key is None:
            raise LedgerError("this ledger has no signing key configured; it cannot append")
        for attempt in range(1, self.max_attempts + 1):
            self.refresh()
            self._ensure_checkpoint()
            drafts = list(build(self))
            if not drafts:
                return AppendResult([], attempt)
            first = self._size
            entries: list[LedgerEntry] = []
            prev = self._last_hash
            for offset, draft in enumerate(drafts):
                entry = LedgerEntry.build(first + offset, prev, draft)
                entries.append(entry)
                prev = entry.entry_hash
            data = b"".join(entry.raw + b"\n" for entry in entries)
            try:
                self.store.put(layout.batch_key(first), data)
            except ObjectConflictError:
                log.debug("ledger.append.lost_race", position=first, attempt=attempt)
                # jittered pause so racing writers spread out instead of colliding again
                time.sleep(random.uniform(0, min(0.05 * attempt, 0.5)))
                continue
            self._starts.append(first)
            self._remember(first, entries)
            self._size = first + len(entries)
            self._last_hash = entries[-1].entry_hash
            self._ensure_checkpoint()
            log.debug("ledger.appended", first=first, count=len(entries), attempt=attempt)
            return AppendResult(entries, attempt)
        raise AppendConflictError(
            f"gave up appending after {self.max_attempts} attempts: other writers kept taking"
            " the next position"
        )

    # -- checkpoints -------------------------------------------------------------

    def latest_checkpoint(self) -> SignedCheckpoint | None:
        """The newest signed checkpoint in the store, verified, or None for an empty log."""
        keys = list(self.store.list(layout.CHECKPOINTS))
        if not keys:
            return None
        return self.read_checkpoint(keys[-1])

    def read_checkpoint(self, key: str) -> SignedCheckpoint:
        """Read and verify the checkpoint note under ``key``."""
        return self.read_checkpoint_text(self.store.get(key).decode("utf-8"))

    def read_checkpoint_text(self, note: str) -> SignedCheckpoint:
        """Verify checkpoint note text against this log's keys and origin."""
        return verify_note(note, self.verifier_keys, origin=self.origin)

    def checkpoint_note(self, size: int) -> str:
        """The signed note for ``size``, making it if the log has that size and lacks one."""
        try:
            return self.store.get(layout.checkpoint_key(size)).decode("utf-8")
        except ObjectNotFoundError:
            if size != self.refresh():
                raise
            self._ensure_checkpoint()
            return self.store.get(layout.checkpoint_key(size)).decode("utf-8")

    def _ensure_checkpoint(self) -> None:
        """Make sure the current head has a signed checkpoint (finishing a crashed writer's)."""
        if self._size == 0 or (self._range is not None and self._range.size == self._size):
            return
        compact = self._range_at(self._size)
        self._write_checkpoint(compact)
        self._range = compact

    def _range_at(self, size: int) -> CompactRange:
        """The compact range at ``size``, from the nearest validated cache below it."""
        base = self._range if self._range is not None and self._range.size <= size else None
        if base is None:
            base = self._cached_range_at_or_before(size)
        leaves = [entry.leaf_hash for entry in self.entries(base.size, size)]
        return base.extend(leaves)

    def _cached_range_at_or_before(self, size: int) -> CompactRange:
        # Batch boundaries are the only sizes that can have a checkpoint; walk back
        # from the head until one has both a frontier and a checkpoint that agree.

        candidates = [size, *reversed(self._starts[: bisect.bisect_right(self._starts, size)])]
        for candidate in candidates:
            if candidate == 0:
                break
            compact = self._load_frontier(candidate)
            if compact is not None:
                return compact
        return CompactRange.empty()

    def _load_frontier(self, size: int) -> CompactRange | None:
        try:
            frontier = json.loads(self.store.get(layout.frontier_key(size)))
            signed = self.read_checkpoint(layout.checkpoint_key(size))
        except (ObjectNotFoundError, CheckpointError, ValueError, KeyError):
            return None
        compact = CompactRange(size, tuple(bytes.fromhex(p) for p in frontier["peaks"]))
        if signed.checkpoint.size != size or compact.root() != signed.checkpoint.root:
            log.warning("ledger.frontier_mismatch", size=size)
            return None
        return compact

    def _write_checkpoint(self, compact: CompactRange) -> None:
        assert self.signing_key is not None
        checkpoint = Checkpoint(self.origin, compact.size, compact.root())
        note = checkpoint.sign(self.signing_key)
        try:
            self.store.put(layout.checkpoint_key(compact.size), note.encode("utf-8"))
        except ObjectConflictError as exc:
            raise LedgerError(
                f"a different checkpoint is already signed for size {compact.size}: the log"
                " has forked or the signing key changed; run 'mailledger verify'"
            ) from exc
        frontier = {"size": compact.size, "peaks": [p.hex() for p in compact.peaks]}
        self.store.put(
            layout.frontier_key(compact.size),
            json.dumps(frontier, sort_keys=True, separators=(",", ":")).encode(),
        )
