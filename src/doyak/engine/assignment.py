"""Evaluator assignment (평가위원 배정): who evaluates which proposal.

Input: candidate pairs (proposal, evaluator, affinity in [0, 1]); a pair that is not listed is
not a candidate. Forbidden pairs (conflicts of interest) are dropped even when listed. Every
proposal gets exactly ``per_proposal`` (K) evaluators, every evaluator's load stays between its
minimum and maximum, and optionally every panel holds at least ``min_economic_experts`` (N)
economic/market experts (DOMAIN.md §3: panels need such experts; N is policy).

Objective ``total`` — maximum total affinity, exactly. The problem is a min-cost flow::

    proposal p --(K-N)--> expert node x_p --(N, forced by supply)--> ...
    proposal p --1--> evaluator e  (non-expert candidates, cost -score)
    x_p        --1--> evaluator e  (expert candidates, cost -score)
    evaluator e --(max_e - min_e)--> sink ;  e has demand min_e (its lower bound)

Splitting each panel into "the N expert seats" (node x_p, supplied with N units) and "the rest"
(node p, K-N units, which may also flow into x_p) keeps the composition rule inside a network,
so the LP is totally unimodular and the flow solver's integral optimum is an LP optimum.
Costs are scaled to integers for OR-Tools: every feasible solution uses exactly K·P pairs, so
costs are shifted/scaled to ``round((s_max - s) · S / (s_max - s_min))``; each rounding error is
at most half a unit, hence ``LP optimum - total ≤ K·P·(s_max - s_min) / S`` (S is close to
2^62 / (8·nodes)). When that bound is not below 1e-10 of the total (pathological score ranges)
the flow's answer is checked and repaired with the float scores themselves: negative cycles of
the residual graph are cancelled (Bellman–Ford) until none is left (``Assignment.method`` then
ends in ``+cycle_check``). OR-Tools and highspy cannot be loaded in one process (both bundle a different
``libhighs.so.1``): if highspy was imported first, every solve goes through the HiGHS LP.

Objective ``fair`` — first the worst-off proposal, then the total (a heuristic, documented):
start from the ``total`` optimum; the best any proposal could get on its own (its top-K
candidates, respecting the expert rule) bounds every achievable minimum from above
(``fair_upper_bound``). Weighted max-affinity flows (max Σ w_p · affinity_p, still a flow) are
solved on the pairs of the ``total`` optimum plus each proposal's ``fair_keep_top`` best
candidates. Target T starts at the bound; each round the proposals below T have their weight
multiplied by ``fair_boost`` (weights persist across rounds and targets). T is reached when no
proposal is below it and the total stays within ``max_total_loss`` of the optimum; after
``max_tries`` rounds without success, or when the total drops too far (weights are then
softened by a square root), T is lowered by bisection towards the best minimum reached. Then
the total: weights are softened (square root) while the minimum holds and the total grows. At
most ``fair_max_flows`` flows are solved. The result's minimum is never below the ``total``
one, and it is max-min optimal whenever ``min_proposal_total == fair_upper_bound``.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from doyak.engine.errors import EngineError

Objective = Literal["total", "fair"]

# How many proposals an infeasibility message names before "… and N more".
_MESSAGE_LIST_LIMIT = 20
# The flow optimum is accepted as exact when its proven gap bound is below this share of the total.
_EXACTNESS_SHARE = 1e-10
_INT64_BUDGET = 2**62


class AssignmentInfeasible(EngineError):
    """No assignment satisfies the input; ``problems`` lists why, one line each.

    Codes: ``assignment_infeasible`` (the constraints cannot all hold) and
    ``assignment_invalid_input`` (the input itself is malformed, e.g. K < 1).
    """

    code = "assignment_infeasible"

    def __init__(
        self,
        message: str,
        *,
        problems: Sequence[str] = (),
        proposal_ids: Sequence[str] = (),
        code: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.problems = tuple(problems)
        self.proposal_ids = tuple(proposal_ids)


def _invalid(message: str) -> AssignmentInfeasible:
    return AssignmentInfeasible(message, problems=(message,), code="assignment_invalid_input")


@dataclass(frozen=True, eq=False)
class Candidates:
    """Candidate pairs as parallel arrays; ids are mapped to int indices.

    ``proposal[i]`` / ``evaluator[i]`` index ``proposal_ids`` / ``evaluator_ids``; ``score[i]`` is
    the affinity of pair i. Proposals without any pair may be listed in ``proposal_ids`` (they
    make the problem infeasible, with a message naming them).
    """

    proposal_ids: tuple[str, ...]
    evaluator_ids: tuple[str, ...]
    proposal: np.ndarray
    evaluator: np.ndarray
    score: np.ndarray

    def __post_init__(self) -> None:
        proposal = np.asarray(self.proposal, dtype=np.int64)
        evaluator = np.asarray(self.evaluator, dtype=np.int64)
        score = np.asarray(self.score, dtype=np.float64)
        object.__setattr__(self, "proposal", proposal)
        object.__setattr__(self, "evaluator", evaluator)
        object.__setattr__(self, "score", score)
        if not (proposal.ndim == evaluator.ndim == score.ndim == 1):
            raise _invalid("candidate arrays must be one-dimensional")
        if not (len(proposal) == len(evaluator) == len(score)):
            raise _invalid("candidate arrays differ in length")
        n_p, n_e = len(self.proposal_ids), len(self.evaluator_ids)
        if len(proposal) and (proposal.min() < 0 or proposal.max() >= n_p):
            raise _invalid("a proposal index is outside proposal_ids")
        if len(evaluator) and (evaluator.min() < 0 or evaluator.max() >= n_e):
            raise _invalid("an evaluator index is outside evaluator_ids")
        bad = ~((score >= 0.0) & (score <= 1.0))  # also catches NaN
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise _invalid(
                f"score of pair {i} ({self.proposal_ids[proposal[i]]}, "
                f"{self.evaluator_ids[evaluator[i]]}) is {float(score[i])!r}, not in [0, 1]"
            )
        if len(set(self.proposal_ids)) != n_p or len(set(self.evaluator_ids)) != n_e:
            raise _invalid("proposal_ids and evaluator_ids must not repeat")
        if len(proposal):
            key = proposal * max(n_e, 1) + evaluator
            order = np.argsort(key, kind="stable")
            dup = np.flatnonzero(key[order][1:] == key[order][:-1])
            if len(dup):
                i = int(order[dup[0] + 1])
                raise _invalid(
                    f"pair ({self.proposal_ids[proposal[i]]}, {self.evaluator_ids[evaluator[i]]}) "
                    "is listed twice"
                )

    @classmethod
    def from_pairs(
        cls,
        pairs: Sequence[tuple[str, str, float]],
        *,
        proposal_ids: Sequence[str] = (),
        evaluator_ids: Sequence[str] = (),
    ) -> Candidates:
        """Candidates from (proposal_id, evaluator_id, score) triples; extra ids may be given."""
        p_index: dict[str, int] = {pid: i for i, pid in enumerate(dict.fromkeys(proposal_ids))}
        e_index: dict[str, int] = {eid: i for i, eid in enumerate(dict.fromkeys(evaluator_ids))}
        p_col, e_col, s_col = [], [], []
        for pid, eid, score in pairs:
            p_col.append(p_index.setdefault(pid, len(p_index)))
            e_col.append(e_index.setdefault(eid, len(e_index)))
            s_col.append(score)
        return cls(
            proposal_ids=tuple(p_index),
            evaluator_ids=tuple(e_index),
            proposal=np.asarray(p_col, dtype=np.int64),
            evaluator=np.asarray(e_col, dtype=np.int64),
            score=np.asarray(s_col, dtype=np.float64),
        )

    def pair_mask(self, pairs: Collection[tuple[str, str]]) -> np.ndarray:
        """Boolean mask over the candidate pairs that appear in ``pairs`` (others are ignored)."""
        p_index = {pid: i for i, pid in enumerate(self.proposal_ids)}
        e_index = {eid: i for i, eid in enumerate(self.evaluator_ids)}
        n_e = max(len(self.evaluator_ids), 1)
        keys = [p_index[p] * n_e + e_index[e] for p, e in pairs if p in p_index and e in e_index]
        if not keys:
            return np.zeros(len(self.score), dtype=bool)
        return np.isin(self.proposal * n_e + self.evaluator, np.asarray(keys, dtype=np.int64))


@dataclass(frozen=True)
class AssignedPair:
    proposal_id: str
    evaluator_id: str
    score: float


@dataclass(frozen=True, eq=False)
class Assignment:
    """The chosen pairs and their affinity figures.

    ``selected`` indexes the input ``Candidates`` arrays (sorted by proposal, then descending
    score); ``proposal_totals[i]`` is the affinity of proposal ``proposal_ids[i]``'s panel.
    """

    candidates: Candidates
    selected: np.ndarray
    total: float
    min_proposal_total: float
    proposal_totals: np.ndarray
    objective: Objective
    method: str
    gap_bound: float = 0.0
    fair_upper_bound: float | None = None
    flow_solves: int = 1
    notes: tuple[str, ...] = field(default=())

    @property
    def pairs(self) -> list[AssignedPair]:
        c = self.candidates
        return [
            AssignedPair(c.proposal_ids[p], c.evaluator_ids[e], float(s))
            for p, e, s in zip(
                c.proposal[self.selected].tolist(),
                c.evaluator[self.selected].tolist(),
                c.score[self.selected].tolist(),
                strict=True,
            )
        ]

    def totals_by_proposal(self) -> dict[str, float]:
        return dict(zip(self.candidates.proposal_ids, self.proposal_totals.tolist(), strict=True))


# --------------------------------------------------------------------------------------------
# the network


@dataclass(frozen=True, eq=False)
class _Network:
    """Flow network of one problem; candidate arcs are the eligible pairs, in ``pair`` order."""

    n_proposals: int
    n_evaluators: int
    per_proposal: int
    min_experts: int
    pair: np.ndarray  # candidate index of each eligible arc
    p: np.ndarray
    e: np.ndarray
    s: np.ndarray
    is_expert_arc: np.ndarray
    min_load: np.ndarray
    max_load: np.ndarray

    @property
    def n_slots(self) -> int:
        return self.n_proposals * self.per_proposal

    @property
    def split(self) -> bool:
        return self.min_experts > 0

    def nodes(self) -> tuple[int, int, int]:
        """(first evaluator node, sink node, number of nodes)."""
        base = self.n_proposals * (2 if self.split else 1)
        sink = base + self.n_evaluators
        return base, sink, sink + 1


def _solve_flow(net: _Network, cost: np.ndarray) -> np.ndarray | None:
    """Chosen eligible-arc mask of the min-cost flow with these integer arc costs, or None."""
    from ortools.graph.python import min_cost_flow

    n_p, k, n_x = net.n_proposals, net.per_proposal, net.min_experts
    base, sink, _ = net.nodes()
    tails = np.where(net.is_expert_arc, net.p + n_p, net.p) if net.split else net.p
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int64), (base + net.e).astype(np.int64), np.ones(len(net.p), np.int64), cost
    )
    ev = np.arange(net.n_evaluators, dtype=np.int64)
    solver.add_arcs_with_capacity_and_unit_cost(
        base + ev, np.full(len(ev), sink, np.int64), net.max_load - net.min_load, np.zeros(len(ev), np.int64)
    )
    props = np.arange(n_p, dtype=np.int64)
    if net.split:
        solver.add_arcs_with_capacity_and_unit_cost(
            props, props + n_p, np.full(n_p, k - n_x, np.int64), np.zeros(n_p, np.int64)
        )
        solver.set_nodes_supplies(props, np.full(n_p, k - n_x, np.int64))
        solver.set_nodes_supplies(props + n_p, np.full(n_p, n_x, np.int64))
    else:
        solver.set_nodes_supplies(props, np.full(n_p, k, np.int64))
    solver.set_nodes_supplies(base + ev, -net.min_load)
    solver.set_node_supply(sink, -(net.n_slots - int(net.min_load.sum())))
    status = solver.solve()
    if status == solver.BAD_COST_RANGE:
        raise OverflowError("cost range")
    if status != solver.OPTIMAL:
        return None
    return solver.flows(np.arange(len(net.p), dtype=np.int64)) > 0


def _flow_scale(net: _Network, weight_max: float = 1.0) -> float:
    _, _, n_nodes = net.nodes()
    scale = _INT64_BUDGET / (8.0 * (n_nodes + 1))
    scale = min(scale, _INT64_BUDGET / (4.0 * max(net.n_slots, 1) * weight_max), 2.0**52)
    return scale


def _solve_weighted(net: _Network, weight: np.ndarray | None) -> np.ndarray | None:
    """Max Σ weight[p]·score flow (integer-scaled costs); retries with smaller scale on overflow."""
    if not _flow_available():
        return _solve_lp(net, weight)
    ws = net.s if weight is None else net.s * weight[net.p]
    hi, lo = float(ws.max(initial=0.0)), float(ws.min(initial=0.0))
    span = hi - lo
    scale = _flow_scale(net, 1.0 if weight is None else float(weight.max()))
    for _ in range(8):
        unit = scale / span if span > 0 else 0.0
        cost = np.rint((hi - ws) * unit).astype(np.int64)
        try:
            return _solve_flow(net, cost)
        except OverflowError:
            scale /= 64.0
    raise AssignmentInfeasible("the affinity costs could not be scaled for the flow solver")


def _solve_total(net: _Network) -> tuple[np.ndarray | None, float, float]:
    """(chosen mask, proven gap bound, scale) of the maximum-total flow."""
    if not _flow_available():
        return _solve_lp(net), 0.0, 0.0
    span = float(net.s.max(initial=0.0) - net.s.min(initial=0.0))
    scale = _flow_scale(net)
    for _ in range(8):
        unit = scale / span if span > 0 else 0.0
        cost = np.rint((float(net.s.max(initial=0.0)) - net.s) * unit).astype(np.int64)
        try:
            chosen = _solve_flow(net, cost)
        except OverflowError:
            scale /= 64.0
            continue
        bound = net.n_slots * span / scale if span > 0 else 0.0
        return chosen, bound, scale
    raise AssignmentInfeasible("the affinity costs could not be scaled for the flow solver")


def _flow_available() -> bool:
    """OR-Tools and highspy bundle different ``libhighs.so.1`` builds and cannot share a process;
    when highspy was loaded first, OR-Tools fails to import and the LP (HiGHS) answers instead."""
    try:
        from ortools.graph.python import min_cost_flow  # noqa: F401
    except ImportError:
        return False
    return True


def _solve_lp(net: _Network, weight: np.ndarray | None = None) -> np.ndarray | None:
    """The same problem as an LP with HiGHS; its vertex is integral (two laminar row families).

    Only used when OR-Tools cannot be loaded (see ``_flow_available``).
    """
    return _solve_lp_highs(net, net.s if weight is None else net.s * weight[net.p])


def _solve_lp_highs(net: _Network, cost: np.ndarray) -> np.ndarray | None:
    import highspy

    n_p, n_e, n = net.n_proposals, net.n_evaluators, len(net.p)
    rows_per_col = 3 if net.split else 2
    index = np.empty((n, 3), dtype=np.int32)
    index[:, 0] = net.p
    index[:, 1] = n_p + net.e
    index[:, 2] = n_p + n_e + net.p
    value = np.ones((n, 3))
    if net.split:
        # non-expert columns get a zero in the expert row, keeping a fixed 3-per-column layout
        value[:, 2] = net.is_expert_arc.astype(np.float64)
    index, value = index[:, :rows_per_col].ravel(), value[:, :rows_per_col].ravel()
    k = float(net.per_proposal)
    row_lower = [np.full(n_p, k), net.min_load.astype(np.float64)]
    row_upper = [np.full(n_p, k), net.max_load.astype(np.float64)]
    if net.split:
        row_lower.append(np.full(n_p, float(net.min_experts)))
        row_upper.append(np.full(n_p, highspy.kHighsInf))
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = n_p + n_e + (n_p if net.split else 0)
    lp.col_cost_ = cost
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = np.concatenate(row_lower)
    lp.row_upper_ = np.concatenate(row_upper)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.arange(0, rows_per_col * n + 1, rows_per_col, dtype=np.int32)
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("primal_feasibility_tolerance", 1e-10)
    h.setOptionValue("dual_feasibility_tolerance", 1e-10)
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    x = np.asarray(h.getSolution().col_value)
    return x > 0.5


def _cancel_negative_cycles(net: _Network, chosen: np.ndarray) -> np.ndarray:
    """Make a feasible assignment optimal for the float scores themselves (no scaling).

    Bellman–Ford on the residual graph with the exact scores as costs; every negative cycle
    found is cancelled (the total strictly grows), until none is left, which proves optimality.
    Plain Python: only used when the scaled flow's gap bound is not small enough (scores tiny
    next to their range), i.e. on unusual inputs.
    """
    chosen = chosen.copy()
    n_p, n_x = net.n_proposals, net.min_experts
    base, sink, n_nodes = net.nodes()
    tails = (np.where(net.is_expert_arc, net.p + n_p, net.p) if net.split else net.p).tolist()
    heads = (base + net.e).tolist()
    scores = net.s.tolist()
    cap_e = (net.max_load - net.min_load).tolist()
    while True:
        arcs: list[tuple[int, int, float, int]] = []  # (from, to, cost, candidate arc or -1)
        for i, (u, v, s) in enumerate(zip(tails, heads, scores, strict=True)):
            arcs.append((v, u, s, i) if chosen[i] else (u, v, -s, i))
        load = np.bincount(net.e[chosen], minlength=net.n_evaluators) - net.min_load
        for j in range(net.n_evaluators):
            if load[j] < cap_e[j]:
                arcs.append((base + j, sink, 0.0, -1))
            if load[j] > 0:
                arcs.append((sink, base + j, 0.0, -1))
        if net.split:
            extra = np.bincount(net.p[chosen & net.is_expert_arc], minlength=n_p) - n_x
            for p in range(n_p):
                if extra[p] < net.per_proposal - n_x:
                    arcs.append((p, p + n_p, 0.0, -1))
                if extra[p] > 0:
                    arcs.append((p + n_p, p, 0.0, -1))
        dist = [0.0] * n_nodes
        pred: list[int] = [-1] * n_nodes  # index into arcs
        last = -1
        for _ in range(n_nodes):
            last = -1
            for a, (u, v, c, _i) in enumerate(arcs):
                if dist[u] + c < dist[v]:
                    dist[v] = dist[u] + c
                    pred[v] = a
                    last = v
            if last < 0:
                return chosen
        # walk back n steps to be on the cycle, then collect it
        v = last
        for _ in range(n_nodes):
            v = arcs[pred[v]][0]
        cycle, u = [], v
        while True:
            a = pred[u]
            cycle.append(a)
            u = arcs[a][0]
            if u == v:
                break
        if math.fsum(arcs[a][2] for a in cycle) >= 0.0:  # rounding artefact, nothing to gain
            return chosen
        for a in cycle:
            i = arcs[a][3]
            if i >= 0:
                chosen[i] = not chosen[i]


# --------------------------------------------------------------------------------------------
# diagnosis


def _names(ids: Sequence[str]) -> str:
    shown = ", ".join(ids[:_MESSAGE_LIST_LIMIT])
    more = len(ids) - _MESSAGE_LIST_LIMIT
    return shown + (f" … and {more} more" if more > 0 else "")


def _local_problems(
    *, net: _Network, candidates: Candidates, n_candidates: np.ndarray
) -> tuple[list[str], list[str]]:
    """Problems visible without solving: per proposal, per evaluator, and global sums."""
    problems: list[str] = []
    stuck: list[str] = []
    k, n_x = net.per_proposal, net.min_experts
    degree = np.bincount(net.p, minlength=net.n_proposals)
    for i in np.flatnonzero(degree < k).tolist():
        excluded = int(n_candidates[i] - degree[i])
        detail = f" ({int(n_candidates[i])} candidates, {excluded} excluded by conflicts)" if excluded else ""
        noun = "evaluator" if degree[i] == 1 else "evaluators"
        problems.append(f"{candidates.proposal_ids[i]}: {int(degree[i])} eligible {noun}, {k} needed{detail}")
        stuck.append(candidates.proposal_ids[i])
    if n_x:
        experts = np.bincount(net.p[net.is_expert_arc], minlength=net.n_proposals)
        for i in np.flatnonzero(experts < n_x).tolist():
            noun = "expert" if experts[i] == 1 else "experts"
            problems.append(
                f"{candidates.proposal_ids[i]}: {int(experts[i])} eligible economic/market {noun}, {n_x} needed"
            )
            if candidates.proposal_ids[i] not in stuck:
                stuck.append(candidates.proposal_ids[i])
    capacity, slots = int(net.max_load.sum()), net.n_slots
    if capacity < slots:
        problems.append(
            f"the evaluators can take {capacity} assignments in all (sum of maximum loads) but "
            f"{slots} are needed ({net.n_proposals} proposals × {k})"
        )
    floor = int(net.min_load.sum())
    if floor > slots:
        problems.append(
            f"the minimum loads add up to {floor} assignments but only {slots} exist "
            f"({net.n_proposals} proposals × {k})"
        )
    e_degree = np.bincount(net.e, minlength=net.n_evaluators)
    for j in np.flatnonzero(e_degree < net.min_load).tolist():
        problems.append(
            f"{candidates.evaluator_ids[j]}: {int(e_degree[j])} eligible proposals, "
            f"minimum load {int(net.min_load[j])}"
        )
    return problems, stuck


def _max_flow_shortfall(net: _Network, *, with_min_load: bool, with_experts: bool) -> tuple[int, list[int]]:
    """(slots that cannot be filled, proposals on the source side of a minimum cut)."""
    from ortools.graph.python import max_flow

    n_p, n_e, k = net.n_proposals, net.n_evaluators, net.per_proposal
    n_x = net.min_experts if with_experts else 0
    # nodes: proposals, expert nodes, evaluators, sink, super source, super sink
    base = 2 * n_p
    sink, source, super_sink = base + n_e, base + n_e + 1, base + n_e + 2
    props = np.arange(n_p, dtype=np.int64)
    ev = np.arange(n_e, dtype=np.int64)
    tails = np.where(net.is_expert_arc & bool(n_x), net.p + n_p, net.p).astype(np.int64)
    min_load = net.min_load if with_min_load else np.zeros(n_e, np.int64)
    solver = max_flow.SimpleMaxFlow()
    solver.add_arcs_with_capacity(tails, (base + net.e).astype(np.int64), np.ones(len(tails), np.int64))
    solver.add_arcs_with_capacity(np.full(n_p, source), props, np.full(n_p, k - n_x, np.int64))
    solver.add_arcs_with_capacity(np.full(n_p, source), props + n_p, np.full(n_p, n_x, np.int64))
    solver.add_arcs_with_capacity(props, props + n_p, np.full(n_p, k - n_x, np.int64))
    solver.add_arcs_with_capacity(base + ev, np.full(n_e, sink, np.int64), net.max_load - min_load)
    solver.add_arcs_with_capacity(base + ev, np.full(n_e, super_sink, np.int64), min_load)
    solver.add_arcs_with_capacity(
        np.array([sink], np.int64),
        np.array([super_sink], np.int64),
        np.array([net.n_slots - int(min_load.sum())]),
    )
    solver.solve(source, super_sink)
    shortfall = net.n_slots - int(solver.optimal_flow())
    cut = [v for v in solver.get_source_side_min_cut() if v < n_p]
    return shortfall, cut


def _global_problem(net: _Network, candidates: Candidates) -> tuple[str, list[str]]:
    """Explain in words why the flow is infeasible although no local check failed."""
    slots, k = net.n_slots, net.per_proposal
    if not _flow_available():
        return (f"the {slots} evaluator slots cannot all be filled within the loads and panel rules", [])
    shortfall, cut = _max_flow_shortfall(net, with_min_load=False, with_experts=False)
    if shortfall > 0:
        ids = [candidates.proposal_ids[i] for i in cut]
        return (
            f"only {slots - shortfall} of the {slots} evaluator slots can be filled within the maximum "
            f"loads: proposals {_names(ids)} ({len(ids)} in all) compete for the same eligible evaluators, "
            f"who cannot take all {len(ids) * k} of their slots",
            ids,
        )
    if net.split:
        shortfall, cut = _max_flow_shortfall(net, with_min_load=False, with_experts=True)
        if shortfall > 0:
            ids = [candidates.proposal_ids[i] for i in cut]
            return (
                f"the economic/market experts cannot give every panel {net.min_experts} of its seats within "
                f"their maximum loads ({shortfall} seats short); the proposals concerned include {_names(ids)}",
                ids,
            )
    return (
        f"the minimum loads cannot all be met while every proposal gets exactly {k} evaluators "
        "(the evaluators with a minimum load share too few eligible proposals to fill it)",
        [],
    )


# --------------------------------------------------------------------------------------------
# the engine


def _as_loads(value: int | Sequence[int] | np.ndarray, n: int, name: str) -> np.ndarray:
    arr = np.asarray(value)
    if arr.ndim == 0:
        arr = np.full(n, int(arr), dtype=np.int64)
    if arr.shape != (n,):
        raise _invalid(f"{name} must be one integer or one per evaluator ({n})")
    if not np.issubdtype(arr.dtype, np.integer):
        if not np.all(np.asarray(arr, dtype=np.float64) == np.rint(np.asarray(arr, dtype=np.float64))):
            raise _invalid(f"{name} must be whole numbers")
    arr = arr.astype(np.int64)
    if len(arr) and arr.min() < 0:
        raise _invalid(f"{name} must not be negative")
    return arr


def _best_sets(net: _Network) -> np.ndarray:
    """Per proposal, the best panel affinity it could get alone (top K, at least N experts)."""
    k, n_x, n_p = net.per_proposal, net.min_experts, net.n_proposals
    best = np.zeros(n_p)
    # sort arcs by proposal, then expert first when required, then score descending
    order = np.lexsort((-net.s, net.p))
    p, s, ex = net.p[order], net.s[order], net.is_expert_arc[order]
    if n_x == 0:
        starts = np.searchsorted(p, np.arange(n_p))
        rank = np.arange(len(p)) - starts[p]
        keep = rank < k
        return np.bincount(p[keep], weights=s[keep], minlength=n_p)
    # N best experts, then the best K-N of everything left
    ex_order = np.lexsort((-s, ~ex, p))
    p2, s2, ex2 = p[ex_order], s[ex_order], ex[ex_order]
    starts = np.searchsorted(p2, np.arange(n_p))
    rank = np.arange(len(p2)) - starts[p2]
    forced = ex2 & (rank < n_x)
    best += np.bincount(p2[forced], weights=s2[forced], minlength=n_p)
    rest_p, rest_s = p2[~forced], s2[~forced]
    order2 = np.lexsort((-rest_s, rest_p))
    rest_p, rest_s = rest_p[order2], rest_s[order2]
    starts = np.searchsorted(rest_p, np.arange(n_p))
    rank = np.arange(len(rest_p)) - starts[rest_p]
    keep = rank < k - n_x
    best += np.bincount(rest_p[keep], weights=rest_s[keep], minlength=n_p)
    return best


def _rank_in_proposal(net: _Network) -> np.ndarray:
    """Rank (0 = best score) of every arc among its proposal's arcs."""
    order = np.lexsort((-net.s, net.p))
    starts = np.searchsorted(net.p[order], np.arange(net.n_proposals))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order)) - starts[net.p[order]]
    return rank


