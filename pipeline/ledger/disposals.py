"""Whether each disposal in the log was lawful: no held record, no unexpired retention.

``dispose`` refuses held or retained records when it runs, but a verifier must not
take that on trust: a ``record.disposed`` entry is the only thing that excuses a
stored object's absence, so each one is checked again, in log order, against the
holds in force at its position and the configured retention. Pure: the caller
feeds entries in order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pipeline.ledger.audit import Fault, Problem

RECORD_TYPES = frozenset(("message.received", "response.sent"))
HOLD_ADDED = "hold.added"
HOLD_REMOVED = "hold.removed"
DISPOSED = "record.disposed"
TYPES = RECORD_TYPES | {HOLD_ADDED, HOLD_REMOVED, DISPOSED}

# An object is stored (and its retention starts) moments before its record's entry is
# written; a day of grace keeps that gap from ever making a lawful disposal a finding.
_GRACE = timedelta(days=1)


@dataclass(frozen=True)
class _Record:
    seq: int
    received: datetime
    keys: frozenset[str]


@dataclass
class DisposalAudit:
    """Feed it every record, hold and disposal entry in order; it collects the findings.

    ``retain_days`` is the configured retention (``None``: retention is not checked,
    for stores whose retention is a bucket default the config does not state).
    """

    retain_days: int | None
    records: dict[str, _Record] = field(default_factory=dict)
    holds: dict[str, int] = field(default_factory=dict)  # record id -> position of its hold
    problems: list[Problem] = field(default_factory=list)

    def record(self, seq: int, record_id: str, received: datetime, keys: Iterable[str]) -> None:
        """A ``message.received`` or ``response.sent`` entry and the objects it references."""
        self.records.setdefault(record_id, _Record(seq, received, frozenset(keys)))

    def hold(self, seq: int, added: bool, body: Mapping[str, Any]) -> None:
        """A ``hold.added`` or ``hold.removed`` entry."""
        for record_id in _strings(body.get("record_ids")):
            if added:
                self.holds[record_id] = seq
            else:
                self.holds.pop(record_id, None)

    def disposal(self, seq: int, moment: datetime, body: Mapping[str, Any]) -> None:
        """A ``record.disposed`` entry: report it when it was not lawful."""
        record_id = body.get("record_id")
        keys = _strings(body.get("keys"))
        if not isinstance(record_id, str):
            self._fail(seq, "a record.disposed entry names no record")
            return
        record = self.records.get(record_id)
        if record is None:
            self._fail(seq, f"disposes of {record_id}, which no earlier entry records")
            return
        if record_id in self.holds:
            self._fail(
                seq,
                f"disposes of {record_id} while it is under the legal hold added at position"
                f" {self.holds[record_id]}",
            )
            return
        foreign = sorted(set(keys) - record.keys)
        if foreign:
            self._fail(seq, f"deletes {foreign[0]}, which is not one of {record_id}'s objects")
            return
        for other_id, hold_seq in self.holds.items():
            other = self.records.get(other_id)
            shared = sorted(set(keys) & other.keys) if other is not None else []
            if shared:
                self._fail(
                    seq,
                    f"deletes {shared[0]}, which {other_id} also holds under the legal hold"
                    f" added at position {hold_seq}",
                )
                return
        if self.retain_days is not None:
            ends = record.received + timedelta(days=self.retain_days)
            if moment + _GRACE < ends:
                self._fail(
                    seq,
                    f"disposes of {record_id} (recorded at position {record.seq} on"
                    f" {record.received.date().isoformat()}) before its {self.retain_days}-day"
                    f" retention ends on {ends.date().isoformat()}",
                )

    def _fail(self, seq: int, detail: str) -> None:
        self.problems.append(Problem(seq, Fault.UNLAWFUL_DISPOSAL, detail))


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
