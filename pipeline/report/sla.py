"""SLA report figures from evaluated cases (pure; no I/O, ``now`` passed in).

What is counted, so every figure can be re-derived by hand from the ledger:

* Every status comes from the one case model (:mod:`pipeline.cases.deadlines`).
* A record is in the period when its servicer-local receipt date lies in
  ``[date_from, date_to]`` (both inclusive). Imported (backfilled) mail starts clocks
  like any other (it is never acknowledged automatically) and is counted in
  ``imported`` too. Machine mail (auto-replies, lists, bounces) and messages marked
  not a request are ``not_applicable``: counted there, never in a clock column.
* Acknowledge (12 CFR 1024.35(d), 1024.36(c)): ``on_time`` / ``late`` (met after the
  due date) / ``missed`` (not met and past due: never acknowledged) / ``pending``
  (not met, not yet due). Records without an acknowledge clock (payoff statements,
  12 CFR 1026.36(c)(3)) are not in these columns.
* Respond (12 CFR 1024.35(e)(3), 1024.36(d)(2), 1026.36(c)(3)): ``on_time`` /
  ``late`` / ``open`` (no response yet); ``overdue`` is the part of ``open`` past due.
  Due dates include any extension.
* Business days taken: from the receipt date (day 0) to the local date the clock
  was met, on the federal business-day calendar. Median as usual (mean of the two
  middle values for an even count); 90th percentile by the nearest-rank method
  (the ``ceil(0.9 n)``-th smallest value), so it is always an observed value.
* On-time rate: respond ``on_time / (on_time + late + overdue)``; open cases not yet
  due are undecided and left out.
* Upcoming: pending clocks of any record (whatever the period) due within the next
  five business days after today.
* Sensitive: records whose classification found full SSNs, card, routing or bank
  account numbers. Only the kinds are counted; the numbers are never copied.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pipeline.cases.book import ResponseRecord
from pipeline.cases.deadlines import CaseStatus, DeadlineResult
from pipeline.classify.clocks import DEFAULT_POLICY, ClockPolicy, add_business_days, local_date
from pipeline.entries.models import CorrectionBody
from pipeline.entries.references import reference_number

__all__ = [
    "GroupStats",
    "MissedDeadline",
    "SensitiveFlag",
    "SlaReport",
    "UpcomingDeadline",
    "build_sla_report",
    "nearest_rank",
]

UPCOMING_BUSINESS_DAYS = 5


def nearest_rank(values: Sequence[int], percentile: int) -> int | None:
    """The nearest-rank percentile: the ``ceil(p/100 * n)``-th smallest value."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(percentile * len(ordered) / 100))
    return ordered[rank - 1]


def _median(values: Sequence[int]) -> float | None:
    return float(statistics.median(values)) if values else None


@dataclass(frozen=True, slots=True)
class GroupStats:
    """Counts and timings for one category, one escalation rule, or all records."""

    group: str
    key: str
    received: int = 0
    not_applicable: int = 0
    ack_on_time: int = 0
    ack_late: int = 0
    ack_missed: int = 0
    ack_pending: int = 0
    respond_on_time: int = 0
    respond_late: int = 0
    respond_open: int = 0
    respond_overdue: int = 0
    ack_days: tuple[int, ...] = ()
    respond_days: tuple[int, ...] = ()

    @property
    def ack_median(self) -> float | None:
        """Median business days to acknowledge."""
        return _median(self.ack_days)

    @property
    def ack_p90(self) -> int | None:
        """90th percentile (nearest rank) business days to acknowledge."""
        return nearest_rank(self.ack_days, 90)

    @property
    def respond_median(self) -> float | None:
        """Median business days to respond."""
        return _median(self.respond_days)

    @property
    def respond_p90(self) -> int | None:
        """90th percentile (nearest rank) business days to respond."""
        return nearest_rank(self.respond_days, 90)

    @property
    def on_time_rate(self) -> float | None:
        """Respond on time over decided cases (on time + late + overdue)."""
        decided = self.respond_on_time + self.respond_late + self.respond_overdue
        return self.respond_on_time / decided if decided else None

    def to_json(self) -> dict[str, Any]:
        """Plain dict of every figure."""
        return {
            "group": self.group,
            "key": self.key,
            "received": self.received,
            "not_applicable": self.not_applicable,
            "ack_on_time": self.ack_on_time,
            "ack_late": self.ack_late,
            "ack_missed": self.ack_missed,
            "ack_pending": self.ack_pending,
            "respond_on_time": self.respond_on_time,
            "respond_late": self.respond_late,
            "respond_open": self.respond_open,
            "respond_overdue": self.respond_overdue,
            "ack_median_days": self.ack_median,
            "ack_p90_days": self.ack_p90,
            "respond_median_days": self.respond_median,
            "respond_p90_days": self.respond_p90,
            "respond_on_time_rate": self.on_time_rate,
        }


