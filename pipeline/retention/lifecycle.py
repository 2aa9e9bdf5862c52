"""Legal holds and lawful disposal of stored records, both recorded in the ledger.

A record's stored objects (raw message, bodies, attachments, quarantined
attachments) are found from its ``message.received`` / ``response.sent`` entry.
Objects are content-addressed, so one object can belong to several records: a
hold is lifted from an object only when no other held record still needs it, and
disposal never deletes an object that a record outside the disposal still
references. The ledger entries and their hashes are never removed: ``verify``
reports disposed content as disposed under policy, and content that vanished
without a ``record.disposed`` entry as missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pipeline.entries import RecordBody, TypedEntry, decode, draft
from pipeline.entries.models import (
    HoldAdded,
    HoldRemoved,
    RecordDisposed,
    RetentionPolicy,
)
from pipeline.entries.names import HOLD_ADDED, HOLD_REMOVED, RECORD_DISPOSED, RECORD_TYPES
from pipeline.errors import ObjectNotFoundError, RecordNotFoundError, RetentionError
from pipeline.ledger.entry import LedgerEntry
from pipeline.ledger.protocols import LedgerReader, LedgerWriter
from pipeline.storage.base import ObjectStore

_TYPES = (*RECORD_TYPES, HOLD_ADDED, HOLD_REMOVED, RECORD_DISPOSED)

_DURATION = re.compile(r"^(\d+)([dwy])$")
_UNIT_DAYS = {"d": 1, "w": 7}


def cutoff_before(now: datetime, text: str) -> datetime:
    """The moment ``text`` (``7y``, ``2555d``, ``52w``, ``0d``) before ``now``; ValueError else.

    Years are calendar years, not 365 days: seven 365-day years end a day or two before
    seven years have passed, and disposal must never come early. A 29 February maps to
    28 February, which again errs on keeping records longer.
    """
    match = _DURATION.match(text.strip())
    if match is None:
        raise ValueError(f"bad duration {text!r}: use a whole number with d, w or y (e.g. 7y)")
    count, unit = int(match.group(1)), match.group(2)
    try:
        if unit != "y":
            return now - timedelta(days=count * _UNIT_DAYS[unit])
        try:
            return now.replace(year=now.year - count)
        except ValueError:
            if now.year - count < 1:  # before year 1: no calendar has that day
                raise
            return now.replace(year=now.year - count, day=28)
    except (OverflowError, ValueError):
        raise ValueError(f"duration {text!r} reaches back before any record") from None


@dataclass(frozen=True)
class StoredRecord:
    """One record and the keys of every object its entry references."""

    record_id: str
    seq: int
    received: datetime
    message_id: str | None
    raw_sha256: str | None
    keys: tuple[str, ...]


@dataclass
class LedgerState:
    """What the ledger says about records, holds and disposals, in one pass."""

    records: dict[str, StoredRecord] = field(default_factory=dict)
    # record id -> the hold.added entry that holds it
    holds: dict[str, TypedEntry[HoldAdded]] = field(default_factory=dict)
    disposed: dict[str, set[str]] = field(default_factory=dict)  # record id -> disposed keys

    @classmethod
    def read(cls, ledger: LedgerReader) -> LedgerState:
        """Scan every entry once."""
        state = cls()
        for entry in ledger.entries():
            if entry.type not in _TYPES:
                continue
            typed = decode(entry)
            body = typed.body
            if isinstance(body, RecordBody):
                state._add_record(entry, body)
            elif isinstance(body, HoldAdded):
                for record_id in body.record_ids:
                    state.holds[record_id] = TypedEntry(
                        typed.seq, typed.type, typed.time, typed.actor, body, entry
                    )
            elif isinstance(body, HoldRemoved):
                for record_id in body.record_ids:
                    state.holds.pop(record_id, None)
            elif isinstance(body, RecordDisposed):
                state.disposed.setdefault(body.record_id, set()).update(body.keys)
        return state

    def _add_record(self, entry: LedgerEntry, body: RecordBody) -> None:
        self.records.setdefault(
            body.record_id,
            StoredRecord(
                record_id=body.record_id,
                seq=entry.seq,
                received=entry.moment,
                message_id=body.headers.message_id,
                raw_sha256=body.raw.sha256 if body.raw else None,
                keys=tuple(sorted({ref.key for ref in body.object_refs()})),
            ),
        )

    def resolve(self, refs: Iterable[str]) -> list[StoredRecord]:
        """Records named by record id, Message-ID (with or without <>) or raw SHA-256."""
        found: dict[str, StoredRecord] = {}
        for ref in refs:
            wanted = ref.strip()
            bare = wanted.strip("<>").lower()
            matches = [
                r
                for r in self.records.values()
                if r.record_id == wanted
                or (r.raw_sha256 is not None and r.raw_sha256 == wanted.lower())
                or (r.message_id is not None and r.message_id.strip("<>").lower() == bare)
            ]
            if not matches:
                raise RecordNotFoundError(
                    f"no record matches {ref!r} (a record id r-..., a Message-ID or a raw SHA-256)"
                )
            found.update((r.record_id, r) for r in matches)
        return sorted(found.values(), key=lambda r: r.seq)

    def live_keys(self, record: StoredRecord) -> list[str]:
        """The record's keys that have not been disposed of."""
        gone = self.disposed.get(record.record_id, set())
        return [k for k in record.keys if k not in gone]


