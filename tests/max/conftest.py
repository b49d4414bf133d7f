"""Factories for M.AX assets and agreements of a given track (each test makes its own rows, through services)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from tests.finance.conftest import add_txn, make_agreement, make_call, make_program, make_proposal  # noqa: F401

PDF = b"%PDF-1.4\nevidence"
_n = itertools.count(1)


@pytest.fixture
def track_agreement(db, make_organization, make_call, chain):  # noqa: F811
    """A concluded agreement of a selected proposal in a call of ``track``, led by ``lead``, with ``gov`` won of
    government funds, starting on ``start``."""
    from django.utils import timezone

    from doyak.agreements.models import Agreement
    from doyak.agreements.services import agreements_conclude_for_call
    from doyak.programs.models import Program

    def make(*, track="general", lead=None, gov=10_000_000, start=dt.date(2026, 3, 1), end=dt.date(2026, 12, 31),
             required_documents=(), program_code=None):
        n = next(_n)
        lead = lead or make_organization(region_code="26")
        program = Program.objects.create(code=program_code or f"K{n:03d}", year=start.year, name_ko=f"KPI사업{n}",
                                         budget_krw=10**13)
        now = timezone.now()
        call = make_call(program=program, track=track, status="closed", opens_at=now - dt.timedelta(days=60),
                         closes_at=now - dt.timedelta(days=30), required_documents=list(required_documents))
        proposal = chain.submitted(call, lead=lead, gov=gov, title_ko=f"KPI과제{n}", start_date=start, end_date=end,
                                   submitted_at=now - dt.timedelta(days=40))
        chain.selected(call, [proposal])
        agreements_conclude_for_call(actor=chain.pm, call_id=call.pk)
        return Agreement.objects.get(proposal=proposal)

    return make


@pytest.fixture
def register_asset(db, make_user):
    """register_asset(agreements, kind=…, name=…, verified=True, achieved=date): through the services, by an
    applicant of the first agreement's lead institution, with one PDF of evidence; verified by a PM if asked."""
    from doyak.max.services import asset_evidence_add, asset_register, asset_verify

    users = {}
    pm = make_user(role="program_manager")

    def register(agreements, *, kind="ai_factory", name=None, verified=True, achieved=dt.date(2026, 3, 1),
                 planned=dt.date(2026, 3, 1), region="26", reject=False, **fields):
        org = agreements[0].proposal.lead_organization
        user = users.get(org.pk) or users.setdefault(org.pk, make_user(role="applicant", organization=org))
        defaults = {"ai_factory": {"industry": "자동차부품", "adoption_level": "advanced"},
                    "humanoid_demo": {"robot": "휴머노이드 H1", "task": "부품 운반", "start_date": planned}}.get(kind, {})
        asset = asset_register(actor=user, kind=kind, organization_id=org.pk, name=name or f"자산{next(_n)}",
                               region_code=region, planned_date=planned,
                               proposal_ids=[a.proposal_id for a in agreements], **{**defaults, **fields})
        asset_evidence_add(actor=user, asset_id=asset.pk, name="evidence.pdf", content=PDF)
        if verified or reject:
            asset = asset_verify(actor=pm, asset_id=asset.pk, accept=not reject, note="증빙 부족" if reject else "",
                                 achieved_date=None if reject else achieved)
        return asset

    register.pm = pm
    return register
