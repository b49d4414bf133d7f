"""Factories for programs, calls and proposals (each test makes its own rows)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

_n = itertools.count(1)


@pytest.fixture
def make_program(db):
    from doyak.programs.models import Program

    def make(**fields):
        n = next(_n)
        defaults = {"code": f"T{n:03d}", "year": timezone.localdate().year, "name_ko": f"시험사업{n}",
                    "budget_krw": 10_000_000_000}
        return Program.objects.create(**{**defaults, **fields})

    return make


@pytest.fixture
def make_call(db, make_program):
    from doyak.calls.models import Call, Criterion
    from doyak.calls.selectors import call_ripple_required

    def make(*, track: str = "general", status: str = "open", program=None, criteria=True, **fields):
        n = next(_n)
        now = timezone.now()
        call = Call.objects.create(
            program=program or make_program(), reference=f"CALL-{n:04d}", track=track, title_ko=fields.pop("title_ko", f"시험공고{n}"),
            status=status, opens_at=fields.pop("opens_at", now - dt.timedelta(days=1)),
            closes_at=fields.pop("closes_at", now + dt.timedelta(days=30)), **fields)
        if criteria:
            kinds = [("creativity_plan", 40), ("capability", 30), ("impact", 30)]
            if call_ripple_required(call=call):
                kinds = [("creativity_plan", 40), ("capability", 30), ("ripple_investment", 10),
                         ("ripple_employment", 10), ("ripple_production", 10)]
            Criterion.objects.bulk_create([Criterion(call=call, order=i, kind=k, name_ko=k, weight=w)
                                           for i, (k, w) in enumerate(kinds)])
        return call

    return make


@pytest.fixture
def make_proposal(db, make_call, make_organization):
    from doyak.proposals.models import ConsortiumMember, Proposal

    def make(*, call=None, lead=None, status: str = "draft", created_by=None, **fields):
        n = next(_n)
        lead = lead or make_organization()
        today = timezone.localdate()
        proposal = Proposal.objects.create(
            call=call or make_call(), reference=f"P-T{n:06d}", lead_organization=lead, status=status,
            title_ko=fields.pop("title_ko", f"시험과제{n}"), created_by=created_by,
            start_date=fields.pop("start_date", dt.date(today.year + 1, 1, 1)),
            end_date=fields.pop("end_date", dt.date(today.year + 1, 12, 31)), **fields)
        ConsortiumMember.objects.create(proposal=proposal, organization=lead, role="lead")
        return proposal

    return make


@pytest.fixture
def budget():
    """Shorthand for engine budget lines: budget(org, personnel=(gov, cash, in_kind), …, year=…)."""
    from doyak.engine.proposal_rules import BudgetLine

    def make(org, *, year: int | None = None, **categories):
        year = year or timezone.localdate().year + 1
        return [BudgetLine(year=year, institution_id=str(org.pk), category=cat, gov=v[0], cash=v[1], in_kind=v[2])
                for cat, v in categories.items()]

    return make
