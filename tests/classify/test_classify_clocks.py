from datetime import UTC, date, datetime, timedelta

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.classify.clocks import (
    DEFAULT_POLICY,
    REG_X_CALENDAR,
    ClockPolicy,
    ServicerCalendar,
    add_business_days,
    business_days_between,
    clocks_for,
    deadline_status,
    deadlines_for,
    extend,
    legal_public_holidays,
    local_date,
)
from pipeline.errors import CaseActionError

# -- which days count -------------------------------------------------------------------


def _statutory_weekend_holidays() -> list[tuple[date, date]]:
    """(holiday, observed day) for every 5 U.S.C. 6103(a) holiday of 2026-2030 on a weekend.

    Only the five holidays with a fixed date can fall on a weekend: New Year's Day,
    Juneteenth, Independence Day, Veterans Day and Christmas Day. 6103(b) observes a
    Saturday one on the Friday before and a Sunday one on the Monday after.
    """
    out = []
    for year in range(2026, 2031):
        for month, day in ((1, 1), (6, 19), (7, 4), (11, 11), (12, 25)):
            holiday = date(year, month, day)
            if holiday.weekday() == 5:
                out.append((holiday, holiday - timedelta(days=1)))
            elif holiday.weekday() == 6:
                out.append((holiday, holiday + timedelta(days=1)))
    return out


WEEKEND_HOLIDAYS = _statutory_weekend_holidays()


def test_the_statutory_list_has_weekend_holidays_in_every_year_checked():
    # 2026 Jul 4; 2027 Jun 19, Jul 4, Dec 25; 2028 Jan 1, Nov 11; 2029 Nov 11
    assert len(WEEKEND_HOLIDAYS) == 7
    assert (date(2027, 6, 19), date(2027, 6, 18)) in WEEKEND_HOLIDAYS


@pytest.mark.parametrize(("holiday", "observed"), WEEKEND_HOLIDAYS, ids=str)
def test_observed_weekday_of_a_weekend_holiday_counts_as_a_reg_x_day(holiday, observed):
    # The day before the observed one that is neither weekend nor holiday, + 1 day, lands
    # on the observed Friday/Monday itself: it is not skipped.
    before = observed - timedelta(days=1)
    while before.weekday() >= 5 or before in legal_public_holidays(before.year):
        before -= timedelta(days=1)
    assert add_business_days(before, 1) == observed
    assert not REG_X_CALENDAR.is_business_day(holiday)


def test_every_legal_public_holiday_2026_2030_matches_an_independent_list():
    expected = set(
        holidays.country_holidays(
            "US", categories=("public",), observed=False, years=range(2026, 2031)
        )
    )
    ours = set().union(*(legal_public_holidays(y) for y in range(2026, 2031)))
    assert ours == expected


def test_juneteenth_2027_acknowledgment_is_due_june_24():
    # Received Thursday 2027-06-17; Juneteenth is Saturday 06-19, observed Friday 06-18,
    # which still counts: 18, 21, 22, 23, 24.
    (ack, _) = clocks_for(["notice_of_error"], [], datetime(2027, 6, 17, 15, tzinfo=UTC))
    assert ack.due == date(2027, 6, 24)


def test_weekend_is_skipped():
    # Friday 2026-11-20 + 1 business day = Monday 2026-11-23
    assert add_business_days(date(2026, 11, 20), 1) == date(2026, 11, 23)


def test_monday_holiday_is_skipped():
    # Labor Day 2026 is Monday September 7
    assert add_business_days(date(2026, 9, 4), 1) == date(2026, 9, 8)


def test_clock_runs_across_year_end():
    # Thu Dec 24 2026: Fri 25 Christmas, Mon 28..Thu 31 are days 1-4, Fri Jan 1 holiday
    assert add_business_days(date(2026, 12, 24), 5) == date(2027, 1, 4)


def test_servicer_closures_do_not_lengthen_reg_x_clocks():
    policy = ClockPolicy(extra_closures=frozenset({date(2026, 3, 3)}))
    ack = clocks_for(["notice_of_error"], [], datetime(2026, 3, 2, 15, tzinfo=UTC), policy)[0]
    assert ack.due == date(2026, 3, 9)


# -- time of receipt ------------------------------------------------------------------


def test_late_friday_evening_in_new_york_counts_as_friday():
    received = datetime(2026, 11, 21, 4, 30, tzinfo=UTC)  # Fri 23:30 EST, Sat in UTC
    assert local_date(received) == date(2026, 11, 20)
    ack = clocks_for(["notice_of_error"], [], received)[0]
    assert ack.start == date(2026, 11, 20)
    assert ack.due == date(2026, 11, 30)  # 5 days, Thanksgiving Nov 26 skipped


