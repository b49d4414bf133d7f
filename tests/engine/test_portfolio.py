"""Tests of the portfolio-selection engine (and its regions helper); no Django needed."""

from __future__ import annotations

import itertools
import time
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from doyak.engine import portfolio as portfolio_module
from doyak.engine.errors import EngineError
from doyak.engine.portfolio import (
    BOUND_KINDS,
    Group,
    GroupConstraint,
    Policy,
    PortfolioInfeasible,
    PortfolioInvalid,
    Proposal,
    explanation_to_markdown,
    policy_violations,
    portfolio_explain,
    portfolio_select,
)
from doyak.engine.regions import (
    REGION_GROUP_NAMES,
    REGION_GROUPS,
    UnknownRegion,
    is_capital,
    region_codes_in,
    region_group_of,
)

B = 1_000_000_000  # ₩1B


# --------------------------------------------------------------------------------------------
# An independent brute-force oracle (shares with the engine nothing but the regions table)


def _member(p: Proposal, g: Group) -> bool:
    def any_of(values: frozenset[str] | None, value: str) -> bool:
        return values is None or value in values

    current = {"42": "51", "45": "52"}.get(p.region, p.region)
    in_groups = g.region_group is None or any(p.region in region_codes_in(name) for name in g.region_group)
    return (
        any_of(g.track, p.track)
        and in_groups
        and any_of(g.region, current)
        and (g.cost_min is None or p.cost >= g.cost_min)
        and (g.cost_max is None or p.cost <= g.cost_max)
        and (g.anchor_led is None or p.anchor_led == g.anchor_led)
        and any_of(g.org_size, p.org_size)
        and any_of(g.program, p.program)
    )


def _bound_holds(kind: str, bound: float, chosen: list[Proposal], members: list[Proposal]) -> bool:
    count, spent, total = len(members), sum(p.cost for p in members), sum(p.cost for p in chosen)
    share = Fraction(repr(float(bound))) if kind.startswith("budget_share") else None
    return {
        "count_min": lambda: count >= bound,
        "count_max": lambda: count <= bound,
        "budget_min": lambda: spent >= bound,
        "budget_max": lambda: spent <= bound,
        "budget_share_min": lambda: spent >= share * total,
        "budget_share_max": lambda: spent <= share * total,
    }[kind]()


def _feasible(policy: Policy, chosen: list[Proposal], *, only: set | None = None) -> bool:
    """Whether a selection meets the policy; ``only``: just these (name, kind) bounds."""
    if (only is None or ("budget", None) in only) and sum(p.cost for p in chosen) > policy.budget:
        return False
    if (only is None or ("min_score", None) in only) and policy.min_score is not None:
        if any(p.score < policy.min_score for p in chosen):
            return False
    for c in policy.constraints:
        members = [p for p in chosen if _member(p, c.group)]
        for kind, bound in c.bounds():
            if (only is None or (c.name, kind) in only) and not _bound_holds(kind, bound, chosen, members):
                return False
    return True


def _objective(policy: Policy, chosen: list[Proposal]) -> float:
    if policy.objective == "total_score":
        return float(sum(p.score for p in chosen))
    return float(sum(p.score * p.cost for p in chosen))


def _brute_best(proposals: list[Proposal], policy: Policy, *, only: set | None = None) -> float | None:
    best = None
    for bits in itertools.product((False, True), repeat=len(proposals)):
        chosen = [p for p, b in zip(proposals, bits, strict=True) if b]
        if _feasible(policy, chosen, only=only):
            value = _objective(policy, chosen)
            best = value if best is None else max(best, value)
    return best


# --------------------------------------------------------------------------------------------
# Random small instances


_REGIONS = ["11", "41", "26", "29", "51", "42"]
_GROUP_VALUES = {
    "track": st.sampled_from(["a", "b"]),
    "region_group": st.sampled_from(["capital", "non_capital", "dongnam", "gangwon"]),
    "region": st.sampled_from(["11", "26", "51"]),
    "cost_min": st.integers(1, 5).map(lambda k: k * B),
    "cost_max": st.integers(1, 5).map(lambda k: k * B),
    "anchor_led": st.booleans(),
    "org_size": st.sampled_from(["sme", "large"]),
    "program": st.sampled_from(["P1", "P2"]),
}