@dataclass
class _Accumulator:
    group: str
    key: str
    received: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    ack_days: list[int] = field(default_factory=list)
    respond_days: list[int] = field(default_factory=list)

    def add(self, case: CaseStatus) -> None:
        self.received += 1
        if case.not_applicable is not None:
            self.counts["not_applicable"] += 1
        for result in case.deadlines:
            prefix = "ack" if result.name == "acknowledge" else "respond"
            state = result.state
            if state == "met":
                self.counts[f"{prefix}_{'on_time' if result.status.on_time else 'late'}"] += 1
                if result.days_taken is not None:
                    (self.ack_days if prefix == "ack" else self.respond_days).append(
                        result.days_taken
                    )
            elif prefix == "ack":
                self.counts["ack_missed" if state == "missed" else "ack_pending"] += 1
            else:
                self.counts["respond_open"] += 1
                if state == "missed":
                    self.counts["respond_overdue"] += 1

    def freeze(self) -> GroupStats:
        c = self.counts
        return GroupStats(
            group=self.group,
            key=self.key,
            received=self.received,
            not_applicable=c["not_applicable"],
            ack_on_time=c["ack_on_time"],
            ack_late=c["ack_late"],
            ack_missed=c["ack_missed"],
            ack_pending=c["ack_pending"],
            respond_on_time=c["respond_on_time"],
            respond_late=c["respond_late"],
            respond_open=c["respond_open"],
            respond_overdue=c["respond_overdue"],
            ack_days=tuple(self.ack_days),
            respond_days=tuple(self.respond_days),
        )


@dataclass(frozen=True, slots=True)
class MissedDeadline:
    """A clock missed (still open past due) or met late, with the entries behind it."""

    record_id: str
    reference: str
    sender: str
    masked_accounts: tuple[str, ...]
    category: str
    request_kind: str
    deadline: str
    rule: str
    due: date
    original_due: date
    state: str  # "missed" (still open) or "late" (met after due)
    late_by: int
    met_on: date | None
    positions: tuple[int, ...]
    imported: bool = False

    def to_json(self) -> dict[str, Any]:
        """Plain dict."""
        return {
            "record_id": self.record_id,
            "reference": self.reference,
            "sender": self.sender,
            "masked_accounts": list(self.masked_accounts),
            "category": self.category,
            "request_kind": self.request_kind,
            "deadline": self.deadline,
            "rule": self.rule,
            "due": self.due.isoformat(),
            "original_due": self.original_due.isoformat(),
            "state": self.state,
            "late_by_business_days": self.late_by,
            "met_on": self.met_on.isoformat() if self.met_on else None,
            "ledger_positions": list(self.positions),
            "imported": self.imported,
        }


@dataclass(frozen=True, slots=True)
class CorrectionRow:
    """A correction of a record in the period: who, when, why, and the due dates it moved."""

    record_id: str
    seq: int
    type: str
    actor: str
    time: datetime
    reason: str
    due_changes: tuple[tuple[str, str | None, str | None], ...]

    def to_json(self) -> dict[str, Any]:
        """Plain dict."""
        return {
            "record_id": self.record_id,
            "ledger_position": self.seq,
            "type": self.type,
            "actor": self.actor,
            "time": self.time.isoformat(),
            "reason": self.reason,
            "due_changes": [
                {"clock": k, "previous_due": old, "due": new} for k, old, new in self.due_changes
            ],
        }


