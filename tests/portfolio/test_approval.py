"""Approval applies the scenario: each candidate selected or not in one transaction, agreement drafts, e-mails;
refused (changing nothing) while appeals may still change the candidates, when stale, infeasible or decided."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from doyak.agreements.models import Agreement, ApprovedBudget
from doyak.core.errors import AccessDenied, Conflict
from doyak.core.models import AuditEvent
from doyak.evaluation.services import appeal_answer, appeal_file
from doyak.portfolio import services
from doyak.portfolio.models import Scenario, Selection
from doyak.proposals.models import BudgetLine, Proposal

POLICY = {
    "budget": 1_000_000_000,
    "min_score": 70,
    "constraint": [{"name": "비수도권 비중", "group": {"region_group": "non_capital"}, "budget_share_min": 0.5}],
}


@pytest.fixture
def small_call(make_call, chain, make_user):
    """Five proposals evaluated on one panel: A (capital, ₩600M, 90), B (동남, ₩400M, 85), C (호남, ₩500M, 80),
    D (capital, ₩300M, 75) and E (호남, ₩100M, 60: below the cut-off of 70). D's applicant has a sign-in."""
    call = make_call(budget_krw=1_000_000_000)
    rows = {}
    for name, gov, score, region in [("A", 600_000_000, 90, "11"), ("B", 400_000_000, 85, "26"),
                                     ("C", 500_000_000, 80, "53"), ("D", 300_000_000, 75, "11"),
                                     ("E", 100_000_000, 60, "53")]:
        rows[name] = (chain.submitted(call, gov=gov, region=region, title_ko=f"과제{name}"), score)
    applicant = make_user(role="applicant", organization=rows["D"][0].lead_organization, email="d@example.kr")
    Proposal.objects.filter(pk=rows["D"][0].pk).update(created_by=applicant)
    BudgetLine.objects.create(proposal=rows["B"][0], year=2027, organization=rows["B"][0].lead_organization,
                              category="materials", gov_krw=400_000_000, cash_krw=100_000_000)
    chain.evaluate(call, {p: score for p, score in rows.values()})
    return call, {name: Proposal.objects.get(pk=p.pk) for name, (p, _score) in rows.items()}, applicant


def _statuses(rows):
    return {name: Proposal.objects.get(pk=p.pk).status for name, p in rows.items()}


def _submitted(chain, call, policy=POLICY):
    scenario = chain.scenario(call, policy=policy)
    return services.scenario_submit(actor=chain.pm, scenario_id=scenario.pk)


def test_publishing_decides_pass_or_fail_and_never_selects(small_call):
    _call, rows, _applicant = small_call
    assert _statuses(rows) == {"A": "evaluated", "B": "evaluated", "C": "evaluated", "D": "evaluated",
                               "E": "not_selected"}
    assert not Selection.objects.exists() and not Agreement.objects.exists()


def test_approval_selects_within_the_scenario_with_agreement_drafts_and_reasons(
        small_call, chain, django_capture_on_commit_callbacks):
    call, rows, _applicant = small_call
    scenario = _submitted(chain, call)
    mail.outbox.clear()
    # when the administrator approves after the appeal window
    with django_capture_on_commit_callbacks(execute=True):
        services.scenario_approve(actor=chain.admin, scenario_id=scenario.pk, now=chain.after_appeals())
    # then B and C are selected, A and D not (E had already failed the evaluation)
    assert _statuses(rows) == {"A": "not_selected", "B": "selected", "C": "selected", "D": "not_selected",
                               "E": "not_selected"}
    scenario.refresh_from_db()
    assert scenario.status == "approved"
    decided = {s.proposal_id: (s.selected, s.because, s.budget_bound) for s in Selection.objects.all()}
    assert decided == {rows["A"].pk: (False, ["비수도권 비중"], True), rows["B"].pk: (True, [], False),
                       rows["C"].pk: (True, [], False), rows["D"].pk: (False, [], True)}
    # each selected proposal has its agreement draft with the approved funds
    drafts = {a.proposal_id: (a.status, a.gov_funds_krw, a.cash_funds_krw) for a in Agreement.objects.all()}
    assert drafts == {rows["B"].pk: ("draft", 400_000_000, 100_000_000), rows["C"].pk: ("draft", 500_000_000, 0)}
    assert list(ApprovedBudget.objects.values_list("agreement__proposal_id", "category", "approved_krw")) == [
        (rows["B"].pk, "materials", 500_000_000)]
    event = AuditEvent.objects.get(action="portfolio.scenario_approve")
    assert event.changes["selected_ids"] == sorted([rows["B"].pk, rows["C"].pk])
    assert event.changes["not_selected_ids"] == sorted([rows["A"].pk, rows["D"].pk])
    # and D's applicant reads why in the e-mail (Korean first)
    assert [m.to for m in mail.outbox] == [["d@example.kr"]]
    body = mail.outbox[0].body
    assert "선정되지 않았습니다" in body
    with translation.override("ko"):
        assert Selection.objects.get(proposal=rows["D"]).reason in body
    with translation.override("en"):
        assert Selection.objects.get(proposal=rows["A"]).reason == (
            "Passed the evaluation, but not selected: within the budget of ₩1B, funding it would break "
            "the selection policy “비수도권 비중”.")
        assert Selection.objects.get(proposal=rows["D"]).reason == (
            "Passed the evaluation, but it does not fit the budget of ₩1B alongside the proposals "
            "selected.")