@st.composite
def _instances(draw: st.DrawFn) -> tuple[list[Proposal], Policy]:
    n = draw(st.integers(1, 12))
    proposals = [
        Proposal(
            proposal_id=f"P{k}",
            track=draw(st.sampled_from(["a", "b"])),
            region=draw(st.sampled_from(_REGIONS)),
            cost=draw(st.integers(1, 50)) * B // 10,
            score=float(draw(st.integers(50, 100))),
            anchor_led=draw(st.booleans()),
            org_size=draw(st.sampled_from(["sme", "large"])),
            program=draw(st.sampled_from(["P1", "P2"])),
        )
        for k in range(n)
    ]
    total = sum(p.cost for p in proposals)
    constraints = []
    for k in range(draw(st.integers(0, 3))):
        keys = draw(st.lists(st.sampled_from(sorted(_GROUP_VALUES)), max_size=2, unique=True))
        group_values = {key: draw(_GROUP_VALUES[key]) for key in keys}
        if "cost_min" in group_values and "cost_max" in group_values:
            low, high = sorted((group_values["cost_min"], group_values["cost_max"]))
            group_values.update(cost_min=low, cost_max=high)
        kinds = draw(st.lists(st.sampled_from(BOUND_KINDS), min_size=1, max_size=2, unique=True))
        bounds: dict[str, int | float] = {}
        for kind in kinds:
            if kind.startswith("count"):
                bounds[kind] = draw(st.integers(0, min(n, 4)))
            elif kind.startswith("budget_share"):
                bounds[kind] = draw(st.sampled_from([0.0, 0.2, 0.25, 0.5, 0.6, 0.75, 1.0]))
            else:
                bounds[kind] = draw(st.integers(0, 10)) * total // 10
        for low, high in (
            ("count_min", "count_max"),
            ("budget_min", "budget_max"),
            ("budget_share_min", "budget_share_max"),
        ):
            if low in bounds and high in bounds and bounds[low] > bounds[high]:
                bounds[low], bounds[high] = bounds[high], bounds[low]
        constraints.append(GroupConstraint(name=f"c{k}", group=Group(**group_values), **bounds))
    policy = Policy(
        budget=draw(st.integers(0, 10)) * total // 10,
        min_score=draw(st.one_of(st.none(), st.integers(50, 90).map(float))),
        objective=draw(st.sampled_from(["score_weighted_budget", "total_score"])),
        constraints=tuple(constraints),
    )
    return proposals, policy


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_instances())
def test_portfolio_select_matches_brute_force_on_small_instances(instance):
    # given a random instance of at most 12 proposals and 0–3 random constraints
    proposals, policy = instance
    best = _brute_best(proposals, policy)
    # when selected (the gap asked for is far below the smallest objective step)
    try:
        result = portfolio_select(proposals=proposals, policy=policy, mip_rel_gap=1e-9)
    except PortfolioInfeasible as error:
        # then infeasible too, and the conflict named is infeasible and irreducible
        event(f"infeasible, {len(error.conflicting_bounds)} conflicting")
        assert best is None
        conflict = set(error.conflicting_bounds)
        assert _brute_best(proposals, policy, only=conflict) is None
        for bound in conflict:
            assert _brute_best(proposals, policy, only=conflict - {bound}) is not None
        assert error.conflicting == tuple(dict.fromkeys(name for name, _ in error.conflicting_bounds))
        return
    # then the brute-force optimum, with every constraint holding in the returned selection
    event(f"feasible, {len(policy.constraints)} constraints")
    chosen = [p for p, s in zip(proposals, result.selected, strict=True) if s]
    assert best is not None
    assert result.objective == best
    assert _objective(policy, chosen) == best
    assert _feasible(policy, chosen)
    assert result.budget_used == sum(p.cost for p in chosen)
    assert result.funded_count == len(chosen)
    assert result.status == "optimal"
    assert policy_violations(proposals=proposals, policy=policy, selected=result.selected) == ()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_instances())
def test_portfolio_explain_prices_equal_brute_force_differences(instance):
    # given a feasible random instance
    proposals, policy = instance
    best = _brute_best(proposals, policy)
    if best is None:
        return
    # when explained
    explanation = portfolio_explain(proposals=proposals, policy=policy, mip_rel_gap=1e-9)
    # then each price is the brute-force optimum without that constraint minus the optimum with it
    for report in explanation.constraints:
        if report.name == "budget":
            relaxed = Policy(
                budget=sum(p.cost for p in proposals),
                min_score=policy.min_score,
                objective=policy.objective,
                constraints=policy.constraints,
            )
        elif report.name == "min_score":
            relaxed = Policy(
                budget=policy.budget,
                min_score=None,
                objective=policy.objective,
                constraints=policy.constraints,
            )
        else:
            rest = tuple(c for c in policy.constraints if c.name != report.name)
            relaxed = Policy(
                budget=policy.budget, min_score=policy.min_score, objective=policy.objective, constraints=rest
            )
        without = _brute_best(proposals, relaxed)
        assert without is not None
        assert report.price == pytest.approx(without - best, abs=1e-6 * max(1.0, best))


