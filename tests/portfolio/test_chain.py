"""The whole selection chain through the services only: submit → start review → assign → score → publish →
appeal (upheld and refused) → scenario → approve → agreement drafts. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone, translation

from doyak.agreements.models import Agreement
from doyak.core.models import AuditEvent
from doyak.evaluation.models import Assignment, Decision
from doyak.evaluation.services import (
    appeal_answer,
    appeal_file,
    assignment_run_execute,
    assignment_run_start,
    decisions_publish,
    panel_create,
    pledge_sign,
    scores_save,
)
from doyak.portfolio.models import Selection
from doyak.portfolio.services import (
    scenario_approve,
    scenario_create,
    scenario_solve_execute,
    scenario_solve_request,
    scenario_submit,
)
from doyak.proposals.models import Proposal, TeamMember
from doyak.proposals.services import budget_lines_parse, proposal_budget_set, proposal_transition

YEAR = timezone.localdate().year + 1
# name: (province, government funds in won, score each evaluator gives every criterion)
PROPOSALS = {"A": ("11", 600_000_000, 90), "B": ("26", 400_000_000, 85), "C": ("53", 500_000_000, 80),
             "D": ("11", 300_000_000, 75), "E": ("53", 100_000_000, 65)}
POLICY = {"budget": 1_000_000_000, "min_score": 70,
          "constraint": [{"name": "비수도권 비중", "group": {"region_group": "non_capital"}, "budget_share_min": 0.5}]}


def _apply(*, call, name, province, gov, make_organization, make_researcher, make_user, make_proposal):
    """An SME's applicant drafts a complete proposal and submits it (the rules pass)."""
    lead = make_organization(org_type="sme", region_code=province)
    applicant = make_user(role="applicant", organization=lead, email=f"{name.lower()}@example.kr")
    proposal = make_proposal(call=call, lead=lead, created_by=applicant, title_ko=f"과제{name}",
                             abstract_ko="요약", abstract_en="Summary")
    TeamMember.objects.create(proposal=proposal, researcher=make_researcher(organization=lead), is_pi=True,
                              monthly_percent={f"{YEAR}-01": 50})
    lines = budget_lines_parse([{"year": YEAR, "organization_id": lead.pk, "category": "personnel",
                                 "gov_krw": gov, "cash_krw": -(-gov // 3)}])
    proposal_budget_set(actor=applicant, proposal_id=proposal.pk, lines=lines)
    proposal_transition(actor=applicant, proposal_id=proposal.pk, name="submit")
    return proposal, applicant


@pytest.mark.django_db
def test_selection_chain_through_the_services(chain, make_call, make_organization, make_researcher, make_user,
                                              make_proposal, django_capture_on_commit_callbacks):
    pm, admin = chain.pm, chain.admin
    call = make_call(budget_krw=1_000_000_000)
    # applicants submit
    applied = {name: _apply(call=call, name=name, province=province, gov=gov,
                            make_organization=make_organization, make_researcher=make_researcher,
                            make_user=make_user, make_proposal=make_proposal)
               for name, (province, gov, _score) in PROPOSALS.items()}
    rows = {name: p for name, (p, _a) in applied.items()}
    # the PM forms the panel (review starts) and the engine assigns the two evaluators of the pool
    profiles = chain.profiles()
    panel = panel_create(actor=pm, call_id=call.pk, data={"name": "1분과", "per_proposal": 2})
    run = assignment_run_execute(run_id=assignment_run_start(actor=pm, panel_id=panel.pk).pk)
    assert run.status == "done"
    assert Assignment.objects.filter(panel=panel).count() == 10
    # each evaluator pledges and scores
    for name, (_province, _gov, score) in PROPOSALS.items():
        for profile in profiles:
            pledge_sign(actor=profile.user, proposal_id=rows[name].pk)
            scores_save(actor=profile.user, proposal_id=rows[name].pk, submit=True,
                        entries=[{"criterion_id": c.pk, "score": str(score)} for c in call.criteria.all()])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # e-mails leave when the transaction commits
        decisions_publish(actor=pm, panel_id=panel.pk, now=timezone.now())
    # the result notices went out; publishing selected no one
    assert len(mail.outbox) == 5
    assert {p.status for p in Proposal.objects.filter(call=call)} == {"evaluated", "not_selected"}
    # D's appeal is refused, E's upheld with a re-evaluated 72 (cut-off 70): E becomes a candidate
    appeal_d = appeal_file(actor=applied["D"][1], proposal_id=rows["D"].pk, text="점수 재검토 요청")
    appeal_e = appeal_file(actor=applied["E"][1], proposal_id=rows["E"].pk, text="합산 오류")
    appeal_answer(actor=pm, appeal_id=appeal_d.pk, status="rejected", answer="하자 없음")
    appeal_answer(actor=pm, appeal_id=appeal_e.pk, status="accepted", answer="재평가 72점", revised_score="72")
    assert Proposal.objects.get(pk=rows["E"].pk).status == "evaluated"
    # the PM solves and submits a scenario; the administrator approves after the appeal window
    scenario = scenario_create(actor=pm, name="기본안", call_id=call.pk, policy=POLICY)
    scenario_solve_request(actor=pm, scenario_id=scenario.pk)
    scenario = scenario_solve_execute(scenario_id=scenario.pk)
    assert scenario.status == "solved"
    scenario_submit(actor=pm, scenario_id=scenario.pk)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        scenario_approve(actor=admin, scenario_id=scenario.pk, now=chain.after_appeals())
    # then the scenario decided every candidate
    statuses = {name: Proposal.objects.get(pk=p.pk).status for name, p in rows.items()}
    assert statuses == {"A": "not_selected", "B": "selected", "C": "selected", "D": "not_selected",
                        "E": "selected"}
    assert set(Selection.objects.filter(selected=True).values_list("proposal_id", flat=True)) == {
        rows["B"].pk, rows["C"].pk, rows["E"].pk}
    # each selected proposal has its agreement draft with the approved funds
    drafts = {a.proposal_id: (a.status, a.gov_funds_krw) for a in Agreement.objects.all()}
    assert drafts == {rows[n].pk: ("draft", PROPOSALS[n][1]) for n in ("B", "C", "E")}
    # every applicant got the selection notice; A's says why
    assert sorted(m.to[0] for m in mail.outbox) == [f"{n}@example.kr" for n in "abcde"]
    a_mail = next(m for m in mail.outbox if m.to == ["a@example.kr"])
    with translation.override("ko"):
        assert Selection.objects.get(proposal=rows["A"]).reason in a_mail.body
    # and the audit trail tells each step of E's way, in order, by the one who owned it
    events = list(AuditEvent.objects.filter(object_type="proposals.proposal", object_id=str(rows["E"].pk))
                  .order_by("id").values_list("action", "actor_id"))
    assert events == [("proposal.budget_set", applied["E"][1].pk), ("proposal.submit", applied["E"][1].pk), ("proposal.start_review", pm.pk),
                      ("proposal.fail_evaluation", pm.pk), ("proposal.reinstate", pm.pk),
                      ("proposal.select", admin.pk)]
    assert Decision.objects.get(proposal=rows["E"]).score == 72