def _subnetwork(net: _Network, keep: np.ndarray) -> _Network:
    return _Network(
        n_proposals=net.n_proposals,
        n_evaluators=net.n_evaluators,
        per_proposal=net.per_proposal,
        min_experts=net.min_experts,
        pair=net.pair[keep],
        p=net.p[keep],
        e=net.e[keep],
        s=net.s[keep],
        is_expert_arc=net.is_expert_arc[keep],
        min_load=net.min_load,
        max_load=net.max_load,
    )


def _fair(
    *,
    net: _Network,
    chosen: np.ndarray,
    max_total_loss: float,
    max_flows: int,
    keep_top: int,
    boost: float,
    max_tries: int = 4,
    polish_rounds: int = 3,
) -> tuple[np.ndarray, float, int]:
    """Raise the worst proposal's affinity from the total optimum (see module docstring)."""
    n_p = net.n_proposals
    upper = float(_best_sets(net).min())
    full = net
    keep = chosen | (_rank_in_proposal(net) < keep_top)
    net = _subnetwork(net, keep)
    chosen = chosen[keep]

    def totals(mask: np.ndarray) -> np.ndarray:
        return np.bincount(net.p[mask], weights=net.s[mask], minlength=n_p)

    opt_total = float(net.s[chosen].sum())
    floor_total = opt_total * (1.0 - max_total_loss)
    best, best_tot = chosen, totals(chosen)
    lo = float(best_tot.min())
    flows = 0
    tol = 1e-12 * max(1.0, upper)
    hi = upper
    target = upper
    weight = np.ones(n_p)
    current, tries = best, 0
    while flows < max_flows and hi - lo > 1e-6 * max(1.0, hi):
        below = totals(current) < target - tol
        weight[below] *= boost
        mask = _solve_weighted(net, weight)
        flows += 1
        tries += 1
        if mask is None:  # cannot happen: the unweighted problem is feasible
            break
        current = mask
        tot = totals(mask)
        total = float(net.s[mask].sum())
        if total < floor_total:
            # too costly: give up this target and soften the weights
            hi, tries = target, 0
            weight = np.sqrt(weight)
        elif not (tot < target - tol).any():
            best, lo, tries = mask, float(tot.min()), 0
        elif tries >= max_tries:
            hi, tries = target, 0
        else:
            continue
        target = (lo + hi) / 2.0
    # then the total: soften the weights while the minimum holds
    best_total = float(net.s[best].sum())
    for _ in range(polish_rounds):
        if flows >= max_flows or weight.max() <= 1.0:
            break
        weight = np.sqrt(weight)
        mask = _solve_weighted(net, weight)
        flows += 1
        if mask is None:
            break
        total = float(net.s[mask].sum())
        if float(totals(mask).min()) >= lo - tol and total > best_total:
            best, best_total = mask, total
    result = np.zeros(len(full.p), dtype=bool)
    result[np.flatnonzero(keep)[best]] = True
    return result, upper, flows


