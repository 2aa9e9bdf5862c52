"""Whether each disposal in the log was lawful: no held record, no unexpired retention.

``dispose`` refuses held or retained records when it runs, but a verifier must not
take that on trust: a ``record.disposed`` entry is the only thing that excuses a
stored object's absence, so ``verify`` checks each one again, in log order,
against the holds in force at its position and the configured retention.
:class:`DisposalAudit` is an :class:`pipeline.ledger.verify.EntryAudit`; it does no I/O.
"""

from __future__ import annotations

import hashlib
from array import array
from datetime import UTC, datetime, timedelta

from pipeline.entries import RecordBody, decode
from pipeline.entries.models import HoldAdded, HoldRemoved, RecordDisposed
from pipeline.entries.names import HOLD_ADDED, HOLD_REMOVED, RECORD_DISPOSED, RECORD_TYPES
from pipeline.errors import EntryFormatError
from pipeline.ledger.audit import Fault, Problem
from pipeline.ledger.entry import LedgerEntry
from pipeline.ledger.packed import PackedIndex

# An object is stored (and its retention starts) moments before its record's entry is
# written; a day of grace keeps that gap from ever making a lawful disposal a finding.
_GRACE = timedelta(days=1)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

# Object keys are kept as their SHA-256 (32 bytes, where a key string costs about 130):
# a disposal can pass another record's key off as one of this record's only by a
# collision of SHA-256 itself, even when the writer chose both records' content.
_DIGEST = 32


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()


class _RecordIndex:
    """Where each record was first recorded, when, and its objects, packed.

    ``verify`` sees every record of the log and must remember each one in case a later
    entry disposes of it: about 190 bytes a record here (three objects), where a tuple
    of a datetime and a frozenset of key strings cost about 910 (90 MB over 100,000
    records). Record ids are kept as their SHA-256 too, so each costs the same fixed
    width however long an id the writer chose.
    """

    def __init__(self) -> None:
        self._rows = PackedIndex(_DIGEST)  # record id's digest -> row
        self._positions = array("q")
        self._micros = array("q")  # entry time, microseconds since the epoch (UTC)
        self._key_ends = array("q")  # end of each row's digests in _keys
        self._keys = bytearray()  # each row's object key digests, one after another

    def add(self, record_id: str, position: int, moment: datetime, keys: list[str]) -> None:
        """Remember a record unless an earlier entry recorded it already."""
        row = len(self._positions)
        if not self._rows.add(_digest(record_id), row):
            return
        self._positions.append(position)
        self._micros.append((moment - _EPOCH) // _MICROSECOND)
        for key in keys:
            self._keys += _digest(key)
        self._key_ends.append(len(self._keys))

    def find(self, record_id: str) -> tuple[int, datetime, frozenset[bytes]] | None:
        """The record's position, time and object key digests; None if never recorded."""
        row = self._rows.get(_digest(record_id))
        if row is None:
            return None
        start = self._key_ends[row - 1] if row else 0
        keys = self._keys[start : self._key_ends[row]]
        digests = frozenset(bytes(keys[i : i + _DIGEST]) for i in range(0, len(keys), _DIGEST))
        return self._positions[row], _EPOCH + self._micros[row] * _MICROSECOND, digests


class DisposalAudit:
    """Checks every ``record.disposed`` against the holds and retention at its position.

    ``retain_days`` is the configured retention (None: not checked, for stores whose
    retention is a bucket default the config does not state).
    """

    types = frozenset((*RECORD_TYPES, HOLD_ADDED, HOLD_REMOVED, RECORD_DISPOSED))

    def __init__(self, retain_days: int | None) -> None:
        self.retain_days = retain_days
        self._records = _RecordIndex()
        self._holds: dict[str, int] = {}  # record id -> position of the hold in force
        self._problems: list[Problem] = []

    def problems(self) -> list[Problem]:
        """Every unlawful disposal found so far, at its position."""
        return list(self._problems)

    def see(self, position: int, entry: LedgerEntry) -> None:
        """One record, hold or disposal entry, in log order."""
        try:
            body = decode(entry).body
            moment = entry.moment
        except (EntryFormatError, ValueError) as exc:
            if entry.type == RECORD_DISPOSED:
                self._fail(position, f"the disposal entry cannot be read: {exc}")
            return  # other unreadable bodies are not this audit's concern
        if isinstance(body, RecordBody):
            keys = [ref.key for ref in body.object_refs()]
            self._records.add(body.record_id, position, moment, keys)
        elif isinstance(body, HoldAdded):
            self._holds.update((record_id, position) for record_id in body.record_ids)
        elif isinstance(body, HoldRemoved):
            for record_id in body.record_ids:
                self._holds.pop(record_id, None)
        elif isinstance(body, RecordDisposed):
            self._disposal(position, moment, body)

    def _disposal(self, position: int, moment: datetime, body: RecordDisposed) -> None:
        record_id = body.record_id
        record = self._records.find(record_id)
        if record is None:
            self._fail(position, f"disposes of {record_id}, which no earlier entry records")
            return
        seq, received, keys = record
        if record_id in self._holds:
            self._fail(
                position,
                f"disposes of {record_id} while it is under the legal hold added at position"
                f" {self._holds[record_id]}",
            )
            return
        deleted = sorted(set(body.keys))
        foreign = [key for key in deleted if _digest(key) not in keys]
        if foreign:
            self._fail(position, f"deletes {foreign[0]}, which is not one of {record_id}'s objects")
            return
        for other_id, hold_position in self._holds.items():
            other = self._records.find(other_id)
            shared = [key for key in deleted if other is not None and _digest(key) in other[2]]
            if shared:
                self._fail(
                    position,
                    f"deletes {shared[0]}, which {other_id} also holds under the legal hold"
                    f" added at position {hold_position}",
                )
                return
        if self.retain_days is not None:
            ends = received + timedelta(days=self.retain_days)
            if moment + _GRACE < ends:
                self._fail(
                    position,
                    f"disposes of {record_id} (recorded at position {seq} on"
                    f" {received.date().isoformat()}) before its {self.retain_days}-day"
                    f" retention ends on {ends.date().isoformat()}",
                )

    def _fail(self, position: int, detail: str) -> None:
        self._problems.append(Problem(position, Fault.UNLAWFUL_DISPOSAL, detail))
