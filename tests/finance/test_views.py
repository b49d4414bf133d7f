"""Finance screens: who sees which ledger, the dashboard, what-if figures, the XLSX report."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from doyak.finance.models import Transaction
from doyak.finance.selectors import settlement_what_if_for_scope
from doyak.finance.services import settlement_run_execute, settlement_run_start

from .conftest import at


@pytest.fixture
def settled(make_agreement, add_txn, manager):
    agreement = make_agreement(budget={"materials": 50_000_000, "activities": 5_000_000})
    add_txn(agreement, "X1", amount=400_000, category="activities", evidence="none", merchant="M1")  # within 500k
    add_txn(agreement, "X2", amount=90_000, category="activities", mtype="bar")
    add_txn(agreement, "X3", amount=800_000, category="activities", evidence="none", merchant="M2")
    add_txn(agreement, "X4", amount=2_500_000, evidence="tax_invoice", when=at("2026-04-01"))
    run = settlement_run_start(actor=manager, agreement_ids=[agreement.pk])
    settlement_run_execute(run_id=run.pk)
    agreement.refresh_from_db()
    return agreement, run


def test_institution_sees_its_ledger_with_flags(client, settled, make_user):
    agreement, _run = settled
    client.force_login(make_user(role="applicant", organization=agreement.proposal.lead_organization))
    response = client.get(reverse("finance:ledger", args=[agreement.pk]))
    assert response.status_code == 200
    assert "X3" in response.content.decode()
    assert [f.txn_ref for f in response.context["flags"]] == ["X3", "X2"]
    assert response.context["page_obj"].count == 4


def test_other_institution_cannot_see_the_ledger(client, settled, make_user, make_organization):
    agreement, _run = settled
    client.force_login(make_user(role="applicant", organization=make_organization()))
    assert client.get(reverse("finance:ledger", args=[agreement.pk])).status_code == 403
    assert client.get(f"/api/v1/finance/agreements/{agreement.pk}/flags").status_code == 403


def test_home_sends_institutions_to_their_ledger_and_managers_to_the_dashboard(client, settled, make_user, manager):
    agreement, _run = settled
    client.force_login(make_user(role="applicant", organization=agreement.proposal.lead_organization))
    assert client.get(reverse("finance:home")).url == reverse("finance:ledger", args=[agreement.pk])
    client.force_login(manager)
    assert client.get(reverse("finance:home")).url == reverse("finance:dashboard")


def test_dashboard_sums_amount_at_risk_by_flag(client, settled, manager):
    agreement, _run = settled
    client.force_login(manager)
    response = client.get(reverse("finance:dashboard"), {"call": agreement.proposal.call_id})
    assert response.status_code == 200
    assert [(r["code"], r["at_risk"], r["n"]) for r in response.context["by_flag"]] == [
        ("MISSING_EVIDENCE", 800_000, 1), ("INELIGIBLE_MERCHANT", 90_000, 1)]
    assert response.context["totals"]["ineligible"] == 890_000


def test_dashboard_denied_to_institutions(client, settled, make_user):
    agreement, _run = settled
    client.force_login(make_user(role="applicant", organization=agreement.proposal.lead_organization))
    assert client.get(reverse("finance:dashboard")).status_code == 403


def test_report_download_is_korean_xlsx(client, settled, manager):
    _agreement, run = settled
    client.force_login(manager)
    response = client.get(reverse("finance:run_report", args=[run.pk]))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == ["요약", "플래그", "정책"]
    rows = list(book["요약"].iter_rows(values_only=True))
    assert rows[1][1:4] == (3_790_000, 2_900_000, 890_000)


def test_what_if_raising_the_activities_exemption(settled, manager):
    # given activities spending of 400k and 800k without evidence (exemption 500k) and 90k at a bar
    agreement, _run = settled
    # when the activities exemption is raised to 1,000,000 won
    result = settlement_what_if_for_scope(user=manager, call_id=agreement.proposal.call_id, program_id=None,
                                          exemptions={"activities": 1_000_000}, organization_ids=[])
    # then one document fewer is needed (the 800k one) and the missing-evidence finding disappears
    assert result.evidence_documents_removed == 1
    assert result.transactions_no_longer_needing_evidence == 1
    assert (result.before.ineligible, result.after.ineligible) == (890_000, 90_000)
    assert result.spend_moved_to_sampled == 0


def test_what_if_extending_self_settlement_moves_spend_to_sampled(settled, manager):
    agreement, _run = settled
    result = settlement_what_if_for_scope(user=manager, call_id=agreement.proposal.call_id, program_id=None,
                                          exemptions={}, organization_ids=[agreement.proposal.lead_organization_id])
    # 4 transactions; sample = both flagged + ⌈15% × 4⌉ = 1 random → 3 checked
    assert (result.before.checked_transactions, result.after.checked_transactions) == (4, 3)
    assert result.spend_moved_to_sampled == 3_790_000


def test_manual_entry_through_the_form(client, settled, make_user):
    agreement, _run = settled
    client.force_login(make_user(role="applicant", organization=agreement.proposal.lead_organization))
    response = client.post(reverse("finance:transaction_new", args=[agreement.pk]), {
        "txn_id": "M-1", "category": "materials", "amount_krw": "-5000", "occurred_at": "2026-05-04T10:00",
        "merchant_id": "M9", "merchant_type": "office", "evidence": "card_slip", "description": "환불"})
    assert response.status_code == 302
    assert Transaction.objects.get(agreement=agreement, txn_id="M-1").amount_krw == -5000
