"""No N+1 query on the main pages: each page is asked with a small world and again after a ten times larger one
was added, and must not need more queries the second time (its lists and details point at the larger world).

A world is what the product makes: a call whose ``n`` submitted proposals (one organisation each) are evaluated on
one panel, selected by an approved portfolio scenario (tests/chain.py), their agreements concluded, two
transactions each entered and settled in one run.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.proposals import conftest as _proposal_factories

make_program = _proposal_factories.make_program
make_call = _proposal_factories.make_call
make_proposal = _proposal_factories.make_proposal

SMALL, LARGE = 3, 30
_n = itertools.count(1)


def _world(chain, make_call, make_organization, n: int) -> dict:
    from doyak.agreements.models import Agreement
    from doyak.agreements.services import agreements_conclude_for_call
    from doyak.finance.models import Transaction
    from doyak.finance.services import settlement_run_execute, settlement_run_start
    from doyak.portfolio.models import Scenario
    from doyak.proposals.models import BudgetLine

    k = next(_n)
    now = timezone.now()
    call = make_call(title_ko=f"부하공고{k}", status="closed", opens_at=now - dt.timedelta(days=60),
                     closes_at=now - dt.timedelta(days=30))
    proposals = []
    for i in range(n):
        lead = make_organization(region_code="26")
        proposal = chain.submitted(call, lead=lead, gov=15_000_000, title_ko=f"부하과제{k}-{i}",
                                   start_date=dt.date(2026, 1, 1), end_date=dt.date(2026, 12, 31))
        for category, won in (("materials", 10_000_000), ("activities", 10_000_000)):
            BudgetLine.objects.create(proposal=proposal, year=2026, organization=lead, category=category,
                                      gov_krw=won * 3 // 4, cash_krw=won - won * 3 // 4)
        proposals.append(proposal)
    chain.selected(call, proposals)
    agreements_conclude_for_call(actor=chain.pm, call_id=call.pk)
    agreements = list(Agreement.objects.filter(proposal__call=call).order_by("pk"))
    for agreement in agreements:
        for txn_id, amount, mtype, evidence in (("A1", 400_000, "office", "card_slip"), ("A2", 90_000, "bar", "none")):
            Transaction.objects.create(agreement=agreement, txn_id=txn_id, category="activities", amount_krw=amount,
                                       occurred_at=dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC), merchant_id="M1",
                                       merchant_type=mtype, evidence=evidence, source="manual")
    run = settlement_run_start(actor=chain.pm, agreement_ids=[a.pk for a in agreements])
    settlement_run_execute(run_id=run.pk)
    panel = call.panels.get()
    return {"call": call, "proposal": proposals[0], "panel": panel, "agreement": agreements[0], "run": run,
            "scenario": Scenario.objects.filter(call=call).order_by("pk").last(),
            "organization": proposals[0].lead_organization,
            "evaluator": chain.profiles()[0].user, "applicant_org": proposals[0].lead_organization}


def _pages(world: dict, users: dict) -> list[tuple[str, object, str]]:
    """(label, user, url): every role's home and each app's main lists and details."""
    pm, w = users["pm"], world
    return [
        ("pm home", pm, "/"),
        ("proposals list", pm, "/proposals/"),
        ("proposal detail", pm, f"/proposals/{w['proposal'].pk}/"),
        ("calls list", pm, "/calls/"),
        ("call detail", pm, f"/calls/{w['call'].pk}/"),
        ("evaluation calls", pm, "/evaluation/calls/"),
        ("evaluation call", pm, f"/evaluation/calls/{w['call'].pk}/"),
        ("evaluation panel", pm, f"/evaluation/panels/{w['panel'].pk}/"),
        ("evaluation results", pm, f"/evaluation/panels/{w['panel'].pk}/results/"),
        ("evaluation pool", pm, "/evaluation/pool/"),
        ("appeals", pm, "/evaluation/appeals/"),
        ("portfolio list", pm, "/portfolio/"),
        ("portfolio detail", pm, f"/portfolio/{w['scenario'].pk}/"),
        ("portfolio compare", pm, f"/portfolio/compare/?ids={w['scenario'].pk}&ids={users['first_scenario'].pk}"),
        ("finance dashboard", pm, "/finance/dashboard/"),
        ("agreements", pm, "/finance/agreements/"),
        ("ledger", pm, f"/finance/agreements/{w['agreement'].pk}/"),
        ("settlement run", pm, f"/finance/runs/{w['run'].pk}/"),
        ("organizations", pm, "/organizations/"),
        ("organization detail", pm, f"/organizations/{w['organization'].pk}/"),
        ("researchers", pm, "/organizations/researchers/"),
        ("policies", pm, "/policies/"),
        ("audit", users["auditor"], "/audit/"),
        ("auditor home", users["auditor"], "/"),
        ("admin home", users["admin"], "/"),
        ("evaluator home", users["evaluator"], "/"),
        ("evaluator assignments", users["evaluator"], "/evaluation/assignments/"),
        ("applicant home", users["applicant"], "/"),
        ("applicant proposals", users["applicant"], "/proposals/"),
        ("applicant decisions", users["applicant"], "/evaluation/decisions/"),
        ("applicant ledger", users["applicant"], f"/finance/agreements/{w['agreement'].pk}/"),
    ]


def _count(client, user, url: str) -> int:
    client.force_login(user)
    assert client.get(url).status_code == 200, url  # warm-up: caches, session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.django_db
def test_main_pages_need_no_more_queries_with_ten_times_the_rows(client, chain, make_call, make_organization,
                                                                 make_user):
    # given a world of 3 proposals carried through to settlement, with each role signed in
    small = _world(chain, make_call, make_organization, SMALL)
    users = {"pm": chain.pm, "admin": chain.admin, "auditor": make_user(role="auditor"),
             "first_scenario": small["scenario"]}
    users["evaluator"] = small["evaluator"]
    users["applicant"] = make_user(role="applicant", organization=small["applicant_org"])
    before = {label: _count(client, user, url) for label, user, url in _pages(small, users)}
    # when a world of 30 is added and the pages point at it (the applicant now belongs to one of its organisations)
    large = _world(chain, make_call, make_organization, LARGE)
    users["applicant"] = make_user(role="applicant", organization=large["applicant_org"])
    after = {label: _count(client, user, url) for label, user, url in _pages(large, users)}
    # then no page needs more queries than with the small one
    grown = {label: (before[label], after[label]) for label in before if after[label] > before[label]}
    assert grown == {}
