"""The ledger and settlement use the version in force on the transaction date: spending before an approved
budget change is judged against the earlier version, on the ledger page and in the settlement run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from tests.finance.conftest import at

from doyak.agreements.models import ApprovedBudget
from doyak.agreements.services import change_propose, change_transition
from doyak.finance.models import Flag
from doyak.finance.services import settlement_run_execute, settlement_run_start

pytestmark = pytest.mark.django_db


def test_spending_before_a_budget_change_is_judged_against_the_earlier_version(make_agreement, add_txn,
                                                                                make_user, chain):
    # given materials approved at 10M (limit 11M with the 10% transfer share), activities at 10M
    agreement = make_agreement(budget={"materials": 10_000_000, "activities": 10_000_000}, gov_share=(1, 0))
    applicant = make_user(role="applicant", organization=agreement.proposal.lead_organization)
    # and 11.5M of materials spent in March (quotation and inspection record attached), under version 1
    add_txn(agreement, "T1", amount=11_500_000, category="materials", when=at("2026-03-03"), documents=2)
    # when a notice moves 5M from activities to materials on 4 May (version 2: materials 15M, limit 16.5M)
    edits = {"budget": [{"year": b.year, "category": b.category, "organization_id": b.organization_id,
                         "gov_krw": {"materials": 15_000_000, "activities": 5_000_000}[b.category], "cash_krw": 0,
                         "in_kind_krw": 0} for b in ApprovedBudget.objects.filter(agreement=agreement)]}
    change = change_propose(actor=applicant, agreement_id=agreement.pk, edits=edits)
    change_transition(actor=applicant, change_id=change.pk, name="submit", today=dt.date(2026, 5, 4))
    # and 3M more of materials is spent in June, under version 2
    add_txn(agreement, "T2", amount=3_000_000, category="materials", when=at("2026-06-10"))
    run = settlement_run_execute(run_id=settlement_run_start(actor=chain.pm, agreement_ids=[agreement.pk]).pk)
    # then March's spending is over version 1's limit by 0.5M; June's is within version 2's (14.5M ≤ 16.5M)
    assert list(Flag.objects.filter(run=run, code="OVER_BUDGET").values_list("txn_ref", "amount_at_risk_krw")) == [
        ("T1", 500_000)]
    # and the ledger page shows each transaction's version and March's flag
    client = Client()
    client.force_login(chain.pm)
    rows = {r["txn_id"]: r for r in client.get(reverse("finance:ledger", args=[agreement.pk])).context["page_obj"].rows}
    assert (rows["T1"]["version"], rows["T2"]["version"]) == (1, 2)
    assert [f.code for f in rows["T1"]["flags"]] == ["OVER_BUDGET"] and rows["T2"]["flags"] == []


def test_without_a_change_settlement_judges_against_the_budget_in_force(make_agreement, add_txn, chain):
    agreement = make_agreement(budget={"materials": 10_000_000}, gov_share=(1, 0))
    add_txn(agreement, "T1", amount=11_500_000, category="materials", when=at("2026-03-03"), documents=2)
    run = settlement_run_execute(run_id=settlement_run_start(actor=chain.pm, agreement_ids=[agreement.pk]).pk)
    assert list(Flag.objects.filter(run=run, code="OVER_BUDGET").values_list("txn_ref", "amount_at_risk_krw")) == [
        ("T1", 500_000)]
