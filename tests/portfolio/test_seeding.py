"""The demo seed: two solved scenarios when scored proposals and a program manager exist; idempotent."""

from __future__ import annotations

from doyak.portfolio.models import Scenario
from doyak.portfolio.seeding import DEMO_NAMES, portfolio_seed


def test_seed_makes_two_solved_scenarios_once(make_call, make_scored, pm):
    call = make_call(budget_krw=5_000_000_000)
    for region, gov, score in [("11", 2_000_000_000, 90), ("26", 1_500_000_000, 85), ("53", 1_000_000_000, 80),
                               ("41", 1_000_000_000, 78)]:
        make_scored(call, gov=gov, score=score, region=region)
    assert portfolio_seed(scale="demo", seed=1) == {"scenarios": 2}
    assert portfolio_seed(scale="demo", seed=1) == {"scenarios": 0}
    rows = list(Scenario.objects.order_by("pk").values_list("name", "status"))
    assert rows == [(DEMO_NAMES[0], "solved"), (DEMO_NAMES[1], "solved")]
    shares = [s.policy["constraint"][0]["budget_share_min"] for s in Scenario.objects.order_by("pk")]
    assert shares == [0.4, 0.6]


def test_seed_without_scores_makes_nothing(make_call, make_proposal, pm):
    make_proposal(call=make_call(), status="submitted", gov_total_krw=1_000_000_000)
    assert portfolio_seed(scale="demo", seed=1) == {"scenarios": 0}
    assert not Scenario.objects.exists()
