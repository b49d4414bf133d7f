"""The app's side of issue #15: the Act's evidence levels as versioned policy, evidence files as documents,
stop dates and planned equipment from the agreement, each flag's legal source on its page."""

from __future__ import annotations

import datetime as dt

import pytest

from doyak.accounts.rules import SYSTEM
from doyak.finance.models import Flag
from doyak.finance.policies import settlement_policy_current
from doyak.finance.services import evidence_attach, settlement_run_execute, settlement_run_start
from doyak.policies.services import policy_change

from .conftest import at


@pytest.mark.django_db
def test_act_policy_exempts_only_documents_and_reviews_holidays_in_every_direct_category_but_personnel():
    # given the seeded policies
    # when the settlement policy in force after the 2026-06-11 amendment is read
    policy = settlement_policy_current(on=dt.date(2026, 12, 1))
    # then no payment record is ever exempt; the innovation cost's small items need no supporting documents
    assert (policy.exemption_for("materials"), policy.exemption_for("activities")) == (0, 0)
    assert [policy.documents_exemption_for(c) for c in ("materials", "activities", "innovation", "equipment")] == [
        3_000_000, 500_000, 3_000_000, 0]
    assert policy.split_window_days == 1
    assert policy.equipment_plan_threshold == 30_000_000
    assert set(policy.holiday_review_categories) == {
        "student_personnel", "equipment", "materials", "activities", "allowance", "subcontract", "international",
        "innovation"}
    # and before the amendment the old exemption is still what was in force
    assert settlement_policy_current(on=dt.date(2026, 6, 10)).exemption_for("materials") == 0
    assert settlement_policy_current(on=dt.date(2026, 6, 11)).documents_exemption_for("materials") == 3_000_000


def _settle(agreement, manager):
    run = settlement_run_start(actor=manager, agreement_ids=[agreement.pk])
    settlement_run_execute(run_id=run.pk)
    return sorted(Flag.objects.filter(run=run).values_list("txn_ref", "code", "amount_at_risk_krw"))


def test_evidence_files_are_the_documents_once_the_check_is_switched_on(make_agreement, add_txn, manager, client,
                                                                       make_user):
    # given supporting documents checked (as seeded), and materials of ₩3,000,000 and ₩3,000,001 paid by card, no files
    agreement = make_agreement(budget={"materials": 50_000_000, "equipment": 100_000_000})
    add_txn(agreement, "T1", amount=3_000_000, merchant="A")
    big = add_txn(agreement, "T2", amount=3_000_001, merchant="B")
    # when settled
    flags = _settle(agreement, manager)
    # then the one above the innovation cost's ₩3M needs documents
    assert flags == [("T2", "MISSING_DOCUMENTS", 3_000_001)]
    # and the flag's page names the rule's legal source in Korean
    client.force_login(manager)
    page = client.get(f"/finance/flags/{Flag.objects.get(txn_ref='T2').pk}/").content.decode()
    assert 'data-testid="flag-source">국가연구개발혁신법 시행령 개정 2026-06-11' in page
    # when an inspection record is attached and the agreement settled again
    institution = make_user(role="applicant", organization=agreement.proposal.lead_organization)
    evidence_attach(actor=institution, transaction_id=big.pk, name="검수조서.pdf", content=b"%PDF-1.4 inspection")
    # then nothing is flagged
    assert _settle(agreement, manager) == []


def test_equipment_outside_the_approved_plan_is_reviewed(make_agreement, add_txn, manager):
    # given an agreement whose approved equipment plan lists one analyser (the stop date's end of the period is
    # tested with the stop itself, in tests/execution)
    from doyak.agreements.models import ApprovedBudget
    from doyak.finance.models import Transaction

    agreement = make_agreement(budget={"materials": 50_000_000, "equipment": 100_000_000})
    ApprovedBudget.objects.filter(agreement=agreement, category="equipment").update(
        items=[{"description": "질량분석기", "amount_krw": 35_000_000}])
    # (each with its quotation and inspection record)
    add_txn(agreement, "T1", amount=30_000_000, category="equipment", merchant="A", evidence="tax_invoice",
            when=at("2026-03-09"), documents=2)
    add_txn(agreement, "T2", amount=30_000_000, category="equipment", merchant="B", evidence="tax_invoice",
            when=at("2026-03-09"), documents=2)
    add_txn(agreement, "T3", amount=29_999_999, category="equipment", merchant="C", evidence="tax_invoice",
            when=at("2026-03-09"), documents=2)
    Transaction.objects.filter(txn_id="T1").update(description="질량분석기")
    Transaction.objects.filter(txn_id="T2").update(description="현미경")
    # when settled
    flags = _settle(agreement, manager)
    # then the microscope of ₩30M, not in the plan, is for review; the planned analyser and ₩29,999,999 are not
    assert flags == [("T2", "UNPLANNED_EQUIPMENT", 30_000_000)]


def test_small_project_route_opted_in_makes_the_agreement_self_settled_and_the_monthly_sample_names_why(
        make_agreement, add_txn, manager, client):
    # given the small-project route switched on (for every program, as seeded), and a ₩15M-a-year agreement of a non-recognised
    # institution with a bar bill in March
    from doyak.finance.models import AuditSampleMonth, SettlementResult
    from doyak.finance.policies import self_settlement_rules_current

    policy_change(actor=SYSTEM, key="settlement.self_settlement.small_project.enabled", value=True,
                  effective_from=dt.date(2021, 1, 1), source="시험")
    assert self_settlement_rules_current().small_project.small_project_max_krw == 50_000_000
    agreement = make_agreement(self_settlement=False)
    add_txn(agreement, "T1", amount=90_000, category="activities", mtype="bar")
    add_txn(agreement, "T2", amount=50_000, when=at("2026-04-07"), merchant="B")
    # when settled
    run = settlement_run_start(actor=manager, agreement_ids=[agreement.pk])
    settlement_run_execute(run_id=run.pk)
    # then it settles on its report (small project), and March's sample took it for its flag; April's
    # population of one is drawn at random (⌈15 % × 1⌉ = 1)
    assert SettlementResult.objects.get(run=run).self_settlement is True
    assert sorted(AuditSampleMonth.objects.filter(run=run).values_list("month", "flagged", "reason")) == [
        ("2026-03", True, "flagged"), ("2026-04", False, "random")]
    # and the run's page shows the month's sample with the reason in words
    client.force_login(manager)
    page = client.get(f"/finance/runs/{run.pk}/", {"month": "2026-03"}).content.decode()
    assert "이달 정산 항목에 플래그가 있음" in page
    assert client.get(f"/finance/runs/{run.pk}/", {"month": "x" * 500}).status_code == 400
