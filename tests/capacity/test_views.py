"""Screens per role: investor privacy on the survey page, denied writes change nothing, every list renders and
downloads as XLSX with Korean headers."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from doyak.capacity.models import DemandResponse
from doyak.capacity.services import demand_state, investment_record


@pytest.fixture
def answered(people, open_survey):
    survey = open_survey()
    topic = survey.topics.order_by("id").first()
    for user, amount in ((people["investor_a"], 2_345_000_000), (people["investor_b"], 678_000_000)):
        demand_state(actor=user, topic_id=topic.pk, kind="invest", amount_krw=amount, stage="early")
    return survey, topic


@pytest.mark.django_db
def test_investor_page_shows_only_own_amount(client, people, answered):
    survey, _topic = answered
    client.force_login(people["investor_b"])
    page = client.get(f"/capacity/surveys/{survey.pk}/").content.decode()
    assert "6억 7,800만원" in page and "23억 4,500만원" not in page and "가나벤처스" not in page
    client.force_login(people["pm"])
    page = client.get(f"/capacity/surveys/{survey.pk}/").content.decode()
    assert "23억 4,500만원" in page and "30억 2,300만원" in page  # the answer and the sum


@pytest.mark.django_db
def test_denied_answer_on_screen_changes_nothing(client, people, answered):
    survey, topic = answered
    client.force_login(people["applicant"])
    response = client.post(f"/capacity/surveys/{survey.pk}/topics/{topic.pk}/answer/",
                           {f"t{topic.pk}-kind": "invest", f"t{topic.pk}-amount_krw": "1", f"t{topic.pk}-stage": "seed"})
    assert response.status_code == 403
    assert sorted(DemandResponse.objects.values_list("amount_krw", flat=True)) == [678_000_000, 2_345_000_000]


@pytest.mark.django_db
def test_investor_home_lists_own_funds_and_followed_projects(client, people, fund_world):
    investment_record(actor=people["pm"], fund_id=fund_world["fund"].pk, invested_on=dt.date(2026, 3, 2),
                      amount_krw=100_000_000, instrument="equity", stage="seed", proposal_id=fund_world["leap_1"].pk)
    client.force_login(people["investor_a"])
    page = client.get("/capacity/").content.decode()
    assert "산업도약 사업화 1호 펀드" in page and fund_world["leap_1"].reference in page
    client.force_login(people["investor_b"])
    assert "산업도약 사업화 1호 펀드" not in client.get("/capacity/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "header"), [
    ("/capacity/surveys/", "후보 주제"), ("/capacity/funds/", "산업도약 비중"), ("/capacity/investments/", "피투자기업"),
    ("/capacity/talent/", "성장 단계"), ("/capacity/joint-labs/", "주관 연구기관"),
    ("/capacity/graduate-schools/", "지정연도"),
])
def test_lists_render_and_export_xlsx_with_korean_headers(client, people, answered, path, header):
    client.force_login(people["pm"])
    assert client.get(path).status_code == 200
    response = client.get(path + "?export=xlsx", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert header in [c.value for c in next(sheet.iter_rows())]
    assert client.get(path + "?export=pdf").status_code == 400


@pytest.mark.django_db
def test_investor_home_page_cards_show_own_firm_only(client, people, fund_world):
    investment_record(actor=people["pm"], fund_id=fund_world["fund"].pk, invested_on=dt.date(2026, 3, 2),
                      amount_krw=1_200_000_000, instrument="equity", stage="seed", proposal_id=fund_world["leap_1"].pk)
    client.force_login(people["investor_a"])
    assert "12억원" in client.get("/").content.decode()
    client.force_login(people["investor_b"])
    assert "12억원" not in client.get("/").content.decode()
