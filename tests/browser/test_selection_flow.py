"""The selection chain in headless Chromium, each step by its owner: the PM forms the panel and runs the
assignment, an evaluator pledges and scores, the PM publishes, an applicant appeals and the PM answers (one
upheld with a re-evaluated score), the PM solves and submits a portfolio scenario, the administrator approves
it, and the applicant of a proposal that passed but was left out reads why. Korean screenshots."""

from __future__ import annotations

import re

import pytest
from tests.proposals import conftest as _proposal_factories

from .conftest import screenshot

# the proposals app's factories, shared (the chain fixture makes proposals with them)
make_program = _proposal_factories.make_program
make_call = _proposal_factories.make_call
make_proposal = _proposal_factories.make_proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# name: (province, government funds, score each evaluator gives every criterion)
PROPOSALS = {"A": ("11", 600_000_000, 85), "B": ("26", 500_000_000, 75), "C": ("53", 300_000_000, 65)}


def test_selection_walked_by_pm_evaluator_applicant_and_approver(logged_in_page, live_server, chain, make_call,
                                                                 make_user, make_researcher):
    from doyak.agreements.models import Agreement
    from doyak.calls.models import Criterion
    from doyak.evaluation.services import appeal_file, pledge_sign, scores_save
    from doyak.proposals.models import Proposal, TeamMember

    # given a call of ₩1B with three submitted proposals, their applicants, and two economic experts in the pool
    call = make_call(panel_size=2, aggregation="mean", title_ko="제조혁신 신규과제 공고", budget_krw=1_000_000_000,
                     status="closed")
    rows, applicants = {}, {}
    for name, (province, gov, _score) in PROPOSALS.items():
        p = chain.submitted(call, gov=gov, region=province, title_ko=f"스마트공정 과제 {name}")
        TeamMember.objects.create(proposal=p, researcher=make_researcher(organization=p.lead_organization),
                                  is_pi=True)
        applicants[name] = make_user(role="applicant", organization=p.lead_organization,
                                     display_name=f"신청자{name}", email=f"{name.lower()}@example.kr")
        rows[name] = p
    first_expert, second_expert = chain.profiles()

    # when the PM forms a panel and runs the assignment
    page = logged_in_page(chain.pm)
    page.goto(f"{live_server.url}/evaluation/")
    page.get_by_role("link", name=call.reference).click()
    page.get_by_role("button", name="평가위원회 구성하기").click()
    page.wait_for_url(re.compile(r".*/evaluation/panels/\d+/$"))
    panel_url = page.url
    page.get_by_test_id("run-start").click()
    page.get_by_test_id("run-status").filter(has_text="완료").wait_for(timeout=30_000)
    assert page.get_by_test_id("run-assigned").inner_text() == "6"

    # and the first expert pledges and scores proposal A on the screen; the rest arrive through the services
    page = logged_in_page(first_expert.user)
    page.goto(f"{live_server.url}/evaluation/")
    page.get_by_role("link", name=rows["A"].reference).click()
    page.locator("label[for=pledge]").click()
    page.get_by_test_id("pledge-sign").click()
    for field in page.locator("input[name^=score-]").all():
        field.fill(str(PROPOSALS["A"][2]))
    page.get_by_test_id("submit").click()
    page.get_by_test_id("submitted").wait_for()
    criteria = list(Criterion.objects.filter(call=call))
    for profile in (first_expert, second_expert):
        for name, p in rows.items():
            if profile == first_expert and name == "A":
                continue
            pledge_sign(actor=profile.user, proposal_id=p.pk)
            scores_save(actor=profile.user, proposal_id=p.pk, submit=True,
                        entries=[{"criterion_id": c.pk, "score": str(PROPOSALS[name][2])} for c in criteria])

    # when the PM publishes: A and B pass (evaluated), C is below the cut-off; nobody is selected
    page = logged_in_page(chain.pm)
    page.goto(panel_url + "results/")
    page.get_by_role("button", name="결과 공개").click()
    # a confirmation dialog asks first; Escape closes it and nothing is published, then the PM confirms
    dialog = page.get_by_role("dialog", name="결과를 공개할까요?")
    dialog.wait_for()
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    from doyak.evaluation.models import Decision
    assert not Decision.objects.filter(proposal__call=call).exists()
    page.get_by_role("button", name="결과 공개").click()
    dialog.get_by_role("button", name="결과 공개").click()
    page.wait_for_load_state()
    statuses = {n: Proposal.objects.get(pk=p.pk).status for n, p in rows.items()}
    assert statuses == {"A": "evaluated", "B": "evaluated", "C": "not_selected"}

    # and C's applicant reads the result and appeals on the screen (A's and B's applicants appeal too)
    page = logged_in_page(applicants["C"])
    page.goto(f"{live_server.url}/evaluation/decisions/{rows['C'].pk}/")
    assert "기준 점수에 미달" in page.locator("#selection-result").inner_text()
    page.get_by_label("이의신청 사유").fill("평가위원 한 분의 점수 합산에 오류가 있습니다.")
    page.get_by_role("button", name="이의신청하기").click()
    page.wait_for_load_state()
    for name in ("A", "B"):
        appeal_file(actor=applicants[name], proposal_id=rows[name].pk, text="순위 재검토 요청")

    # when the PM answers on the appeals page: C upheld with a re-evaluated 72, A and B refused
    page = logged_in_page(chain.pm)
    page.goto(f"{live_server.url}/evaluation/appeals/")
    for name, outcome, answer, revised in [("C", "accepted", "재평가 결과 72점으로 조정합니다.", "72"),
                                           ("A", "rejected", "평가 절차에 하자가 없습니다.", ""),
                                           ("B", "rejected", "평가 절차에 하자가 없습니다.", "")]:
        card = page.locator("section.dy-card", has_text=rows[name].reference)
        card.locator("select[name=status]").select_option(outcome)
        card.locator("textarea[name=answer]").fill(answer)
        if revised:
            card.locator("input[name=revised_score]").fill(revised)
        card.get_by_role("button", name="답변 보내기").click()
        page.wait_for_load_state()
    assert Proposal.objects.get(pk=rows["C"].pk).status == "evaluated"

    # and the PM makes a scenario pre-filled from the plan, solves it and submits it for approval
    page.goto(f"{live_server.url}/portfolio/new/")
    page.get_by_label("시나리오 이름").fill("2026 기본안")
    page.get_by_label("공고", exact=True).select_option(label=str(call))
    page.get_by_role("button", name="만들고 미리 채우기").click()
    page.wait_for_url("**/portfolio/*/")
    scenario_url = page.url
    page.get_by_role("button", name="선정 계산").click()
    page.wait_for_selector("text=5극3특 권역별 예산")
    page.get_by_role("button", name="승인 요청").click()
    page.wait_for_load_state()

    # when the administrator approves it
    page = logged_in_page(chain.admin)
    page.goto(scenario_url)
    page.get_by_role("button", name="승인하고 반영").click()
    page.get_by_role("dialog", name="이 시나리오를 승인할까요?").get_by_role("button", name="승인하고 반영").click()
    page.get_by_test_id("selections").wait_for()
    screenshot(page, "selection-1-approved-scenario-admin-ko-desktop")

    # then B and C are selected with agreement drafts; A passed but the non-capital share left it out
    statuses = {n: Proposal.objects.get(pk=p.pk).status for n, p in rows.items()}
    assert statuses == {"A": "not_selected", "B": "selected", "C": "selected"}
    assert set(Agreement.objects.values_list("proposal_id", "status")) == {(rows["B"].pk, "draft"),
                                                                          (rows["C"].pk, "draft")}
    table = page.get_by_test_id("selections").inner_text()
    assert "비수도권 예산 비중" in table

    # and A's applicant reads why, in Korean
    page = logged_in_page(applicants["A"])
    page.goto(f"{live_server.url}/evaluation/decisions/{rows['A'].pk}/")
    notice = page.locator("#selection-result").inner_text()
    assert "평가는 통과했으나 선정되지 않았습니다" in notice and "“비수도권 예산 비중”" in notice
    screenshot(page, "selection-2-not-selected-notice-applicant-ko-desktop")
    mobile = logged_in_page(applicants["A"], width=390, height=844)
    mobile.goto(page.url)
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(mobile, "selection-3-not-selected-notice-applicant-ko-mobile")
