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
    # then budget and cut-off are the call's; non-capital share from its policy; large projects: the program
    # selected none of ₩10B or more in the base year 2025, so +30% of none asks for none; humanoid demos: 10 by
    # 2026 minus the 5 funded in 2025 = 5 (five eligible candidates, so not capped)
    assert policy == {
        "budget": 30_000_000_000,
        "min_score": 70.0,
        "objective": "score_weighted_budget",
        "constraint": [
            {"name": "Non-capital budget share", "group": {"region_group": "non_capital"}, "budget_share_min": 0.4},
            {"name": "Humanoid field demonstrations", "group": {"track": "max_humanoid"}, "count_min": 5},
        ],
    }
    assert notes[2] == "Large projects: no target (0 projects of ₩10,000,000,000 or more in 2025, +30% by 2030)."
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
    assert [c["name"] for c in policy["constraint"]] == ["Non-capital budget share", "Humanoid field demonstrations"]
    assert policy["constraint"][1]["count_min"] == 5


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


@pytest.fixture
def large_base_year(make_call, make_program, chain):
    """Program BIG selected in the base year 2025 four projects of exactly ₩10B (and one of ₩1 less; one of
    ₩20B passed but was left out by the budget), all through the chain; its 2026 call has six scored ₩10B
    candidates."""
    def build(*, year: int = 2026, selected_this_year: int = 0):
        base = make_program(code="BIG", year=2025, budget_krw=100_000_000_000)
        base_call = make_call(program=base)
        funded = [chain.submitted(base_call, gov=10_000_000_000) for _ in range(4)]
        funded.append(chain.submitted(base_call, gov=9_999_999_999))
        left_out = chain.submitted(base_call, gov=20_000_000_000)
        chain.evaluate(base_call, {**dict.fromkeys(funded, 90), left_out: 71})
        chain.approve(base_call, policy={"budget": 49_999_999_999, "min_score": 70})
        program = make_program(code="BIG", year=year, budget_krw=100_000_000_000)
        if selected_this_year:
            call = make_call(program=program)
            chain.selected(call, [chain.submitted(call, gov=10_000_000_000) for _ in range(selected_this_year)])
        return program

    return build


def _large_constraint(policy):
    return [c for c in policy["constraint"] if c["name"] == "Large projects"]


def test_prefill_large_projects_grow_from_the_base_year_count(large_base_year, make_call, make_scored):
    program = large_base_year()
    call = make_call(program=program, budget_krw=100_000_000_000)
    for score in (90, 88, 86, 84, 82, 80):
        make_scored(call, gov=10_000_000_000, score=score)
    # when the 2026 call is pre-filled
    with translation.override("en"):
        policy, notes = scenario_policy_prefill(program=program, year=2026, call=call, on=ON)
    # then the base is the 4 projects of at least ₩10B selected in 2025; one fifth of the way to +30% by
    # 2030: ⌈4 × 1.06⌉ = 5
    assert _large_constraint(policy) == [
        {"name": "Large projects", "group": {"cost_min": 10_000_000_000}, "count_min": 5}]
    assert notes[2] == ("Large projects: 5 in 2026 (4 projects of ₩10,000,000,000 or more in 2025, +30% by 2030); 0 already "
                        "selected this year: at least 5.")


def test_prefill_large_projects_count_those_already_selected_this_year(large_base_year, make_call, make_scored):
    # given one ₩10B project of another 2026 call already selected
    program = large_base_year(selected_this_year=1)
    call = make_call(program=program, budget_krw=100_000_000_000)
    for score in (90, 88, 86):
        make_scored(call, gov=10_000_000_000, score=score)
    # when
    with translation.override("en"):
        policy, _notes = scenario_policy_prefill(program=program, year=2026, call=call, on=ON)
    # then 5 − 1 = 4, capped at the 3 candidates
    assert _large_constraint(policy)[0]["count_min"] == 3


def test_prefill_large_projects_reach_the_whole_increase_at_the_deadline(large_base_year, make_call, make_scored):
    program = large_base_year(year=2030)
    call = make_call(program=program, budget_krw=100_000_000_000)
    for score in (90, 88, 86, 84, 82, 80, 78):
        make_scored(call, gov=10_000_000_000, score=score)
    # when the 2030 call is pre-filled
    with translation.override("en"):
        policy, _notes = scenario_policy_prefill(program=program, year=2030, call=call, on=dt.date(2030, 6, 1))
    # then ⌈4 × 1.3⌉ = 6
    assert _large_constraint(policy)[0]["count_min"] == 6


def test_prefill_large_projects_read_the_plan_records(large_base_year, make_call, make_scored):
    from doyak.policies.services import policy_change

    # given the plan's threshold record raised to ₩20B
    program = large_base_year()
    call = make_call(program=program, budget_krw=100_000_000_000)
    make_scored(call, gov=20_000_000_000, score=90)
    policy_change(actor=None, key="plan.fake_work.large_projects_increase.threshold_krw", value=20_000_000_000,
                  effective_from=dt.date(2026, 2, 1), source="test")
    # when
    with translation.override("en"):
        policy, notes = scenario_policy_prefill(program=program, year=2026, call=call, on=ON)
    # then none of the base year's selected projects reaches ₩20B (the ₩20B one was not selected): no target
    assert _large_constraint(policy) == []
    assert notes[2] == "Large projects: no target (0 projects of ₩20,000,000,000 or more in 2025, +30% by 2030)."


def test_large_project_policy_has_no_duplicate_threshold_and_a_base_year(db):
    from doyak.policies.models import PolicySetting
    from doyak.policies.services import policy_record

    record = policy_record(key="plan.fake_work.large_projects_increase.base_year", on=ON)
    assert (record.value, record.confirmed) == (2025, False)
    assert not PolicySetting.objects.filter(key="portfolio.large_project_threshold_krw").exists()
