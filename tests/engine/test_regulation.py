"""The status of a regulation dependency at its boundaries (issue 11's checks), without Django."""

import datetime as dt

import pytest

from doyak.engine.regulation import (
    AT_RISK,
    BLOCKED,
    EXPIRING,
    ON_TRACK,
    StatusPolicy,
    add_years,
    dependency_status,
    effective_expiry,
    next_milestone,
)

TODAY = dt.date(2026, 12, 1)
POLICY = StatusPolicy(milestone_warning_days=90, expiry_warning_days=60)


def status(*, milestones=(), granted=None, expires=None):
    return dependency_status(today=TODAY, milestones=list(milestones), granted_on=granted, expires_on=expires,
                             policy=POLICY)


def test_milestone_exactly_at_the_warning_distance_is_at_risk():
    assert status(milestones=[TODAY + dt.timedelta(days=90)]) == AT_RISK


def test_milestone_one_day_further_is_on_track():
    assert status(milestones=[TODAY + dt.timedelta(days=91)]) == ON_TRACK


def test_exemption_granted_the_day_before_the_milestone_clears_it():
    # given a milestone tomorrow and the exemption granted today (the day before it)
    milestone = TODAY + dt.timedelta(days=1)
    assert status(milestones=[milestone], granted=TODAY, expires=add_years(TODAY, 2)) == ON_TRACK


def test_exemption_granted_on_the_milestone_day_does_not_clear_it():
    assert status(milestones=[TODAY], granted=TODAY, expires=add_years(TODAY, 2)) == BLOCKED


def test_expiry_on_the_milestone_day_is_blocked():
    milestone = TODAY + dt.timedelta(days=200)
    assert status(milestones=[milestone], granted=TODAY - dt.timedelta(days=10), expires=milestone) == BLOCKED


def test_expiry_the_day_after_the_milestone_covers_it():
    milestone = TODAY + dt.timedelta(days=200)
    assert status(milestones=[milestone], granted=TODAY - dt.timedelta(days=10),
                  expires=milestone + dt.timedelta(days=1)) == ON_TRACK


def test_milestone_passed_without_the_exemption_is_blocked():
    assert status(milestones=[TODAY - dt.timedelta(days=1)]) == BLOCKED


@pytest.mark.parametrize(("days", "expected"), [(60, EXPIRING), (61, ON_TRACK), (0, EXPIRING)])
def test_expiry_within_the_warning_days_is_expiring(days, expected):
    assert status(granted=TODAY - dt.timedelta(days=400), expires=TODAY + dt.timedelta(days=days)) == expected


def test_at_risk_wins_over_expiring():
    assert status(milestones=[TODAY + dt.timedelta(days=30)], granted=None) == AT_RISK


def test_a_grant_recorded_for_a_later_day_is_not_in_hand():
    milestone = TODAY + dt.timedelta(days=30)
    assert status(milestones=[milestone], granted=TODAY + dt.timedelta(days=1)) == AT_RISK


def test_no_milestone_and_no_exemption_is_on_track():
    assert status() == ON_TRACK


def test_pending_law_amendment_extends_automatically():
    assert effective_expiry(expires_on=TODAY, law_amendment_pending=True, automatic_extension=True) is None
    assert effective_expiry(expires_on=TODAY, law_amendment_pending=True, automatic_extension=False) == TODAY
    assert effective_expiry(expires_on=TODAY, law_amendment_pending=False, automatic_extension=True) == TODAY


def test_next_milestone_is_the_first_today_or_later():
    assert next_milestone(today=TODAY, milestones=[TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=5),
                                                   TODAY]) == TODAY
    assert next_milestone(today=TODAY, milestones=[]) is None


def test_add_years_on_29_february():
    assert add_years(dt.date(2028, 2, 29), 2) == dt.date(2030, 2, 28)
