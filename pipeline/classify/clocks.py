"""Regulatory business-day clocks for servicing requests.

Definitions used (verify against eCFR when the rules change):

* Reg X counts "days (excluding legal public holidays, Saturdays, and Sundays)"
  for notices of error (12 CFR 1024.35(d), (e)) and requests for information
  (12 CFR 1024.36(c), (d)): acknowledge within 5 days, respond within 30 days,
  extendable once by 15 days if the borrower is told in writing before the 30
  days run out (1024.35(e)(3)(ii), 1024.36(d)(2)(ii)).
* Reg Z requires an accurate payoff statement "within a reasonable time, but in
  no case more than seven business days" after a written request
  (12 CFR 1026.36(c)(3)).
* Legal public holidays are those of 5 U.S.C. 6103(a). When one falls on a
  Saturday it is observed on the Friday before, on a Sunday on the Monday after
  (5 U.S.C. 6103(b), Executive Order 11582); the ``holidays`` library marks those
  observed dates, and we count them as non-business days because federal offices
  and the Federal Reserve are closed.

Counting convention: the local date of receipt is day 0 and the deadline is the
n-th business day after it. A message received at 23:30 in New York on a Friday
is a Saturday in UTC but counts as received Friday, because the servicer's
business day is defined in its own time zone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipeline.errors import CaseActionError

__all__ = [
    "FEDERAL_CALENDAR",
    "BusinessCalendar",
    "ClockPolicy",
    "Deadline",
    "DeadlineStatus",
    "RequestKind",
    "add_business_days",
    "business_days_between",
    "deadline_status",
    "deadlines_for",
    "extend",
    "local_date",
]

RequestKind = Literal["notice_of_error", "request_for_information", "payoff_statement", "general"]
DeadlineName = Literal["acknowledge", "respond"]


class BusinessCalendar:
    """Business days: Monday to Friday minus US federal legal public holidays (observed).

    ``extra_closures`` lets a servicer add days its offices were closed (e.g. a
    national day of mourning declared by executive order) without code changes.
    """

    def __init__(self, extra_closures: frozenset[date] = frozenset()) -> None:
        # categories=("public",) is the 5 U.S.C. 6103 list; observed=True adds the
        # Friday/Monday substitutes for weekend holidays.
        self._holidays = holidays.country_holidays("US", categories=("public",), observed=True)
        self._extra = extra_closures

    def is_holiday(self, day: date) -> bool:
        """True for a legal public holiday or its observed date, or an extra closure."""
        return day in self._holidays or day in self._extra

    def is_business_day(self, day: date) -> bool:
        """True if ``day`` is a weekday that is not a holiday."""
        return day.weekday() < 5 and not self.is_holiday(day)

    def holiday_name(self, day: date) -> str | None:
        """The holiday's name as the library gives it, or None."""
        name = self._holidays.get(day)
        return str(name) if name is not None else None


FEDERAL_CALENDAR = BusinessCalendar()


def add_business_days(start: date, n: int, calendar: BusinessCalendar = FEDERAL_CALENDAR) -> date:
    """The date ``n`` business days after ``start`` (before it if ``n`` is negative).

    ``start`` is day 0 and need not itself be a business day; for ``n != 0`` the
    result is always a business day. ``n == 0`` returns ``start`` unchanged.
    """
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    day = start
    while remaining:
        day += timedelta(days=step)
        if calendar.is_business_day(day):
            remaining -= 1
    return day


def business_days_between(a: date, b: date, calendar: BusinessCalendar = FEDERAL_CALENDAR) -> int:
    """Business days from ``a`` to ``b``: the inverse of :func:`add_business_days`.

    For ``b >= a`` it counts business days in ``(a, b]``; for ``b < a`` it is minus
    the count in ``[b, a)``. So ``business_days_between(d, add_business_days(d, n)) == n``.
    """
    if b >= a:
        lo, hi, sign = a + timedelta(days=1), b, 1
    else:
        lo, hi, sign = b, a - timedelta(days=1), -1
    count = 0
    day = lo
    while day <= hi:
        if calendar.is_business_day(day):
            count += 1
        day += timedelta(days=1)
    return sign * count


class ClockPolicy(BaseModel):
    """Configurable clock lengths (in business days) and the servicer's time zone.

    Defaults are the regulatory maxima; a servicer may configure shorter internal
    targets but should not configure longer ones for Reg X / Reg Z requests.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str = "America/New_York"
    # 12 CFR 1024.35(d) / (e)(1)(i)(C), (e)(3)(ii)
    notice_of_error_acknowledge: int = Field(default=5, ge=0)
    notice_of_error_respond: int = Field(default=30, ge=1)
    # 12 CFR 1024.36(c) / (d)(2)(i)(B), (d)(2)(ii)
    request_for_information_acknowledge: int = Field(default=5, ge=0)
    request_for_information_respond: int = Field(default=30, ge=1)
    # 12 CFR 1024.35(e)(3)(ii) and 1024.36(d)(2)(ii): one extension of 15 days.
    extension_days: int = Field(default=15, ge=0)
    # 12 CFR 1026.36(c)(3)
    payoff_statement_respond: int = Field(default=7, ge=1)
    # Not regulated: internal service targets for ordinary mail.
    general_acknowledge: int | None = Field(default=2, ge=0)
    general_respond: int | None = Field(default=10, ge=1)
    extra_closures: frozenset[date] = frozenset()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone {v!r} (use an IANA name such as America/New_York)"
            ) from exc
        return v

    @cached_property
    def zone(self) -> ZoneInfo:
        """The servicer's time zone."""
        return ZoneInfo(self.timezone)

    @cached_property
    def calendar(self) -> BusinessCalendar:
        """The business-day calendar this policy counts on."""
        if not self.extra_closures:
            return FEDERAL_CALENDAR
        return BusinessCalendar(self.extra_closures)


