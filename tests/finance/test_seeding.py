"""``finance_seed``: demo agreements with ledgers that trigger every rule; a second call adds nothing."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from doyak.finance.models import Agreement, ApprovedBudget, Flag, SettlementResult, SettlementRun, Transaction
from doyak.finance.seeding import finance_seed


def _selected_proposals(make_organization, count: int):
    from doyak.calls.models import Call
    from doyak.programs.models import Program
    from doyak.proposals.models import BudgetLine, ConsortiumMember, Proposal

    program = Program.objects.create(code="FSEED", year=2026, name_ko="시드사업", budget_krw=10**10)
    now = timezone.now()
    call = Call.objects.create(program=program, reference="FSEED-CALL", title_ko="시드공고", status="closed",
                               opens_at=now - dt.timedelta(days=60), closes_at=now - dt.timedelta(days=30))
    proposals = []
    for n in range(count):
        lead = make_organization()
        proposal = Proposal.objects.create(call=call, reference=f"P-SEED-{n}", lead_organization=lead,
                                           status="selected", title_ko=f"시드과제{n}", start_date=dt.date(2026, 1, 1),
                                           end_date=dt.date(2026, 12, 31))
        ConsortiumMember.objects.create(proposal=proposal, organization=lead, role="lead")
        for category, gov in (("personnel", 200_000_000), ("materials", 100_000_000), ("activities", 30_000_000),
                              ("equipment", 50_000_000), ("allowance", 20_000_000)):
            BudgetLine.objects.create(proposal=proposal, year=2026, organization=lead, category=category,
                                      gov_krw=gov, cash_krw=gov // 4)
        proposals.append(proposal)
    return proposals


def _state() -> tuple[int, int, int, int, int]:
    return (Agreement.objects.count(), ApprovedBudget.objects.count(), Transaction.objects.count(),
            SettlementRun.objects.count(), Flag.objects.count())


def test_finance_seed_creates_agreements_ledgers_and_a_settled_run(make_organization, make_user):
    # given two selected proposals without agreements and the demo applicant, whose institution has none
    proposals = _selected_proposals(make_organization, 2)
    applicant = make_user(role="applicant", username="applicant", organization=make_organization())
    # when the finance domain is seeded
    added = finance_seed(scale="demo", seed=7)
    # then each proposal and a demo proposal of the applicant's institution got an agreement and a ledger
    agreements = list(Agreement.objects.order_by("pk"))
    assert [a.proposal.reference for a in agreements] == [
        "P-SEED-0", "P-SEED-1", f"DEMO-FIN-{applicant.organization_id}"]
    assert agreements[2].proposal.lead_organization_id == applicant.organization_id
    per_agreement = [a.transactions.count() for a in agreements]
    assert per_agreement == [243, 201, 310]  # seed 7: 150–299 ordinary rows each, plus the rule rows
    assert added == {"agreements": 3, "transactions": sum(per_agreement)}
    assert ApprovedBudget.objects.filter(agreement=agreements[0]).count() == 5
    assert ApprovedBudget.objects.filter(agreement=agreements[2]).count() == 6
    # and one settlement run over all three finished, finding every rule the rows were made to trigger
    run = SettlementRun.objects.get()
    assert (run.status, run.purpose, sorted(run.agreement_ids)) == ("done", "settlement", [a.pk for a in agreements])
    assert SettlementResult.objects.filter(run=run).count() == 3
    assert set(Flag.objects.filter(run=run).values_list("code", flat=True)) >= {
        "OUT_OF_PERIOD", "INELIGIBLE_MERCHANT", "MISSING_EVIDENCE", "DUPLICATE", "HOLIDAY_USE", "OVER_BUDGET",
        "ALLOWANCE_CAP"}
    assert {a.current_run_id for a in Agreement.objects.all()} == {run.pk}
    assert proposals[0].pk == agreements[0].proposal_id


def test_finance_seed_is_deterministic_per_seed(make_organization):
    _selected_proposals(make_organization, 1)
    added = finance_seed(scale="demo", seed=7)
    first = list(Transaction.objects.order_by("txn_id").values_list("txn_id", "category", "amount_krw"))
    Transaction.objects.all().delete()
    Flag.objects.all().delete()
    SettlementResult.objects.all().delete()
    Agreement.objects.update(current_run=None)
    SettlementRun.objects.all().delete()
    ApprovedBudget.objects.all().delete()
    Agreement.objects.all().delete()
    assert finance_seed(scale="demo", seed=7) == added
    assert list(Transaction.objects.order_by("txn_id").values_list("txn_id", "category", "amount_krw")) == first


def test_finance_seed_second_call_adds_nothing(make_organization, make_user):
    # given a seeded finance domain
    _selected_proposals(make_organization, 2)
    make_user(role="applicant", username="applicant", organization=make_organization())
    finance_seed(scale="demo", seed=7)
    before = _state()
    # when it is seeded again, even with another seed and scale
    added = finance_seed(scale="national", seed=8)
    # then nothing is added
    assert added == {"agreements": 0, "transactions": 0}
    assert _state() == before