# --------------------------------------------------------------------------------------------
# Handcrafted: infeasible policy


def _proposal(pid: str, region: str, cost: int, score: float, **extra) -> Proposal:
    return Proposal(
        proposal_id=pid, track=extra.pop("track", "general"), region=region, cost=cost, score=score, **extra
    )


def test_portfolio_select_infeasible_names_exactly_the_conflicting_constraints():
    # given 4 capital and 5 non-capital proposals of ₩20B each, a ₩100B budget, a 60% non-capital
    # share and 3 capital projects (which needs ₩150B), plus a large-project count that is harmless
    proposals = [_proposal(f"C{k}", "11", 20 * B, 80) for k in range(4)]
    proposals += [_proposal(f"N{k}", "26", 20 * B, 75) for k in range(5)]
    policy = Policy(
        budget=100 * B,
        min_score=70,
        constraints=(
            GroupConstraint(
                name="non-capital share", group=Group(region_group="non_capital"), budget_share_min=0.6
            ),
            GroupConstraint(name="large projects", group=Group(cost_min=10 * B), count_min=1),
            GroupConstraint(name="capital count", group=Group(region_group="capital"), count_min=3),
        ),
    )
    # when selected
    with pytest.raises(PortfolioInfeasible) as raised:
        portfolio_select(proposals=proposals, policy=policy)
    # then the message and the names give the share, the capital count and the budget only
    assert str(raised.value) == (
        "'non-capital share' (budget share ≥ 60%) and 'capital count' (≥ 3 projects) cannot both hold "
        "within the budget of ₩100,000,000,000"
    )
    assert raised.value.conflicting == ("budget", "non-capital share", "capital count")
    assert raised.value.code == "portfolio_infeasible"
    assert isinstance(raised.value, EngineError)


def test_portfolio_select_infeasible_names_the_cut_off_when_it_conflicts():
    # given two proposals scoring 65 and 90, a cut-off of 70 and a demand for 2 projects
    proposals = [_proposal("A", "11", B, 65), _proposal("B", "26", B, 90)]
    policy = Policy(
        budget=10 * B, min_score=70, constraints=(GroupConstraint(name="two projects", count_min=2),)
    )
    # when selected
    with pytest.raises(PortfolioInfeasible) as raised:
        portfolio_select(proposals=proposals, policy=policy)
    # then the cut-off and the count conflict; the budget does not
    assert str(raised.value) == "'two projects' (≥ 2 projects) cannot hold with the cut-off score of 70"
    assert raised.value.conflicting == ("min_score", "two projects")


# --------------------------------------------------------------------------------------------
# Handcrafted: prices, binding constraints and reasons


def _priced_instance() -> tuple[list[Proposal], Policy]:
    proposals = [
        _proposal("A", "11", 5 * B, 90),
        _proposal("B", "41", 5 * B, 85),
        _proposal("C", "26", 5 * B, 80),
        _proposal("D", "26", 5 * B, 60),
    ]
    policy = Policy(
        budget=10 * B,
        min_score=70,
        constraints=(
            GroupConstraint(name="non-capital count", group=Group(region_group="non_capital"), count_min=1),
            GroupConstraint(name="capital cap", group=Group(region_group="capital"), count_max=2),
        ),
    )
    return proposals, policy


def test_portfolio_explain_prices_and_binding_on_handcrafted_case():
    # given ₩10B for two of four ₩5B proposals, one of them non-capital; D is below the cut-off
    proposals, policy = _priced_instance()
    # when explained
    explanation = portfolio_explain(proposals=proposals, policy=policy)
    # then A and C are funded (A+B would score 90·5B + 85·5B = 8.75e11; A+C scores 8.5e11)
    assert explanation.result.selected == (True, False, True, False)
    assert explanation.result.objective == 850_000_000_000.0
    assert explanation.result.budget_used == 10 * B
    by_name = {c.name: c for c in explanation.constraints}
    assert list(by_name) == ["budget", "min_score", "non-capital count", "capital cap"]
    # the non-capital count binds and costs 2.5e10; the budget binds and costs A+B+C − A+C
    assert by_name["non-capital count"].price == 25_000_000_000.0
    assert by_name["non-capital count"].binding is True
    assert by_name["non-capital count"].bounds[0].slack == "0 projects"
    assert by_name["budget"].price == 425_000_000_000.0
    assert by_name["budget"].binding is True
    # the cut-off and the capital cap cost nothing; the cap has a project to spare
    assert by_name["min_score"].price == 0.0
    assert by_name["capital cap"].price == 0.0
    assert by_name["capital cap"].binding is False
    assert by_name["capital cap"].bounds[0].achieved == "1 project"
    reasons = {r.proposal_id: r.reason for r in explanation.near_line}
    assert reasons == {
        "A": "funded on score",
        "C": "funded over a higher score because of 'non-capital count'",
        "B": "left out because of 'non-capital count' and the budget",
        "D": "below cut-off score (70)",
    }


