"""Input at the edge (issue 16): each reproduction of a server error from generated or hand-made input answers
400/422 naming the field, and nothing is written."""

from __future__ import annotations

import json

import pytest

from doyak.core.models import AuditEvent
from doyak.proposals.imports import ImportFailed, proposals_import
from doyak.proposals.models import BudgetLine, KpiTarget, Proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(make_proposal, make_user, make_organization):
    """An applicant's draft proposal, the applicant signed in through an API client."""
    lead = make_organization(region_code="26")
    applicant = make_user(role="applicant", organization=lead)
    return make_proposal(lead=lead, created_by=applicant), applicant


def _send(client, method, url, body):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(("body", "field"), [
    ({"title_ko": "가" * 301}, "title_ko"),
    ({"title_ko": "NUL\x00문자"}, "title_ko"),
    ({"title_en": "lone \ud800 surrogate"}, "title_en"),
    ({"title_ko": None}, "title_ko"),
    ({"keywords": ["k" * 101]}, "keywords.0"),
])
def test_proposal_patch_out_of_column_is_422_naming_the_field(client, draft, body, field):
    # given a draft and its applicant
    proposal, applicant = draft
    client.force_login(applicant)
    # when the title is over its column, holds NUL or a lone surrogate, or is null
    response = _send(client, "patch", f"/api/v1/proposals/{proposal.pk}", body)
    # then 422 in the API's error shape, naming the field; nothing changed
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error" and response.json()["field"] == field
    assert Proposal.objects.get(pk=proposal.pk).title_ko == proposal.title_ko


def test_kpi_target_1e40_is_refused_and_the_proposal_page_still_opens(client, draft):
    # given a draft
    proposal, applicant = draft
    client.force_login(applicant)
    # when a KPI target of 1e40 (and a year of 99999) is posted
    huge = _send(client, "post", f"/api/v1/proposals/{proposal.pk}/kpis", {"name": "매출", "target": 1e40})
    year = _send(client, "post", f"/api/v1/proposals/{proposal.pk}/kpis", {"name": "매출", "target": 1, "year": 99999})
    # then both are 422 naming the field, nothing is stored and the proposal still reads
    assert (huge.status_code, huge.json()["field"]) == (422, "target")
    assert (year.status_code, year.json()["field"]) == (422, "year")
    assert not KpiTarget.objects.exists()
    assert client.get(f"/api/v1/proposals/{proposal.pk}").status_code == 200
    assert client.get(f"/proposals/{proposal.pk}/").status_code == 200


def test_kpi_target_beyond_the_column_is_refused_by_the_service_and_the_database(draft):
    from django.db import DataError, IntegrityError, transaction

    from doyak.core.errors import ValidationFailed
    from doyak.proposals.services import proposal_kpi_add

    proposal, applicant = draft
    # when the service is called directly with a non-finite or too large value
    for target in ("1e40", "Infinity", "NaN"):
        with pytest.raises(ValidationFailed) as info:
            proposal_kpi_add(actor=applicant, proposal_id=proposal.pk, name="매출", unit="", baseline=None,
                             target=target, year=None)
        assert info.value.field == "target"
    # and when a row is written around the service, the database refuses it (SQLite: the check constraint;
    # PostgreSQL: numeric(18, 2) itself)
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        KpiTarget.objects.create(proposal=proposal, name="매출", target=10**16)
    assert not KpiTarget.objects.exists()


@pytest.mark.parametrize(("line", "field"), [
    ({"year": 2027, "category": "materials", "gov_krw": 2**63}, "0.gov_krw"),
    ({"year": 99999, "category": "materials", "gov_krw": 1}, "0.year"),
    ({"year": 2027, "category": "materials", "gov_krw": -1}, "0.gov_krw"),
    ({"year": 2027, "category": "materials", "organization_id": 2**70}, "0.organization_id"),
])
def test_budget_beyond_the_columns_is_422_for_save_and_check(client, draft, line, field):
    proposal, applicant = draft
    client.force_login(applicant)
    body = [{"organization_id": proposal.lead_organization_id, **line}]
    for method, url in (("put", "budget"), ("post", "budget/check")):
        response = _send(client, method, f"/api/v1/proposals/{proposal.pk}/{url}", body)
        assert (response.status_code, response.json()["field"]) == (422, field)
    assert not BudgetLine.objects.exists()


def test_organization_patch_name_en_null_is_422(client, make_organization, make_user):
    org = make_organization(name="(주)부산소재")
    client.force_login(make_user(role="administrator"))
    response = _send(client, "patch", f"/api/v1/organizations/{org.pk}", {"name_en": None})
    assert (response.status_code, response.json()["field"]) == (422, "name_en")
    org.refresh_from_db()
    assert org.name_en == ""


@pytest.mark.parametrize("url", ["/api/v1/proposals", "/api/v1/organizations", "/api/v1/calls",
                                 "/api/v1/audit/events", "/api/v1/policies", "/api/v1/regions"])
def test_api_list_page_beyond_the_bound_is_422_and_a_far_page_is_empty(client, make_user, url):
    client.force_login(make_user(role="administrator"))
    huge = client.get(url, {"page": "100000000000000000000"})
    assert (huge.status_code, huge.json()["field"]) == (422, "page")
    assert client.get(url, {"page_size": "100000"}).status_code == 422
    far = client.get(url, {"page": "999999"})
    assert far.status_code == 200 and far.json()["items"] == []


def test_path_id_beyond_64_bits_is_422(client, make_user):
    client.force_login(make_user(role="administrator"))
    response = client.get(f"/api/v1/proposals/{2**70}")
    assert (response.status_code, response.json()["field"]) == (422, "proposal_id")


@pytest.mark.parametrize(("url", "params"), [
    ("/audit/", {"since": "2024-02-30"}),
    ("/audit/", {"until": "x"}),
    ("/policies/", {"on": "2024-02-30"}),
    ("/proposals/", {"call": "²"}),
    ("/proposals/", {"page": "100000000000000000000"}),
    ("/calls/programs/", {"year": "²"}),
])
def test_html_query_parameter_malformed_is_400(client, make_user, url, params):
    client.force_login(make_user(role="administrator"))
    assert client.get(url, params).status_code == 400


# --- imports ---------------------------------------------------------------------------------------

HEADER = "과제번호,과제명,주관기관 사업자등록번호,지역코드,정부출연금,공고번호\n"


@pytest.fixture
def import_setting(make_organization, make_call, make_user):
    return make_organization(region_code="26"), make_call(), make_user(role="program_manager")


@pytest.mark.parametrize(("title", "gov", "field"), [
    ("과제", "Infinity", "gov_krw"),
    ("과제", "NaN", "gov_krw"),
    ("과제", "1e30", "gov_krw"),
    ("과제", str(2**63), "gov_krw"),
    ("가" * 131_073, "1000", "title_ko"),
    ("가" * 301, "1000", "title_ko"),
    ("NUL\x00", "1000", "title_ko"),
])
def test_import_malformed_value_is_a_row_error_and_nothing_is_written(import_setting, title, gov, field):
    lead, call, pm = import_setting
    content = (HEADER + f"2026000001,{title},{lead.business_registration_number},26,{gov},{call.reference}\n").encode()
    with pytest.raises(ImportFailed) as info:
        proposals_import(actor=pm, name="ntis.csv", content=content)
    assert [(e.row, e.field) for e in info.value.errors] == [(1, field)]
    assert Proposal.objects.count() == 0
    assert not AuditEvent.objects.filter(action="proposal.import").exists()
