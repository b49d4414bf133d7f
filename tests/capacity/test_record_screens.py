"""The record screens: a permitted role creates the record through the page (audited by the service), a denied
role is refused and nothing changes; errors name the field."""

from __future__ import annotations

import datetime as dt

import pytest

from doyak.capacity.models import CareerEvent, Commitment, Exit, Fund, GraduateSchool, JointLab
from doyak.capacity.services import (
    fund_create,
    graduate_school_register,
    investment_record,
    joint_lab_register,
)
from doyak.core.models import AuditEvent


@pytest.fixture
def fund(people):
    return fund_create(actor=people["pm"], name="사업화 2호 펀드", size_krw=50_000_000_000, vintage=2026,
                       manager_id=people["firm_a"].pk)


@pytest.fixture
def orgs(make_organization):
    return {"gri": make_organization(name="한국기계연구원", org_type="gri", region_code="30"),
            "sme": make_organization(name="(주)정밀기계", org_type="sme", region_code="30"),
            "uni": make_organization(name="부산대학교", org_type="university", region_code="26")}


def _messages(response) -> str:
    return " ".join(str(m) for m in response.wsgi_request._messages)


# ---------------------------------------------------------------------------------------------- the fund
@pytest.mark.django_db
def test_fund_new_page_registers_a_fund(client, people):
    client.force_login(people["pm"])
    page = client.get("/capacity/funds/new/").content.decode()
    assert "가나벤처스" in page and "다라인베스트" in page  # the investors' firms as managers
    response = client.post("/capacity/funds/new/", {"name": "지역 사업화 펀드", "size_krw": "30,000,000,000",
                                                    "vintage": "2026", "manager_id": people["firm_b"].pk})
    fund = Fund.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/capacity/funds/{fund.pk}/"
    assert (fund.name, fund.size_krw, fund.vintage, fund.manager_id) == (
        "지역 사업화 펀드", 30_000_000_000, 2026, people["firm_b"].pk)
    assert AuditEvent.objects.filter(action="capacity.fund_create").count() == 1


@pytest.mark.django_db
def test_fund_new_page_names_the_bad_field(client, people):
    client.force_login(people["pm"])
    response = client.post("/capacity/funds/new/", {"name": "펀드", "size_krw": "12.5", "vintage": "3000",
                                                    "manager_id": people["firm_a"].pk})
    assert response.status_code == 200 and Fund.objects.count() == 0
    assert set(response.context["form"].errors) == {"size_krw", "vintage"}


@pytest.mark.django_db
def test_fund_new_refused_to_an_investor_and_nothing_changes(client, people):
    client.force_login(people["investor_a"])
    assert client.get("/capacity/funds/new/").status_code == 403
    response = client.post("/capacity/funds/new/", {"name": "몰래 펀드", "size_krw": "1,000", "vintage": "2026",
                                                    "manager_id": people["firm_a"].pk})
    assert response.status_code == 403 and Fund.objects.count() == 0


@pytest.mark.django_db
def test_fund_investor_records_a_commitment_to_a_company(client, people, fund, make_organization):
    company = make_organization(name="(주)도약소재", org_type="sme")
    client.force_login(people["investor_a"])  # the fund's manager's investor
    assert "(주)도약소재" in client.get(f"/capacity/funds/{fund.pk}/").content.decode()
    response = client.post(f"/capacity/funds/{fund.pk}/commitments/", {
        "m-organization_id": company.pk, "m-amount_krw": "500,000,000", "m-committed_on": "2026-03-02"})
    assert response.status_code == 302
    c = Commitment.objects.get()
    assert (c.fund_id, c.organization_id, c.proposal_id, c.amount_krw, c.committed_on) == (
        fund.pk, company.pk, None, 500_000_000, dt.date(2026, 3, 2))


@pytest.mark.django_db
def test_fund_commitment_unknown_project_names_the_field(client, people, fund):
    client.force_login(people["pm"])
    response = client.post(f"/capacity/funds/{fund.pk}/commitments/", {
        "m-amount_krw": "1,000", "m-committed_on": "2026-03-02", "m-proposal_id": "P-NONE-1"})
    assert Commitment.objects.count() == 0
    assert _messages(response) == "과제번호: 제출된 과제 중 번호가 P-NONE-1인 과제가 없습니다."