def test_explanation_to_markdown_renders_the_constraint_rows():
    # given the handcrafted explanation
    proposals, policy = _priced_instance()
    explanation = portfolio_explain(proposals=proposals, policy=policy)
    # when rendered
    markdown = explanation_to_markdown(explanation)
    # then it has the Korean/English headings and one exact row per constraint
    lines = markdown.splitlines()
    assert lines[0] == "# 포트폴리오 선정 설명 (Portfolio selection explanation)"
    assert (
        "| non-capital count | region_group non_capital | ≥ 1 project | 1 project | 0 projects | yes | 25,000,000,000 | 2.9412% |"
        in lines
    )
    assert (
        "| capital cap | region_group capital | ≤ 2 projects | 1 project | 1 project | no | 0 | 0% |" in lines
    )
    assert (
        "| C | 80 | ₩5,000,000,000 | 26 | funded over a higher score because of 'non-capital count' |"
        in lines
    )


# --------------------------------------------------------------------------------------------
# Exact money, checking selections, validation


def test_portfolio_select_spends_a_budget_exactly_at_won_precision():
    # given costs of ₩99,999,999,999 and ₩1 and a budget of exactly their sum, plus a ₩2 decoy
    proposals = [
        _proposal("big", "11", 99_999_999_999, 80),
        _proposal("one", "26", 1, 80),
        _proposal("two", "26", 2, 79),
    ]
    policy = Policy(budget=100_000_000_000, objective="total_score")
    # when selected
    result = portfolio_select(proposals=proposals, policy=policy)
    # then the two that fit exactly are funded and the budget is used to the won
    assert result.selected == (True, True, False)
    assert result.budget_used == 100_000_000_000
    assert result.objective == 160.0


def test_policy_violations_lists_each_broken_constraint_with_the_achieved_value():
    # given the handcrafted instance and a selection of A and B (the by-score ranking)
    proposals, policy = _priced_instance()
    # when checked
    broken = policy_violations(proposals=proposals, policy=policy, selected=[True, True, False, False])
    # then only the non-capital count is broken
    assert broken == ("'non-capital count' (≥ 1 project): 0 projects",)


def test_policy_violations_counts_budget_and_cut_off():
    # given the handcrafted instance and a selection of all four (₩20B, D below the cut-off)
    proposals, policy = _priced_instance()
    # when checked
    broken = policy_violations(proposals=proposals, policy=policy, selected=[True, True, True, True])
    # then the cut-off and the budget are broken; the capital cap (2 of ≤ 2) holds
    assert broken == (
        "'min_score' (score ≥ 70): 1 funded below it",
        "'budget' (≤ ₩10,000,000,000): ₩20,000,000,000",
    )


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: GroupConstraint(name="x"),
            "constraint 'x': no bound (give one of " + ", ".join(BOUND_KINDS) + ")",
        ),
        (
            lambda: GroupConstraint(name="x", count_min=3, count_max=2),
            "constraint 'x': count_min is greater than count_max",
        ),
        (
            lambda: GroupConstraint(name="x", budget_share_min=1.5),
            "constraint 'x': budget_share_min must be a number from 0 to 1",
        ),
        (lambda: Group(region_group="north"), "group.region_group: unknown region group 'north'"),
        (lambda: Group(region="99"), "group.region: unknown province code '99'"),
        (lambda: Policy(budget=-1), "budget: must be a whole number of won ≥ 0"),
        (
            lambda: Policy(budget=1, objective="most"),
            "objective: must be one of score_weighted_budget, total_score",
        ),
        (
            lambda: Policy(budget=1, constraints=(GroupConstraint(name="budget", count_min=1),)),
            "constraint 'budget': the name is reserved",
        ),
    ],
)
def test_portfolio_inputs_invalid_raise_with_stable_code(build, message):
    with pytest.raises(PortfolioInvalid) as raised:
        build()
    assert str(raised.value) == message
    assert raised.value.code == "portfolio_invalid"