def evaluators_assign(
    *,
    candidates: Candidates,
    per_proposal: int,
    max_load: int | Sequence[int] | np.ndarray,
    min_load: int | Sequence[int] | np.ndarray = 0,
    forbidden: np.ndarray | Collection[tuple[str, str]] | None = None,
    economic_experts: Collection[str] = (),
    min_economic_experts: int = 0,
    objective: Objective = "total",
    max_total_loss: float = 0.005,
    fair_max_flows: int = 40,
    fair_keep_top: int = 40,
    fair_boost: float = 2.0,
) -> Assignment:
    """Assign exactly ``per_proposal`` evaluators to every proposal of ``candidates``.

    ``forbidden`` is a boolean mask over the candidate pairs or a collection of
    (proposal_id, evaluator_id) pairs (conflicts; unknown ids are ignored). Loads are one integer
    or one per evaluator of ``candidates.evaluator_ids``. Raises ``AssignmentInfeasible``.
    """
    k = int(per_proposal)
    if k < 1:
        raise _invalid(f"per_proposal must be at least 1, got {per_proposal}")
    if objective not in ("total", "fair"):
        raise _invalid(f"objective must be 'total' or 'fair', got {objective!r}")
    n_x = int(min_economic_experts)
    if not 0 <= n_x <= k:
        raise _invalid(f"min_economic_experts must be between 0 and per_proposal ({k}), got {n_x}")
    if not 0.0 <= max_total_loss < 1.0:
        raise _invalid("max_total_loss must be in [0, 1)")
    n_p, n_e = len(candidates.proposal_ids), len(candidates.evaluator_ids)
    hi_load = _as_loads(max_load, n_e, "max_load")
    lo_load = _as_loads(min_load, n_e, "min_load")
    over = np.flatnonzero(lo_load > hi_load)
    if len(over):
        j = int(over[0])
        raise _invalid(
            f"{candidates.evaluator_ids[j]}: minimum load {int(lo_load[j])} exceeds maximum load {int(hi_load[j])}"
        )

    if forbidden is None:
        eligible = np.ones(len(candidates.score), dtype=bool)
    elif isinstance(forbidden, np.ndarray):
        if forbidden.shape != candidates.score.shape:
            raise _invalid("the forbidden mask must have one entry per candidate pair")
        eligible = ~forbidden.astype(bool)
    else:
        eligible = ~candidates.pair_mask(forbidden)
    expert_of = np.zeros(n_e, dtype=bool)
    if economic_experts:
        wanted = set(economic_experts)
        expert_of[[j for j, eid in enumerate(candidates.evaluator_ids) if eid in wanted]] = True

    pair = np.flatnonzero(eligible)
    net = _Network(
        n_proposals=n_p,
        n_evaluators=n_e,
        per_proposal=k,
        min_experts=n_x,
        pair=pair,
        p=candidates.proposal[pair],
        e=candidates.evaluator[pair],
        s=candidates.score[pair],
        is_expert_arc=expert_of[candidates.evaluator[pair]],
        min_load=lo_load,
        max_load=hi_load,
    )
    problems, stuck = _local_problems(
        net=net, candidates=candidates, n_candidates=np.bincount(candidates.proposal, minlength=n_p)
    )
    if problems:
        raise AssignmentInfeasible(
            "no assignment is possible:\n" + "\n".join(problems), problems=problems, proposal_ids=stuck
        )
    if n_p == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Assignment(candidates, empty, 0.0, 0.0, np.zeros(0), objective, "empty", 0.0, None, 0)

    chosen, bound, _scale = _solve_total(net)
    method = "min_cost_flow" if _flow_available() else "lp_highs"
    if chosen is None:
        reason, ids = _global_problem(net, candidates)
        raise AssignmentInfeasible(
            "no assignment is possible:\n" + reason, problems=(reason,), proposal_ids=ids
        )
    total = float(net.s[chosen].sum())
    if bound > _EXACTNESS_SHARE * total:
        chosen = _cancel_negative_cycles(net, chosen)
        method, bound = method + "+cycle_check", 0.0

    upper: float | None = None
    flows = 1
    if objective == "fair":
        chosen, upper, extra = _fair(
            net=net,
            chosen=chosen,
            max_total_loss=max_total_loss,
            max_flows=fair_max_flows,
            keep_top=fair_keep_top,
            boost=fair_boost,
        )
        flows += extra
        method += "+fair_priority_flows"

    selected = net.pair[chosen]
    sel_p, sel_s = candidates.proposal[selected], candidates.score[selected]
    order = np.lexsort((candidates.evaluator[selected], -sel_s, sel_p))
    selected = selected[order]
    per = np.bincount(candidates.proposal[selected], weights=candidates.score[selected], minlength=n_p)
    return Assignment(
        candidates=candidates,
        selected=selected,
        total=math.fsum(candidates.score[selected].tolist()),
        min_proposal_total=float(per.min()),
        proposal_totals=per,
        objective=objective,
        method=method,
        gap_bound=bound,
        fair_upper_bound=upper,
        flow_solves=flows,
    )
