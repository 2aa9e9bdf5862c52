"""Hands every checkpoint the writer signs to the configured witnesses, off the append path.

A witness that is slow or down must not hold up sealing, and must never make an append
that already committed look failed. So the ledger only offers each signed checkpoint
to a :class:`WitnessRelay` (:meth:`WitnessRelay.add` returns at once), and one
background thread delivers it:

* to a checkpoint store (:class:`pipeline.ledger.witness.StoreWitness`: a folder or an
  S3 Object Lock bucket), every checkpoint in order, as the synchronous path did;
* to each external C2SP ``tlog-witness``, the newest checkpoint only (a cosignature of
  a larger tree covers every smaller one), with an RFC 6962 consistency proof from the
  size the witness holds, computed from the leaves appended since
  (:class:`StoreLeaves`), not from the whole log.

A delivery that fails is logged as a warning naming the witness, kept, and tried
again with the next checkpoint (the next append) or after ``retry_seconds``. What each
witness holds is written to a small status file (``state_dir/witnesses.json``), which
``verify`` reads to say how far each witness has cosigned; a tlog witness's newest
cosigned note is kept there too, ready for ``verify --checkpoint``. The file is a
report, not evidence: the cosignature is.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections import OrderedDict, deque
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

import structlog

from pipeline.errors import LedgerError, MailledgerError, WitnessAheadError
from pipeline.ledger import layout
from pipeline.ledger.entry import LedgerEntry, format_time
from pipeline.ledger.tlog_witness import ConsistencyProofs, TlogWitnessClient
from pipeline.ledger.witness import CheckpointWitness
from pipeline.merkle import CompactRange, consistency_proof_from, leaf_hash
from pipeline.storage.base import ObjectStore

__all__ = [
    "WITNESS_STATUS_FILE",
    "StoreLeaves",
    "WitnessRelay",
    "WitnessStatus",
    "merge_statuses",
    "read_statuses",
    "store_target",
    "tlog_target",
]

log = structlog.get_logger(__name__)

WITNESS_STATUS_FILE = "witnesses.json"
"""Name of the status file inside ``state_dir``."""

_STORE_BACKLOG = 4096  # checkpoints kept for a store witness that is down (newest kept)
_RANGES = 8  # compact ranges kept for sizes the witnesses hold
_JOIN_SECONDS = 1.0  # how long close waits for the thread once nothing is pending

Kind = Literal["store", "tlog"]


@dataclass(frozen=True)
class WitnessStatus:
    """How far one witness has taken this log's checkpoints."""

    name: str
    kind: Kind
    size: int  # the largest size it holds or cosigned (0: none yet)
    wanted: int  # the newest size offered to it
    error: str | None = None  # why the last delivery failed (None: it succeeded)
    checked_at: str | None = None  # when it was last tried
    cosigned_note: str | None = None  # tlog: the checkpoint with its cosignature line

    @property
    def behind(self) -> bool:
        """True while it lacks the newest checkpoint offered to it."""
        return self.size < self.wanted

    def describe(self) -> str:
        """One line for ``verify`` and logs."""
        did = "cosigned" if self.kind == "tlog" else "holds checkpoints up to"
        text = f"{self.name} {did} size {self.size}"
        if self.behind:
            text += f", behind the newest signed size {self.wanted}"
            if self.error:
                text += f" (last try {self.checked_at}: {self.error})"
        return text + (f" (as of {self.checked_at})" if self.checked_at else "")


class _Target(Protocol):
    name: str
    kind: Kind
    every: bool  # every checkpoint in order (True) or only the newest (False)

    def deliver(self, size: int, note: str, proofs: ConsistencyProofs) -> str | None:
        """Give the checkpoint to the witness; the cosigned note, for a tlog witness."""
        ...

    def close(self) -> None:
        """Release the connections held for the witness."""
        ...


@dataclass
class _StoreTarget:
    witness: CheckpointWitness
    name: str
    kind: Kind = "store"
    every: bool = True

    def deliver(self, size: int, note: str, proofs: ConsistencyProofs) -> str | None:
        self.witness.add(size, note)
        return None

    def close(self) -> None:
        pass  # an object store holds nothing open between deliveries


