"""The portfolio policy schema, checked in the engine (used by ``doyak select`` and the scenarios)."""

from __future__ import annotations

import pytest

from doyak.engine.errors import EngineError
from doyak.engine.portfolio import Group, GroupConstraint, Policy, PortfolioInvalid
from doyak.engine.portfolio_policy import PortfolioPolicyInvalid, policy_parse, suggestion


def test_policy_parse_builds_the_engine_policy():
    # given a policy as the scenarios store it (POLICY.toml's schema as a dict)
    data = {
        "budget": 10_000_000_000,
        "min_score": 70,
        "constraint": [
            {"name": "non-capital", "group": {"region_group": "non_capital"}, "budget_share_min": 0.4},
            {"name": "capital cap", "group": {"region": ["11", "41"], "cost_max": 5_000_000_000}, "count_max": 2},
        ],
    }
    # when parsed
    policy = policy_parse(data)
    # then every value reaches the engine's types, sets for list filters, the default objective
    assert policy == Policy(
        budget=10_000_000_000,
        min_score=70.0,
        objective="score_weighted_budget",
        constraints=(
            GroupConstraint(name="non-capital", group=Group(region_group=frozenset({"non_capital"})),
                            budget_share_min=0.4),
            GroupConstraint(name="capital cap", group=Group(region=frozenset({"11", "41"}), cost_max=5_000_000_000),
                            count_max=2),
        ),
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "scenario: budget: missing"),
        ({"budget": 1, "budjet": 2}, "scenario: budjet: unknown key (did you mean 'budget'?)"),
        ({"budget": -1}, "scenario: budget: must not be negative, got -1"),
        ({"budget": 1, "constraint": [{"name": "x", "group": {"region": "99"}, "count_min": 1}]},
         "scenario: constraint[1].group.region: unknown province code '99'"),
        ({"budget": 1, "constraint": [{"name": "x", "count_min": 2, "count_max": 1}]},
         "scenario: constraint[1]: count_min (2) is greater than count_max (1)"),
    ],
)
def test_policy_parse_invalid_names_the_key(data, message):
    # when a malformed policy is parsed
    with pytest.raises(PortfolioPolicyInvalid) as info:
        policy_parse(data, where="scenario")
    # then the error names the key after the given prefix, with a stable code under the engine's error base
    assert str(info.value) == message
    assert info.value.code == "policy_invalid"
    assert isinstance(info.value, PortfolioInvalid) and isinstance(info.value, EngineError)


def test_suggestion_only_for_a_close_word():
    assert suggestion("objectiv", ("budget", "objective")) == " (did you mean 'objective'?)"
    assert suggestion("zzz", ("budget", "objective")) == ""