def test_time_zone_is_configurable():
    received = datetime(2026, 11, 21, 4, 30, tzinfo=UTC)
    assert local_date(received, ClockPolicy(timezone="UTC")) == date(2026, 11, 21)


def test_naive_received_at_is_rejected():
    with pytest.raises(ValueError, match="timezone-aware"):
        deadlines_for("general", datetime(2026, 1, 1))


# -- the clocks of each request ---------------------------------------------------------

MON = datetime(2026, 3, 2, 15, tzinfo=UTC)  # Monday 2026-03-02, no holidays for weeks


def _clocks(kinds, subkinds=(), at=MON, policy=DEFAULT_POLICY, sale=None):
    return {d.key: d for d in clocks_for(kinds, subkinds, at, policy, sale_date=sale)}


def test_notice_of_error_acknowledge_5_respond_30_extendable():
    c = _clocks(["notice_of_error"])
    ack, respond = c["notice_of_error:acknowledge"], c["notice_of_error:respond"]
    assert (ack.due, ack.rule) == (date(2026, 3, 9), "12 CFR 1024.35(d)")
    assert (respond.business_days, respond.rule, respond.extendable) == (
        30,
        "12 CFR 1024.35(e)(3)(i)(C)",
        True,
    )
    assert respond.due == date(2026, 4, 13)


def test_payoff_balance_error_responds_in_7_days_without_extension():
    respond = _clocks(["notice_of_error"], ["payoff_balance_error"])["notice_of_error:respond"]
    assert (respond.due, respond.rule, respond.extendable) == (
        date(2026, 3, 11),
        "12 CFR 1024.35(e)(3)(i)(A)",
        False,
    )


def test_foreclosure_sale_error_is_due_before_an_early_sale():
    # Sale on Monday 03-16: the last day before it that counts is Friday 03-13.
    c = _clocks(["notice_of_error"], ["foreclosure_sale_error"], sale=date(2026, 3, 16))
    respond = c["notice_of_error:respond"]
    assert (respond.due, respond.rule, respond.extendable) == (
        date(2026, 3, 13),
        "12 CFR 1024.35(e)(3)(i)(B)",
        False,
    )


def test_foreclosure_sale_error_is_due_in_30_days_when_the_sale_is_later():
    c = _clocks(["notice_of_error"], ["foreclosure_sale_error"], sale=date(2026, 6, 1))
    assert c["notice_of_error:respond"].due == date(2026, 4, 13)


def test_foreclosure_sale_error_without_a_known_sale_date_is_due_in_30_days():
    c = _clocks(["notice_of_error"], ["foreclosure_sale_error"])
    assert (c["notice_of_error:respond"].due, c["notice_of_error:respond"].extendable) == (
        date(2026, 4, 13),
        False,
    )


def test_foreclosure_sale_on_the_receipt_date_leaves_day_0():
    c = _clocks(["notice_of_error"], ["foreclosure_sale_error"], sale=date(2026, 3, 2))
    assert c["notice_of_error:respond"].due == date(2026, 3, 2)


def test_request_for_information_acknowledge_5_respond_30_extendable():
    c = _clocks(["request_for_information"])
    assert c["request_for_information:acknowledge"].rule == "12 CFR 1024.36(c)"
    respond = c["request_for_information:respond"]
    assert (respond.due, respond.rule, respond.extendable) == (
        date(2026, 4, 13),
        "12 CFR 1024.36(d)(2)(i)(B)",
        True,
    )


def test_owner_identity_request_responds_in_10_days_without_extension():
    c = _clocks(["request_for_information"], ["owner_identity"])
    respond = c["request_for_information:respond"]
    assert (respond.due, respond.rule, respond.extendable) == (
        date(2026, 3, 16),
        "12 CFR 1024.36(d)(2)(i)(A)",
        False,
    )


def test_loss_mitigation_application_is_acknowledged_in_5_days_and_has_no_respond_clock():
    c = _clocks(["loss_mitigation_application"])
    assert list(c) == ["loss_mitigation_application:acknowledge"]
    assert c["loss_mitigation_application:acknowledge"].due == date(2026, 3, 9)
    assert c["loss_mitigation_application:acknowledge"].rule == "12 CFR 1024.41(b)(2)(i)(B)"


def test_payoff_statement_responds_in_7_servicer_business_days():
    (d,) = clocks_for(["payoff_statement"], [], MON)
    assert (d.due, d.rule, d.calendar) == (date(2026, 3, 11), "12 CFR 1026.36(c)(3)", "servicer")


