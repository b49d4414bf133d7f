"""An applicant fills a proposal in headless Chromium, meets a budget-rule error as they type, fixes it and
submits; the program manager then finds it in the list. Screenshots at desktop and mobile width."""

import datetime as dt

import pytest
from django.utils import timezone
from tests.proposals import conftest as _proposal_factories

from .conftest import screenshot

# the proposals app's factories, shared (the chain fixture makes proposals with them)
make_program = _proposal_factories.make_program
make_call = _proposal_factories.make_call
make_proposal = _proposal_factories.make_proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_applicant_fills_fixes_and_submits_pm_sees_it(logged_in_page, live_server, make_user, make_organization,
                                                       make_researcher, make_call, chain):
    from doyak.calls.models import Call, Criterion
    from doyak.programs.models import Program
    from doyak.proposals.models import Proposal

    # given an open call, an SME applicant with a researcher, and a program manager
    year = timezone.localdate().year
    program = Program.objects.create(code="MCT", year=year, name_ko="소재부품기술개발", budget_krw=420_000_000_000)
    now = timezone.now()
    call = Call.objects.create(program=program, reference=f"{year}-MCT-01", title_ko="소재부품 신규과제 공고",
                               status="open", opens_at=now - dt.timedelta(days=1), closes_at=now + dt.timedelta(days=20))
    for i, (kind, weight) in enumerate([("creativity_plan", 40), ("capability", 30), ("impact", 30)]):
        Criterion.objects.create(call=call, order=i, kind=kind, name_ko=kind, weight=weight)
    lead = make_organization(name="(주)가람소재", org_type="sme", region_code="26")
    researcher = make_researcher(organization=lead, name="박책임")
    applicant = make_user(role="applicant", organization=lead, display_name="이서연", email="seoyeon@example.kr")
    # the researcher already charges 80% of March to a running project
    from doyak.proposals.models import TeamMember

    earlier_call = make_call(program=program, status="closed", title_ko="지난 공고")
    running = chain.submitted(earlier_call, lead=make_organization(), gov=300_000_000, title_ko="진행 중 과제")
    march = f"{year + 1}-03"
    TeamMember.objects.create(proposal=running, researcher=researcher, monthly_percent={march: 80})
    chain.selected(earlier_call, [running])  # evaluated and selected by an approved portfolio
    pm = make_user(role="program_manager", display_name="김지훈")

    # when the applicant starts a proposal from the list of open calls
    page = logged_in_page(applicant, width=1280)
    page.goto(f"{live_server.url}/proposals/")
    page.get_by_role("link", name="소재부품 신규과제 공고").click()
    page.get_by_label("과제명(국문)").fill("고니켈 양극재 핵심기술 개발")
    page.get_by_role("button", name="초안 만들기").click()
    page.wait_for_url("**/edit/basics/")
    page.get_by_label("요약(국문)").fill("고니켈 양극재의 수명과 안전성을 높인다.")
    page.get_by_label("요약(영문)").fill("Longer-lived, safer high-nickel cathodes.")
    page.get_by_label("시작일").fill(f"{year + 1}-01-01")
    page.get_by_label("종료일").fill(f"{year + 1}-12-31")
    screenshot(page, "proposal-1-basics-ko-desktop")
    page.get_by_role("button", name="저장하고 다음").click()
    page.wait_for_url("**/edit/consortium/")
    page.goto(page.url.replace("consortium", "team"))
    page.get_by_label("국가연구자번호").fill(researcher.national_researcher_number)
    page.locator("label[for='id_is_pi']").click()
    assert page.get_by_label("연구책임자").is_checked()
    page.get_by_label("월 참여율 (%)").fill("30")
    # then the team step checks as they type: 30% + 80% in March is over the monthly limit, named in place
    violation = page.locator(f"#team-check [data-field='researchers[{researcher.national_researcher_number}][{march}].percent']")
    violation.wait_for()
    assert "연구자 참여율 초과" in violation.inner_text()
    page.locator(f"#month-note-{march} .dy-error").wait_for()
    screenshot(page, "proposal-1b-team-violation-ko-desktop")
    page.set_viewport_size({"width": 390, "height": 900})
    screenshot(page, "proposal-1b-team-violation-ko-mobile")
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
    page.set_viewport_size({"width": 1280, "height": 900})
    # when they charge only 20% in March, the check passes
    page.get_by_label(march, exact=True).fill("20")
    page.locator("#team-check .dy-ok").wait_for()
    page.get_by_role("button", name="추가", exact=True).click()
    page.wait_for_url("**/edit/team/**")
    assert "박책임" in page.locator("#team").inner_text()
    assert Proposal.objects.get(title_ko="고니켈 양극재 핵심기술 개발").team.get().monthly_percent[march] == 20
    screenshot(page, "proposal-1b-team-ko-desktop")

    # and types a budget whose government share is one won over 75%
    page.goto(page.url.split("/edit/")[0] + "/edit/budget/")
    prefix = f"b-{year + 1}-{lead.pk}-personnel"
    page.locator(f"input[name='{prefix}-gov']").fill("750,000,001")
    page.locator(f"input[name='{prefix}-cash']").fill("250,000,000")
    # then the table sums and shows the Korean violation without a page load
    page.locator("#grand-total", has_text="1,000,000,001원").wait_for()
    page.locator(f"#sum-{year + 1}-{lead.pk}", has_text="1,000,000,001원").wait_for()
    violation = page.locator("#budget-check [data-rule='gov_share']")
    assert "정부지원연구개발비 비율 한도 초과" in violation.inner_text()
    screenshot(page, "proposal-2-budget-violation-ko-desktop")

    # when they fix it, the violation goes and they save and continue to review
    page.locator(f"input[name='{prefix}-gov']").fill("750,000,000")
    page.locator("#budget-check .dy-ok").wait_for()
    page.get_by_role("button", name="저장하고 다음").click()
    page.wait_for_url("**/edit/ripple/")
    page.goto(page.url.replace("ripple", "review"))
    assert page.locator(".dy-ok").is_visible()
    screenshot(page, "proposal-3-review-ko-desktop")
    page.get_by_role("button", name="제출", exact=True).click()
    page.wait_for_url("**/proposals/*/receipt/")  # the submission receipt (접수증) first
    proposal = Proposal.objects.get(title_ko="고니켈 양극재 핵심기술 개발")
    assert page.get_by_test_id("receipt-reference").inner_text() == proposal.reference
    screenshot(page, "proposal-4-receipt-ko-desktop")
    page.get_by_role("link", name="제안서로 돌아가기").click()
    page.wait_for_url("**/proposals/*/")
    assert page.locator("#proposal-status").inner_text() == "제출"
    assert proposal.status == "submitted" and proposal.gov_total_krw == 750_000_000
    page.close()

    # then the program manager sees it in the filtered list, on desktop and on a phone
    for label, width in (("desktop", 1280), ("mobile", 390)):
        pm_page = logged_in_page(pm, width=width)
        pm_page.goto(f"{live_server.url}/proposals/?status=submitted&region_group=non_capital")
        row = pm_page.locator("#proposal-list tbody tr").first
        assert "고니켈 양극재 핵심기술 개발" in row.inner_text() and "(주)가람소재" in row.inner_text()
        screenshot(pm_page, f"proposal-4-pm-list-ko-{label}")
        overflow = pm_page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"PM list {label}: {overflow}px wider than the screen"
        pm_page.close()

    # and the applicant's budget step fits a phone too
    phone = logged_in_page(applicant, width=390)
    phone.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    screenshot(phone, "proposal-5-detail-ko-mobile")
    assert phone.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
