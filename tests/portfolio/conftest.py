"""Factories for the portfolio tests: scored proposals (an evaluation decision each)."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.utils import timezone
from tests.proposals import conftest as _proposal_factories

make_program = _proposal_factories.make_program
make_call = _proposal_factories.make_call
make_proposal = _proposal_factories.make_proposal

_n = itertools.count(1)


@pytest.fixture
def make_scored(db, make_proposal, make_organization):
    """``make_scored(call, gov=…, score=…, region="26", status="under_review")``: a proposal with its decision."""
    from doyak.evaluation.models import Decision, Panel

    panels: dict[int, Panel] = {}

    def make(call, *, gov: int, score: float | str, region: str = "26", status: str = "under_review",
             anchor: bool = False):
        panel = panels.get(call.pk) or Panel.objects.create(call=call, name=f"패널{next(_n)}")
        panels[call.pk] = panel
        lead = make_organization(region_code=region, is_demand_anchor=anchor)
        proposal = make_proposal(call=call, lead=lead, status=status, gov_total_krw=gov)
        Decision.objects.create(proposal=proposal, panel=panel, score=Decimal(str(score)),
                                cutoff_score=call.cutoff_score, passed=Decimal(str(score)) >= call.cutoff_score,
                                rank=1, evaluator_count=5, published_at=timezone.now())
        return proposal

    return make


@pytest.fixture
def pm(make_user):
    return make_user(role="program_manager")


@pytest.fixture
def council(make_user):
    return make_user(role="council_member")
