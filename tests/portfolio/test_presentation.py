"""The scenario page an approver reads: every candidate selected or not, with its reason near the line,
the explanation in sentences, and the compare page naming the proposals two scenarios decide differently."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from doyak.portfolio import services
from doyak.portfolio.presentation import compare_differences, scenario_lines

POLICY = {
    "budget": 1_000_000_000,
    "min_score": 70,
    "objective": "score_weighted_budget",
    "constraint": [{"name": "비수도권 비중", "group": {"region_group": "non_capital"}, "budget_share_min": 0.5}],
}
NO_SHARE = {**POLICY, "constraint": []}


@pytest.fixture
def small_call(make_call, make_scored):
    """A (서울, ₩600M, 90), B (부산, ₩400M, 85), C (53, ₩500M, 80), D (서울, ₩300M, 75)."""
    call = make_call(budget_krw=1_000_000_000)
    rows = {name: make_scored(call, gov=gov, score=score, region=region) for name, gov, score, region in [
        ("A", 600_000_000, 90, "11"), ("B", 400_000_000, 85, "26"), ("C", 500_000_000, 80, "53"),
        ("D", 300_000_000, 75, "11")]}
    return call, rows


def _solved(pm, call, policy, name, capture):
    scenario = services.scenario_create(actor=pm, name=name, call_id=call.pk, policy=policy)
    with capture(execute=True):
        services.scenario_solve_request(actor=pm, scenario_id=scenario.pk)
    scenario.refresh_from_db()
    return scenario


def test_scenario_lines_list_selected_and_not_with_reasons(small_call, pm, django_capture_on_commit_callbacks):
    call, rows = small_call
    scenario = _solved(pm, call, POLICY, "반반", django_capture_on_commit_callbacks)
    with translation.override("ko"):
        lines = scenario_lines(scenario)
    # then B and C are selected, A and D not, each by score, with title, organisation, province and funds
    assert [(x.pk, x.selected) for x in lines["selected"]] == [(rows["B"].pk, True), (rows["C"].pk, True)]
    assert [x.pk for x in lines["not_selected"]] == [rows["A"].pk, rows["D"].pk]
    a = lines["not_selected"][0]
    assert (a.title, a.organization, a.score, a.cost) == (rows["A"].title, rows["A"].lead_organization.name,
                                                           90.0, 600_000_000)
    assert a.region == rows["A"].lead_organization.region.name
    assert a.reason == "미선정: 이 과제를 지원하면 제약 “비수도권 비중”을(를) 지킬 수 없습니다."
    assert lines["not_selected"][1].reason == "미선정: 선정된 과제와 함께 남은 예산에 들어가지 않습니다."
    # B is selected with or without the share; C only because of it
    assert lines["selected"][0].reason == "예산 범위에서 점수순으로 선정했습니다."
    assert lines["selected"][1].reason == "제약 “비수도권 비중”을(를) 지키기 위해 선정했습니다."


def test_scenario_page_shows_the_lines_and_the_explanation_in_words(client, small_call, pm,
                                                                     django_capture_on_commit_callbacks):
    call, rows = small_call
    scenario = _solved(pm, call, POLICY, "반반", django_capture_on_commit_callbacks)
    client.force_login(pm)
    page = client.get(f"/portfolio/{scenario.pk}/").content.decode()
    assert 'data-testid="lines-selected"' in page and 'data-testid="lines-not-selected"' in page
    assert rows["A"].title in page and rows["A"].lead_organization.region.name in page
    assert "점수 × 예산" in page  # the objective by its label
    assert ">score_weighted_budget<" not in page and "score_weighted_budget)" not in page  # a form value only
    assert "선정 기준 점수 이상 과제 4건 중 2건을 선정합니다 (전체 4건)." in page
    assert "pf-markdown" not in page  # no raw Markdown


def test_compare_lists_the_proposals_the_scenarios_decide_differently(client, small_call, pm,
                                                                       django_capture_on_commit_callbacks):
    call, rows = small_call
    share = _solved(pm, call, POLICY, "반반", django_capture_on_commit_callbacks)
    plain = _solved(pm, call, NO_SHARE, "점수순", django_capture_on_commit_callbacks)
    # without the share A + B are selected (B + C with it): A and C differ, B is selected by both, D by none
    differences = compare_differences([share, plain])
    assert [(row["pk"], row["cells"]) for row in differences] == sorted(
        [(rows["A"].pk, [False, True]), (rows["C"].pk, [True, False])],
        key=lambda item: (next(r for r in rows.values() if r.pk == item[0]).reference, item[0]))
    client.force_login(pm)
    page = client.get("/portfolio/compare/", {"ids": [share.pk, plain.pk]}).content.decode()
    assert 'data-testid="differences"' in page
    assert rows["A"].title in page and rows["C"].title in page
    assert compare_differences([share, share]) == []


def test_scenario_solved_before_reasons_were_kept_says_so_instead_of_inventing_one(
        small_call, pm, django_capture_on_commit_callbacks):
    # given a scenario solved as today, then its result stripped to what solves stored before the selected
    # proposals' reasons were kept (a guard test: the state older solves left, which today's cannot reach)
    call, rows = small_call
    scenario = _solved(pm, call, POLICY, "옛 시나리오", django_capture_on_commit_callbacks)
    old = {k: v for k, v in scenario.result.items() if k != "funded_reasons"}
    type(scenario).objects.filter(pk=scenario.pk).update(result=old)
    scenario.refresh_from_db()
    with translation.override("ko"):
        lines = scenario_lines(scenario)
    solved_on = f"{timezone.localtime(scenario.solved_at):%Y-%m-%d}"
    # then the selected lines say the reason was not recorded, the not-selected keep theirs, the selection is as solved
    assert [x.pk for x in lines["selected"]] == [rows["B"].pk, rows["C"].pk]
    assert {x.reason for x in lines["selected"]} == {
        f"선정 사유가 기록되지 않았습니다: {solved_on}에 풀어, 선정 과제마다 사유를 남기기 전의 시나리오입니다."}
    assert lines["not_selected"][0].reason == "미선정: 이 과제를 지원하면 제약 “비수도권 비중”을(를) 지킬 수 없습니다."
    # and older still, without the candidates: no lines, and a note saying why
    bare = {k: v for k, v in old.items() if k not in ("candidates", "reasons")}
    type(scenario).objects.filter(pk=scenario.pk).update(result=bare)
    scenario.refresh_from_db()
    with translation.override("ko"):
        lines = scenario_lines(scenario)
    assert (lines["selected"], lines["not_selected"]) == ([], [])
    assert lines["note"] == f"이 시나리오는 {solved_on}에 풀어 후보 과제와 사유를 기록하기 전의 것이어서 보여 줄 수 없습니다."
