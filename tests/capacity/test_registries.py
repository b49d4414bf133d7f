"""Joint labs and graduate schools: registered by the ministry side, linked to projects, counted on the KPI board
against the plan's targets (with the fund's commitments)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from doyak.capacity.models import JointLab
from doyak.capacity.services import commitment_record, graduate_school_register, joint_lab_register
from doyak.core.errors import AccessDenied, ValidationFailed


def _state(key, as_of):
    from doyak.kpi.models import Indicator
    from doyak.kpi.selectors import indicator_state

    return indicator_state(indicator=Indicator.objects.get(key=key), as_of=as_of)


@pytest.fixture
def orgs(make_organization):
    return {"gri": make_organization(name="한국기계연구원", org_type="gri", region_code="30"),
            "sme": make_organization(name="(주)정밀기계", org_type="sme", region_code="30"),
            "uni": make_organization(name="부산대학교", org_type="university", region_code="26")}


@pytest.mark.django_db
def test_joint_labs_count_against_the_target_in_the_year_opened(people, orgs, fund_world):
    pm = people["pm"]
    for i, opened in enumerate([dt.date(2025, 11, 1), dt.date(2026, 2, 1), dt.date(2026, 4, 1)]):
        joint_lab_register(actor=pm, name=f"스마트제조 공동연구실 {i}", host_id=orgs["gri"].pk, region_code="30",
                           field="스마트제조", opened_on=opened, partner_ids=[orgs["sme"].pk],
                           proposal_ids=[fund_world["leap_1"].pk])
    state = _state("regional.industry_research_joint_labs", dt.date(2026, 3, 1))
    assert (state.actual, state.target, state.deadline, state.record_kind) == (Decimal(2), Decimal(30), 2030,
                                                                               "joint_lab")
    assert list(JointLab.objects.get(name="스마트제조 공동연구실 0").projects.values_list("pk", flat=True)) == [
        fund_world["leap_1"].pk]


@pytest.mark.django_db
def test_graduate_schools_count_only_from_the_plan_year(people, orgs, make_organization):
    pm = people["pm"]
    graduate_school_register(actor=pm, name="이차전지 특성화대학원", university_id=orgs["uni"].pk, field="이차전지",
                             region_code="26", designation_year=2025, students=40)
    graduate_school_register(actor=pm, name="반도체 특성화대학원", university_id=orgs["uni"].pk, field="반도체",
                             region_code="26", designation_year=2026, students=35)
    state = _state("regional.specialised_graduate_schools_added", dt.date(2026, 12, 31))
    assert (state.actual, state.target) == (Decimal(1), Decimal(6))


@pytest.mark.django_db
def test_fund_commitments_sum_on_the_board(people, fund_world):
    for amount in (3_000_000_000, 2_000_000_000):
        commitment_record(actor=people["pm"], fund_id=fund_world["fund"].pk, amount_krw=amount,
                          committed_on=dt.date(2026, 3, 2), proposal_id=fund_world["leap_1"].pk)
    state = _state("capacity.commercialisation_fund", dt.date(2026, 12, 31))
    assert (state.actual, state.target) == (Decimal(5_000_000_000), Decimal(1_000_000_000_000))


@pytest.mark.django_db
def test_registries_refuse_others_and_wrong_hosts(people, orgs):
    with pytest.raises(AccessDenied):
        joint_lab_register(actor=people["investor_a"], name="x", host_id=orgs["gri"].pk, region_code="30",
                           field="x", opened_on=dt.date(2026, 1, 1), partner_ids=[orgs["sme"].pk])
    with pytest.raises(ValidationFailed):
        joint_lab_register(actor=people["pm"], name="x", host_id=orgs["sme"].pk, region_code="30",
                           field="x", opened_on=dt.date(2026, 1, 1), partner_ids=[orgs["sme"].pk])
    with pytest.raises(ValidationFailed):
        graduate_school_register(actor=people["pm"], name="x", university_id=orgs["gri"].pk, field="x",
                                 region_code="26", designation_year=2026)
    assert JointLab.objects.count() == 0


@pytest.mark.django_db
def test_api_registries_paginated_for_everyone_signed_in(client, people, orgs):
    graduate_school_register(actor=people["pm"], name="반도체 특성화대학원", university_id=orgs["uni"].pk,
                             field="반도체", region_code="26", designation_year=2026, students=35)
    joint_lab_register(actor=people["pm"], name="공동연구실", host_id=orgs["gri"].pk, region_code="30",
                       field="로봇", opened_on=dt.date(2026, 1, 10), partner_ids=[orgs["sme"].pk])
    client.force_login(people["applicant"])
    schools = client.get("/api/v1/capacity/graduate-schools").json()
    labs = client.get("/api/v1/capacity/joint-labs").json()
    assert (schools["count"], schools["items"][0]["students"], schools["items"][0]["region_group"]) == (
        1, 35, "dongnam")
    assert (labs["count"], labs["items"][0]["partner_ids"], labs["items"][0]["host"]) == (
        1, [orgs["sme"].pk], "한국기계연구원")
