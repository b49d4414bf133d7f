"""``finance_seed``: the approved portfolio's agreement drafts concluded, with ledgers that trigger every rule;
a second call adds nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Count
from django.utils import timezone

from doyak.agreements.models import Agreement, ApprovedBudget
from doyak.finance.models import Flag, SettlementResult, SettlementRun, Transaction
from doyak.finance.policies import settlement_policy_current
from doyak.finance.presentation import flag_source
from doyak.finance.seeding import _DOCUMENTS, finance_seed, ledger_rows


def _selected_proposals(chain, make_call, leads):
    """Proposals of one call led by ``leads``, evaluated and selected by an approved scenario (agreement drafts)."""
    from doyak.proposals.models import BudgetLine

    now = timezone.now()
    call = make_call(status="closed", opens_at=now - dt.timedelta(days=60), closes_at=now - dt.timedelta(days=30))
    proposals = []
    for n, lead in enumerate(leads):
        proposal = chain.submitted(call, lead=lead, gov=400_000_000, title_ko=f"시드과제{n}",
                                   start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
        for category, gov in (("personnel", 200_000_000), ("materials", 100_000_000), ("activities", 30_000_000),
                              ("equipment", 50_000_000), ("allowance", 20_000_000)):
            BudgetLine.objects.create(proposal=proposal, year=2026, organization=lead, category=category,
                                      gov_krw=gov, cash_krw=gov // 4)
        proposals.append(proposal)
    return chain.selected(call, proposals)


def _state() -> tuple[int, int, int, int, int]:
    return (Agreement.objects.count(), ApprovedBudget.objects.count(), Transaction.objects.count(),
            SettlementRun.objects.count(), Flag.objects.count())


def test_finance_seed_concludes_the_drafts_fills_ledgers_and_settles(chain, make_call, make_organization, make_user):
    # given three selected proposals (agreement drafts), one led by the demo applicant's institution
    applicant_org = make_organization()
    make_user(role="applicant", username="applicant", organization=applicant_org)
    proposals = _selected_proposals(chain, make_call, [make_organization(), applicant_org, make_organization()])
    assert set(Agreement.objects.values_list("status", flat=True)) == {"draft"}
    # when the finance domain is seeded
    added = finance_seed(scale="demo", seed=7)
    # then every draft is concluded and has a ledger, the applicant's institution's first
    assert set(Agreement.objects.values_list("status", flat=True)) == {"active"}
    agreements = sorted(Agreement.objects.all(), key=lambda a: (a.proposal_id != proposals[1].pk, a.pk))
    assert agreements[0].proposal.lead_organization_id == applicant_org.pk
    per_agreement = [a.transactions.count() for a in agreements]
    assert all(150 + 11 <= n <= 299 + 11 for n in per_agreement)  # ordinary rows plus one of each rule's
    assert added == {"agreements": 3, "transactions": sum(per_agreement)}
    assert ApprovedBudget.objects.filter(agreement=agreements[0]).count() == 5
    # and one settlement run over all three finished, finding every rule the rows were made to trigger
    run = SettlementRun.objects.get()
    assert (run.status, run.purpose, sorted(run.agreement_ids)) == ("done", "settlement",
                                                                     sorted(a.pk for a in agreements))
    assert SettlementResult.objects.filter(run=run).count() == 3
    assert set(Flag.objects.filter(run=run).values_list("code", flat=True)) >= {
        "OUT_OF_PERIOD", "INELIGIBLE_MERCHANT", "MISSING_EVIDENCE", "DUPLICATE", "HOLIDAY_USE", "OVER_BUDGET",
        "ALLOWANCE_CAP", "MISSING_DOCUMENTS"}
    # and the transactions above the documents exemption carry their documents, but for a few (4% or so): exactly
    # those are flagged MISSING_DOCUMENTS, each with the rule's legal source
    policy = settlement_policy_current()
    above = [t for t in Transaction.objects.annotate(files=Count("evidence_files"))
             if t.amount_krw > policy.documents_exemption_for(t.category)]
    without = {(t.agreement_id, t.txn_id) for t in above if t.files == 0}
    flagged = set(Flag.objects.filter(run=run, code="MISSING_DOCUMENTS").values_list("agreement_id", "txn_ref"))
    assert flagged == without
    assert 0 < len(without) < len(above) // 5
    assert all(t.files == len(_DOCUMENTS.get(t.category, ("증빙서류",))) for t in above if t.files)
    assert flag_source("MISSING_DOCUMENTS").startswith("국가연구개발혁신법")
    assert {a.current_run_id for a in Agreement.objects.all()} == {run.pk}


def test_ledger_rows_are_deterministic_per_seed(chain, make_call, make_organization):
    _selected_proposals(chain, make_call, [make_organization()])
    agreement = Agreement.objects.get()

    def rows(seed):
        return [(t.txn_id, t.category, t.amount_krw, t.occurred_at)
                for t in ledger_rows(agreement=agreement, count=40, rng=random.Random(seed))]

    assert rows(7) == rows(7)
    assert rows(7) != rows(8)


def test_finance_seed_second_call_adds_nothing(chain, make_call, make_organization, make_user):
    # given a seeded finance domain
    _selected_proposals(chain, make_call, [make_organization(), make_organization()])
    finance_seed(scale="demo", seed=7)
    before = _state()
    # when it is seeded again, even with another seed and scale
    added = finance_seed(scale="national", seed=8)
    # then nothing is added
    assert added == {"agreements": 0, "transactions": 0}
    assert _state() == before


def test_finance_seed_without_drafts_adds_nothing(chain):
    assert finance_seed(scale="demo", seed=7) == {"agreements": 0, "transactions": 0}
    assert _state() == (0, 0, 0, 0, 0)
