"""Evaluation end to end in headless Chromium: the PM forms a panel and runs the assignment (watching its
progress), an evaluator signs the pledge, scores and submits, the PM sees the ranking."""

from __future__ import annotations

import re

import pytest
from tests.proposals import conftest as _proposal_factories

from .conftest import screenshot

# the proposals app's factories, shared
make_program = _proposal_factories.make_program
make_call = _proposal_factories.make_call
make_proposal = _proposal_factories.make_proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = {"desktop": 1280, "mobile": 390}


def _no_overflow(page, label: str) -> None:
    overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{label}: page is {overflow}px wider than the screen"


def test_pm_assigns_evaluator_scores_pm_ranks(logged_in_page, live_server, make_user, make_organization,
                                              make_researcher, make_call, make_proposal):
    from doyak.evaluation.models import Assignment, EvaluatorProfile
    from doyak.evaluation.services import pledge_sign, scores_save
    from doyak.proposals.models import RippleCommitment, TeamMember
    from doyak.regions.selectors import region_for_code_or_raise

    # given a regional-only call (ripple criteria) with two submitted proposals and a pool of five evaluators
    call = make_call(track="regional_only", panel_size=2, aggregation="mean", title_ko="지역 이차전지 공고")
    proposals = []
    for title, keywords in [("전고체 배터리 양극재 실증", ["이차전지", "양극재"]), ("협동로봇 제어 플랫폼", ["협동로봇", "제어"])]:
        lead = make_organization(region_code="26")
        p = make_proposal(call=call, lead=lead, status="submitted", title_ko=title, keywords=keywords,
                          abstract_ko=f"{title} 과제의 요약입니다.")
        TeamMember.objects.create(proposal=p, researcher=make_researcher(organization=lead), is_pi=True)
        RippleCommitment.objects.create(proposal=p, region=region_for_code_or_raise(code="26"),
                                        investment_krw=3_000_000_000, jobs=25, production_krw=12_000_000_000)
        proposals.append(p)
    pm = make_user(role="program_manager", display_name="김지훈")
    evaluator = make_user(role="evaluator", display_name="박민준")
    other_expert = make_user(role="evaluator", display_name="최경제")
    for name, keywords, economic, user in [("박민준", ["이차전지", "시장 분석"], True, evaluator),
                                           ("최경제", ["경제성", "사업화"], True, other_expert),
                                           ("이배터", ["이차전지"], False, None), ("정로봇", ["협동로봇"], False, None),
                                           ("한소재", ["소재"], False, None)]:
        EvaluatorProfile.objects.create(name=name, user=user, keywords=keywords, is_economic_expert=economic,
                                        researcher=make_researcher(organization=make_organization()), max_load=4)

    # when the PM forms a panel and runs the assignment
    page = logged_in_page(pm, width=WIDTHS["desktop"])
    page.goto(f"{live_server.url}/evaluation/")
    assert call.reference in page.locator("table").inner_text()
    page.get_by_role("link", name=call.reference).click()
    page.get_by_role("button", name="평가위원회 구성하기").click()
    page.wait_for_url(re.compile(r".*/evaluation/panels/\d+/$"))
    page.get_by_test_id("run-start").click()
    # then the progress reaches 100 % and the assignments are listed (two per proposal, both experts)
    page.get_by_test_id("run-status").filter(has_text="완료").wait_for(timeout=30_000)
    assert page.get_by_test_id("run-progress").inner_text() == "100"
    assert page.get_by_test_id("run-assigned").inner_text() == "4"
    table = page.get_by_test_id("assignments").inner_text()
    assert table.count("박민준") == 2 and table.count("최경제") == 2
    screenshot(page, "evaluation-panel-pm-ko-desktop")
    _no_overflow(page, "panel desktop")
    panel_url = page.url
    mobile = logged_in_page(pm, width=WIDTHS["mobile"])
    mobile.goto(panel_url)
    screenshot(mobile, "evaluation-panel-pm-ko-mobile")
    _no_overflow(mobile, "panel mobile")

    # when the evaluator opens their first assignment, signs the pledge, scores and submits
    page = logged_in_page(evaluator, width=WIDTHS["desktop"])
    page.goto(f"{live_server.url}/evaluation/")
    assert page.get_by_test_id("my-assignments").inner_text().count("서약 필요") == 2
    page.get_by_role("link", name=proposals[0].reference).click()
    page.locator("label[for=pledge]").click()
    assert page.locator("#pledge").is_checked()
    page.get_by_test_id("pledge-sign").click()
    # the applicant's regional commitments sit beside the ripple criteria
    assert "25" in page.get_by_test_id("ripple-commitments").inner_text()
    for i, field in enumerate(page.locator("input[name^=score-]").all()):
        field.fill(str(90 - i))
    page.locator("textarea[name^=comment-]").first.fill("실증 계획이 구체적임")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "evaluation-review-evaluator-ko-desktop")
    _no_overflow(page, "review desktop")
    page.get_by_test_id("submit").click()
    page.get_by_test_id("submitted").wait_for()
    mobile = logged_in_page(evaluator, width=WIDTHS["mobile"])
    mobile.goto(page.url)
    screenshot(mobile, "evaluation-review-evaluator-ko-mobile")
    _no_overflow(mobile, "review mobile")

    # the other scores arrive (the second proposal and the other expert) through the same services
    from doyak.calls.models import Criterion

    criteria = list(Criterion.objects.filter(call=call))
    pledge_sign(actor=evaluator, proposal_id=proposals[1].pk)
    scores_save(actor=evaluator, proposal_id=proposals[1].pk, submit=True,
                entries=[{"criterion_id": c.pk, "score": "60", "comment": ""} for c in criteria])
    for p, value in [(proposals[0], "80"), (proposals[1], "75")]:
        pledge_sign(actor=other_expert, proposal_id=p.pk)
        scores_save(actor=other_expert, proposal_id=p.pk, submit=True,
                    entries=[{"criterion_id": c.pk, "score": value, "comment": ""} for c in criteria])
    assert Assignment.objects.filter(status="submitted").count() == 4

    # then the PM sees the ranking: the battery proposal first, ripple scores apart
    page = logged_in_page(pm, width=WIDTHS["desktop"])
    page.goto(panel_url + "results/")
    ranking = page.get_by_test_id("ranking")
    rows = ranking.locator("tbody tr").all_inner_texts()
    # each row: rank, then the proposal's title with its number and lead institution
    assert rows[0].split("\t")[:2] == ["1", f"{proposals[0].title_ko}\n{proposals[0].reference} · "
                                        f"{proposals[0].lead_organization.name}"]
    assert rows[1].split("\t")[:2] == ["2", f"{proposals[1].title_ko}\n{proposals[1].reference} · "
                                        f"{proposals[1].lead_organization.name}"]
    assert "지역 파급효과" in ranking.locator("thead").inner_text()
    screenshot(page, "evaluation-results-pm-ko-desktop")
    _no_overflow(page, "results desktop")
    mobile = logged_in_page(pm, width=WIDTHS["mobile"])
    mobile.goto(panel_url + "results/")
    screenshot(mobile, "evaluation-results-pm-ko-mobile")
    _no_overflow(mobile, "results mobile")
