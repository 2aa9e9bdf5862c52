from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.classify.clocks import (
    FEDERAL_CALENDAR,
    ClockPolicy,
    add_business_days,
    business_days_between,
    deadline_status,
    deadlines_for,
    extend,
    local_date,
)
from pipeline.errors import CaseActionError


def test_weekend_is_skipped():
    # Friday 2026-11-20 + 1 business day = Monday 2026-11-23
    assert add_business_days(date(2026, 11, 20), 1) == date(2026, 11, 23)


def test_monday_holiday_is_skipped():
    # Labor Day 2026 is Monday September 7
    assert add_business_days(date(2026, 9, 4), 1) == date(2026, 9, 8)


def test_saturday_holiday_is_observed_on_friday():
    # July 4 2026 is a Saturday; Friday July 3 is the observed holiday
    assert not FEDERAL_CALENDAR.is_business_day(date(2026, 7, 3))
    assert add_business_days(date(2026, 7, 2), 1) == date(2026, 7, 6)


def test_christmas_2027_on_saturday_observed_friday_dec_24():
    assert FEDERAL_CALENDAR.is_holiday(date(2027, 12, 24))


def test_juneteenth_is_a_holiday():
    assert FEDERAL_CALENDAR.is_holiday(date(2026, 6, 19))


def test_clock_runs_across_year_end():
    # Thu Dec 24 2026: Fri 25 Christmas, Mon 28..Thu 31 are days 1-4, Fri Jan 1 holiday
    assert add_business_days(date(2026, 12, 24), 5) == date(2027, 1, 4)


def test_late_friday_evening_in_new_york_counts_as_friday():
    received = datetime(2026, 11, 21, 4, 30, tzinfo=UTC)  # Fri 23:30 EST, Sat in UTC
    assert local_date(received) == date(2026, 11, 20)
    ack = deadlines_for("notice_of_error", received)[0]
    assert ack.start == date(2026, 11, 20)
    assert ack.due == date(2026, 11, 30)  # 5 business days, Thanksgiving Nov 26 skipped


def test_time_zone_is_configurable():
    received = datetime(2026, 11, 21, 4, 30, tzinfo=UTC)
    assert local_date(received, ClockPolicy(timezone="UTC")) == date(2026, 11, 21)


def test_naive_received_at_is_rejected():
    with pytest.raises(ValueError, match="timezone-aware"):
        deadlines_for("general", datetime(2026, 1, 1))


def test_notice_of_error_has_5_and_30_day_clocks_citing_1024_35():
    ack, respond = deadlines_for("notice_of_error", datetime(2026, 3, 2, 15, tzinfo=UTC))
    assert (ack.name, ack.business_days, ack.rule) == ("acknowledge", 5, "12 CFR 1024.35(d)")
    assert (respond.name, respond.business_days) == ("respond", 30)
    assert respond.rule.startswith("12 CFR 1024.35(e)")


def test_request_for_information_cites_1024_36():
    kinds = {
        d.rule.split("(")[0]
        for d in deadlines_for("request_for_information", datetime(2026, 3, 2, 15, tzinfo=UTC))
    }
    assert kinds == {"12 CFR 1024.36"}


def test_payoff_statement_respond_within_7_business_days():
    (d,) = deadlines_for("payoff_statement", datetime(2026, 3, 2, 15, tzinfo=UTC))
    assert (d.due, d.rule) == (date(2026, 3, 11), "12 CFR 1026.36(c)(3)")


def test_general_targets_come_from_policy():
    policy = ClockPolicy(general_acknowledge=None, general_respond=4)
    (d,) = deadlines_for("general", datetime(2026, 3, 2, 15, tzinfo=UTC), policy)
    assert (d.name, d.business_days) == ("respond", 4)


def test_extension_once_then_refused():
    respond = deadlines_for("notice_of_error", datetime(2026, 3, 2, 15, tzinfo=UTC))[1]
    extended = extend(respond, days=15)
    assert extended.business_days == 45
    assert business_days_between(respond.due, extended.due) == 15
    with pytest.raises(CaseActionError, match="already extended"):
        extend(extended, days=15)


def test_acknowledge_and_payoff_deadlines_cannot_be_extended():
    ack = deadlines_for("notice_of_error", datetime(2026, 3, 2, 15, tzinfo=UTC))[0]
    with pytest.raises(CaseActionError):
        extend(ack)


def test_extension_notice_after_due_date_is_refused():
    respond = deadlines_for("notice_of_error", datetime(2026, 3, 2, 15, tzinfo=UTC))[1]
    with pytest.raises(CaseActionError, match="after the deadline"):
        extend(respond, notified_on=respond.due + timedelta(days=1))


def _at(d: date, hour: int = 17) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=UTC)


def test_status_met_on_time():
    (d,) = deadlines_for("payoff_statement", _at(date(2026, 3, 2)))
    status = deadline_status(d, _at(d.due), _at(d.due))
    assert (status.state, status.late_by, status.on_time) == ("met", 0, True)


def test_status_met_late_by_business_days():
    (d,) = deadlines_for("payoff_statement", _at(date(2026, 3, 2)))  # due Wed Mar 11
    status = deadline_status(d, _at(date(2026, 3, 16)), _at(date(2026, 3, 20)))
    assert (status.state, status.late_by) == ("met", 3)


def test_status_pending_counts_business_days_left():
    (d,) = deadlines_for("payoff_statement", _at(date(2026, 3, 2)))
    status = deadline_status(d, None, _at(date(2026, 3, 6)))
    assert (status.state, status.days_left) == ("pending", 3)


def test_status_missed_by_business_days():
    (d,) = deadlines_for("payoff_statement", _at(date(2026, 3, 2)))
    status = deadline_status(d, None, _at(date(2026, 3, 13)))
    assert (status.state, status.late_by) == ("missed", 2)


days = st.dates(min_value=date(1995, 1, 1), max_value=date(2060, 12, 31))


@given(days, st.integers(min_value=1, max_value=400))
def test_add_business_days_never_lands_on_weekend_or_holiday(start, n):
    assert FEDERAL_CALENDAR.is_business_day(add_business_days(start, n))
    assert FEDERAL_CALENDAR.is_business_day(add_business_days(start, -n))


@given(days, st.integers(min_value=-400, max_value=400))
def test_business_days_between_inverts_add_business_days(start, n):
    assert business_days_between(start, add_business_days(start, n)) == n