DEFAULT_POLICY = ClockPolicy()


@dataclass(frozen=True, slots=True)
class Deadline:
    """One regulatory or internal clock for a request.

    ``start`` is the local receipt date (day 0); ``business_days`` is the clock
    length including any extension; ``rule`` cites where the clock comes from.
    """

    name: DeadlineName
    due: date
    business_days: int
    rule: str
    start: date
    extendable: bool = False
    extended: bool = False


@dataclass(frozen=True, slots=True)
class DeadlineStatus:
    """Where a deadline stands.

    ``state`` is ``met`` (``met_on`` set; ``late_by`` 0 when on time),
    ``pending`` (``days_left`` business days until due, 0 on the due date) or
    ``missed`` (``late_by`` business days past due, not yet met).
    """

    state: Literal["met", "pending", "missed"]
    met_on: date | None = None
    late_by: int = 0
    days_left: int = 0

    @property
    def on_time(self) -> bool:
        """True if met on or before the due date."""
        return self.state == "met" and self.late_by == 0


def local_date(moment: datetime, policy: ClockPolicy = DEFAULT_POLICY) -> date:
    """The servicer-local calendar date of an aware datetime."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("received_at must be timezone-aware (UTC); got a naive datetime")
    return moment.astimezone(policy.zone).date()


def deadlines_for(
    request_kind: RequestKind, received_at: datetime, policy: ClockPolicy = DEFAULT_POLICY
) -> tuple[Deadline, ...]:
    """The clocks that start when a request of ``request_kind`` is received.

    ``received_at`` must be timezone-aware; its local date in ``policy.timezone``
    is day 0.
    """
    start = local_date(received_at, policy)
    cal = policy.calendar

    def make(name: DeadlineName, days: int, rule: str, extendable: bool = False) -> Deadline:
        return Deadline(name, add_business_days(start, days, cal), days, rule, start, extendable)

    if request_kind == "notice_of_error":
        return (
            make("acknowledge", policy.notice_of_error_acknowledge, "12 CFR 1024.35(d)"),
            make("respond", policy.notice_of_error_respond, "12 CFR 1024.35(e)(3)(i)(C)", True),
        )
    if request_kind == "request_for_information":
        return (
            make("acknowledge", policy.request_for_information_acknowledge, "12 CFR 1024.36(c)"),
            make(
                "respond",
                policy.request_for_information_respond,
                "12 CFR 1024.36(d)(2)(i)(B)",
                True,
            ),
        )
    if request_kind == "payoff_statement":
        return (make("respond", policy.payoff_statement_respond, "12 CFR 1026.36(c)(3)"),)
    out: list[Deadline] = []
    if policy.general_acknowledge is not None:
        out.append(make("acknowledge", policy.general_acknowledge, "internal service target"))
    if policy.general_respond is not None:
        out.append(make("respond", policy.general_respond, "internal service target"))
    return tuple(out)


def extend(
    deadline: Deadline,
    days: int = 15,
    *,
    notified_on: date | None = None,
    calendar: BusinessCalendar = FEDERAL_CALENDAR,
) -> Deadline:
    """The deadline extended once by ``days`` business days.

    Only respond deadlines of notices of error and requests for information can be
    extended, once, and only if the borrower is notified before the original due
    date passes (12 CFR 1024.35(e)(3)(ii), 1024.36(d)(2)(ii)). Anything else raises
    :class:`CaseActionError`.
    """
    if not deadline.extendable:
        raise CaseActionError(
            f"the {deadline.name} deadline under {deadline.rule} cannot be extended"
        )
    if deadline.extended:
        raise CaseActionError(
            f"the {deadline.name} deadline under {deadline.rule} was already extended once "
            f"(now due {deadline.due.isoformat()}); a second extension is not allowed"
        )
    if days <= 0:
        raise CaseActionError(f"an extension must be a positive number of days, got {days}")
    if notified_on is not None and notified_on > deadline.due:
        raise CaseActionError(
            f"the extension notice is dated {notified_on.isoformat()}, after the deadline "
            f"{deadline.due.isoformat()} expired; the regulation requires notice before it expires"
        )
    return replace(
        deadline,
        due=add_business_days(deadline.due, days, calendar),
        business_days=deadline.business_days + days,
        extended=True,
    )


def deadline_status(
    deadline: Deadline,
    met_at: datetime | None,
    now: datetime,
    policy: ClockPolicy = DEFAULT_POLICY,
) -> DeadlineStatus:
    """Whether ``deadline`` was met (and how late), is pending, or was missed, as of ``now``.

    Lateness counts business days after the due date on the servicer-local calendar.
    """
    cal = policy.calendar
    if met_at is not None:
        met_on = local_date(met_at, policy)
        late = max(0, business_days_between(deadline.due, met_on, cal))
        return DeadlineStatus("met", met_on=met_on, late_by=late)
    today = local_date(now, policy)
    if today <= deadline.due:
        return DeadlineStatus("pending", days_left=business_days_between(today, deadline.due, cal))
    # Past the due date: late by the number of business days since due (at least one
    # calendar day has passed, so report at least 1 even over a weekend).
    return DeadlineStatus("missed", late_by=max(1, business_days_between(deadline.due, today, cal)))