# -- legal holds ------------------------------------------------------------------------


@dataclass(frozen=True)
class HoldChange:
    """The records and objects one hold action touched."""

    record_ids: list[str]
    keys: list[str]
    entry: LedgerEntry | None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for ``--json``."""
        return {
            "record_ids": self.record_ids,
            "keys": self.keys,
            "seq": self.entry.seq if self.entry else None,
        }


def add_hold(
    store: ObjectStore,
    ledger: LedgerReader,
    writer: LedgerWriter,
    refs: Sequence[str],
    *,
    reason: str | None,
    actor: str,
) -> HoldChange:
    """Place a legal hold on every object of the named records; append ``hold.added``."""
    state = LedgerState.read(ledger)
    records = state.resolve(refs)
    keys = sorted({k for r in records for k in state.live_keys(r)})
    for key in keys:
        try:
            store.set_legal_hold(key, True)
        except ObjectNotFoundError:
            continue  # reported by verify as missing content; nothing to hold
    record_ids = [r.record_id for r in records]
    added = HoldAdded(record_ids=tuple(record_ids), keys=tuple(keys), reason=reason)
    (entry,) = writer.append([draft(added, actor)])
    return HoldChange(record_ids, keys, entry)


def remove_hold(
    store: ObjectStore,
    ledger: LedgerReader,
    writer: LedgerWriter,
    refs: Sequence[str],
    *,
    reason: str,
    actor: str,
) -> HoldChange:
    """Lift the hold of the named records (objects another held record needs stay held)."""
    state = LedgerState.read(ledger)
    records = state.resolve(refs)
    released = {r.record_id for r in records}
    still_needed = {
        k
        for record_id in state.holds
        if record_id not in released and record_id in state.records
        for k in state.records[record_id].keys
    }
    keys = sorted({k for r in records for k in state.live_keys(r)} - still_needed)
    for key in keys:
        try:
            store.set_legal_hold(key, False)
        except ObjectNotFoundError:
            continue
    record_ids = [r.record_id for r in records]
    removed = HoldRemoved(record_ids=tuple(record_ids), keys=tuple(keys), reason=reason)
    (entry,) = writer.append([draft(removed, actor)])
    return HoldChange(record_ids, keys, entry)


@dataclass(frozen=True)
class HoldView:
    """A record under hold, as the ledger says, and what the store says."""

    record_id: str
    since: str
    actor: str
    reason: str | None
    keys: list[str]
    unheld_keys: list[str] | None  # None: the store was not checked

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for ``--json``."""
        return {
            "record_id": self.record_id,
            "since": self.since,
            "actor": self.actor,
            "reason": self.reason,
            "keys": self.keys,
            "unheld_keys": self.unheld_keys,
        }


