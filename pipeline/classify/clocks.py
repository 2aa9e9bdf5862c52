"""Regulatory clocks for servicing requests, never later than the rule allows (pure).

Which days count
----------------
* Regulation X counts "days (excluding legal public holidays, Saturdays, and
  Sundays)" for notices of error (12 CFR 1024.35(d), (e)), requests for information
  (1024.36(c), (d)) and loss-mitigation acknowledgments (1024.41(b)(2)(i)(B)). The
  legal public holidays are the eleven days listed in 5 U.S.C. 6103(a), on the dates
  that statute gives. 5 U.S.C. 6103(b) moves the *observance* to the Friday before or
  the Monday after when one falls on a Saturday or Sunday, but only "for the purpose
  of statutes relating to pay and leave of employees"; it does not make the Friday or
  Monday a legal public holiday. Whether Regulation X skips the observed day is
  therefore a reading, and we take the one that is never late: the observed Friday or
  Monday is counted as a day (Juneteenth 2027 falls on a Saturday; an acknowledgment
  of a notice received Thursday 2027-06-17 is due Thursday 06-24, not Friday 06-25).
  :class:`RegXCalendar` is that calendar. A servicer's own closures (a day of
  mourning, a storm) never lengthen a Regulation X clock: the rule does not exclude them.
* Regulation Z counts the payoff statement's "seven business days" (12 CFR
  1026.36(c)(3)) with the general definition of 1026.2(a)(6): days on which the
  creditor's offices are open to the public for carrying on substantially all of
  its business functions. That depends on the servicer, so the payoff clock counts on
  a :class:`ServicerCalendar` built from configuration: open weekdays (Monday to
  Friday unless configured), closed on the legal public holidays' statutory dates,
  plus days it lists as closed or open (an open Saturday, a closed observed Friday).

Clocks (day 0 is the servicer-local date of receipt; the deadline is the n-th
counted day after it):

=============================  ===========  =========================================
request                        acknowledge  respond
=============================  ===========  =========================================
notice of error                5 (35(d))    30, +15 once (35(e)(3)(i)(C), (e)(3)(ii))
  payoff-balance error         5            7, no extension (35(e)(3)(i)(A))
  foreclosure-sale error       5            before the sale date or 30, whichever is
                                            earlier, no extension (35(e)(3)(i)(B))
request for information        5 (36(c))    30, +15 once (36(d)(2)(i)(B), (d)(2)(ii))
  owner / assignee identity    5            10, no extension (36(d)(2)(i)(A))
loss-mitigation application    5 (41(b)(2)(i)(B))  -
payoff statement               -            7 business days (Reg Z 1026.36(c)(3))
=============================  ===========  =========================================

A message with no regulated request gets the configurable internal service targets
(``general_acknowledge`` / ``general_respond``), which cite no rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache, cached_property, lru_cache
from typing import Literal, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pipeline.classify.kinds import REQUEST_KINDS, RequestSubkind
from pipeline.classify.kinds import RequestKind as Kind
from pipeline.errors import CaseActionError

__all__ = [
    "DEFAULT_POLICY",
    "REG_X_CALENDAR",
    "ClockPolicy",
    "DayCalendar",
    "Deadline",
    "DeadlineStatus",
    "RegXCalendar",
    "RequestKind",
    "ServicerCalendar",
    "add_business_days",
    "business_days_between",
    "clocks_for",
    "deadline_status",
    "deadlines_for",
    "extend",
    "legacy_kinds",
    "legal_public_holidays",
    "local_date",
]

# The single kind the classifier records today ("general" = no regulated request).
RequestKind = Literal["notice_of_error", "request_for_information", "payoff_statement", "general"]
DeadlineName = Literal["acknowledge", "respond"]
CalendarName = Literal["reg_x", "servicer"]

INTERNAL_TARGET = "internal service target"
EXTENSION_RULES = "12 CFR 1024.35(e)(3)(ii), 1024.36(d)(2)(ii)"


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th ``weekday`` (Monday 0) of a month; ``n = -1`` is the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


@cache
def legal_public_holidays(year: int) -> frozenset[date]:
    """The legal public holidays of 5 U.S.C. 6103(a) in ``year``, on their statutory dates.

    Never the observed Friday or Monday of 6103(b) (see the module docstring).
    """
    return frozenset(
        {
            date(year, 1, 1),  # New Year's Day
            _nth_weekday(year, 1, 0, 3),  # Birthday of Martin Luther King, Jr.
            _nth_weekday(year, 2, 0, 3),  # Washington's Birthday
            _nth_weekday(year, 5, 0, -1),  # Memorial Day
            date(year, 6, 19),  # Juneteenth National Independence Day (since 2021)
            date(year, 7, 4),  # Independence Day
            _nth_weekday(year, 9, 0, 1),  # Labor Day
            _nth_weekday(year, 10, 0, 2),  # Columbus Day
            date(year, 11, 11),  # Veterans Day
            _nth_weekday(year, 11, 3, 4),  # Thanksgiving Day
            date(year, 12, 25),  # Christmas Day
        }
    )


class DayCalendar(Protocol):
    """Which days a clock counts (immutable and hashable: results are cached)."""

    def is_business_day(self, day: date) -> bool:
        """True if ``day`` counts towards a clock."""
        ...

    def __hash__(self) -> int:
        """Calendars are cache keys."""
        ...


class RegXCalendar:
    """Regulation X days: not a Saturday, Sunday or legal public holidays (statutory date)."""

    def is_holiday(self, day: date) -> bool:
        """True for a legal public holiday of 5 U.S.C. 6103(a) on its own date."""
        return day in legal_public_holidays(day.year)

    def is_business_day(self, day: date) -> bool:
        """True if ``day`` counts as one of Regulation X's "days"."""
        return day.weekday() < 5 and not self.is_holiday(day)


