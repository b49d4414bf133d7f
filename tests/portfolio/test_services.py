"""Scenarios: solving stores exact results, infeasibility in words, one submission per scope, approval."""

from __future__ import annotations

import pytest
from django.utils import translation

from doyak.core.errors import Conflict
from doyak.core.models import AuditEvent
from doyak.portfolio import services
from doyak.portfolio.models import Scenario
from doyak.portfolio.presentation import conflict_words

POLICY = {
    "budget": 1_000_000_000,
    "min_score": 70,
    "objective": "score_weighted_budget",
    "constraint": [{"name": "Non-capital share", "group": {"region_group": "non_capital"}, "budget_share_min": 0.5}],
}


@pytest.fixture
def small_call(make_call, make_scored):
    """Five scored proposals: A (capital, ₩600M, 90), B (동남, ₩400M, 85), C (호남 53, ₩500M, 80),
    D (capital, ₩300M, 75) and E (호남, ₩100M, 60: below the cut-off)."""
    call = make_call(budget_krw=1_000_000_000)
    rows = {name: make_scored(call, gov=gov, score=score, region=region) for name, gov, score, region in [
        ("A", 600_000_000, 90, "11"), ("B", 400_000_000, 85, "26"), ("C", 500_000_000, 80, "53"),
        ("D", 300_000_000, 75, "11"), ("E", 100_000_000, 60, "53")]}
    return call, rows


def _solve(scenario, pm, django_capture_on_commit_callbacks) -> Scenario:
    with django_capture_on_commit_callbacks(execute=True):
        services.scenario_solve_request(actor=pm, scenario_id=scenario.pk)
    scenario.refresh_from_db()
    return scenario


def test_solve_stores_the_exact_optimum_of_a_small_instance(small_call, pm, django_capture_on_commit_callbacks):
    call, rows = small_call
    scenario = services.scenario_create(actor=pm, name="반반", call_id=call.pk, policy=POLICY)
    # when solved (the task runs on commit)
    scenario = _solve(scenario, pm, django_capture_on_commit_callbacks)
    # then B + C is the best selection with at least half the money outside the capital region
    r = scenario.result
    assert scenario.status == "solved"
    assert scenario.error == {}
    assert r["selected_ids"] == [rows["B"].pk, rows["C"].pk]
    assert r["objective"] == 74_000_000_000.0  # 85 × ₩400M + 80 × ₩500M
    assert r["funded_count"] == 2
    assert r["budget_used"] == 900_000_000
    assert r["mean_score"] == 82.5
    assert r["budget_by_group"] == {"capital": 0, "dongnam": 400_000_000, "daegyeong": 0, "jungbu": 0,
                                    "honam": 500_000_000, "gangwon": 0, "jeonbuk": 0, "jeju": 0}
    # E failed the evaluation, so it is no candidate
    assert (r["candidate_count"], r["eligible_count"]) == (4, 4)
    assert r["candidates"] == [[p.pk, p.gov_total_krw, f"{s:.2f}"] for p, s in
                               [(rows["A"], 90), (rows["B"], 85), (rows["C"], 80), (rows["D"], 75)]]
    # A is left out because of the non-capital share (and the budget); D by the budget alone (without the
    # share, A + B would be funded, still not D)
    assert r["reasons"] == {str(rows["A"].pk): {"because": ["Non-capital share"], "budget": True},
                            str(rows["D"].pk): {"because": [], "budget": True}}
    share = next(c for c in r["constraints"] if c["name"] == "Non-capital share")
    # without it A + B (90 × ₩600M + 85 × ₩400M = ₩88B·points) would win; the share (100%) is far from its
    # bound, so it is not "binding" in the engine's local sense, yet it has a price
    assert share["binding"] is False
    assert share["price"] == 14_000_000_000.0
    assert share["price_share"] == pytest.approx(14 / 74, abs=1e-12)
    assert scenario.explanation_md.startswith("# 포트폴리오 선정 설명")
    assert scenario.solved_at is not None