@pytest.mark.django_db
def test_fund_commitment_refused_to_another_firms_investor_and_nothing_changes(client, people, fund,
                                                                               make_organization):
    client.force_login(people["investor_b"])
    response = client.post(f"/capacity/funds/{fund.pk}/commitments/", {
        "m-organization_id": make_organization().pk, "m-amount_krw": "1,000", "m-committed_on": "2026-03-02"})
    assert response.status_code == 403 and Commitment.objects.count() == 0


@pytest.fixture
def investment(people, fund, make_organization):
    return investment_record(actor=people["pm"], fund_id=fund.pk, invested_on=dt.date(2026, 3, 2),
                             amount_krw=300_000_000, instrument="equity", stage="seed",
                             organization_id=make_organization(name="(주)엑시트").pk)


@pytest.mark.django_db
def test_fund_pm_records_an_exit(client, people, fund, investment):
    client.force_login(people["pm"])
    assert "(주)엑시트" in client.get(f"/capacity/funds/{fund.pk}/").content.decode()
    client.post(f"/capacity/funds/{fund.pk}/exits/", {
        "x-investment_id": investment.pk, "x-exited_on": "2026-06-30", "x-kind": "trade_sale",
        "x-proceeds_krw": "450,000,000"})
    e = Exit.objects.get()
    assert (e.investment_id, e.exited_on, e.kind, e.proceeds_krw) == (
        investment.pk, dt.date(2026, 6, 30), "trade_sale", 450_000_000)
    assert AuditEvent.objects.filter(action="capacity.exit_record").count() == 1


@pytest.mark.django_db
def test_fund_exit_refused_to_an_applicant_and_nothing_changes(client, people, fund, investment):
    client.force_login(people["applicant"])
    response = client.post(f"/capacity/funds/{fund.pk}/exits/", {
        "x-investment_id": investment.pk, "x-exited_on": "2026-06-30", "x-kind": "ipo", "x-proceeds_krw": "1"})
    assert response.status_code == 403 and Exit.objects.count() == 0


# ---------------------------------------------------------------------------------------------- registries
@pytest.mark.django_db
def test_joint_lab_new_page_registers_with_projects(client, people, orgs, make_proposal):
    project = make_proposal(status="submitted")
    client.force_login(people["pm"])
    response = client.post("/capacity/joint-labs/new/", {
        "name": "스마트제조 공동연구실", "host_id": orgs["gri"].pk, "partner_ids": [orgs["sme"].pk],
        "region_code": "30", "field": "스마트제조", "opened_on": "2026-02-01", "proposal_ids": project.reference})
    assert response.status_code == 302 and response["Location"] == "/capacity/joint-labs/"
    lab = JointLab.objects.get()
    assert (lab.name, lab.host_id, lab.region.code, lab.opened_on) == (
        "스마트제조 공동연구실", orgs["gri"].pk, "30", dt.date(2026, 2, 1))
    assert list(lab.partners.values_list("pk", flat=True)) == [orgs["sme"].pk]
    assert list(lab.projects.values_list("pk", flat=True)) == [project.pk]


@pytest.mark.django_db
def test_joint_lab_new_refused_to_an_applicant_and_nothing_changes(client, people, orgs):
    client.force_login(people["applicant"])
    assert client.get("/capacity/joint-labs/new/").status_code == 403
    response = client.post("/capacity/joint-labs/new/", {
        "name": "연구실", "host_id": orgs["gri"].pk, "partner_ids": [orgs["sme"].pk], "region_code": "30",
        "field": "제조", "opened_on": "2026-02-01"})
    assert response.status_code == 403 and JointLab.objects.count() == 0


@pytest.mark.django_db
def test_graduate_school_new_page_registers(client, people, orgs):
    client.force_login(people["pm"])
    response = client.post("/capacity/graduate-schools/new/", {
        "name": "반도체 특성화대학원", "university_id": orgs["uni"].pk, "field": "반도체", "region_code": "26",
        "designation_year": "2026", "students": "40"})
    assert response.status_code == 302
    school = GraduateSchool.objects.get()
    assert (school.name, school.university_id, school.field, school.region.code, school.designation_year,
            school.students) == ("반도체 특성화대학원", orgs["uni"].pk, "반도체", "26", 2026, 40)


