"""Tests of the evaluator-assignment engine (exact max-affinity flow, fair objective, infeasibility)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doyak.engine import assignment
from doyak.engine.assignment import AssignmentInfeasible, Candidates, evaluators_assign
from doyak.engine.errors import EngineError

# OR-Tools (used by the engine) and highspy bundle different libhighs.so.1 builds and cannot be
# loaded in one process, so the reference LP is solved by highspy in a separate worker process.
_LP_WORKER = r"""
import json, sys
import highspy
import numpy as np
for line in sys.stdin:
    q = json.loads(line)
    p, e, s, ex = (np.array(q[k]) for k in ("p", "e", "s", "expert"))
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    for j in range(len(s)):
        h.addVar(0.0, 1.0)
        h.changeColCost(j, float(s[j]))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    for i in range(q["n_p"]):
        cols = np.flatnonzero(p == i).astype(np.int32)
        h.addRow(q["k"], q["k"], len(cols), cols, np.ones(len(cols)))
        if q["n_x"]:
            cols = np.flatnonzero((p == i) & (ex == 1)).astype(np.int32)
            h.addRow(q["n_x"], highspy.kHighsInf, len(cols), cols, np.ones(len(cols)))
    for j in range(q["n_e"]):
        cols = np.flatnonzero(e == j).astype(np.int32)
        h.addRow(q["min_load"], q["max_load"], len(cols), cols, np.ones(len(cols)))
    h.run()
    ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
    print(json.dumps(h.getInfo().objective_function_value if ok else None), flush=True)
