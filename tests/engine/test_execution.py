"""The pure execution rules: grade scheme by date, sanction proposals from the policy table, report schedule."""

import datetime as dt

from doyak.engine.execution import Period, add_months, grades_allowed, report_schedule, sanction_propose

BANDS = [[10_000_000, 6, 24], [50_000_000, 24, 36], [0, 84, 150]]


def test_grades_switch_to_complete_incomplete_on_the_switch_date():
    switch = dt.date(2027, 1, 1)
    assert grades_allowed(on=dt.date(2026, 12, 31), switch_date=switch) == (
        "excellent", "average", "poor", "extremely_poor")
    assert grades_allowed(on=switch, switch_date=switch) == ("complete", "incomplete")


def test_sanction_for_a_grade_uses_the_grade_range_and_no_surcharge():
    p = sanction_propose(misused_krw=0, paid_krw=10**9, grade_ban_months=[12, 36], misuse_bands=BANDS,
                         ban_max_years=10, surcharge_max_multiple=5)
    assert (p.ban_min_months, p.ban_max_months, p.surcharge_max_krw) == (12, 36, 0)


def test_sanction_for_misused_funds_follows_the_band_and_caps_at_ten_years():
    small = sanction_propose(misused_krw=10_000_000, paid_krw=0, grade_ban_months=[12, 36], misuse_bands=BANDS,
                             ban_max_years=10, surcharge_max_multiple=5)
    large = sanction_propose(misused_krw=900_000_000, paid_krw=0, grade_ban_months=[12, 36], misuse_bands=BANDS,
                             ban_max_years=10, surcharge_max_multiple=5)
    assert (small.ban_min_months, small.ban_max_months, small.surcharge_max_krw) == (6, 24, 50_000_000)
    assert (large.ban_min_months, large.ban_max_months, large.surcharge_max_krw) == (84, 120, 4_500_000_000)


def test_schedule_has_stage_annual_and_final_reports():
    stages = [Period(dt.date(2026, 4, 1), dt.date(2027, 3, 31)), Period(dt.date(2027, 4, 1), dt.date(2029, 3, 31))]
    rows = [(r.kind, r.period_end, r.due_date) for r in report_schedule(
        start=dt.date(2026, 4, 1), end=dt.date(2029, 3, 31), stages=stages, annual_due_days=60, final_due_days=90)]
    assert rows == [("stage", dt.date(2027, 3, 31), dt.date(2027, 5, 30)),
                    ("annual", dt.date(2028, 3, 31), dt.date(2028, 5, 30)),
                    ("final", dt.date(2029, 3, 31), dt.date(2029, 6, 29))]


def test_add_months_keeps_the_last_day_of_a_shorter_month():
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)
