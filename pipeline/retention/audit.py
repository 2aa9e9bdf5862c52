"""Whether each disposal in the log was lawful: no held record, no unexpired retention.

``dispose`` refuses held or retained records when it runs, but a verifier must not
take that on trust: a ``record.disposed`` entry is the only thing that excuses a
stored object's absence, so ``verify`` checks each one again, in log order,
against the holds in force at its position and the configured retention.
:class:`DisposalAudit` is an :class:`pipeline.ledger.verify.EntryAudit`; it does no I/O.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pipeline.entries import RecordBody, decode
from pipeline.entries.models import HoldAdded, HoldRemoved, RecordDisposed
from pipeline.entries.names import HOLD_ADDED, HOLD_REMOVED, RECORD_DISPOSED, RECORD_TYPES
from pipeline.errors import EntryFormatError
from pipeline.ledger.audit import Fault, Problem
from pipeline.ledger.entry import LedgerEntry

# An object is stored (and its retention starts) moments before its record's entry is
# written; a day of grace keeps that gap from ever making a lawful disposal a finding.
_GRACE = timedelta(days=1)


class DisposalAudit:
    """Checks every ``record.disposed`` against the holds and retention at its position.

    ``retain_days`` is the configured retention (None: not checked, for stores whose
    retention is a bucket default the config does not state).
    """

    types = frozenset((*RECORD_TYPES, HOLD_ADDED, HOLD_REMOVED, RECORD_DISPOSED))

    def __init__(self, retain_days: int | None) -> None:
        self.retain_days = retain_days
        self._records: dict[str, tuple[int, datetime, frozenset[str]]] = {}
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
            keys = frozenset(ref.key for ref in body.object_refs())
            self._records.setdefault(body.record_id, (position, moment, keys))
        elif isinstance(body, HoldAdded):
            self._holds.update((record_id, position) for record_id in body.record_ids)
        elif isinstance(body, HoldRemoved):
            for record_id in body.record_ids:
                self._holds.pop(record_id, None)
        elif isinstance(body, RecordDisposed):
            self._disposal(position, moment, body)

    def _disposal(self, position: int, moment: datetime, body: RecordDisposed) -> None:
        record_id = body.record_id
        record = self._records.get(record_id)
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
        foreign = sorted(set(body.keys) - keys)
        if foreign:
            self._fail(position, f"deletes {foreign[0]}, which is not one of {record_id}'s objects")
            return
        for other_id, hold_position in self._holds.items():
            other = self._records.get(other_id)
            shared = sorted(set(body.keys) & other[2]) if other is not None else []
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