@dataclass(frozen=True, slots=True)
class UpcomingDeadline:
    """A pending clock due within the next five business days."""

    record_id: str
    reference: str
    category: str
    deadline: str
    rule: str
    due: date
    days_left: int
    record_seq: int

    def to_json(self) -> dict[str, Any]:
        """Plain dict."""
        return {
            "record_id": self.record_id,
            "reference": self.reference,
            "category": self.category,
            "deadline": self.deadline,
            "rule": self.rule,
            "due": self.due.isoformat(),
            "business_days_left": self.days_left,
            "ledger_position": self.record_seq,
        }


@dataclass(frozen=True, slots=True)
class SensitiveFlag:
    """A record in which the borrower sent full sensitive numbers (kinds only)."""

    record_id: str
    record_seq: int
    sender: str
    kinds: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """Plain dict."""
        return {
            "record_id": self.record_id,
            "ledger_position": self.record_seq,
            "sender": self.sender,
            "kinds": list(self.kinds),
        }


@dataclass(frozen=True, slots=True)
class SlaReport:
    """Every figure of the SLA report, ready to render."""

    generated_at: datetime
    today: date
    timezone: str
    ledger_size: int
    date_from: date | None
    date_to: date | None
    total: GroupStats
    by_category: tuple[GroupStats, ...]
    by_rule: tuple[GroupStats, ...]
    missed: tuple[MissedDeadline, ...]
    upcoming: tuple[UpcomingDeadline, ...]
    volume_by_day: tuple[tuple[date, int], ...]
    volume_by_hour: tuple[int, ...]
    sensitive: tuple[SensitiveFlag, ...]
    unlinked_responses: tuple[tuple[str, int], ...]
    imported: int
    notes: tuple[str, ...] = ()
    corrections: tuple[CorrectionRow, ...] = ()
    # (record id, case.extended position) of extensions whose written notice was not sent
    extensions_without_notice: tuple[tuple[str, int], ...] = ()

    @property
    def sensitive_by_kind(self) -> dict[str, int]:
        """Records per kind of sensitive number sent (a record counts once per kind)."""
        counts: Counter[str] = Counter()
        for flag in self.sensitive:
            counts.update(set(flag.kinds))
        return dict(sorted(counts.items()))

    def to_json(self) -> dict[str, Any]:
        """The whole report as plain JSON-able data."""
        return {
            "generated_at": self.generated_at.isoformat(),
            "today": self.today.isoformat(),
            "timezone": self.timezone,
            "ledger_size": self.ledger_size,
            "period": {
                "from": self.date_from.isoformat() if self.date_from else None,
                "to": self.date_to.isoformat() if self.date_to else None,
            },
            "total": self.total.to_json(),
            "by_category": [g.to_json() for g in self.by_category],
            "by_rule": [g.to_json() for g in self.by_rule],
            "missed_deadlines": [m.to_json() for m in self.missed],
            "due_next_5_business_days": [u.to_json() for u in self.upcoming],
            "volume_by_day": [{"date": d.isoformat(), "count": n} for d, n in self.volume_by_day],
            "volume_by_hour": list(self.volume_by_hour),
            "sensitive": {
                "records": len(self.sensitive),
                "by_kind": self.sensitive_by_kind,
                "flagged": [f.to_json() for f in self.sensitive],
            },
            "unlinked_responses": [
                {"record_id": rid, "ledger_position": seq} for rid, seq in self.unlinked_responses
            ],
            "imported": self.imported,
            "notes": list(self.notes),
            "corrections": [c.to_json() for c in self.corrections],
            "extensions_without_notice": [
                {"record_id": rid, "ledger_position": seq}
                for rid, seq in self.extensions_without_notice
            ],
        }


def _missed(case: CaseStatus, result: DeadlineResult) -> MissedDeadline:
    record = case.record
    return MissedDeadline(
        record_id=record.record_id,
        reference=reference_number(record.record_id),
        sender=record.sender,
        masked_accounts=record.masked_accounts,
        category=record.category,
        request_kind=case.request_kind,
        deadline=result.name,
        rule=result.deadline.rule,
        due=result.due,
        original_due=result.original_due,
        state="missed" if result.state == "missed" else "late",
        late_by=result.status.late_by,
        met_on=result.status.met_on,
        positions=result.positions,
        imported=record.imported,
    )