@dataclass
class _TlogTarget:
    client: TlogWitnessClient
    name: str
    kind: Kind = "tlog"
    every: bool = False

    def deliver(self, size: int, note: str, proofs: ConsistencyProofs) -> str | None:
        return note + self.client.cosign(proofs, note).line

    def close(self) -> None:
        self.client.close()


def store_target(witness: CheckpointWitness) -> _Target:
    """A checkpoint store (folder or S3 Object Lock) as a relay target."""
    return _StoreTarget(witness, witness.description.removeprefix("the "))


def tlog_target(client: TlogWitnessClient) -> _Target:
    """An external tlog-witness as a relay target."""
    return _TlogTarget(client, f"tlog-witness {client.name!r}")


class StoreLeaves:
    """Consistency proofs for the log in ``store``, from the leaves appended since the old
    size (read from the batches directly: a witness checks the proof against the root it
    cosigned and the signed checkpoint, so a store changed meanwhile is refused there)."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self._ranges: OrderedDict[int, CompactRange] = OrderedDict()

    def consistency_proof(self, old_size: int, new_size: int) -> list[bytes]:
        """RFC 6962 PROOF(old_size, D[new_size])."""
        if old_size in (0, new_size):
            return []
        old = self._ranges.get(old_size)
        if old is None:  # a size this process has not seen: hash the prefix once
            old = CompactRange.from_leaves(self._leaves(0, old_size))
        new_leaves = self._leaves(old_size, new_size)
        self._keep(old)
        self._keep(old.extend(new_leaves))
        return consistency_proof_from(old, new_leaves)

    def _keep(self, span: CompactRange) -> None:
        self._ranges[span.size] = span
        self._ranges.move_to_end(span.size)
        while len(self._ranges) > _RANGES:
            self._ranges.popitem(last=False)

    def _leaves(self, start: int, stop: int) -> list[bytes]:
        """Leaf hashes of positions ``start .. stop-1``."""
        # A checkpoint is signed at the end of a batch, so the next batch starts at a
        # witnessed size: list from there; otherwise from the beginning.
        after = layout.batch_key(start - 1) if start else None
        leaves = self._read(start, stop, after)
        if leaves is None:
            leaves = self._read(start, stop, None)
        if leaves is None or len(leaves) != stop - start:
            raise LedgerError(
                f"the store does not hold ledger positions {start} to {stop - 1}; run"
                " 'mailledger verify'"
            )
        return leaves

    def _read(self, start: int, stop: int, after: str | None) -> list[bytes] | None:
        leaves: list[bytes] = []
        for key in self.store.list(layout.ENTRIES, start_after=after):
            first = layout.seq_of(key)
            if first is None:
                continue
            if first >= stop:
                break
            if after is not None and not leaves and first != start:
                return None
            lines, _proof = layout.batch_parts(self.store.get(key))
            for offset, line in enumerate(lines):
                if start <= first + offset < stop:
                    LedgerEntry.link_of(line)  # a damaged line is no entry to prove from
                    leaves.append(leaf_hash(line))
        return leaves


class WitnessRelay:
    """Delivers offered checkpoints to witnesses from one background thread (see module)."""

    description = "the checkpoint witnesses"

    def __init__(
        self,
        targets: Sequence[_Target],
        proofs: ConsistencyProofs,
        status_file: Path | None = None,
        *,
        retry_seconds: float = 30.0,
    ) -> None:
        self.targets = list(targets)
        self.proofs = proofs
        self.status_file = status_file
        self.retry_seconds = retry_seconds
        known = read_statuses(status_file) if status_file is not None else {}
        self._status: dict[str, WitnessStatus] = {
            t.name: replace(known[t.name], error=None)
            if t.name in known and known[t.name].kind == t.kind
            else WitnessStatus(t.name, t.kind, 0, 0)
            for t in self.targets
        }
        self._queues: dict[str, deque[tuple[int, str]]] = {
            t.name: deque(maxlen=_STORE_BACKLOG if t.every else 1) for t in self.targets
        }
        self._cond = threading.Condition()
        self._fresh = False  # something new (or a retry) to deliver
        self._busy = False
        self._closing = False  # close() has begun (a second close returns at once)
        self._closed = False  # nothing more is taken; the thread ends
        self._thread: threading.Thread | None = None

    # -- the ledger's side --------------------------------------------------------

    def add(self, size: int, note: str) -> None:
        """Offer a signed checkpoint; returns at once (delivery is in the background)."""
        with self._cond:
            if self._closed:
                # Nothing would deliver it: say so rather than keep it silently.
                log.warning("witness.offered_after_close", size=size)
                return
            for target in self.targets:
                queue = self._queues[target.name]
                if queue and queue[-1][0] >= size:
                    continue
                if target.every and len(queue) == queue.maxlen:
                    log.warning("witness.backlog_full", witness=target.name, dropped=queue[0][0])
                queue.append((size, note))
                status = self._status[target.name]
                self._status[target.name] = replace(status, wanted=max(status.wanted, size))
            self._fresh = True
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(
                    target=self._run, name="checkpoint-witnesses", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()

    def flush(self, timeout: float) -> list[WitnessStatus]:
        """Wait (up to ``timeout`` seconds) until every offered checkpoint was tried once;
        returns each witness's status (a failed one stays behind, to be retried)."""
        with self._cond:
            if self._thread is not None:
                self._cond.wait_for(lambda: not (self._busy or self._fresh), timeout)
            return self.statuses()

    def close(self, timeout: float = 30.0) -> None:
        """Deliver what is pending (waiting at most ``timeout``), then stop the thread,
        which releases the witnesses' connections as it ends. Closing again does nothing."""
        with self._cond:
            if self._closing:
                return
            self._closing = True
        for status in self.flush(timeout):
            if status.behind:
                log.warning(
                    "witness.behind_at_exit",
                    witness=status.name,
                    size=status.size,
                    wanted=status.wanted,
                    error=status.error,
                )
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            thread = self._thread
        if thread is None:
            self._close_targets()
        else:
            # A delivery still in flight ends within the witness's own timeout; the
            # thread closes the connections then, not under that delivery.
            thread.join(_JOIN_SECONDS)

    def _close_targets(self) -> None:
        for target in self.targets:
            target.close()

    def statuses(self) -> list[WitnessStatus]:
        """What each witness holds, as last delivered or tried."""
        return [self._status[t.name] for t in self.targets]

    # -- the background thread ----------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._fresh and not self._closed:
                    pending = any(self._queues.values())
                    if not self._cond.wait(self.retry_seconds if pending else None) and pending:
                        self._fresh = True  # retry a witness that was down
                if self._closed and not self._fresh:
                    break
                self._fresh = False
                self._busy = True
            try:
                for target in self.targets:
                    self._deliver(target)
                self._save()
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
        self._close_targets()

    def _deliver(self, target: _Target) -> None:
        """Deliver ``target``'s queued checkpoints in order; stop at the first failure."""
        queue = self._queues[target.name]
        while True:
            with self._cond:
                if not queue:
                    return
                size, note = queue[0]
            now = format_time(datetime.now(UTC))
            held = size
            try:
                cosigned = target.deliver(size, note, self.proofs)
            except WitnessAheadError as ahead:
                if not self._log_reaches(size, ahead.held):
                    self._failed(target, size, str(ahead), now)
                    return
                # Another process holding the log key (the web app beside the worker) got
                # a later checkpoint of this same log to the witness first: nothing is cut.
                cosigned, held = None, ahead.held
            except Exception as exc:  # noqa: BLE001 - kept in the status and retried
                message = str(exc) if isinstance(exc, MailledgerError) else repr(exc)
                self._failed(target, size, message, now)
                return
            with self._cond:
                if queue and queue[0][0] == size:
                    queue.popleft()
                status = self._status[target.name]
                self._status[target.name] = replace(
                    status,
                    size=max(status.size, held),
                    error=None,
                    checked_at=now,
                    cosigned_note=cosigned if cosigned is not None else status.cosigned_note,
                )
            log.debug("witness.delivered", witness=target.name, size=size)

    def _log_reaches(self, size: int, held: int) -> bool:
        """Whether the store holds the log past ``held``, consistent with the checkpoint of
        ``size`` (a proof from it to ``held`` can be built from the stored leaves)."""
        try:
            self.proofs.consistency_proof(size, held)
        except LedgerError:
            return False
        return True

    def _failed(self, target: _Target, size: int, message: str, now: str) -> None:
        """Keep a failed delivery in the status (the checkpoint stays queued)."""
        with self._cond:
            status = self._status[target.name]
            self._status[target.name] = replace(status, error=message, checked_at=now)
        log.warning(
            "witness.behind",
            witness=target.name,
            size=size,
            holds=self._status[target.name].size,
            error=message,
        )

    def _save(self) -> None:
        """Merge the statuses into the status file, under a lock, and write it atomically.

        Several processes holding the log key (the web app beside a worker) each run a
        relay on the same file. Writing only this process's view would let one that
        delivered less overwrite one that delivered more, and the status would flap
        between ok and behind; so each witness's entry keeps the furthest any process got.
        """
        if self.status_file is None:
            return
        with self._cond:
            ours = dict(self._status)
        lock_path = self.status_file.with_name(self.status_file.name + ".lock")
        try:
            self.status_file.parent.mkdir(parents=True, exist_ok=True)
            with lock_path.open("a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
                theirs = read_statuses(self.status_file)
                merged = {name: merge_statuses(ours[name], theirs.get(name)) for name in ours}
                # witnesses only the other process delivers to stay as it saved them
                merged |= {name: st for name, st in theirs.items() if name not in ours}
                data = {name: asdict(status) for name, status in merged.items()}
                # the replace makes the write atomic: a reader never sees half a file
                temporary = self.status_file.with_suffix(f".{os.getpid()}.tmp")
                temporary.write_text(json.dumps(data, indent=2), encoding="utf-8")
                temporary.replace(self.status_file)
        except OSError as exc:
            log.warning("witness.status_not_saved", path=str(self.status_file), error=str(exc))


def merge_statuses(ours: WitnessStatus, theirs: WitnessStatus | None) -> WitnessStatus:
    """One witness's status as two processes saw it: the furthest delivery, behind while
    the newest size either offered is missing, and then with the newest error either
    process met (a later try that delivered less does not clear it)."""
    if theirs is None or theirs.kind != ours.kind:
        return ours
    furthest = max(ours, theirs, key=lambda s: (s.size, s.checked_at or ""))
    wanted = max(ours.wanted, theirs.wanted)
    if furthest.size >= wanted:
        latest = max(ours, theirs, key=lambda s: s.checked_at or "")
        return replace(furthest, wanted=wanted, error=None, checked_at=latest.checked_at)
    failed = [s for s in (ours, theirs) if s.error is not None]
    if not failed:
        return replace(furthest, wanted=wanted)
    newest = max(failed, key=lambda s: s.checked_at or "")
    return replace(furthest, wanted=wanted, error=newest.error, checked_at=newest.checked_at)


def read_statuses(path: Path) -> dict[str, WitnessStatus]:
    """The statuses a relay last wrote to ``path`` (empty when there is none).

    The file is a report kept in ``state_dir``, not evidence: one that cannot be read or
    does not hold an object of statuses counts as missing (with a warning naming it),
    and the next relay that saves rewrites it.
    """
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise TypeError(f"a JSON {type(data).__name__}, not an object of witness statuses")
        return {str(name): _status(fields) for name, fields in data.items()}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, TypeError) as exc:
        log.warning("witness.status_unreadable", path=str(path), error=str(exc))
        return {}


def _status(fields: Any) -> WitnessStatus:
    """One saved status; TypeError when its fields are not what a relay writes (a status
    compared or printed with a size that is not a number would fail far from the file)."""
    if not isinstance(fields, dict):
        raise TypeError("a witness status is not a JSON object")
    status = WitnessStatus(**fields)
    texts = (status.error, status.checked_at, status.cosigned_note)
    if (
        not isinstance(status.name, str)
        or status.kind not in ("store", "tlog")
        or not all(type(n) is int for n in (status.size, status.wanted))
        or not all(t is None or isinstance(t, str) for t in texts)
    ):
        raise TypeError(f"witness status {status.name!r} has fields of the wrong type")
    return status