"""


@pytest.fixture(scope="module")
def lp_optimum():
    """Max-affinity LP relaxation solved with HiGHS directly (None when infeasible)."""
    worker = subprocess.Popen(
        [sys.executable, "-c", _LP_WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )

    def solve(
        c: Candidates,
        *,
        k: int,
        max_load: int,
        min_load: int = 0,
        forbidden: np.ndarray | None = None,
        experts: set[str] = frozenset(),
        min_experts: int = 0,
    ) -> float | None:
        ok = np.ones(len(c.score), bool) if forbidden is None else ~forbidden
        query = {
            "p": c.proposal[ok].tolist(),
            "e": c.evaluator[ok].tolist(),
            "s": c.score[ok].tolist(),
            "expert": [int(c.evaluator_ids[j] in experts) for j in c.evaluator[ok].tolist()],
            "n_p": len(c.proposal_ids),
            "n_e": len(c.evaluator_ids),
            "k": k,
            "max_load": max_load,
            "min_load": min_load,
            "n_x": min_experts,
        }
        worker.stdin.write(json.dumps(query) + "\n")
        worker.stdin.flush()
        return json.loads(worker.stdout.readline())

    yield solve
    worker.stdin.close()
    worker.wait(timeout=10)


def _check_feasible(
    result, c: Candidates, *, k: int, max_load: int, min_load: int, forbidden: np.ndarray
) -> None:
    sel = result.selected
    assert not forbidden[sel].any()
    assert len(np.unique(sel)) == len(sel)
    assert np.bincount(c.proposal[sel], minlength=len(c.proposal_ids)).tolist() == [k] * len(c.proposal_ids)
    loads = np.bincount(c.evaluator[sel], minlength=len(c.evaluator_ids))
    assert loads.max() <= max_load
    assert loads.min() >= min_load


@st.composite
def instances(draw):
    n_p = draw(st.integers(1, 6))
    n_e = draw(st.integers(2, 7))
    k = draw(st.integers(1, min(3, n_e)))
    max_load = draw(st.integers(1, 4))
    min_load = draw(st.integers(0, 1))
    pairs = []
    for i in range(n_p):
        for j in range(n_e):
            if draw(st.booleans()) or draw(st.booleans()):
                # on a 1e-4 grid: the HiGHS LP used as the oracle works to a 1e-7 tolerance, so finer
                # scores would test the oracle, not the engine (tiny scores have their own test below)
                score = draw(st.integers(0, 10_000)) / 10_000
                pairs.append((f"P{i}", f"E{j}", score))
    c = Candidates.from_pairs(
        pairs, proposal_ids=[f"P{i}" for i in range(n_p)], evaluator_ids=[f"E{j}" for j in range(n_e)]
    )
    forbidden = np.array([draw(st.integers(0, 9)) == 0 for _ in pairs], dtype=bool)
    return c, k, max_load, min_load, forbidden


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_total_assignment_feasible_and_equal_to_lp_optimum_or_infeasible_for_both(lp_optimum, inst):
    # given a random small instance
    c, k, max_load, min_load, forbidden = inst
    optimum = lp_optimum(c, k=k, max_load=max_load, min_load=min_load, forbidden=forbidden)
    # when it is assigned for the maximum total
    try:
        result = evaluators_assign(
            candidates=c, per_proposal=k, max_load=max_load, min_load=min_load, forbidden=forbidden
        )
    except AssignmentInfeasible as exc:
        # then infeasible exactly when the LP is infeasible, with a reason given
        assert optimum is None
        assert exc.code == "assignment_infeasible"
        assert len(exc.problems) >= 1
        return
    # then the result is feasible and its total equals the LP optimum
    assert optimum is not None
    _check_feasible(result, c, k=k, max_load=max_load, min_load=min_load, forbidden=forbidden)
    assert result.total == pytest.approx(optimum, rel=1e-9, abs=1e-9)
    assert result.total == pytest.approx(float(c.score[result.selected].sum()), rel=1e-12, abs=1e-12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_fair_assignment_feasible_and_minimum_not_below_total(inst):
    # given a random small feasible instance
    c, k, max_load, min_load, forbidden = inst
    try:
        best_total = evaluators_assign(
            candidates=c, per_proposal=k, max_load=max_load, min_load=min_load, forbidden=forbidden
        )
    except AssignmentInfeasible:
        return
    # when it is assigned with the fair objective
    fair = evaluators_assign(
        candidates=c,
        per_proposal=k,
        max_load=max_load,
        min_load=min_load,
        forbidden=forbidden,
        objective="fair",
    )
    # then it is feasible, its minimum is not lower and its total within the allowed loss
    _check_feasible(fair, c, k=k, max_load=max_load, min_load=min_load, forbidden=forbidden)
    assert fair.min_proposal_total >= best_total.min_proposal_total - 1e-12
    assert fair.total >= best_total.total * (1 - 0.005) - 1e-12
    assert fair.min_proposal_total <= fair.fair_upper_bound + 1e-12


@st.composite
def expert_instances(draw):
    c, k, max_load, min_load, forbidden = draw(instances())
    experts = {eid for eid in c.evaluator_ids if draw(st.booleans())}
    n_x = draw(st.integers(1, k))
    return c, k, max_load, min_load, forbidden, experts, n_x


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expert_instances())
def test_total_assignment_with_expert_minimum_equal_to_lp_optimum(lp_optimum, inst):
    # given a random instance where every panel needs n_x economic/market experts
    c, k, max_load, min_load, forbidden, experts, n_x = inst
    optimum = lp_optimum(
        c, k=k, max_load=max_load, min_load=min_load, forbidden=forbidden, experts=experts, min_experts=n_x
    )
    # when assigned
    try:
        result = evaluators_assign(
            candidates=c,
            per_proposal=k,
            max_load=max_load,
            min_load=min_load,
            forbidden=forbidden,
            economic_experts=experts,
            min_economic_experts=n_x,
        )
    except AssignmentInfeasible:
        assert optimum is None
        return
    # then feasible, each panel has n_x experts, and the total is the LP optimum
    assert optimum is not None
    _check_feasible(result, c, k=k, max_load=max_load, min_load=min_load, forbidden=forbidden)
    is_expert = np.array([eid in experts for eid in c.evaluator_ids])
    per_panel = np.bincount(
        c.proposal[result.selected][is_expert[c.evaluator[result.selected]]], minlength=len(c.proposal_ids)
    )
    assert per_panel.min() >= n_x
    assert result.total == pytest.approx(optimum, rel=1e-9, abs=1e-9)


def _grid(scores: dict[tuple[str, str], float]) -> Candidates:
    return Candidates.from_pairs([(p, e, s) for (p, e), s in scores.items()])


def test_evaluators_assign_picks_the_best_total_not_the_greedy_choice():
    # given E1 is best for both proposals but can take only one of them
    c = _grid({("P1", "E1"): 0.9, ("P1", "E2"): 0.8, ("P2", "E1"): 0.7, ("P2", "E2"): 0.1})
    # when one evaluator per proposal is assigned
    result = evaluators_assign(candidates=c, per_proposal=1, max_load=1)
    # then the total is 0.8 + 0.7 (greedy would give 0.9 + 0.1)
    assert sorted((a.proposal_id, a.evaluator_id) for a in result.pairs) == [("P1", "E2"), ("P2", "E1")]
    assert result.total == pytest.approx(1.5, abs=1e-12)
    assert result.min_proposal_total == pytest.approx(0.7, abs=1e-12)
    assert result.totals_by_proposal() == pytest.approx({"P1": 0.8, "P2": 0.7})
    assert result.method == "min_cost_flow"


def test_evaluators_assign_never_uses_a_forbidden_pair():
    # given the best pair is forbidden by a conflict of interest
    c = _grid({("P1", "E1"): 1.0, ("P1", "E2"): 0.2, ("P1", "E3"): 0.1})
    # when assigned
    result = evaluators_assign(candidates=c, per_proposal=1, max_load=1, forbidden=[("P1", "E1")])
    # then the next best is chosen
    assert [(a.proposal_id, a.evaluator_id, a.score) for a in result.pairs] == [("P1", "E2", 0.2)]


def test_evaluators_assign_min_load_gives_the_evaluator_work():
    # given E3 is never attractive but must take one proposal
    c = _grid({(p, e): s for p in ("P1", "P2") for e, s in (("E1", 0.9), ("E2", 0.8), ("E3", 0.1))})
    # when assigned with a minimum load of 1 for E3 only
    result = evaluators_assign(candidates=c, per_proposal=1, max_load=2, min_load=[0, 0, 1])
    # then E3 got one proposal and the other went to the best evaluator
    assert np.bincount(c.evaluator[result.selected], minlength=3).tolist() == [1, 0, 1]
    assert result.total == pytest.approx(1.0, abs=1e-12)


def test_evaluators_assign_tiny_scores_are_checked_for_negative_cycles():
    # given tiny scores next to a 1.0 pair that cannot be used (E3 takes no proposal), so the
    # flow's integer scaling cannot prove the optimum to 1e-10 of the total
    c = _grid(
        {
            ("P1", "E1"): 1e-13,
            ("P1", "E2"): 2e-13,
            ("P2", "E1"): 3e-13,
            ("P2", "E2"): 1e-13,
            ("P2", "E3"): 1.0,
        }
    )
    # when assigned
    result = evaluators_assign(candidates=c, per_proposal=1, max_load=[1, 1, 0])
    # then the flow was verified on the float scores and the optimum 2e-13 + 3e-13 kept
    assert result.method == "min_cost_flow+cycle_check"
    assert sorted((a.proposal_id, a.evaluator_id) for a in result.pairs) == [("P1", "E2"), ("P2", "E1")]
    assert result.gap_bound == 0.0


def test_cancel_negative_cycles_repairs_a_suboptimal_assignment():
    # given the greedy (suboptimal) choice P1-E1, P2-E2 of a 2×2 problem with max load 1
    c = _grid({("P1", "E1"): 0.9, ("P1", "E2"): 0.8, ("P2", "E1"): 0.7, ("P2", "E2"): 0.1})
    net = assignment._Network(
        n_proposals=2,
        n_evaluators=2,
        per_proposal=1,
        min_experts=0,
        pair=np.arange(4),
        p=c.proposal,
        e=c.evaluator,
        s=c.score,
        is_expert_arc=np.zeros(4, bool),
        min_load=np.zeros(2, np.int64),
        max_load=np.ones(2, np.int64),
    )
    greedy = np.array([True, False, False, True])
    # when its negative cycles are cancelled
    repaired = assignment._cancel_negative_cycles(net, greedy)
    # then the optimum P1-E2, P2-E1 (1.5) is reached
    assert repaired.tolist() == [False, True, True, False]


def test_evaluators_assign_too_few_eligible_names_the_proposal():
    # given P2 has three candidates of which one is forbidden, and panels of three
    c = _grid({(p, e): 0.5 for p in ("P1", "P2") for e in ("E1", "E2", "E3", "E4") if (p, e) != ("P2", "E4")})
    # when assigned
    with pytest.raises(AssignmentInfeasible) as info:
        evaluators_assign(candidates=c, per_proposal=3, max_load=2, forbidden=[("P2", "E1")])
    # then the message names P2 and the counts
    assert info.value.problems == (
        "P2: 2 eligible evaluators, 3 needed (3 candidates, 1 excluded by conflicts)",
    )
    assert info.value.proposal_ids == ("P2",)
    assert isinstance(info.value, EngineError)


def test_evaluators_assign_total_capacity_too_small_says_so():
    # given 3 proposals × 2 evaluators = 6 slots but 2 evaluators × max load 2 = 4
    c = _grid({(p, e): 0.5 for p in ("P1", "P2", "P3") for e in ("E1", "E2")})
    # when assigned
    with pytest.raises(AssignmentInfeasible) as info:
        evaluators_assign(candidates=c, per_proposal=2, max_load=2)
    # then the global reason is given in words
    assert info.value.problems == (
        "the evaluators can take 4 assignments in all (sum of maximum loads) but 6 are needed (3 proposals × 2)",
    )


def test_evaluators_assign_min_load_beyond_eligible_proposals_names_the_evaluator():
    # given E3 is a candidate for one proposal only but must take two
    c = Candidates.from_pairs(
        [
            (p, e, 0.5)
            for p, e in [("P1", "E1"), ("P2", "E1"), ("P1", "E3"), ("P2", "E2"), ("P3", "E2"), ("P3", "E1")]
        ],
        evaluator_ids=["E1", "E2", "E3"],
    )
    # when assigned with min load 2
    with pytest.raises(AssignmentInfeasible) as info:
        evaluators_assign(candidates=c, per_proposal=1, max_load=3, min_load=[0, 0, 2])
    # then E3 is named
    assert info.value.problems == ("E3: 1 eligible proposals, minimum load 2",)


def test_evaluators_assign_not_enough_experts_names_the_proposal():
    # given only E1 is an expert and P2 cannot have it
    c = _grid({(p, e): 0.5 for p in ("P1", "P2") for e in ("E1", "E2", "E3")})
    # when panels need one expert
    with pytest.raises(AssignmentInfeasible) as info:
        evaluators_assign(
            candidates=c,
            per_proposal=2,
            max_load=2,
            forbidden=[("P2", "E1")],
            economic_experts={"E1"},
            min_economic_experts=1,
        )
    # then P2 is named
    assert info.value.problems == ("P2: 0 eligible economic/market experts, 1 needed",)


def test_evaluators_assign_shared_bottleneck_explained_with_a_cut():
    # given P1 and P2 can only use E1 and E2 (max load 1 each) but need two evaluators each,
    # while the total capacity (6) equals the slots (6)
    pairs = {(p, e): 0.5 for p in ("P1", "P2") for e in ("E1", "E2")}
    pairs.update({("P3", e): 0.5 for e in ("E3", "E4", "E5", "E6")})
    c = _grid(pairs)
    # when assigned
    with pytest.raises(AssignmentInfeasible) as info:
        evaluators_assign(candidates=c, per_proposal=2, max_load=1)
    # then the message names the competing proposals and the shortfall
    assert info.value.proposal_ids == ("P1", "P2")
    assert info.value.problems == (
        "only 4 of the 6 evaluator slots can be filled within the maximum loads: proposals P1, P2 (2 in all) "
        "compete for the same eligible evaluators, who cannot take all 4 of their slots",
    )


def test_evaluators_assign_expert_capacity_shortage_explained():
    # given one expert E1 with max load 1, and two proposals each needing an expert
    c = _grid({(p, e): 0.5 for p in ("P1", "P2") for e in ("E1", "E2", "E3")})
    # when assigned
    with pytest.raises(AssignmentInfeasible) as info:
        evaluators_assign(
            candidates=c, per_proposal=1, max_load=1, economic_experts={"E1"}, min_economic_experts=1
        )
    # then the expert rule is blamed
    assert info.value.problems[0].startswith(
        "the economic/market experts cannot give every panel 1 of its seats within their maximum loads (1 seats short)"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"per_proposal": 0, "max_load": 1}, "per_proposal must be at least 1, got 0"),
        ({"per_proposal": 1, "max_load": 1, "min_load": 2}, "E1: minimum load 2 exceeds maximum load 1"),
        ({"per_proposal": 1, "max_load": -1}, "max_load must not be negative"),
        (
            {"per_proposal": 1, "max_load": 1, "min_economic_experts": 2},
            "min_economic_experts must be between 0 and per_proposal (1), got 2",
        ),
    ],
)
def test_evaluators_assign_invalid_arguments_raise_invalid_input(kwargs, message):
    # given a trivial candidate set
    c = _grid({("P1", "E1"): 0.5})
    # when called with a malformed argument
    with pytest.raises(AssignmentInfeasible) as info:
        evaluators_assign(candidates=c, **kwargs)
    # then the error has the invalid-input code and says what is wrong
    assert info.value.code == "assignment_invalid_input"
    assert str(info.value) == message


def test_candidates_score_out_of_range_rejected():
    # given a score above 1
    # when candidates are built / then it is refused with the pair named
    with pytest.raises(AssignmentInfeasible, match=r"score of pair 1 \(P1, E2\) is 1.5, not in \[0, 1\]"):
        Candidates.from_pairs([("P1", "E1", 0.5), ("P1", "E2", 1.5)])


def test_candidates_duplicate_pair_rejected():
    with pytest.raises(AssignmentInfeasible, match=r"pair \(P1, E1\) is listed twice"):
        Candidates.from_pairs([("P1", "E1", 0.5), ("P1", "E1", 0.6)])


def _fair_toy() -> Candidates:
    # P1 gains 0.6 from E1 over E2, P2 only 0.4: the total optimum leaves P2 with 0.1
    return _grid({("P1", "E1"): 1.0, ("P1", "E2"): 0.4, ("P2", "E1"): 0.5, ("P2", "E2"): 0.1})


def test_fair_raises_the_worst_proposal_above_the_total_optimum():
    # given the toy where the total optimum (1.0 + 0.1) leaves P2 poor
    c = _fair_toy()
    # when assigned for the total and for fairness with a loss cap that allows the swap
    total = evaluators_assign(candidates=c, per_proposal=1, max_load=1)
    fair = evaluators_assign(candidates=c, per_proposal=1, max_load=1, objective="fair", max_total_loss=0.5)
    # then total keeps P1-E1 while fair gives E1 to P2 (0.4 + 0.5)
    assert sorted((a.proposal_id, a.evaluator_id) for a in total.pairs) == [("P1", "E1"), ("P2", "E2")]
    assert total.min_proposal_total == pytest.approx(0.1, abs=1e-12)
    assert sorted((a.proposal_id, a.evaluator_id) for a in fair.pairs) == [("P1", "E2"), ("P2", "E1")]
    assert fair.min_proposal_total == pytest.approx(0.4, abs=1e-12)
    assert fair.total == pytest.approx(0.9, abs=1e-12)
    assert fair.fair_upper_bound == pytest.approx(0.5, abs=1e-12)


def test_fair_respects_the_total_loss_cap():
    # given the same toy, where fairness would cost 18% of the total
    c = _fair_toy()
    # when fair with the default 0.5% loss cap
    fair = evaluators_assign(candidates=c, per_proposal=1, max_load=1, objective="fair")
    # then the total optimum is kept
    assert sorted((a.proposal_id, a.evaluator_id) for a in fair.pairs) == [("P1", "E1"), ("P2", "E2")]
    assert fair.total == pytest.approx(1.1, abs=1e-12)


def test_evaluators_assign_keeps_min_cost_flow_when_highspy_was_loaded_first():
    # given a fresh interpreter where highspy is imported before the engine (highspy is pinned to the
    # HiGHS that OR-Tools bundles, so both load one libhighs.so.1)
    code = (
        "import highspy\n"
        "from doyak.engine.assignment import Candidates, evaluators_assign\n"
        "c = Candidates.from_pairs([('P1','E1',0.9),('P1','E2',0.8),('P2','E1',0.7),('P2','E2',0.1)])\n"
        "r = evaluators_assign(candidates=c, per_proposal=1, max_load=1)\n"
        "print(r.method, sorted((a.proposal_id, a.evaluator_id) for a in r.pairs), round(r.total, 12))\n"
    )
    # when assigned there
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # then the min-cost flow answered with the optimum
    assert result.stdout.strip() == "min_cost_flow [('P1', 'E2'), ('P2', 'E1')] 1.5"
