"""Factories for agreements and ledgers (each test makes its own rows)."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from tests.proposals import conftest as _proposal_factories

# the proposals app's factories, shared (the selection chain makes proposals with them)
make_program = _proposal_factories.make_program
make_call = _proposal_factories.make_call
make_proposal = _proposal_factories.make_proposal

SEOUL = ZoneInfo("Asia/Seoul")
_n = itertools.count(1)


def at(day: str, time: str = "10:00") -> dt.datetime:
    """A Seoul time: at("2026-03-03", "14:30")."""
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=SEOUL)


@pytest.fixture
def make_agreement(db, make_organization, make_call, chain):
    """The concluded agreement of a proposal selected through the chain (evaluated, approved in a portfolio
    scenario), 2026, with an approved budget per category: budget={"materials": won}; ``conclude=False``
    leaves the draft the approval made (to be signed)."""
    from doyak.agreements.models import Agreement
    from doyak.agreements.services import agreements_conclude_for_call
    from doyak.programs.models import Program
    from doyak.proposals.models import BudgetLine, ConsortiumMember

    def make(*, lead=None, members=(), budget=None, gov_share=(3, 1), self_settlement=False,
             start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), conclude=True, pi=None):
        n = next(_n)
        lead = lead or make_organization()
        if lead.self_settlement_eligible != self_settlement:
            lead.self_settlement_eligible = self_settlement
            lead.save(update_fields=["self_settlement_eligible"])
        program = Program.objects.create(code=f"F{n:03d}", year=2026, name_ko=f"사업{n}", budget_krw=10**10)
        now = timezone.now()
        call = make_call(program=program, title_ko=f"공고{n}", status="closed", opens_at=now - dt.timedelta(days=60),
                         closes_at=now - dt.timedelta(days=30))
        gov, cash = gov_share
        lines = budget or {"materials": 10_000_000, "activities": 5_000_000}
        proposal = chain.submitted(call, lead=lead, gov=sum(w * gov // (gov + cash) for w in lines.values()),
                                   title_ko=f"정산과제{n}", start_date=start, end_date=end, pi=pi)
        for member in members:
            ConsortiumMember.objects.create(proposal=proposal, organization=member, role="participant")
        for category, won in lines.items():
            BudgetLine.objects.create(proposal=proposal, year=2026, organization=lead, category=category,
                                      gov_krw=won * gov // (gov + cash), cash_krw=won - won * gov // (gov + cash))
        chain.selected(call, [proposal])
        if conclude:
            agreements_conclude_for_call(actor=chain.pm, call_id=call.pk)
        return Agreement.objects.get(proposal=proposal)

    return make


@pytest.fixture
def add_txn(db):
    """add_txn(agreement, "T1", amount=…, category=…, when=at(…), merchant=…, mtype=…, evidence=…, documents=…).

    ``documents``: how many supporting documents (a quotation, an inspection record …) the institution attaches
    through the ledger (``evidence_attach``); above the documents exemption a transaction without any is
    MISSING_DOCUMENTS. Only a transaction with a payment record takes them (attaching one to a transaction
    without evidence makes the file its receipt)."""
    from doyak.accounts.rules import SYSTEM
    from doyak.finance.models import Transaction
    from doyak.finance.services import evidence_attach

    def add(agreement, txn_id, *, amount=100_000, category="materials", when=None, merchant="M1",
            mtype="office", evidence="card_slip", documents=0):
        assert not (documents and evidence == "none"), "documents go with a payment record"
        txn = Transaction.objects.create(agreement=agreement, txn_id=txn_id, category=category, amount_krw=amount,
                                         occurred_at=when or at("2026-03-03"), merchant_id=merchant,
                                         merchant_type=mtype, evidence=evidence, source="manual")
        for n in range(documents):
            evidence_attach(actor=SYSTEM, transaction_id=txn.pk, name=f"{txn_id}-{n + 1}.pdf",
                            content=f"%PDF-1.4 {agreement.pk} {txn_id} {n + 1}".encode())
        return txn

    return add


@pytest.fixture
def manager(make_user):
    return make_user(role="program_manager")