def test_approval_by_a_program_manager_is_refused_and_changes_nothing(small_call, chain):
    call, rows, _applicant = small_call
    scenario = _submitted(chain, call)
    with pytest.raises(AccessDenied):
        services.scenario_approve(actor=chain.pm, scenario_id=scenario.pk, now=chain.after_appeals())
    assert set(_statuses(rows).values()) == {"evaluated", "not_selected"}
    assert Scenario.objects.get(pk=scenario.pk).status == "submitted"
    assert not Selection.objects.exists() and not Agreement.objects.exists()


def test_approval_while_the_appeal_window_is_open_is_refused(small_call, chain):
    call, rows, _applicant = small_call
    scenario = _submitted(chain, call)
    with pytest.raises(Conflict) as info:
        services.scenario_approve(actor=chain.admin, scenario_id=scenario.pk)
    assert info.value.code == "scenario_appeal_window_open"
    assert Scenario.objects.get(pk=scenario.pk).status == "submitted"
    assert not Selection.objects.exists()


def test_approval_waits_for_an_unanswered_appeal_then_proceeds_once_it_is_refused(small_call, chain):
    call, rows, applicant = small_call
    appeal = appeal_file(actor=applicant, proposal_id=rows["D"].pk, text="평가 근거 재검토 요청")
    scenario = _submitted(chain, call)
    with pytest.raises(Conflict) as info:
        services.scenario_approve(actor=chain.admin, scenario_id=scenario.pk, now=chain.after_appeals())
    assert info.value.code == "scenario_appeals_pending"
    assert rows["D"].reference in str(info.value.message)
    assert not Selection.objects.exists()
    # when the appeal is refused, the approval goes ahead with the same candidates
    appeal_answer(actor=chain.pm, appeal_id=appeal.pk, status="rejected", answer="평가 절차에 하자가 없습니다.")
    services.scenario_approve(actor=chain.admin, scenario_id=scenario.pk, now=chain.after_appeals())
    assert _statuses(rows)["B"] == "selected"


def test_an_upheld_appeal_over_the_cut_off_makes_a_candidate_and_stales_the_solved_scenario(
        small_call, chain, make_user):
    call, rows, _applicant = small_call
    e_applicant = make_user(role="applicant", organization=rows["E"].lead_organization)
    appeal = appeal_file(actor=e_applicant, proposal_id=rows["E"].pk, text="점수 합산 오류")
    scenario = _submitted(chain, call)
    # when the appeal is upheld with a re-evaluated score of 72 (cut-off 70)
    appeal_answer(actor=chain.pm, appeal_id=appeal.pk, status="accepted", answer="재평가 결과 72점",
                  revised_score="72")
    # then E passed and is a candidate; the scenario solved without it is refused as stale
    assert _statuses(rows)["E"] == "evaluated"
    rows["E"].evaluation_decision.refresh_from_db()
    assert (str(rows["E"].evaluation_decision.score), rows["E"].evaluation_decision.passed) == ("72.00", True)
    with pytest.raises(Conflict) as info:
        services.scenario_approve(actor=chain.admin, scenario_id=scenario.pk, now=chain.after_appeals())
    assert info.value.code == "scenario_stale"
    assert not Selection.objects.exists()
    # solved again, it decides E too
    services.scenario_withdraw(actor=chain.pm, scenario_id=scenario.pk)
    chain.solve(Scenario.objects.get(pk=scenario.pk))
    services.scenario_submit(actor=chain.pm, scenario_id=scenario.pk)
    services.scenario_approve(actor=chain.admin, scenario_id=scenario.pk, now=chain.after_appeals())
    assert Selection.objects.filter(proposal=rows["E"]).exists()
    assert set(Selection.objects.values_list("proposal_id", flat=True)) == {p.pk for n, p in rows.items()}


