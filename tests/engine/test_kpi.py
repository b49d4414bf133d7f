from decimal import Decimal

import pytest

from doyak.engine.kpi import (
    AGGREGATES,
    KpiRecord,
    Trajectory,
    YearTally,
    actual,
    actual_tallied,
    dedupe,
    series,
    split,
    status,
    tally,
)

TOL = {"behind_tolerance": Decimal("0.10"), "at_risk_tolerance": Decimal("0.30")}


def _r(key, year, value=1, group="capital"):
    return KpiRecord(ref=f"asset:{key}", dedup_key=key, year=year, value=Decimal(value), region_group=group)


def test_dedupe_keeps_the_first_record_of_each_key():
    records = [_r("a", 2026), _r("a", 2027), _r("b", 2026)]
    assert [(r.dedup_key, r.year) for r in dedupe(records)] == [("a", 2026), ("b", 2026)]


def test_actual_cumulative_counts_up_to_the_year_and_non_cumulative_that_year_only():
    records = [_r("a", 2025), _r("b", 2026), _r("c", 2026), _r("d", 2027)]
    assert actual(records, how="count", cumulative=True, year=2026) == 3
    assert actual(records, how="count", cumulative=False, year=2026) == 2
    assert series(records, how="count", cumulative=True, years=[2025, 2027]) == {2025: 1, 2027: 4}


def test_mean_is_rounded_to_a_tenth_and_none_without_records():
    records = [_r("a", 2026, 10), _r("b", 2026, 11), _r("c", 2026, 11)]
    assert actual(records, how="mean", cumulative=False, year=2026) == Decimal("10.7")
    assert actual(records, how="mean", cumulative=False, year=2027) is None


def test_trajectory_expected_runs_straight_from_the_previous_point():
    t = Trajectory(points={2026: Decimal(100), 2027: Decimal(200)}, baseline=Decimal(0), baseline_year=2025)
    assert t.expected(2026, Decimal("0.5")) == Decimal(50)
    assert t.expected(2027, Decimal("0.25")) == Decimal(125)
    assert (t.deadline, t.final()) == (2027, Decimal(200))


def test_relative_trajectory_multiplies_the_baseline():
    t = Trajectory(points={2030: Decimal("1.30")}, baseline=Decimal(50), baseline_year=2025, relative=True)
    assert t.final() == Decimal("65.00")


@pytest.mark.parametrize(("value", "increasing", "expected"), [
    (90, True, "on_track"), (89, True, "behind"), (70, True, "behind"), (69, True, "at_risk"),
    (110, False, "on_track"), (111, False, "behind"), (131, False, "at_risk"), (None, True, "no_data"),
])
def test_status_against_the_expected_value_by_the_tolerances(value, increasing, expected):
    got = status(None if value is None else Decimal(value), Decimal(100), increasing=increasing, **TOL)
    assert got == expected


def test_split_aggregates_per_group():
    records = [_r("a", 2026, group="capital"), _r("b", 2026, group="honam"), _r("c", 2026, group="honam")]
    assert split(records, by="region_group", how="count") == {"capital": 1, "honam": 2}


def test_yearly_tallies_give_exactly_the_figures_the_records_give():
    records = [_r("a", 2025, 10), _r("b", 2026, 11), _r("c", 2026, 12), _r("d", 2028, 5)]
    tallies = tally(records)
    assert tallies == {2025: YearTally(1, Decimal(10)), 2026: YearTally(2, Decimal(23)), 2028: YearTally(1, Decimal(5))}
    assert actual_tallied(tallies, how="mean", cumulative=True, year=2026) == Decimal("11.0")
    assert actual_tallied(tallies, how="mean", cumulative=False, year=2027) is None
    for how in AGGREGATES:
        for cumulative in (True, False):
            for year in range(2024, 2030):
                assert actual_tallied(tallies, how=how, cumulative=cumulative, year=year) == actual(
                    records, how=how, cumulative=cumulative, year=year), (how, cumulative, year)