def list_holds(ledger: LedgerReader, store: ObjectStore | None = None) -> list[HoldView]:
    """Current holds from the ledger; with ``store``, also objects the store does not hold."""
    state = LedgerState.read(ledger)
    views = []
    for record_id, added in sorted(state.holds.items(), key=lambda item: item[1].seq):
        record = state.records.get(record_id)
        keys = state.live_keys(record) if record else []
        unheld: list[str] | None = None
        if store is not None:
            unheld = []
            for key in keys:
                try:
                    if not store.protection(key).legal_hold:
                        unheld.append(key)
                except ObjectNotFoundError:
                    unheld.append(key)
        views.append(HoldView(record_id, added.time, added.actor, added.body.reason, keys, unheld))
    return views


# -- disposal ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Disposal:
    """What ``dispose`` did (or, in a dry run, would do) to one record."""

    record_id: str
    received: datetime
    keys: list[str]  # objects deleted (or to delete)
    kept_shared: list[str]  # objects kept because a record outside the disposal needs them
    refused: str | None  # why the record is not disposed of, or None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON for ``--json``."""
        return {
            "record_id": self.record_id,
            "received": self.received.isoformat(),
            "keys": self.keys,
            "kept_shared": self.kept_shared,
            "refused": self.refused,
        }


def plan_disposal(
    store: ObjectStore, ledger: LedgerReader, *, cutoff: datetime, now: datetime
) -> list[Disposal]:
    """Records received before ``cutoff``, each with the objects that may be deleted."""
    state = LedgerState.read(ledger)
    old = [
        r
        for r in state.records.values()
        if r.received < cutoff
        and r.record_id not in state.holds
        and not (set(r.keys) <= state.disposed.get(r.record_id, set()))
    ]
    protected_cache: dict[str, str | None] = {}

    def blocked(key: str) -> str | None:
        if key not in protected_cache:
            try:
                protection = store.protection(key)
            except ObjectNotFoundError:
                protected_cache[key] = None
            else:
                protected_cache[key] = (
                    f"{key} is under legal hold"
                    if protection.legal_hold
                    else f"{key} is retained until {protection.retain_until.isoformat()}"
                    if protection.blocks_deletion(now) and protection.retain_until
                    else None
                )
        return protected_cache[key]

    # First decide which records are refused (an object still protected); only the rest
    # are disposed of, and every other record's objects are off limits.
    refused: dict[str, str] = {}
    for record in old:
        reasons = [b for b in map(blocked, state.live_keys(record)) if b is not None]
        if reasons:
            refused[record.record_id] = reasons[0]
    disposing = {r.record_id for r in old if r.record_id not in refused}
    needed_elsewhere = {
        k
        for r in state.records.values()
        if r.record_id not in disposing
        for k in state.live_keys(r)
    }
    plan = []
    for record in sorted(old, key=lambda r: r.seq):
        live = state.live_keys(record)
        if record.record_id in refused:
            plan.append(
                Disposal(record.record_id, record.received, [], [], refused[record.record_id])
            )
            continue
        shared = [k for k in live if k in needed_elsewhere]
        delete = [k for k in live if k not in needed_elsewhere and store.exists(k)]
        plan.append(Disposal(record.record_id, record.received, delete, shared, None))
    return plan


def dispose(
    store: ObjectStore,
    writer: LedgerWriter,
    plan: Sequence[Disposal],
    *,
    policy: RetentionPolicy,
    reason: str | None,
    actor: str,
) -> list[Disposal]:
    """Append ``record.disposed`` for each planned record, then delete its objects.

    The entry goes first: a crash between the two leaves content the ledger calls
    disposed but still stored (harmless: ``verify`` finds it intact), never content
    that vanished without an entry (which ``verify`` would rightly report as missing).
    """
    done = [d for d in plan if d.refused is None and d.keys]
    if not done:
        return []
    writer.append(
        [
            draft(
                RecordDisposed(
                    record_id=d.record_id, keys=tuple(d.keys), policy=policy, reason=reason
                ),
                actor,
            )
            for d in done
        ]
    )
    deleted: set[str] = set()
    for disposal in done:
        for key in disposal.keys:
            if key in deleted:
                continue
            try:
                store.delete(key)
            except ObjectNotFoundError:
                pass
            except RetentionError as exc:
                raise RetentionError(
                    f"{exc}; record {disposal.record_id} is recorded as disposed but this"
                    " object is still stored"
                ) from exc
            deleted.add(key)
    return done