def test_payoff_clock_counts_a_servicer_open_saturday():
    policy = ClockPolicy(extra_open_days=frozenset({date(2026, 3, 7)}))
    (d,) = clocks_for(["payoff_statement"], [], MON, policy)
    assert d.due == date(2026, 3, 10)


def test_payoff_clock_counts_servicer_open_saturdays_every_week():
    policy = ClockPolicy(open_weekdays=frozenset({0, 1, 2, 3, 4, 5}))
    (d,) = clocks_for(["payoff_statement"], [], MON, policy)
    assert d.due == date(2026, 3, 10)  # Tue 3, Wed, Thu, Fri, Sat 7, Mon 9, Tue 10


def test_payoff_clock_skips_a_servicer_closed_day():
    policy = ClockPolicy(extra_closures=frozenset({date(2026, 3, 4)}))
    (d,) = clocks_for(["payoff_statement"], [], MON, policy)
    assert d.due == date(2026, 3, 12)


def test_servicer_calendar_closed_day_wins_over_open_day():
    day = date(2026, 3, 7)
    calendar = ServicerCalendar(closed_days=frozenset({day}), open_days=frozenset({day}))
    assert not calendar.is_business_day(day)


def test_several_kinds_start_each_kinds_clocks():
    c = _clocks(["notice_of_error", "payoff_statement"])
    assert sorted(c) == [
        "notice_of_error:acknowledge",
        "notice_of_error:respond",
        "payoff_statement:respond",
    ]


def test_no_request_gets_the_internal_targets_from_policy():
    policy = ClockPolicy(general_acknowledge=None, general_respond=4)
    (d,) = clocks_for([], [], MON, policy)
    assert (d.name, d.business_days, d.rule) == ("respond", 4, "internal service target")


def test_policy_refuses_clocks_longer_than_the_rule():
    with pytest.raises(ValueError, match="less than or equal to 30"):
        ClockPolicy(notice_of_error_respond=31)


# -- extensions -------------------------------------------------------------------------


def test_extension_once_then_refused():
    respond = _clocks(["notice_of_error"])["notice_of_error:respond"]
    extended = extend(respond, days=15)
    assert extended.business_days == 45
    assert business_days_between(respond.due, extended.due) == 15
    with pytest.raises(CaseActionError, match="already extended"):
        extend(extended, days=15)


def test_request_for_information_can_be_extended():
    respond = _clocks(["request_for_information"])["request_for_information:respond"]
    assert extend(respond, days=15).extended


@pytest.mark.parametrize(
    ("kinds", "subkinds", "key"),
    [
        (["notice_of_error"], ["payoff_balance_error"], "notice_of_error:respond"),
        (["notice_of_error"], ["foreclosure_sale_error"], "notice_of_error:respond"),
        (["request_for_information"], ["owner_identity"], "request_for_information:respond"),
        (["payoff_statement"], [], "payoff_statement:respond"),
        (["notice_of_error"], [], "notice_of_error:acknowledge"),
        (["loss_mitigation_application"], [], "loss_mitigation_application:acknowledge"),
    ],
    ids=["payoff-balance", "foreclosure-sale", "owner-identity", "payoff", "ack", "loss-mit"],
)
def test_clocks_the_rule_does_not_let_be_extended_refuse_an_extension(kinds, subkinds, key):
    with pytest.raises(CaseActionError, match="cannot be extended"):
        extend(_clocks(kinds, subkinds)[key])


def test_extension_longer_than_15_days_is_refused():
    respond = _clocks(["notice_of_error"])["notice_of_error:respond"]
    with pytest.raises(CaseActionError, match="1 to 15 days"):
        extend(respond, days=16)


def test_extension_notice_after_due_date_is_refused():
    respond = _clocks(["notice_of_error"])["notice_of_error:respond"]
    with pytest.raises(CaseActionError, match="after the deadline"):
        extend(respond, notified_on=respond.due + timedelta(days=1))


# -- status -----------------------------------------------------------------------------


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


def test_status_met_on_the_weekend_after_a_friday_due_date_is_late():
    (ack, _) = clocks_for(["notice_of_error"], [], _at(date(2026, 3, 6)))  # due Fri 03-13
    status = deadline_status(ack, _at(date(2026, 3, 14)), _at(date(2026, 3, 16)))
    assert (status.state, status.late_by, status.on_time) == ("met", 1, False)


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
    assert REG_X_CALENDAR.is_business_day(add_business_days(start, n))
    assert REG_X_CALENDAR.is_business_day(add_business_days(start, -n))


@given(days, st.integers(min_value=-400, max_value=400))
def test_business_days_between_inverts_add_business_days(start, n):
    assert business_days_between(start, add_business_days(start, n)) == n
