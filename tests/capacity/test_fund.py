"""The commercialisation fund: commitments, investments, follow-ons, exits; the leap share against the policy on a
small hand-made set with exact numbers; an investor reads only their own firm's fund."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from doyak.capacity.models import Commitment, Investment
from doyak.capacity.selectors import fund_figures_for
from doyak.capacity.services import (
    commitment_record,
    exit_record,
    fund_create,
    investment_record,
    investor_letter_confirm,
)
from doyak.core.errors import AccessDenied, Conflict, ValidationFailed
from doyak.engine.capacity import InvestmentRow, fund_figures

DAY = dt.date(2026, 3, 2)


def test_fund_figures_are_exact_and_share_rounds_half_up():
    rows = [InvestmentRow(2, True, "dongnam"), InvestmentRow(1, False, "jungbu")]
    figures = fund_figures(commitments_krw=[5, 4], investments=rows, leap_share_min=Decimal("0.5"))
    assert (figures.committed_krw, figures.invested_krw, figures.leap_invested_krw, figures.leap_share,
            figures.meets_policy, figures.by_region_group) == (9, 3, 2, Decimal("0.6667"), True,
                                                              {"dongnam": 2, "jungbu": 1})
    empty = fund_figures(commitments_krw=[], investments=[], leap_share_min=Decimal("0.5"))
    assert (empty.leap_share, empty.meets_policy) == (None, None)


@pytest.mark.django_db
def test_fund_committed_invested_and_leap_share_by_region_group(people, fund_world):
    pm, fund, w = people["pm"], fund_world["fund"], fund_world
    commitment_record(actor=pm, fund_id=fund.pk, amount_krw=3_000_000_000, committed_on=DAY,
                      proposal_id=w["leap_1"].pk)
    commitment_record(actor=people["investor_a"], fund_id=fund.pk, amount_krw=1_000_000_000, committed_on=DAY,
                      proposal_id=w["general"].pk)
    first = investment_record(actor=pm, fund_id=fund.pk, invested_on=DAY, amount_krw=1_000_000_000,
                              instrument="equity", stage="early", proposal_id=w["leap_1"].pk)
    investment_record(actor=pm, fund_id=fund.pk, invested_on=DAY + dt.timedelta(days=30), amount_krw=500_000_000,
                      instrument="convertible", stage="growth", follows_id=first.pk)
    investment_record(actor=pm, fund_id=fund.pk, invested_on=DAY, amount_krw=300_000_000, instrument="loan",
                      stage="seed", proposal_id=w["leap_2"].pk)
    investment_record(actor=pm, fund_id=fund.pk, invested_on=DAY, amount_krw=1_200_000_000, instrument="equity",
                      stage="early", proposal_id=w["general"].pk)

    figures = fund_figures_for([fund])[fund.pk]

    # leap: 1.0B + 0.5B (the follow-on follows the same project) + 0.3B = 1.8B of 3.0B = 0.6
    assert (figures.committed_krw, figures.invested_krw, figures.leap_invested_krw) == (
        4_000_000_000, 3_000_000_000, 1_800_000_000)
    assert (figures.leap_share, figures.leap_share_min, figures.meets_policy) == (
        Decimal("0.6000"), Decimal("0.5"), True)
    assert figures.by_region_group == {"dongnam": 1_800_000_000, "jungbu": 1_200_000_000}


@pytest.mark.django_db
def test_follow_on_keeps_the_company_and_exit_once(people, fund_world):
    pm, fund = people["pm"], fund_world["fund"]
    first = investment_record(actor=pm, fund_id=fund.pk, invested_on=DAY, amount_krw=10, instrument="equity",
                              stage="seed", proposal_id=fund_world["leap_1"].pk)
    follow = investment_record(actor=pm, fund_id=fund.pk, invested_on=DAY, amount_krw=20, instrument="equity",
                               stage="early", follows_id=first.pk)
    assert (follow.organization_id, follow.proposal_id, follow.is_follow_on) == (
        first.organization_id, first.proposal_id, True)
    exit_record(actor=pm, investment_id=first.pk, exited_on=DAY, kind="ipo", proceeds_krw=50)
    with pytest.raises(Conflict):
        exit_record(actor=pm, investment_id=first.pk, exited_on=DAY, kind="ipo", proceeds_krw=50)


@pytest.mark.django_db
def test_investor_letter_confirmed_into_a_commitment_once(people, fund_world):
    from doyak.proposals.models import InvestorLetter

    letter = InvestorLetter.objects.create(proposal=fund_world["leap_1"], investor_name="가나벤처스",
                                           amount_krw=700_000_000, note="시제품 완성 시")
    commitment = investor_letter_confirm(actor=people["investor_a"], letter_id=letter.pk,
                                         fund_id=fund_world["fund"].pk, committed_on=DAY)
    assert (commitment.amount_krw, commitment.proposal_id, commitment.organization_id, commitment.investor_letter_id) \
        == (700_000_000, fund_world["leap_1"].pk, fund_world["leap_1"].lead_organization_id, letter.pk)
    with pytest.raises(Conflict):
        investor_letter_confirm(actor=people["pm"], letter_id=letter.pk, fund_id=fund_world["fund"].pk,
                                committed_on=DAY)


@pytest.mark.django_db
def test_other_investor_may_not_record_for_the_fund_and_nothing_changes(people, fund_world):
    with pytest.raises(AccessDenied):
        commitment_record(actor=people["investor_b"], fund_id=fund_world["fund"].pk, amount_krw=1,
                          committed_on=DAY, proposal_id=fund_world["leap_1"].pk)
    with pytest.raises(AccessDenied):
        investment_record(actor=people["applicant"], fund_id=fund_world["fund"].pk, invested_on=DAY, amount_krw=1,
                          instrument="equity", stage="seed", proposal_id=fund_world["leap_1"].pk)
    with pytest.raises(AccessDenied):
        fund_create(actor=people["investor_a"], name="x", size_krw=1, vintage=2026, manager_id=people["firm_a"].pk)
    assert (Commitment.objects.count(), Investment.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_investment_in_the_future_is_refused(people, fund_world):
    with pytest.raises(ValidationFailed):
        investment_record(actor=people["pm"], fund_id=fund_world["fund"].pk, invested_on=dt.date(2100, 1, 1),
                          amount_krw=1, instrument="equity", stage="seed", proposal_id=fund_world["leap_1"].pk)


@pytest.mark.django_db
def test_api_funds_contract_and_investor_sees_only_own_firm(client, people, fund_world):
    pm, fund = people["pm"], fund_world["fund"]
    investment_record(actor=pm, fund_id=fund.pk, invested_on=DAY, amount_krw=300, instrument="equity",
                      stage="seed", proposal_id=fund_world["leap_1"].pk)
    investment_record(actor=pm, fund_id=fund.pk, invested_on=DAY, amount_krw=100, instrument="loan", stage="seed",
                      proposal_id=fund_world["general"].pk)
    commitment_record(actor=pm, fund_id=fund.pk, amount_krw=1000, committed_on=DAY, proposal_id=fund_world["leap_1"].pk)
    fund_create(actor=pm, name="다른 펀드", size_krw=10, vintage=2025, manager_id=people["firm_b"].pk)

    client.force_login(people["investor_a"])
    body = client.get("/api/v1/capacity/funds").json()
    assert body["count"] == 1
    row = body["items"][0]
    assert {k: row[k] for k in ("id", "committed_krw", "invested_krw", "leap_share", "meets_policy")} == {
        "id": fund.pk, "committed_krw": 1000, "invested_krw": 400, "leap_share": "0.7500", "meets_policy": True}
    investments = client.get("/api/v1/capacity/investments").json()
    assert sorted((i["amount_krw"], i["leap_project"]) for i in investments["items"]) == [(100, False), (300, True)]
    client.force_login(people["investor_b"])
    assert [f["name"] for f in client.get("/api/v1/capacity/funds").json()["items"]] == ["다른 펀드"]
    assert client.get("/api/v1/capacity/investments").json()["count"] == 0
    assert client.get(f"/api/v1/capacity/funds/{fund.pk}").status_code == 404
    client.force_login(people["applicant"])
    assert client.get("/api/v1/capacity/funds").status_code == 403