def test_portfolio_select_duplicate_proposal_id_is_invalid():
    proposals = [_proposal("A", "11", B, 80), _proposal("A", "26", B, 70)]
    with pytest.raises(PortfolioInvalid) as raised:
        portfolio_select(proposals=proposals, policy=Policy(budget=B))
    assert str(raised.value) == "proposal 2 ('A'): duplicate proposal_id"


def test_group_old_province_codes_match_their_current_region():
    # given a proposal filed under the old Gangwon code 42 and a group for region 51
    proposals = [_proposal("old", "42", B, 80), _proposal("new", "11", B, 90)]
    policy = Policy(
        budget=B, constraints=(GroupConstraint(name="gangwon", group=Group(region="51"), count_min=1),)
    )
    # when selected
    result = portfolio_select(proposals=proposals, policy=policy)
    # then the old-code proposal counts for region 51
    assert result.selected == (True, False)


# --------------------------------------------------------------------------------------------
# Regions


def test_region_group_of_maps_every_code_including_old_ones():
    assert region_group_of("41") == "capital"
    assert region_group_of("42") == "gangwon"
    assert region_group_of("45") == "jeonbuk"
    assert region_group_of("36") == "jungbu"
    assert region_group_of("29") == "honam"
    assert is_capital("28") is True
    assert is_capital("26") is False


def test_region_groups_partition_the_codes_and_non_capital_is_the_rest():
    codes = [c for group in REGION_GROUPS.values() for c in group]
    # 17 current units, the old Gangwon 42 and Jeonbuk 45, and 53 (전남광주통합특별시 from 2026-07-01)
    assert len(codes) == len(set(codes)) == 20
    assert region_group_of("53") == "honam"
    assert region_codes_in("non_capital") == frozenset(codes) - {"11", "28", "41"}
    assert REGION_GROUP_NAMES == frozenset(REGION_GROUPS) | {"non_capital"}


def test_region_group_of_unknown_code_raises():
    with pytest.raises(UnknownRegion) as raised:
        region_group_of("99")
    assert str(raised.value) == "unknown province code '99'"
    assert raised.value.code == "unknown_region"


def test_portfolio_select_many_proposals_keeps_input_order():
    # given 3,000 proposals whose best are spread through the input
    rng = np.random.default_rng(7)
    proposals = [
        _proposal(f"P{k}", "11" if k % 2 else "26", int(c), float(s))
        for k, (c, s) in enumerate(
            zip(rng.integers(1, 50, 3000) * B // 10, rng.integers(50, 100, 3000), strict=True)
        )
    ]
    policy = Policy(
        budget=sum(p.cost for p in proposals) // 4,
        min_score=70,
        constraints=(
            GroupConstraint(name="nc", group=Group(region_group="non_capital"), budget_share_min=0.6),
        ),
    )
    # when selected
    result = portfolio_select(proposals=proposals, policy=policy)
    # then the selection is aligned with the input and meets the policy within the gap asked for
    assert len(result.selected) == 3000
    assert policy_violations(proposals=proposals, policy=policy, selected=result.selected) == ()
    assert result.mip_gap <= 1e-4
    assert result.dual_bound >= result.objective


def test_portfolio_select_cuts_off_a_tolerance_slip_without_losing_the_exact_optimum():
    # given a cost so large that HiGHS's integrality tolerance (1 − 1e-6 counts as 1) hides ₩2
    proposals = [
        _proposal("big", "11", 99_999_999_999, 80),
        _proposal("one", "26", 1, 80),
        _proposal("two", "26", 2, 79),
    ]
    model = portfolio_module._Model(proposals, Policy(budget=100_000_000_000, objective="total_score"))
    # when the MIP runs without presolve (HiGHS 1.12 first returns all three, ₩2 over budget)
    solved = model._mip(
        cols=np.arange(3),
        on=np.zeros(0, dtype=np.int64),
        row_lower=model.row_lower,
        row_upper=model.row_upper,
        relaxed=[],
        feasibility_only=False,
        gap=0.0,
        deadline=time.monotonic() + 30,
    )
    # then the slipped point is cut off and the exact optimum survives
    assert solved.status == "optimal"
    assert solved.x.tolist() == [True, True, False]
    assert solved.objective == 160.0
