"""Factories for agreements and ledgers (each test makes its own rows)."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

SEOUL = ZoneInfo("Asia/Seoul")
_n = itertools.count(1)


def at(day: str, time: str = "10:00") -> dt.datetime:
    """A Seoul time: at("2026-03-03", "14:30")."""
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=SEOUL)


@pytest.fixture
def make_agreement(db, make_organization):
    """An agreement of a selected proposal (2026), approved budget per category: budget={"materials": won}."""
    from doyak.calls.models import Call
    from doyak.finance.services import agreement_create_from_proposal
    from doyak.programs.models import Program
    from doyak.proposals.models import BudgetLine, ConsortiumMember, Proposal

    def make(*, lead=None, members=(), budget=None, gov_share=(3, 1), self_settlement=False, program=None,
             call=None, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)):
        n = next(_n)
        lead = lead or make_organization()
        if call is None:
            program = program or Program.objects.create(code=f"F{n:03d}", year=2026, name_ko=f"사업{n}",
                                                        budget_krw=10**10)
            now = timezone.now()
            call = Call.objects.create(program=program, reference=f"FCALL-{n:04d}", title_ko=f"공고{n}",
                                       status="closed", opens_at=now - dt.timedelta(days=60),
                                       closes_at=now - dt.timedelta(days=30))
        proposal = Proposal.objects.create(call=call, reference=f"P-F{n:06d}", lead_organization=lead,
                                           status="selected", title_ko=f"정산과제{n}", start_date=start, end_date=end)
        ConsortiumMember.objects.create(proposal=proposal, organization=lead, role="lead")
        for member in members:
            ConsortiumMember.objects.create(proposal=proposal, organization=member, role="participant")
        gov, cash = gov_share
        for category, won in (budget or {"materials": 10_000_000, "activities": 5_000_000}).items():
            BudgetLine.objects.create(proposal=proposal, year=2026, organization=lead, category=category,
                                      gov_krw=won * gov // (gov + cash), cash_krw=won - won * gov // (gov + cash))
        return agreement_create_from_proposal(actor=None, proposal_id=proposal.pk, self_settlement=self_settlement)

    return make


@pytest.fixture
def add_txn(db):
    """add_txn(agreement, "T1", amount=…, category=…, when=at(…), merchant=…, mtype=…, evidence=…)."""
    from doyak.finance.models import Transaction

    def add(agreement, txn_id, *, amount=100_000, category="materials", when=None, merchant="M1",
            mtype="office", evidence="card_slip"):
        return Transaction.objects.create(agreement=agreement, txn_id=txn_id, category=category, amount_krw=amount,
                                          occurred_at=when or at("2026-03-03"), merchant_id=merchant,
                                          merchant_type=mtype, evidence=evidence, source="manual")

    return add


@pytest.fixture
def manager(make_user):
    return make_user(role="program_manager")
