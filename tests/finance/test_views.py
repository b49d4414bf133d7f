"""Finance screens: who sees which ledger, the dashboard, what-if figures, the XLSX report."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from doyak.accounts.rules import SYSTEM
from doyak.finance.models import Transaction
from doyak.finance.selectors import settlement_what_if_for_scope
from doyak.finance.services import settlement_run_execute, settlement_run_start
from doyak.policies.services import policy_change

from .conftest import at


@pytest.fixture
def settled(make_agreement, add_txn, manager):
    # these screens are shown under a payment-record exemption of 500k for activities and 3M for materials (the
    # version before issue #15 set it to 0); an administrator restores it through the policy service
    for key, won in (("settlement.evidence_exemption.activities", 500_000),
                     ("settlement.evidence_exemption.materials", 3_000_000)):
        policy_change(actor=SYSTEM, key=key, value=won, effective_from=dt.date(2026, 6, 11), source="시험 (이전 기준)")
    agreement = make_agreement(budget={"materials": 50_000_000, "activities": 5_000_000})
    add_txn(agreement, "X1", amount=400_000, category="activities", evidence="none", merchant="M1")  # within 500k
    add_txn(agreement, "X2", amount=90_000, category="activities", mtype="bar")
    add_txn(agreement, "X3", amount=800_000, category="activities", evidence="none", merchant="M2")  # no minutes either
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
    assert [(f.txn_ref, f.code) for f in response.context["flags"]] == [
        ("X3", "MISSING_DOCUMENTS"), ("X3", "MISSING_EVIDENCE"), ("X2", "INELIGIBLE_MERCHANT")]
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
        ("MISSING_DOCUMENTS", 800_000, 1), ("MISSING_EVIDENCE", 800_000, 1), ("INELIGIBLE_MERCHANT", 90_000, 1)]
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
    # then the 800k one needs no payment record any more and its missing-evidence finding disappears, but it stays
    # ineligible: above the activities' documents exemption (500k) its minutes are still missing
    assert result.evidence_documents_removed == 1
    assert result.transactions_no_longer_needing_evidence == 1
    assert (result.before.ineligible, result.after.ineligible) == (890_000, 890_000)
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


def _what_if_page(client, agreement, **params):
    response = client.get(reverse("finance:what_if"), {"call": agreement.proposal.call_id, **params})
    assert response.status_code == 200
    return response, {name: (before, after, delta) for _label, name, before, after, delta in response.context["rows"]}


def test_what_if_page_raising_the_activities_exemption_gives_exact_figures(client, settled, manager):
    # given the settled ledger: activities 400k and 800k without evidence (exemption 500k), 90k at a bar,
    # materials 2.5M with a tax invoice (exemption 3M); government share 75%
    agreement, _run = settled
    client.force_login(manager)
    # when the manager asks what raising the activities exemption to 1,000,000 won would change
    response, figures = _what_if_page(client, agreement, exemption_activities="1,000,000")
    # then the 800k transaction no longer needs a payment record and its missing-evidence finding disappears; its
    # missing minutes (MISSING_DOCUMENTS) remain, so the ineligible amount and the clawback do not move
    assert figures == {
        "projects": (1, 1, 0), "transactions": (4, 4, 0), "spend": (3_790_000, 3_790_000, 0),
        "checked_transactions": (4, 4, 0), "checked_spend": (3_790_000, 3_790_000, 0), "sampled_spend": (0, 0, 0),
        "evidence_documents": (1, 0, -1), "evidence_exempt": (3, 4, 1), "flagged_transactions": (2, 2, 0),
        "flags": (3, 2, -1), "ineligible": (890_000, 890_000, 0), "clawback": (667_500, 667_500, 0),
    }
    page = response.content.decode()
    assert 'data-testid="wi-documents">1<' in page
    assert 'data-testid="wi-removed">0<' in page
    # and the thresholds in force stand beside the proposed one (activities 500,000 → 1,000,000; materials kept)
    rows = {row["category"]: row for row in response.context["exemption_fields"]}
    assert (rows["activities"]["current"], rows["activities"]["proposed"], rows["activities"]["changed"]) == (
        500_000, 1_000_000, True)
    assert (rows["materials"]["current"], rows["materials"]["proposed"]) == (3_000_000, None)
    assert 'data-testid="wi-now-activities">현재: 500,000원<' in page


def test_what_if_page_extending_self_settlement_moves_spend_to_sampled(client, make_agreement, add_txn, manager):
    # given a ledger whose two unflagged transactions are alike (400k each; no payment-record exemption under the
    # Act's policy, so every checked one counts as needing evidence), so the
    # audit sample's random draw (seeded per transaction id, which carries the agreement's pk) cannot change
    # a figure; 90k at a bar and 800k without evidence are flagged; government share 75%
    agreement = make_agreement(budget={"activities": 5_000_000})
    add_txn(agreement, "S1", amount=400_000, category="activities", merchant="M1", when=at("2026-03-03"))
    add_txn(agreement, "S2", amount=400_000, category="activities", merchant="M2", when=at("2026-03-10"))
    add_txn(agreement, "S3", amount=90_000, category="activities", mtype="bar", when=at("2026-03-11"))
    add_txn(agreement, "S4", amount=800_000, category="activities", evidence="none", merchant="M3",
            when=at("2026-03-12"))
    client.force_login(manager)
    # when the manager asks what self-settlement for the lead institution would change
    response, figures = _what_if_page(client, agreement, organization=agreement.proposal.lead_organization_id)
    # then only the audit sample is checked: both flagged (90k, 800k) plus ⌈15% × 4⌉ = 1 drawn (400k),
    # and all spend is settled on the report; findings and clawback stay the same
    assert figures == {
        "projects": (1, 1, 0), "transactions": (4, 4, 0), "spend": (1_690_000, 1_690_000, 0),
        "checked_transactions": (4, 3, -1), "checked_spend": (1_690_000, 1_290_000, -400_000),
        "sampled_spend": (0, 1_690_000, 1_690_000), "evidence_documents": (4, 3, -1), "evidence_exempt": (0, 0, 0),
        "flagged_transactions": (2, 2, 0), "flags": (3, 3, 0), "ineligible": (890_000, 890_000, 0),
        "clawback": (667_500, 667_500, 0),
    }
    assert response.context["org_ids"] == {agreement.proposal.lead_organization_id}
    assert 'data-testid="wi-removed">1<' in response.content.decode()


def test_what_if_page_rejects_a_threshold_that_is_not_whole_won(client, settled, manager):
    agreement, _run = settled
    client.force_login(manager)
    response = client.get(reverse("finance:what_if"), {"call": agreement.proposal.call_id,
                                                       "exemption_activities": "백만"})
    assert response.status_code == 200
    assert response.context["result"] is None
    assert response.context["errors"] == ["연구활동비: 금액을 원 단위 숫자로 입력하십시오(쉼표 사용 가능)."]


def test_what_if_page_denied_to_applicants_and_changes_nothing(client, settled, make_user):
    # given the institution's own user
    from doyak.core.models import AuditEvent
    from doyak.finance.models import Flag, SettlementResult, SettlementRun

    agreement, _run = settled
    lead = agreement.proposal.lead_organization
    client.force_login(make_user(role="applicant", organization=lead))
    before = (SettlementRun.objects.count(), SettlementResult.objects.count(), Flag.objects.count(),
              AuditEvent.objects.count(), agreement.self_settlement, lead.self_settlement_eligible)
    # when it asks for the what-if of self-settling its own agreement
    response = client.get(reverse("finance:what_if"), {"call": agreement.proposal.call_id,
                                                       "organization": lead.pk, "exemption_activities": "1000000"})
    # then it is refused and nothing changed
    assert response.status_code == 403
    agreement.refresh_from_db()
    lead.refresh_from_db()
    assert (SettlementRun.objects.count(), SettlementResult.objects.count(), Flag.objects.count(),
            AuditEvent.objects.count(), agreement.self_settlement, lead.self_settlement_eligible) == before


def test_ledger_flags_are_paged_and_counted_from_the_summary(client, settled, manager, monkeypatch):
    # given a settled ledger with three flags still to settle (X3 twice: no payment record, no minutes), one a page
    agreement, _run = settled
    monkeypatch.setattr("doyak.finance.views.LEDGER_FLAG_ROWS", 1)
    client.force_login(manager)
    # when the manager opens the last page of flags
    response = client.get(reverse("finance:ledger", args=[agreement.pk]), {"flags_page": "3"})
    # then that page holds the third flag and the pager links back with the ledger's own page kept apart
    assert response.status_code == 200
    page = response.context["flags_page"]
    assert (page.number, page.num_pages, page.count, [f.txn_ref for f in page.rows]) == (3, 3, 3, ["X2"])
    assert 'href="?flags_page=2"' in response.content.decode()


def test_import_page_lists_every_bad_row_on_the_ledger(client, settled, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    # given the institution's user and a file with two bad rows
    agreement, _run = settled
    client.force_login(make_user(role="applicant", organization=agreement.proposal.lead_organization))
    before = Transaction.objects.filter(agreement=agreement).count()
    content = ("txn_id,category,amount,occurred_at,merchant_id,merchant_type,evidence\n"
               "N1,재료비?,1000,2026-05-04 10:00,M1,office,card_slip\n"
               "N2,연구재료비,1000,2026-05-04 10:00,M1,office,card_slip\n"
               "N3,연구재료비,1.5,2026-05-04 10:00,M1,office,카드 전표\n").encode()
    # when it is imported from the ledger page
    response = client.post(reverse("finance:import", args=[agreement.pk]),
                           {"file": SimpleUploadedFile("원장.csv", content)})
    # then the ledger page lists both rows and nothing was imported
    body = response.content.decode()
    assert response.status_code == 422 and 'data-testid="import-errors"' in body
    assert "원장.csv 데이터 1행 category 열" in body and "원장.csv 데이터 3행 amount 열" in body
    assert Transaction.objects.filter(agreement=agreement).count() == before
