"""Factories for innovation capacity (each test makes its own rows; records reach their state through services)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from tests.proposals.conftest import make_call, make_program, make_proposal  # noqa: F401


@pytest.fixture
def people(db, make_user, make_organization):
    """A program manager, two investors of two firms, an applicant of a demand-anchor company, a plain applicant,
    an auditor."""
    firm_a, firm_b = make_organization(name="가나벤처스"), make_organization(name="다라인베스트")
    anchor = make_organization(name="앵커전자", org_type="large", is_demand_anchor=True)
    return {
        "pm": make_user(role="program_manager"), "auditor": make_user(role="auditor"),
        "investor_a": make_user(role="investor", organization=firm_a),
        "investor_b": make_user(role="investor", organization=firm_b),
        "anchor": make_user(role="applicant", organization=anchor),
        "applicant": make_user(role="applicant", organization=make_organization()),
        "firm_a": firm_a, "firm_b": firm_b, "anchor_org": anchor,
    }


@pytest.fixture
def open_survey(people, make_program):  # noqa: F811
    from doyak.capacity.services import survey_open

    def make(**fields):
        program = fields.pop("program", None) or make_program()
        return survey_open(actor=people["pm"], program_id=program.pk, title=fields.pop("title", "2027 수요조사"),
                           closes_on=fields.pop("closes_on", timezone.localdate() + dt.timedelta(days=30)),
                           topics=fields.pop("topics", [
                               {"title": "전고체 배터리 양산 공정", "technology_codes": ["EE0101"],
                                "expected_budget_krw": 3_000_000_000},
                               {"title": "협동로봇 안전 제어", "technology_codes": ["EA0301"],
                                "expected_budget_krw": 1_500_000_000}]))

    return make


@pytest.fixture
def fund_world(people, chain, make_call, make_organization):  # noqa: F811
    """A fund managed by investor A's firm, and three submitted projects: two of the industrial-leap track (led
    from Busan, dongnam), one general (led from Chungnam, jungbu)."""
    from doyak.capacity.services import fund_create

    fund = fund_create(actor=people["pm"], name="산업도약 사업화 1호 펀드", size_krw=100_000_000_000, vintage=2026,
                       manager_id=people["firm_a"].pk)
    leap_call, general_call = make_call(track="industrial_leap"), make_call(track="general")
    leap_1 = chain.submitted(leap_call, gov=1_000_000_000, region="26")
    leap_2 = chain.submitted(leap_call, gov=1_000_000_000, region="26")
    general = chain.submitted(general_call, gov=1_000_000_000, region="44")
    return {"fund": fund, "leap_1": leap_1, "leap_2": leap_2, "general": general}