def test_solve_of_an_infeasible_policy_names_the_conflict_in_words(small_call, pm, django_capture_on_commit_callbacks):
    call, _rows = small_call
    policy = {**POLICY, "constraint": [{"name": "Three outside the capital", "group": {"region_group": "non_capital"},
                                        "count_min": 3}]}
    scenario = services.scenario_create(actor=pm, name="무리", call_id=call.pk, policy=policy)
    scenario = _solve(scenario, pm, django_capture_on_commit_callbacks)
    # then no result; only B and C are candidates outside the capital (E failed the evaluation)
    assert scenario.status == "draft"
    assert scenario.result == {}
    assert scenario.error["code"] == "portfolio_infeasible"
    assert scenario.error["conflicting_bounds"] == [["Three outside the capital", "count_min"]]
    with translation.override("en"):
        assert conflict_words(scenario) == ["“Three outside the capital”: at least 3 projects"]


def test_editing_the_policy_clears_the_result(small_call, pm, django_capture_on_commit_callbacks):
    call, _rows = small_call
    scenario = _solve(services.scenario_create(actor=pm, name="반반", call_id=call.pk, policy=POLICY), pm,
                      django_capture_on_commit_callbacks)
    services.scenario_update(actor=pm, scenario_id=scenario.pk, policy={**POLICY, "constraint": []})
    scenario.refresh_from_db()
    assert (scenario.status, scenario.result, scenario.explanation_md) == ("draft", {}, "")


def test_only_one_scenario_per_scope_is_submitted(small_call, pm, django_capture_on_commit_callbacks):
    call, _rows = small_call
    first = _solve(services.scenario_create(actor=pm, name="1안", call_id=call.pk, policy=POLICY), pm,
                   django_capture_on_commit_callbacks)
    second = _solve(services.scenario_create(actor=pm, name="2안", call_id=call.pk, policy={**POLICY, "constraint": []}),
                    pm, django_capture_on_commit_callbacks)
    services.scenario_submit(actor=pm, scenario_id=first.pk)
    # when the second is submitted too
    with pytest.raises(Conflict) as raised:
        services.scenario_submit(actor=pm, scenario_id=second.pk)
    # then it is refused and nothing changed
    assert raised.value.code == "scenario_already_submitted"
    assert list(Scenario.objects.order_by("pk").values_list("status", flat=True)) == ["submitted", "solved"]
    assert AuditEvent.objects.filter(action="portfolio.scenario_submit").count() == 1


def test_create_without_a_policy_prefills_it_and_keeps_the_notes(small_call, pm):
    call, _rows = small_call
    with translation.override("en"):
        scenario = services.scenario_create(actor=pm, name="기본", call_id=call.pk)
    assert scenario.policy["budget"] == 1_000_000_000
    assert scenario.policy["min_score"] == 70.0
    assert scenario.scope_key == f"call:{call.pk}"
    assert scenario.prefill_notes[0] == "Budget ₩1,000,000,000: the call's budget."
    assert AuditEvent.objects.filter(action="portfolio.scenario_create", object_id=str(scenario.pk)).count() == 1


def test_solve_whose_worker_died_is_solved_again_by_a_live_worker(small_call, pm, django_capture_on_commit_callbacks):
    import datetime as dt

    from doyak.core import runs

    # given a scenario whose solve was taken by a worker that died (the task is queued but lost with it)
    call, rows = small_call
    scenario = services.scenario_create(actor=pm, name="반반", call_id=call.pk, policy=POLICY)
    services.scenario_solve_request(actor=pm, scenario_id=scenario.pk)  # not executed: no on-commit here
    runs.worker_id_set("dead-host:8")
    try:
        assert runs.lease_acquire(scenario)
    finally:
        runs.worker_id_set(None)
    scenario.refresh_from_db()
    assert (scenario.status, scenario.lease_owner) == ("solving", "dead-host:8")
    # when a live worker checks once the lease expired
    with django_capture_on_commit_callbacks(execute=True):
        recovered = runs.runs_recover(now=scenario.lease_expires_at + dt.timedelta(seconds=1))
    scenario.refresh_from_db()
    # then it was solved, with the clean solve's selection, and says so
    assert [(r.kind, r.pk) for r in recovered] == [("portfolio.scenario_solve", scenario.pk)]
    assert (scenario.status, scenario.lease_owner) == ("solved", "")
    assert scenario.result["selected_ids"] == [rows["B"].pk, rows["C"].pk]
    assert [n["worker"] for n in scenario.recoveries] == ["dead-host:8"]
    assert AuditEvent.objects.filter(action="portfolio.scenario_solve.recovered", object_id=str(scenario.pk),
                                     actor_label="system").count() == 1
