"""An institution requests a PI change and a budget move on its agreement; the request waits whole for the
program manager (the PI change is major), who approves it; the new version is shown and compared with the
first. Screenshots in Korean and English."""

import datetime as dt

import pytest
from tests.proposals import conftest as _proposal_factories

from .conftest import screenshot

make_program = _proposal_factories.make_program
make_call = _proposal_factories.make_call
make_proposal = _proposal_factories.make_proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_institution_requests_pi_change_and_budget_move_pm_approves(logged_in_page, live_server, make_user,
                                                                    make_organization, make_researcher, make_call,
                                                                    chain):
    from django.utils import timezone

    from doyak.agreements.models import Agreement, ChangeRequest
    from doyak.agreements.services import agreements_conclude_for_call
    from doyak.programs.models import Program
    from doyak.proposals.models import BudgetLine

    # given a concluded agreement led by (주)가람소재 with PI 김민준, and another researcher 박서윤 there
    now = timezone.now()
    program = Program.objects.create(code="MCA", year=2026, name_ko="소재부품기술개발", budget_krw=420_000_000_000)
    call = make_call(program=program, title_ko="소재부품 신규과제 공고", status="closed",
                     opens_at=now - dt.timedelta(days=90), closes_at=now - dt.timedelta(days=60))
    lead = make_organization(name="(주)가람소재", org_type="sme", region_code="26")
    pi = make_researcher(organization=lead, name="김민준")
    make_researcher(organization=lead, name="박서윤")
    proposal = chain.submitted(call, lead=lead, gov=120_000_000, title_ko="고니켈 양극재 핵심기술 개발", pi=pi,
                               start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
    for category, gov, cash in (("activities", 20_000_000, 5_000_000), ("materials", 100_000_000, 25_000_000)):
        BudgetLine.objects.create(proposal=proposal, year=2026, organization=lead, category=category, gov_krw=gov,
                                  cash_krw=cash)
    chain.selected(call, [proposal])
    agreements_conclude_for_call(actor=chain.pm, call_id=call.pk)
    agreement = Agreement.objects.get(proposal=proposal)
    institution = make_user(role="applicant", organization=lead, display_name="이서연")
    pm = make_user(role="program_manager", display_name="김지훈")

    # when the institution requests a change: PI 박서윤, 10M of materials moved to activities
    page = logged_in_page(institution, width=1280)
    page.goto(f"{live_server.url}/agreements/{agreement.pk}/")
    page.get_by_test_id("propose-change").click()
    page.wait_for_url("**/agreements/changes/*/")
    # (the institution selects offer the agreement's own; another is found by number or name, and added)
    make_organization(name="한빛시험연구원", region_code="30")
    page.get_by_label("다른 기관: 사업자등록번호 또는 기관명").fill("한빛시험")
    page.get_by_test_id("find-institution").click()
    assert page.get_by_test_id("found").inner_text().startswith("1곳을 찾아 선택 목록에 추가했습니다: 한빛시험연구원")
    screenshot(page, "agreement-change-find-ko")
    page.get_by_label("연구책임자", exact=True).select_option(label="박서윤")
    page.locator("#id_gov_0").fill("30000000")   # activities (lines in year, institution, category order)
    page.locator("#id_gov_1").fill("90000000")   # materials
    page.get_by_label("변경 사유").fill("연구책임자 퇴직과 외부 시험 의뢰")
    page.get_by_test_id("submit-change").click()
    page.wait_for_url("**/agreements/changes/*/")
    # then the request waits whole for the PM: the PI change is major, the budget moves are notices
    assert page.get_by_test_id("change-status").inner_text() == "승인 대기"
    assert page.get_by_test_id("change-class").inner_text() == "승인 사항 (사전 승인)"
    items = page.get_by_test_id("items")
    assert items.get_by_role("row").filter(has_text="연구책임자 변경 (사전 승인)").count() == 1
    assert items.get_by_text("직접비 비목 간 변경: 간접비·연구수당 증액 없음 (통보)").count() == 2
    change = ChangeRequest.objects.get(agreement=agreement)
    assert (change.status, change.classification) == ("submitted", "major")
    screenshot(page, "agreement-change-submitted-ko")

    # when the PM, in English, opens the queue and approves
    manager = logged_in_page(pm, lang="en", width=1280)
    manager.goto(f"{live_server.url}/agreements/queue/")
    manager.get_by_test_id("queue").get_by_role("link", name=f"Change request {change.number}").click()
    manager.wait_for_url(f"**/agreements/changes/{change.pk}/")
    assert manager.get_by_test_id("items").get_by_text("Change of the principal investigator (prior approval)").count() == 1
    screenshot(manager, "agreement-change-pm-en")
    manager.get_by_test_id("decide-approve").click()
    manager.wait_for_url(f"**/agreements/changes/{change.pk}/")
    assert manager.get_by_test_id("change-status").inner_text() == "Applied"

    # then the new version is in force and compared with the first, in Korean and English
    page = logged_in_page(institution, width=1280)  # signing the PM in ended the first page's session
    page.goto(f"{live_server.url}/agreements/{agreement.pk}/?a=1&b=2")
    assert page.get_by_test_id("version-in-force").inner_text() == "현재 제2판"
    assert page.get_by_test_id("researchers").inner_text().startswith("박서윤 (연구책임자)")
    comparison = page.get_by_test_id("comparison")
    assert comparison.get_by_role("row").filter(has_text="김민준").filter(has_text="박서윤").count() == 1
    screenshot(page, "agreement-versions-ko")
    english = logged_in_page(institution, lang="en", width=1280)
    english.goto(f"{live_server.url}/agreements/{agreement.pk}/?a=1&b=2")
    assert english.get_by_test_id("version-in-force").inner_text() == "Version 2 in force"
    screenshot(english, "agreement-versions-en")
    mobile = logged_in_page(institution, width=390, height=844)
    mobile.goto(f"{live_server.url}/agreements/{agreement.pk}/?a=1&b=2")
    screenshot(mobile, "agreement-versions-ko-mobile")