REG_X_CALENDAR = RegXCalendar()


@dataclass(frozen=True, slots=True)
class ServicerCalendar:
    """Reg Z business days (1026.2(a)(6)): the days the servicer's offices are open.

    ``closed_days`` wins over everything; ``open_days`` wins over weekends and
    holidays (an office open on a holiday says so by listing the day).
    """

    open_weekdays: frozenset[int] = frozenset(range(5))
    closed_days: frozenset[date] = frozenset()
    open_days: frozenset[date] = frozenset()

    def is_business_day(self, day: date) -> bool:
        """True if the servicer's offices are open on ``day``."""
        if day in self.closed_days:
            return False
        if day in self.open_days:
            return True
        return day.weekday() in self.open_weekdays and day not in legal_public_holidays(day.year)


def _weekdays_through(day: date) -> int:
    """Monday-to-Friday days from 0001-01-01 (a Monday, ordinal 1) through ``day``."""
    ordinal = day.toordinal()
    return 5 * (ordinal // 7) + min(ordinal % 7, 5)


def _reg_x_days(lo: date, hi: date) -> int:
    """Regulation X days in ``[lo, hi]``: weekdays minus weekday legal public holidays."""
    if hi < lo:
        return 0
    weekdays = _weekdays_through(hi) - _weekdays_through(lo - timedelta(days=1))
    holidays = sum(
        1
        for year in range(lo.year, hi.year + 1)
        for h in legal_public_holidays(year)
        if lo <= h <= hi and h.weekday() < 5
    )
    return weekdays - holidays


def add_business_days(start: date, n: int, calendar: DayCalendar = REG_X_CALENDAR) -> date:
    """The date ``n`` counted days after ``start`` (before it if ``n`` is negative).

    ``start`` is day 0 and need not itself count; for ``n != 0`` the result always
    counts. ``n == 0`` returns ``start`` unchanged.
    """
    return _add_days(start, n, calendar)


@lru_cache(maxsize=65536)
def _add_days(start: date, n: int, calendar: DayCalendar) -> date:
    # Cached: every request received on one day has the same due dates (the calendars
    # are immutable, and equal servicer calendars hash equal).
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    day = start
    while remaining:
        day += timedelta(days=step)
        if calendar.is_business_day(day):
            remaining -= 1
    return day


def business_days_between(a: date, b: date, calendar: DayCalendar = REG_X_CALENDAR) -> int:
    """Counted days from ``a`` to ``b``: the inverse of :func:`add_business_days`.

    For ``b >= a`` it counts days in ``(a, b]``; for ``b < a`` it is minus the count
    in ``[b, a)``. So ``business_days_between(d, add_business_days(d, n)) == n``.
    """
    if b >= a:
        lo, hi, sign = a + timedelta(days=1), b, 1
    else:
        lo, hi, sign = b, a - timedelta(days=1), -1
    if isinstance(calendar, RegXCalendar):
        # Arithmetic instead of a walk: reports ask this for every open request, and a
        # request missed months ago would otherwise walk every day since.
        return sign * _reg_x_days(lo, hi)
    count = 0
    day = lo
    while day <= hi:
        if calendar.is_business_day(day):
            count += 1
        day += timedelta(days=1)
    return sign * count


class ClockPolicy(BaseModel):
    """Clock lengths, the servicer's time zone and its office calendar.

    Defaults are the regulatory maxima; a servicer may configure shorter internal
    targets but not longer ones (the validators refuse them).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str = "America/New_York"
    # 12 CFR 1024.35(d), (e)(3)(i)(C)
    notice_of_error_acknowledge: int = Field(default=5, ge=0, le=5)
    notice_of_error_respond: int = Field(default=30, ge=1, le=30)
    # 12 CFR 1024.36(c), (d)(2)(i)(B)
    request_for_information_acknowledge: int = Field(default=5, ge=0, le=5)
    request_for_information_respond: int = Field(default=30, ge=1, le=30)
    # 12 CFR 1024.35(e)(3)(ii) and 1024.36(d)(2)(ii): one extension of 15 days.
    extension_days: int = Field(default=15, ge=0, le=15)
    # 12 CFR 1026.36(c)(3), counted on the servicer calendar below
    payoff_statement_respond: int = Field(default=7, ge=1, le=7)
    # Not regulated: internal service targets for mail that makes no regulated request.
    general_acknowledge: int | None = Field(default=2, ge=0)
    general_respond: int | None = Field(default=10, ge=1)
    # The servicer's office calendar (Reg Z 1026.2(a)(6) business days, payoff clock only):
    # weekdays it is open (0 = Monday), extra days it was closed, extra days it was open.
    open_weekdays: frozenset[int] = frozenset(range(5))
    extra_closures: frozenset[date] = frozenset()
    extra_open_days: frozenset[date] = frozenset()
    # An INTERNALDATE later than the ledger's own time by more than this is not believed
    # (a clock cannot start in the future; the acknowledgment must not claim it).
    future_skew_seconds: int = Field(default=300, ge=0)

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

    @field_validator("open_weekdays")
    @classmethod
    def _weekdays(cls, v: frozenset[int]) -> frozenset[int]:
        if not v or any(d < 0 or d > 6 for d in v):
            raise ValueError("open_weekdays lists 0 (Monday) to 6 (Sunday), at least one")
        return v

    @cached_property
    def zone(self) -> ZoneInfo:
        """The servicer's time zone."""
        return ZoneInfo(self.timezone)

    @cached_property
    def servicer_calendar(self) -> ServicerCalendar:
        """The servicer's office calendar (Reg Z business days)."""
        return ServicerCalendar(self.open_weekdays, self.extra_closures, self.extra_open_days)

    @property
    def calendar(self) -> DayCalendar:
        """The Regulation X calendar (every clock but the payoff statement's)."""
        return REG_X_CALENDAR

    def calendar_for(self, deadline: Deadline) -> DayCalendar:
        """The calendar ``deadline`` counts on."""
        return self.servicer_calendar if deadline.calendar == "servicer" else REG_X_CALENDAR

    @property
    def future_skew(self) -> timedelta:
        """How far an INTERNALDATE may lie after the ledger time and still be believed."""
        return timedelta(seconds=self.future_skew_seconds)


DEFAULT_POLICY = ClockPolicy()


@dataclass(frozen=True, slots=True)
class Deadline:
    """One regulatory or internal clock for a request.

    ``start`` is the local receipt date (day 0); ``business_days`` is the clock
    length including any extension; ``rule`` cites where the clock comes from;
    ``kind`` is the request kind it belongs to (``""`` for an internal target);
    ``note`` says when a bound other than the day count decided ``due``.
    """

    name: DeadlineName
    due: date
    business_days: int
    rule: str
    start: date
    extendable: bool = False
    extended: bool = False
    kind: str = ""
    calendar: CalendarName = "reg_x"
    note: str = ""

    @property
    def key(self) -> str:
        """``kind:name``, unique among one record's clocks."""
        return f"{self.kind or 'general'}:{self.name}"


@dataclass(frozen=True, slots=True)
class DeadlineStatus:
    """Where a deadline stands.

    ``state`` is ``met`` (``met_on`` set; ``late_by`` 0 when on time),
    ``pending`` (``days_left`` counted days until due, 0 on the due date) or
    ``missed`` (``late_by`` counted days past due, not yet met).
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


def _sale_bound(start: date, days: int, sale_date: date) -> tuple[date, str]:
    """Due date of a foreclosure-sale error: before the sale or ``days``, whichever is earlier.

    1024.35(e)(3)(i)(B) says "prior to the date of a foreclosure sale". Whether a
    weekend or holiday just before the sale is a usable day is not settled, so we
    take the earlier reading: the last counted day before the sale date. A sale on
    or before the receipt date leaves no time at all: due on day 0.
    """
    by_count = add_business_days(start, days)
    before_sale = sale_date - timedelta(days=1)
    while before_sale > start and not REG_X_CALENDAR.is_business_day(before_sale):
        before_sale -= timedelta(days=1)
    before_sale = max(before_sale, start)
    if before_sale < by_count:
        return before_sale, f"before the foreclosure sale on {sale_date.isoformat()}"
    return by_count, f"{days} days, earlier than the foreclosure sale on {sale_date.isoformat()}"


def clocks_for(
    kinds: Iterable[Kind],
    subkinds: Iterable[RequestSubkind],
    received_at: datetime,
    policy: ClockPolicy = DEFAULT_POLICY,
    *,
    sale_date: date | None = None,
) -> tuple[Deadline, ...]:
    """The clocks a message making the requests ``kinds`` starts when received.

    ``received_at`` must be timezone-aware; its local date in ``policy.timezone``
    is day 0. ``sale_date`` is the scheduled foreclosure sale (from the text or
    entered by staff); it bounds a foreclosure-sale error's respond clock.
    No kinds: the internal service targets.
    """
    start = local_date(received_at, policy)
    subs = frozenset(subkinds)
    out: list[Deadline] = []

    def make(
        kind: str,
        name: DeadlineName,
        days: int,
        rule: str,
        *,
        extendable: bool = False,
        calendar: CalendarName = "reg_x",
    ) -> Deadline:
        counter = policy.servicer_calendar if calendar == "servicer" else REG_X_CALENDAR
        due = add_business_days(start, days, counter)
        return Deadline(name, due, days, rule, start, extendable, False, kind, calendar)

    for kind in dict.fromkeys(kinds):
        if kind == "notice_of_error":
            out.append(
                make(kind, "acknowledge", policy.notice_of_error_acknowledge, "12 CFR 1024.35(d)")
            )
            if "payoff_balance_error" in subs:
                out.append(make(kind, "respond", 7, "12 CFR 1024.35(e)(3)(i)(A)"))
            elif "foreclosure_sale_error" in subs:
                respond = make(kind, "respond", 30, "12 CFR 1024.35(e)(3)(i)(B)")
                if sale_date is not None:
                    due, note = _sale_bound(start, 30, sale_date)
                    respond = replace(respond, due=due, note=note)
                out.append(respond)
            else:
                out.append(
                    make(
                        kind,
                        "respond",
                        policy.notice_of_error_respond,
                        "12 CFR 1024.35(e)(3)(i)(C)",
                        extendable=True,
                    )
                )
        elif kind == "request_for_information":
            out.append(
                make(
                    kind,
                    "acknowledge",
                    policy.request_for_information_acknowledge,
                    "12 CFR 1024.36(c)",
                )
            )
            if "owner_identity" in subs:
                out.append(make(kind, "respond", 10, "12 CFR 1024.36(d)(2)(i)(A)"))
            else:
                out.append(
                    make(
                        kind,
                        "respond",
                        policy.request_for_information_respond,
                        "12 CFR 1024.36(d)(2)(i)(B)",
                        extendable=True,
                    )
                )
        elif kind == "loss_mitigation_application":
            # 1024.41(b)(2)(i)(B) applies to applications received 45 or more days before a
            # sale; we start it for every application (never late when the sale is unknown).
            out.append(make(kind, "acknowledge", 5, "12 CFR 1024.41(b)(2)(i)(B)"))
        elif kind == "payoff_statement":
            out.append(
                make(
                    kind,
                    "respond",
                    policy.payoff_statement_respond,
                    "12 CFR 1026.36(c)(3)",
                    calendar="servicer",
                )
            )
    if not out:
        if policy.general_acknowledge is not None:
            out.append(make("", "acknowledge", policy.general_acknowledge, INTERNAL_TARGET))
        if policy.general_respond is not None:
            out.append(make("", "respond", policy.general_respond, INTERNAL_TARGET))
    return tuple(out)


def legacy_kinds(request_kind: str) -> tuple[Kind, ...]:
    """The kinds tuple for the single ``request_kind`` older records carry."""
    for kind in REQUEST_KINDS:
        if kind == request_kind:
            return (kind,)
    return ()


def deadlines_for(
    request_kind: RequestKind, received_at: datetime, policy: ClockPolicy = DEFAULT_POLICY
) -> tuple[Deadline, ...]:
    """The clocks of a message whose classification names one ``request_kind``."""
    return clocks_for(legacy_kinds(request_kind), (), received_at, policy)


def extend(
    deadline: Deadline,
    days: int = 15,
    *,
    notified_on: date | None = None,
    calendar: DayCalendar = REG_X_CALENDAR,
) -> Deadline:
    """The deadline extended once by ``days`` counted days.

    Only the respond clocks the rules let be extended can be: notices of error under
    1024.35(e)(3)(i)(C) and requests for information under 1024.36(d)(2)(i)(B), once,
    with notice before the original due date passes (1024.35(e)(3)(ii),
    1024.36(d)(2)(ii)). Payoff-balance and foreclosure-sale errors, owner-identity
    requests, payoff statements and acknowledgments cannot. Anything else raises
    :class:`CaseActionError`.
    """
    if not deadline.extendable:
        raise CaseActionError(
            f"the {deadline.name} deadline under {deadline.rule} cannot be extended"
            f" (only {EXTENSION_RULES} allow an extension, and not for this clock)"
        )
    if deadline.extended:
        raise CaseActionError(
            f"the {deadline.name} deadline under {deadline.rule} was already extended once "
            f"(now due {deadline.due.isoformat()}); a second extension is not allowed"
        )
    if days <= 0 or days > 15:
        raise CaseActionError(f"an extension is 1 to 15 days ({EXTENSION_RULES}); got {days}")
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

    Lateness counts the clock's own days after the due date, servicer-local.
    """
    cal = policy.calendar_for(deadline)
    if met_at is not None:
        met_on = local_date(met_at, policy)
        # Met on a later day, even a weekend one, is late by at least one day.
        late = 0
        if met_on > deadline.due:
            late = max(1, business_days_between(deadline.due, met_on, cal))
        return DeadlineStatus("met", met_on=met_on, late_by=late)
    today = local_date(now, policy)
    if today <= deadline.due:
        return DeadlineStatus("pending", days_left=business_days_between(today, deadline.due, cal))
    # Past the due date: late by the number of counted days since due (at least one
    # calendar day has passed, so report at least 1 even over a weekend).
    return DeadlineStatus("missed", late_by=max(1, business_days_between(deadline.due, today, cal)))
