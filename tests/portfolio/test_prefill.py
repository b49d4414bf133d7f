"""The plan's targets as a scenario's starting policy, counting what earlier years funded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from doyak.portfolio.prefill import scenario_policy_prefill
from doyak.programs.models import Program

ON = dt.date(2026, 6, 1)


@pytest.fixture
def humanoid_year(make_call, make_program, make_scored, chain):
    """Program MAX: in 2025 five humanoid demos funded by the approved portfolio (and one passed but left out
    by the budget); in 2026 a humanoid call with six scored proposals (one of ₩12B, one in the capital
    region, one below the cut-off of 70)."""
    earlier = make_program(code="MAX", year=2025, budget_krw=50_000_000_000)
    earlier_call = make_call(program=earlier, track="max_humanoid")
    demos = [chain.submitted(earlier_call, gov=2_000_000_000) for _ in range(6)]
    chain.evaluate(earlier_call, {p: 80 + k for k, p in enumerate(demos)})
    chain.approve(earlier_call, policy={"budget": 10_000_000_000, "min_score": 70})
    program = make_program(code="MAX", year=2026, budget_krw=60_000_000_000)
    call = make_call(program=program, track="max_humanoid", budget_krw=30_000_000_000)
    make_scored(call, gov=12_000_000_000, score=88, region="26")
    make_scored(call, gov=3_000_000_000, score=85, region="11")
    for score in (82, 80, 75):
        make_scored(call, gov=3_000_000_000, score=score, region="48")
    make_scored(call, gov=3_000_000_000, score=65, region="48")
    return program, call


def test_prefill_call_takes_every_number_from_policy_and_counts_earlier_years(humanoid_year):
    program, call = humanoid_year
    # when the policy of a scenario for the 2026 humanoid call is pre-filled
    with translation.override("en"):
        policy, notes = scenario_policy_prefill(program=program, year=2026, call=call, on=ON)
    # then budget and cut-off are the call's; non-capital share from its policy; large projects: the plan's
    # 75 (57 × 1.3) over 2026–2030 is 15 this year, capped at the one ₩10B+ candidate; humanoid demos: 10 by
    # 2026 minus the 5 funded in 2025 = 5 (five eligible candidates, so not capped)
    assert policy == {
        "budget": 30_000_000_000,
        "min_score": 70.0,
        "objective": "score_weighted_budget",
        "constraint": [
            {"name": "Non-capital budget share", "group": {"region_group": "non_capital"}, "budget_share_min": 0.4},
            {"name": "Large projects", "group": {"cost_min": 10_000_000_000}, "count_min": 1},
            {"name": "Humanoid field demonstrations", "group": {"track": "max_humanoid"}, "count_min": 5},
        ],
    }
    assert notes[2] == ("Large projects: target 75 (57 projects in 2024 + 30%); 0 funded in earlier years; 75 remain "
                        "over 5 year(s): at least 15 this year, capped at the 1 eligible candidates.")
    assert notes[3] == ("Humanoid field demonstrations: target 10 (plan.max.humanoid_field_demos.count); 5 funded "
                        "in earlier years; 5 remain over 1 year(s): at least 5 this year.")


def test_prefill_program_year_uses_the_envelope_and_the_lowest_cut_off(humanoid_year, make_call):
    program, _call = humanoid_year
    make_call(program=program, track="general", cutoff_score=60)
    # when a whole program year is pre-filled
    with translation.override("en"):
        policy, _notes = scenario_policy_prefill(program=program, year=2026, on=ON)
    # then the budget is the program's and the cut-off the lowest of its calls; the 65-point proposal counts
    assert policy["budget"] == 60_000_000_000
    assert policy["min_score"] == 60.0
    assert [c["name"] for c in policy["constraint"]] == [
        "Non-capital budget share", "Large projects", "Humanoid field demonstrations"]
    assert policy["constraint"][2]["count_min"] == 5


def test_prefill_without_earlier_years_asks_for_the_whole_target_capped_at_candidates(make_program, make_call,
                                                                                      make_scored):
    program = make_program(code="NEW", year=2026)
    call = make_call(program=program, track="max_lead_model", budget_krw=9_000_000_000)
    for score in (90, 85, 80):
        make_scored(call, gov=2_000_000_000, score=score, region="11")
    with translation.override("en"):
        policy, notes = scenario_policy_prefill(program=program, year=2026, call=call, on=ON)
    # then: no non-capital candidate, so no share constraint; lead models 15 (no deadline) capped at 3
    assert policy["constraint"] == [
        {"name": "Manufacturing-AI lead models", "group": {"track": "max_lead_model"}, "count_min": 3}]
    assert Program.objects.count() == 1
    assert notes[-1].endswith("at least 15 this year, capped at the 3 eligible candidates.")