@pytest.mark.django_db
def test_graduate_school_new_refused_to_an_auditor_and_nothing_changes(client, people, orgs):
    client.force_login(people["auditor"])
    response = client.post("/capacity/graduate-schools/new/", {
        "name": "대학원", "university_id": orgs["uni"].pk, "field": "반도체", "region_code": "26",
        "designation_year": "2026", "students": "40"})
    assert response.status_code == 403 and GraduateSchool.objects.count() == 0


@pytest.mark.django_db
def test_registry_rows_link_more_projects(client, people, orgs, make_proposal):
    first, second = make_proposal(status="submitted"), make_proposal(status="submitted")
    lab = joint_lab_register(actor=people["pm"], name="연구실", host_id=orgs["gri"].pk, region_code="30",
                             field="제조", opened_on=dt.date(2026, 2, 1), partner_ids=[orgs["sme"].pk],
                             proposal_ids=[first.pk])
    school = graduate_school_register(actor=people["pm"], name="대학원", university_id=orgs["uni"].pk, field="반도체",
                                      region_code="26", designation_year=2026)
    client.force_login(people["pm"])
    client.post(f"/capacity/joint-labs/{lab.pk}/projects/", {"proposal_ids": f"{first.reference}, {second.reference}"})
    client.post(f"/capacity/graduate-schools/{school.pk}/projects/", {"proposal_ids": second.reference})
    assert sorted(lab.projects.values_list("pk", flat=True)) == [first.pk, second.pk]
    assert list(school.projects.values_list("pk", flat=True)) == [second.pk]
    client.force_login(people["applicant"])
    assert client.post(f"/capacity/graduate-schools/{school.pk}/projects/",
                       {"proposal_ids": first.reference}).status_code == 403
    assert list(school.projects.values_list("pk", flat=True)) == [second.pk]


# ---------------------------------------------------------------------------------------------- career records
@pytest.fixture
def researcher(people):
    from doyak.organizations.models import Researcher

    return Researcher.objects.create(national_researcher_number="90000001", name="김연구",
                                     organization_id=people["applicant"].organization_id, career_stage="postdoc")


@pytest.mark.django_db
def test_career_page_institution_adds_a_doctorate_and_a_position(client, people, researcher):
    client.force_login(people["applicant"])  # the researcher's institution
    assert "경력 기록 추가" in client.get(f"/capacity/talent/researchers/{researcher.pk}/").content.decode()
    client.post(f"/capacity/talent/researchers/{researcher.pk}/records/", {
        "e-kind": "doctorate", "e-started_on": "2023-02-20", "e-title": "공학박사"})
    client.post(f"/capacity/talent/researchers/{researcher.pk}/records/", {
        "e-kind": "position", "e-started_on": "2023-03-01", "e-ended_on": "2025-02-28", "e-title": "박사후연구원"})
    assert list(CareerEvent.objects.order_by("started_on").values_list("kind", "started_on", "ended_on", "title")) == [
        ("doctorate", dt.date(2023, 2, 20), None, "공학박사"),
        ("position", dt.date(2023, 3, 1), dt.date(2025, 2, 28), "박사후연구원")]


@pytest.mark.django_db
def test_career_record_period_error_names_the_field(client, people, researcher):
    client.force_login(people["pm"])
    response = client.post(f"/capacity/talent/researchers/{researcher.pk}/records/", {
        "e-kind": "position", "e-started_on": "2024-03-01", "e-ended_on": "2023-02-28"})
    assert CareerEvent.objects.count() == 0
    assert _messages(response) == "직위 종료일: 종료일이 시작일보다 앞섭니다."


@pytest.mark.django_db
def test_career_record_refused_to_another_institution_and_nothing_changes(client, people, researcher):
    client.force_login(people["anchor"])  # an applicant of another institution
    response = client.post(f"/capacity/talent/researchers/{researcher.pk}/records/", {
        "e-kind": "doctorate", "e-started_on": "2023-02-20"})
    assert response.status_code == 403 and CareerEvent.objects.count() == 0
    client.force_login(people["investor_a"])
    assert client.post(f"/capacity/talent/researchers/{researcher.pk}/records/", {
        "e-kind": "doctorate", "e-started_on": "2023-02-20"}).status_code == 403
    assert CareerEvent.objects.count() == 0
