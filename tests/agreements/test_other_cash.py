"""Other cash (기타 현금): entered on a budget line of a change, carried by the agreement and its approved budget,
shown beside government funds and institution cash, and counted in the settlement's government share
gov / (gov + cash + other cash)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from tests.finance.conftest import at

from doyak.agreements.models import Agreement, ApprovedBudget, ChangeRequest
from doyak.agreements.services import change_propose, change_transition
from doyak.finance.models import SettlementResult
from doyak.finance.services import settlement_run_execute, settlement_run_start

from .test_views_api import _page_data

pytestmark = pytest.mark.django_db


def _with_other_cash(agreement, won: int) -> list[dict]:
    """The agreement's budget as it is, with ``won`` of other cash on its materials line."""
    return [{"year": b.year, "category": b.category, "organization_id": b.organization_id, "gov_krw": b.gov_krw,
             "cash_krw": b.cash_krw, "in_kind_krw": b.in_kind_krw,
             "other_cash_krw": won if b.category == "materials" else 0}
            for b in ApprovedBudget.objects.filter(agreement=agreement)]


def test_settlement_counts_other_cash_in_the_government_share(make_agreement, add_txn, make_user, chain):
    # given an agreement of 10M government funds for materials, no institution cash
    agreement = make_agreement(budget={"materials": 10_000_000}, gov_share=(1, 0))
    applicant = make_user(role="applicant", organization=agreement.proposal.lead_organization)
    # and a notice that adds 5M of other cash to the materials line (a budget move: in force on submission)
    change = change_propose(actor=applicant, agreement_id=agreement.pk,
                            edits={"budget": _with_other_cash(agreement, 5_000_000)})
    change = change_transition(actor=applicant, change_id=change.pk, name="submit", today=dt.date(2026, 2, 2))
    assert (change.status, change.classification) == ("applied", "minor")
    # and 90,000 won spent at a bar (ineligible)
    add_txn(agreement, "B1", amount=90_000, category="materials", mtype="bar", when=at("2026-03-03"))
    # when the agreement is settled
    run = settlement_run_execute(run_id=settlement_run_start(actor=chain.pm, agreement_ids=[agreement.pk]).pk)
    # then the share is 10M / (10M + 0 + 5M) = 66.6% (truncated) and the clawback ⌊90,000 × 666 / 1000⌋
    result = SettlementResult.objects.get(run=run, agreement=agreement)
    assert (result.ineligible_krw, result.government_share_permille, result.clawback_krw) == (90_000, 666, 59_940)
    # and the agreement and its budget line carry the other cash (approved = gov + cash + other cash)
    agreement.refresh_from_db()
    assert (agreement.gov_funds_krw, agreement.cash_funds_krw, agreement.other_cash_funds_krw) == (
        10_000_000, 0, 5_000_000)
    line = ApprovedBudget.objects.get(agreement=agreement, category="materials")
    assert (line.gov_krw, line.cash_krw, line.other_cash_krw, line.approved_krw) == (
        10_000_000, 0, 5_000_000, 15_000_000)


@pytest.fixture
def draft_change(make_agreement, make_user, make_researcher, make_organization):
    lead = make_organization()
    agreement = make_agreement(lead=lead, pi=make_researcher(organization=lead, name="김책임"),
                               budget={"materials": 20_000_000, "activities": 8_000_000})
    applicant = make_user(role="applicant", organization=agreement.proposal.lead_organization)
    client = Client()
    client.force_login(applicant)
    client.post(reverse("agreements:change_new", args=[agreement.pk]))
    change = ChangeRequest.objects.get(agreement=agreement)
    return agreement, client, change


def _other_cash_field(form, category: str) -> str:
    """The name of the other-cash input of the budget row of ``category``."""
    index = next(i for i, line in enumerate(form.main.terms["budget"]) if line["category"] == category)
    return f"other_{index}"


@pytest.mark.parametrize("typed", ["1" * 30, "-1", "12.5"])
def test_change_page_refuses_other_cash_it_cannot_store(draft_change, typed):
    # given the draft of a change on its page
    agreement, client, change = draft_change
    page = client.get(reverse("agreements:change", args=[change.pk]))
    data = _page_data(page.context["form"])
    name = _other_cash_field(page.context["form"], "materials")
    # when the institution types an amount that is not a whole won in range and submits
    response = client.post(reverse("agreements:change", args=[change.pk]), {**data, name: typed, "submit": "1"})
    # then the field says why, and nothing changed
    assert response.status_code == 200
    assert response.context["form"].main.errors[name]
    assert ChangeRequest.objects.get(pk=change.pk).status == "draft"
    assert Agreement.objects.get(pk=agreement.pk).other_cash_funds_krw == 0


def test_other_cash_entered_on_the_change_page_is_shown_with_the_funds(draft_change):
    # given the draft of a change on its page; when the institution enters 3,000,000 won of other cash and submits
    agreement, client, change = draft_change
    page = client.get(reverse("agreements:change", args=[change.pk]))
    data = _page_data(page.context["form"])
    name = _other_cash_field(page.context["form"], "materials")
    response = client.post(reverse("agreements:change", args=[change.pk]), {**data, name: "3,000,000", "submit": "1"})
    # then the notice is in force and the agreement page shows the other cash beside the other sources
    assert response.status_code == 302, (response.context["form"].main.errors, [
        f.errors for f in response.context["form"].formsets], response.content.decode()[-3000:])
    assert ChangeRequest.objects.get(pk=change.pk).status == "applied"
    assert Agreement.objects.get(pk=agreement.pk).other_cash_funds_krw == 3_000_000
    html = client.get(reverse("agreements:detail", args=[agreement.pk])).content.decode()
    funds = html.split('data-testid="funds">', 1)[1].split("</dd>", 1)[0]
    assert funds == "정부출연금 21,000,000원 · 기관부담 현금 7,000,000원 · 기타 현금 3,000,000원"
