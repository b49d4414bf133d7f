"""A program manager creates two portfolio scenarios for an evaluated call (one pre-filled from the plan, one with
a higher non-capital share), solves both and compares them side by side. Screenshots at desktop and mobile width."""

from __future__ import annotations

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

PROPOSALS = [  # region, government funds, score
    ("11", 4_000_000_000, 92), ("41", 3_000_000_000, 90), ("28", 2_500_000_000, 88), ("26", 3_000_000_000, 86),
    ("53", 2_000_000_000, 84), ("30", 2_500_000_000, 83), ("47", 1_500_000_000, 81), ("51", 1_000_000_000, 79),
    ("52", 1_200_000_000, 77), ("50", 800_000_000, 74), ("48", 2_000_000_000, 66),
]


def test_pm_creates_two_scenarios_solves_and_compares(logged_in_page, live_server, make_user, make_organization,
                                                     make_call, chain):
    from doyak.portfolio.models import Scenario
    from doyak.programs.models import Program

    # given a call whose eleven proposals were evaluated on one panel (ten passed), and a program manager
    year = timezone.localdate().year
    program = Program.objects.create(code="RGN", year=year, name_ko="지역혁신선도기술개발", budget_krw=30_000_000_000)
    now = timezone.now()
    call = make_call(program=program, title_ko="지역혁신 신규과제 공고", status="closed",
                     opens_at=now - dt.timedelta(days=60), closes_at=now - dt.timedelta(days=30),
                     budget_krw=12_000_000_000)
    scores = {}
    for i, (region, gov, score) in enumerate(PROPOSALS):
        lead = make_organization(name=f"(주)지역기업{i + 1}", region_code=region)
        scores[chain.submitted(call, lead=lead, gov=gov, title_ko=f"지역 과제 {i + 1}")] = score
    chain.evaluate(call, scores)
    pm = chain.pm
    pm.display_name = "김지훈"
    pm.save(update_fields=["display_name"])

    # when the PM creates a pre-filled scenario for the call and solves it
    page = logged_in_page(pm, width=1280)
    page.goto(f"{live_server.url}/portfolio/")
    page.get_by_role("link", name="새 시나리오").click()
    page.get_by_label("시나리오 이름").fill("계획 목표 기본안")
    page.get_by_label("공고", exact=True).select_option(label=str(call))
    page.get_by_role("button", name="만들고 미리 채우기").click()
    page.wait_for_url("**/portfolio/*/")
    assert page.locator("#id_c-0-name").input_value() == "비수도권 예산 비중"
    assert page.locator("#id_c-0-budget_share_min").input_value() == "40"
    page.get_by_role("button", name="선정 계산").click()
    page.wait_for_selector("text=5극3특 권역별 예산")
    screenshot(page, "portfolio-1-scenario-ko-desktop")

    # and a second one whose non-capital share is raised to 70%
    page.goto(f"{live_server.url}/portfolio/new/")
    page.get_by_label("시나리오 이름").fill("비수도권 70%안")
    page.get_by_label("공고", exact=True).select_option(label=str(call))
    page.get_by_role("button", name="만들고 미리 채우기").click()
    page.wait_for_url("**/portfolio/*/")
    page.locator("#id_c-0-budget_share_min").fill("70")
    page.get_by_role("button", name="정책 저장").click()
    page.wait_for_selector("text=정책을 저장했습니다.")
    page.get_by_role("button", name="선정 계산").click()
    page.wait_for_selector("text=5극3특 권역별 예산")

    # and compares the two from the list
    page.goto(f"{live_server.url}/portfolio/")
    for s in Scenario.objects.order_by("pk"):
        page.locator(f"label[for='cmp-{s.pk}']").click()
        assert page.locator(f"#cmp-{s.pk}").is_checked()
    page.get_by_role("button", name="고른 시나리오 비교 (최대 4개)").click()
    page.wait_for_url("**/portfolio/compare/**")

    # then both are solved and side by side: funded count, budget by group, mean score, the price of each policy
    first, second = Scenario.objects.order_by("pk")
    assert (first.status, second.status) == ("solved", "solved")
    assert first.result["budget_used"] <= 12_000_000_000 and second.result["budget_used"] <= 12_000_000_000
    capital = {s.name: s.result["budget_by_group"]["capital"] for s in (first, second)}
    assert capital["비수도권 70%안"] <= 0.3 * second.result["budget_used"]
    assert capital["비수도권 70%안"] < capital["계획 목표 기본안"]
    headers = page.locator("table.pf-compare").first.locator("thead th").all_inner_texts()
    assert [h.split("\n")[0] for h in headers] == ["시나리오", "비수도권 70%안", "계획 목표 기본안"]  # list order: newest first
    body = page.locator("main").inner_text()
    for text in ("선정 과제", "평균 점수", "수도권", "호남권", "정책별 대가", "비수도권 예산 비중"):
        assert text in body
    screenshot(page, "portfolio-2-compare-ko-desktop")

    # and at mobile width the compare page still reads (tables scroll sideways inside their frame)
    mobile = logged_in_page(pm, width=390, height=844)
    mobile.goto(page.url)
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(mobile, "portfolio-3-compare-ko-mobile")
    mobile.goto(f"{live_server.url}/portfolio/{second.pk}/")
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(mobile, "portfolio-4-scenario-ko-mobile")