def test_an_upheld_appeal_still_below_the_cut_off_changes_no_candidate(small_call, chain, make_user):
    _call, rows, _applicant = small_call
    e_applicant = make_user(role="applicant", organization=rows["E"].lead_organization)
    appeal = appeal_file(actor=e_applicant, proposal_id=rows["E"].pk, text="점수 합산 오류")
    appeal_answer(actor=chain.pm, appeal_id=appeal.pk, status="accepted", answer="재평가 69.99점",
                  revised_score="69.99")
    assert _statuses(rows)["E"] == "not_selected"
    appeal.refresh_from_db()
    assert (str(appeal.score_before), str(appeal.score_after)) == ("60.00", "69.99")


def test_approval_of_a_stale_scenario_is_refused(small_call, chain, make_call):
    call, rows, _applicant = small_call
    scenario = _submitted(chain, call)
    # a proposal of the call passes on another panel after the solve
    chain.scored(call, gov=200_000_000, score=88, region="26")
    with pytest.raises(Conflict) as info:
        services.scenario_approve(actor=chain.admin, scenario_id=scenario.pk, now=chain.after_appeals())
    assert info.value.code == "scenario_stale"
    assert Scenario.objects.get(pk=scenario.pk).status == "submitted"
    assert not Selection.objects.exists() and not Agreement.objects.exists()


def test_approval_of_an_infeasible_scenario_is_refused_in_words(small_call, chain):
    call, rows, _applicant = small_call
    policy = {**POLICY, "constraint": [{"name": "비수도권 셋", "group": {"region_group": "non_capital"}, "count_min": 3}]}
    scenario = chain.scenario(call, policy=policy)
    assert scenario.status == "draft" and scenario.error["code"] == "portfolio_infeasible"
    with pytest.raises(Conflict) as info:
        services.scenario_approve(actor=chain.admin, scenario_id=scenario.pk, now=chain.after_appeals())
    assert info.value.code == "scenario_infeasible"
    assert not Selection.objects.exists()


def test_a_second_scenario_for_the_same_proposals_is_refused(small_call, chain, make_call):
    call, rows, _applicant = small_call
    first = _submitted(chain, call)
    services.scenario_approve(actor=chain.admin, scenario_id=first.pk, now=chain.after_appeals())
    # a second one for the same call cannot be submitted, and one for the program year cannot be approved
    second = chain.scenario(call, policy={**POLICY, "constraint": []})
    with pytest.raises(Conflict):
        services.scenario_submit(actor=chain.pm, scenario_id=second.pk)
    other_call = make_call(program=call.program)
    chain.scored(other_call, gov=100_000_000, score=90)
    year = services.scenario_create(actor=chain.pm, name="연도 전체", program_id=call.program_id,
                                    policy={**POLICY, "constraint": []})
    assert chain.solve(year).status == "solved"
    services.scenario_submit(actor=chain.pm, scenario_id=year.pk)
    with pytest.raises(Conflict) as info:
        services.scenario_approve(actor=chain.admin, scenario_id=year.pk, now=chain.after_appeals())
    assert info.value.code == "scenario_scope_decided"
    assert Proposal.objects.get(call=other_call).status == "evaluated"
    with pytest.raises(Conflict) as info:
        services.scenario_approve(actor=chain.admin, scenario_id=first.pk, now=chain.after_appeals())
    assert info.value.code == "scenario_approved"
    assert Selection.objects.filter(scenario=first).count() == 4