def _corrections(case: CaseStatus) -> list[CorrectionRow]:
    rows = []
    for action in case.corrections:
        body = action.body
        changes = tuple(
            (
                c.clock,
                c.previous_due.isoformat() if c.previous_due else None,
                c.due.isoformat() if c.due else None,
            )
            for c in (body.due_changes if isinstance(body, CorrectionBody) else ())
        )
        rows.append(
            CorrectionRow(
                case.record_id,
                action.seq,
                action.type,
                action.actor,
                action.time,
                body.reason,
                changes,
            )
        )
    return rows


def build_sla_report(
    cases: Iterable[CaseStatus],
    now: datetime,
    policy: ClockPolicy = DEFAULT_POLICY,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    ledger_size: int = 0,
    unlinked: Iterable[ResponseRecord] = (),
) -> SlaReport:
    """Compute every figure of the report for records received in the period."""
    today = local_date(now, policy)
    horizon = add_business_days(today, UPCOMING_BUSINESS_DAYS, policy.calendar)
    total = _Accumulator("total", "all")
    categories: dict[str, _Accumulator] = {}
    rules: dict[str, _Accumulator] = {}
    missed: list[MissedDeadline] = []
    upcoming: list[UpcomingDeadline] = []
    per_day: Counter[date] = Counter()
    per_hour = [0] * 24
    sensitive: list[SensitiveFlag] = []
    notes: list[str] = []
    corrections: list[CorrectionRow] = []
    unnoticed: list[tuple[str, int]] = []
    imported = 0

    for case in cases:
        record = case.record
        for result in case.deadlines:
            if result.state == "pending" and result.due <= horizon:
                upcoming.append(
                    UpcomingDeadline(
                        record.record_id,
                        reference_number(record.record_id),
                        record.category,
                        result.name,
                        result.deadline.rule,
                        result.due,
                        result.status.days_left,
                        record.seq,
                    )
                )
        local = record.received_at.astimezone(policy.zone)
        if (date_from and local.date() < date_from) or (date_to and local.date() > date_to):
            continue
        if record.imported:
            imported += 1
        corrections.extend(_corrections(case))
        if case.extension_unnoticed is not None:
            unnoticed.append((record.record_id, case.extension_unnoticed))
        notes.extend(f"{record.record_id}: {note}" for note in case.notes)
        total.add(case)
        categories.setdefault(record.category, _Accumulator("category", record.category)).add(case)
        for rule in record.rules:
            rules.setdefault(rule, _Accumulator("rule", rule)).add(case)
        per_day[local.date()] += 1
        per_hour[local.hour] += 1
        if record.sensitive_kinds:
            sensitive.append(
                SensitiveFlag(
                    record.record_id,
                    record.seq,
                    record.sender,
                    tuple(sorted(set(record.sensitive_kinds))),
                )
            )
        for result in case.deadlines:
            if result.state == "missed" or (result.state == "met" and not result.status.on_time):
                missed.append(_missed(case, result))

    days: list[tuple[date, int]] = []
    if per_day:
        first = date_from or min(per_day)
        last = date_to or max(per_day)
        day = first
        # Every day of the period, zeros included, so the chart's time axis is honest.
        while day <= last:
            days.append((day, per_day.get(day, 0)))
            day += timedelta(days=1)
    missed.sort(key=lambda m: (m.due, m.record_id, m.deadline))
    upcoming.sort(key=lambda u: (u.due, u.record_id, u.deadline))
    return SlaReport(
        generated_at=now,
        today=today,
        timezone=policy.timezone,
        ledger_size=ledger_size,
        date_from=date_from,
        date_to=date_to,
        total=total.freeze(),
        by_category=tuple(categories[k].freeze() for k in sorted(categories)),
        by_rule=tuple(rules[k].freeze() for k in sorted(rules)),
        missed=tuple(missed),
        upcoming=tuple(upcoming),
        volume_by_day=tuple(days),
        volume_by_hour=tuple(per_hour),
        sensitive=tuple(sensitive),
        unlinked_responses=tuple((r.record_id, r.seq) for r in unlinked),
        imported=imported,
        notes=tuple(notes),
        corrections=tuple(corrections),
        extensions_without_notice=tuple(unnoticed),
    )
