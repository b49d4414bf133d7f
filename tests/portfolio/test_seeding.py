"""The demo seed: two solved scenarios when evaluated proposals and a program manager exist, the first approved
(which selects); idempotent."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from doyak.portfolio.models import Scenario, Selection
from doyak.portfolio.seeding import DEMO_NAMES, portfolio_seed
from doyak.proposals.models import Proposal


def test_seed_makes_two_solved_scenarios_and_approves_the_first_once(make_call, make_scored, pm, admin):
    # given four proposals evaluated a month ago (the appeal window has closed)
    call = make_call(budget_krw=5_000_000_000)
    published = timezone.now() - dt.timedelta(days=30)
    for region, gov, score in [("11", 2_000_000_000, 90), ("26", 1_500_000_000, 85), ("53", 1_000_000_000, 80),
                               ("41", 1_000_000_000, 78)]:
        make_scored(call, gov=gov, score=score, region=region, now=published)
    # when seeded twice
    assert portfolio_seed(scale="demo", seed=1) == {"scenarios": 2, "scenarios_approved": 1}
    assert portfolio_seed(scale="demo", seed=1) == {"scenarios": 0, "scenarios_approved": 0}
    # then the base scenario is approved and decided every candidate; the variant stays solved
    rows = list(Scenario.objects.order_by("pk").values_list("name", "status"))
    assert rows == [(DEMO_NAMES[0], "approved"), (DEMO_NAMES[1], "solved")]
    shares = [s.policy["constraint"][0]["budget_share_min"] for s in Scenario.objects.order_by("pk")]
    assert shares == [0.4, 0.6]
    base = Scenario.objects.get(name=DEMO_NAMES[0])
    selected = set(Proposal.objects.filter(status="selected").values_list("pk", flat=True))
    assert selected == set(base.result["selected_ids"])
    assert selected == set(Selection.objects.filter(scenario=base, selected=True).values_list("proposal_id", flat=True))
    assert Selection.objects.filter(scenario=base).count() == 4


def test_seed_while_the_appeal_window_is_open_solves_but_does_not_approve(make_call, make_scored, pm, admin):
    call = make_call(budget_krw=5_000_000_000)
    make_scored(call, gov=1_000_000_000, score=90, region="26")
    assert portfolio_seed(scale="demo", seed=1) == {"scenarios": 2, "scenarios_approved": 0}
    assert list(Scenario.objects.order_by("pk").values_list("status", flat=True)) == ["submitted", "solved"]
    assert not Proposal.objects.filter(status="selected").exists()


def test_seed_without_scores_makes_nothing(make_call, make_proposal, pm):
    make_proposal(call=make_call(), status="submitted", gov_total_krw=1_000_000_000)
    assert portfolio_seed(scale="demo", seed=1) == {"scenarios": 0, "scenarios_approved": 0}
    assert not Scenario.objects.exists()
