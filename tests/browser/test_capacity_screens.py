"""Innovation capacity as people see it: the investor's home and survey page (their own amount only) and the PM's
fund and talent pages, in Korean and English, nothing wider than the screen, every control labelled."""

import datetime as dt

import pytest
from django.utils import timezone

from .conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.presentation, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

HEADINGS = {"ko": ("투자자 홈", "사업화 펀드", "인재 성장 사다리"), "en": ("Investor home", "Commercialisation fund",
                                                                  "Talent growth cycle")}


def test_investor_and_pm_capacity_screens_in_both_languages(logged_in_page, live_server, make_user, make_organization,
                                                            make_researcher):

    from doyak.capacity.services import (
        career_stage_record,
        demand_state,
        fund_create,
        investment_record,
        survey_open,
    )
    from doyak.programs.models import Program

    pm = make_user(role="program_manager")
    firm, other = make_organization(name="가나벤처스"), make_organization(name="다라인베스트")
    investor = make_user(role="investor", organization=firm, display_name="최수아")
    rival = make_user(role="investor", organization=other)
    program = Program.objects.create(code="TAL", year=timezone.localdate().year, name_ko="산업혁신 인재성장 지원",
                                     budget_krw=10**11)
    survey = survey_open(actor=pm, program_id=program.pk, title="산업도약 후보과제 수요조사",
                         closes_on=timezone.localdate() + dt.timedelta(days=20),
                         topics=[{"title": "전고체 배터리 양산 공정", "expected_budget_krw": 12 * 10**9}])
    topic = survey.topics.first()
    demand_state(actor=investor, topic_id=topic.pk, kind="invest", amount_krw=2_500_000_000, stage="early")
    demand_state(actor=rival, topic_id=topic.pk, kind="invest", amount_krw=900_000_000, stage="seed")
    fund = fund_create(actor=pm, name="산업도약 사업화 1호 펀드", size_krw=4 * 10**11, vintage=2026, manager_id=firm.pk)
    investment_record(actor=pm, fund_id=fund.pk, invested_on=timezone.localdate(), amount_krw=3 * 10**9,
                      instrument="equity", stage="early", organization_id=make_organization(region_code="26").pk)
    lab = make_organization(name="한국기계연구원", org_type="gri", region_code="30")
    for stage in ("postdoc", "early_career"):
        person = make_researcher(organization=lab, career_stage=stage)
        career_stage_record(actor=pm, researcher_id=person.pk, stage=stage, since=dt.date(2025, 3, 1))

    for lang in ("ko", "en"):
        pages = [(investor, "/capacity/", HEADINGS[lang][0]), (investor, f"/capacity/surveys/{survey.pk}/", None),
                 (pm, f"/capacity/funds/{fund.pk}/", None), (pm, "/capacity/funds/", HEADINGS[lang][1]),
                 (pm, "/capacity/talent/", HEADINGS[lang][2])]
        for user, path, heading in pages:
            page = logged_in_page(user, lang=lang)
            page.goto(live_server.url + path)
            screenshot(page, f"capacity-{path.strip('/').replace('/', '-')}-{lang}")
            if heading:
                assert heading in page.locator("h1").inner_text()
            body = page.locator("main").inner_text()
            if path.startswith("/capacity/surveys/"):
                # the investor's own amount, never the rival's nor the sum
                assert ("25억원" if lang == "ko" else "₩2.5B") in body
                assert "9억원" not in body and "₩900M" not in body and "다라인베스트" not in body
            assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
            unlabeled = page.evaluate(
                "[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]"
                ".filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).length")
            assert unlabeled == 0, path
            page.close()
