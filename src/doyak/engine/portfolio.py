"""Portfolio selection: which proposals to fund, and why.

Pure engine (no Django). A policy is a total budget, a cut-off score and any number of group
constraints (a group is an AND of filters on track, region, cost, anchor lead, organisation
size and program; each constraint bounds the group's count, its budget and/or its share of the
selected portfolio's budget). ``portfolio_select`` solves the 0/1 programme with HiGHS and
returns a selection proven optimal within ``mip_rel_gap``; ``portfolio_explain`` adds, for every
constraint, whether it binds and what it costs (the objective given up for it), and for the
proposals near the line why they are in or out.

Numerics: costs are integer won. Inside the model money is scaled to a power-of-ten unit so the
largest cost is 10,000–99,999 units; every selection HiGHS returns is re-checked in exact integer
arithmetic (shares as exact fractions). In the rare case a tolerance let a row slip by a few won
(HiGHS accepts a column at 1 − 1e-6 as integral, so a ₩100B cost can hide ₩100k), that one 0/1
point is cut off with a no-good cut (numerically robust: ±1 coefficients, violated by 1) and the
model re-solved; no exactly feasible selection is ever cut off. Reported money is exact.
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

import highspy
import numpy as np

from doyak.engine.errors import EngineError
from doyak.engine.regions import (
    REGION_GROUP_NAMES,
    UnknownRegion,
    region_codes_in,
    region_current_code,
    region_group_of,
)

Objective = Literal["score_weighted_budget", "total_score"]
OBJECTIVES: tuple[str, ...] = ("score_weighted_budget", "total_score")

# Names of the two built-in constraints, as they appear in ``PortfolioInfeasible.conflicting``.
BUDGET = "budget"
CUT_OFF = "min_score"
RESERVED_NAMES = frozenset({BUDGET, CUT_OFF})

# Largest cost accepted: keeps every sum of costs exact in a float64 model (2^53 / 20,000 rows
# of ₩1e11 is far above this). A technical limit, not a policy number.
MAX_COST_WON = 10**14

BoundKind = Literal[
    "count_min", "count_max", "budget_min", "budget_max", "budget_share_min", "budget_share_max"
]
BOUND_KINDS: tuple[str, ...] = (
    "count_min",
    "count_max",
    "budget_min",
    "budget_max",
    "budget_share_min",
    "budget_share_max",
)

_MAX_REPAIRS = 12  # no-good cuts; after these, rows are tightened by the slip (safe, not exact)
_NO_GOOD_REPAIRS = 8
# HiGHS 1.12's MIP presolve mis-reduces knapsack rows whose costs span many orders of magnitude
# (a ₩99,999,999,999 cost beside ₩1 and ₩2 ones: it returned a worse selection as "optimal"):
# models wider than this cost range go without presolve.
_PRESOLVE_MAX_COST_RANGE = 10**6
_NEIGHBOURHOOD_NODES = 100
_PARALLEL_FROM = 2000  # proposals; below this, re-solves are quicker than starting processes
_LOOSE_RESOLVE_FROM = 1000  # proposals; from here the explanation's re-solves prove a looser gap


# --------------------------------------------------------------------------------------------
# Errors


class PortfolioInvalid(EngineError):
    code = "portfolio_invalid"


class PortfolioInfeasible(EngineError):
    """No selection satisfies the policy. ``conflicting``: an irreducible set of constraint names
    (``"budget"`` and ``"min_score"`` stand for the total budget and the cut-off score)."""

    code = "portfolio_infeasible"

    def __init__(
        self,
        message: str,
        *,
        conflicting: tuple[str, ...],
        conflicting_bounds: tuple[tuple[str, str | None], ...] = (),
    ) -> None:
        super().__init__(message)
        self.conflicting = conflicting
        # the same set bound by bound: (name, bound kind); kind None for budget and min_score
        self.conflicting_bounds = conflicting_bounds


class PortfolioNotProven(EngineError):
    """The solver hit the time limit before proving optimality (or infeasibility)."""

    code = "portfolio_not_proven"

    def __init__(self, message: str, *, gap: float | None) -> None:
        super().__init__(message)
        self.gap = gap


# --------------------------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True, slots=True)
class Proposal:
    proposal_id: str
    track: str
    region: str  # 2-digit province code
    cost: int  # won
    score: float
    anchor_led: bool = False
    org_size: str = ""
    program: str = ""


def _as_values(value: str | Iterable[str] | None, *, key: str) -> frozenset[str] | None:
    if value is None:
        return None
    values = frozenset({value}) if isinstance(value, str) else frozenset(value)
    if not values or not all(isinstance(v, str) for v in values):
        raise PortfolioInvalid(f"group.{key}: must be a string or a non-empty list of strings")
    return values


@dataclass(frozen=True)
class Group:
    """Proposals matching every filter given (a list value means "any of"); no filter = all."""

    track: frozenset[str] | None = None
    region_group: frozenset[str] | None = None
    region: frozenset[str] | None = None
    cost_min: int | None = None
    cost_max: int | None = None
    anchor_led: bool | None = None
    org_size: frozenset[str] | None = None
    program: frozenset[str] | None = None

    def __post_init__(self) -> None:
        for key in ("track", "region_group", "region", "org_size", "program"):
            object.__setattr__(self, key, _as_values(getattr(self, key), key=key))
        if self.region_group is not None:
            for name in sorted(self.region_group):
                if name not in REGION_GROUP_NAMES:
                    raise PortfolioInvalid(f"group.region_group: unknown region group {name!r}")
        if self.region is not None:
            try:
                object.__setattr__(self, "region", frozenset(region_current_code(c) for c in self.region))
            except UnknownRegion as error:
                raise PortfolioInvalid(f"group.region: {error}") from None
        for key in ("cost_min", "cost_max"):
            value = getattr(self, key)
            if value is not None and (not _is_int(value) or value < 0):
                raise PortfolioInvalid(f"group.{key}: must be a whole number of won ≥ 0")
        if self.cost_min is not None and self.cost_max is not None and self.cost_min > self.cost_max:
            raise PortfolioInvalid("group: cost_min is greater than cost_max")
        if self.anchor_led is not None and not isinstance(self.anchor_led, bool):
            raise PortfolioInvalid("group.anchor_led: must be true or false")

    def describe(self) -> str:
        parts: list[str] = []
        for key in ("track", "region_group", "region", "org_size", "program"):
            values = getattr(self, key)
            if values is not None:
                parts.append(f"{key} {' or '.join(sorted(values))}")
        if self.cost_min is not None:
            parts.append(f"cost ≥ {won(self.cost_min)}")
        if self.cost_max is not None:
            parts.append(f"cost ≤ {won(self.cost_max)}")
        if self.anchor_led is not None:
            parts.append("anchor-led" if self.anchor_led else "not anchor-led")
        return ", ".join(parts) if parts else "all proposals"


@dataclass(frozen=True)
class GroupConstraint:
    """Bounds on a group of the selected proposals; at least one bound."""

    name: str
    group: Group = field(default_factory=Group)
    count_min: int | None = None
    count_max: int | None = None
    budget_min: int | None = None  # won
    budget_max: int | None = None  # won
    budget_share_min: float | None = None  # of the selected portfolio's total cost, 0..1
    budget_share_max: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise PortfolioInvalid("constraint: name must be a non-empty string")
        label = f"constraint {self.name!r}"
        for kind in ("count_min", "count_max", "budget_min", "budget_max"):
            value = getattr(self, kind)
            if value is not None and (not _is_int(value) or value < 0):
                raise PortfolioInvalid(f"{label}: {kind} must be a whole number ≥ 0")
        for kind in ("budget_share_min", "budget_share_max"):
            value = getattr(self, kind)
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                    raise PortfolioInvalid(f"{label}: {kind} must be a number from 0 to 1")
                object.__setattr__(self, kind, float(value))
        if all(getattr(self, kind) is None for kind in BOUND_KINDS):
            raise PortfolioInvalid(f"{label}: no bound (give one of {', '.join(BOUND_KINDS)})")
        for low, high in (
            ("count_min", "count_max"),
            ("budget_min", "budget_max"),
            ("budget_share_min", "budget_share_max"),
        ):
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and lo > hi:
                raise PortfolioInvalid(f"{label}: {low} is greater than {high}")

    def bounds(self) -> tuple[tuple[str, int | float], ...]:
        return tuple((kind, getattr(self, kind)) for kind in BOUND_KINDS if getattr(self, kind) is not None)


@dataclass(frozen=True)
class Policy:
    budget: int  # won
    min_score: float | None = None  # cut-off: proposals scoring below it are never funded
    objective: Objective = "score_weighted_budget"
    constraints: tuple[GroupConstraint, ...] = ()

    def __post_init__(self) -> None:
        if not _is_int(self.budget) or self.budget < 0:
            raise PortfolioInvalid("budget: must be a whole number of won ≥ 0")
        if self.min_score is not None:
            if isinstance(self.min_score, bool) or not isinstance(self.min_score, int | float):
                raise PortfolioInvalid("min_score: must be a number")
            if not math.isfinite(self.min_score):
                raise PortfolioInvalid("min_score: must be finite")
        if self.objective not in OBJECTIVES:
            raise PortfolioInvalid(f"objective: must be one of {', '.join(OBJECTIVES)}")
        object.__setattr__(self, "constraints", tuple(self.constraints))
        seen: set[str] = set()
        for constraint in self.constraints:
            if constraint.name in RESERVED_NAMES:
                raise PortfolioInvalid(f"constraint {constraint.name!r}: the name is reserved")
            if constraint.name in seen:
                raise PortfolioInvalid(f"constraint {constraint.name!r}: duplicate name")
            seen.add(constraint.name)


# --------------------------------------------------------------------------------------------
# Outputs


@dataclass(frozen=True)
class PortfolioResult:
    selected: tuple[bool, ...]  # per proposal, input order
    objective: float  # recomputed from the selection (score × won, or score)
    funded_count: int
    budget_used: int  # won, exact
    mip_gap: float  # relative gap HiGHS proved
    dual_bound: float  # no selection can beat this objective
    status: str  # "optimal": proven within mip_rel_gap
    seconds: float


@dataclass(frozen=True)
class BoundReport:
    kind: str
    description: str  # "budget share ≥ 60%"
    achieved: str  # "61.2%"
    slack: str  # distance to the bound in its own unit
    binding: bool  # at its limit: no single proposal can move the quantity toward the bound


@dataclass(frozen=True)
class ConstraintReport:
    name: str
    group: str  # described in words
    bounds: tuple[BoundReport, ...]
    binding: bool
    price: float | None  # objective given up for this constraint; None: re-solve not proven
    price_low: float | None  # the true price lies in [price_low, price_high] (optimality gaps)
    price_high: float | None


@dataclass(frozen=True)
class ProposalReason:
    proposal_id: str
    score: float
    cost: int
    region: str
    funded: bool
    reason: str
    because: tuple[str, ...]  # constraints whose removal flips this proposal


@dataclass(frozen=True)
class Explanation:
    policy: Policy
    result: PortfolioResult
    proposal_count: int
    eligible_count: int
    constraints: tuple[ConstraintReport, ...]  # budget and cut-off first, then the policy's
    near_line: tuple[ProposalReason, ...]
    seconds: float


# --------------------------------------------------------------------------------------------
# Formatting helpers


def won(value: int) -> str:
    return f"₩{value:,}"


def _percent(value: float) -> str:
    text = f"{value * 100:.4f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def describe_bound(kind: str, value: int | float) -> str:
    return {
        "count_min": lambda: f"≥ {_projects(int(value))}",
        "count_max": lambda: f"≤ {_projects(int(value))}",
        "budget_min": lambda: f"budget ≥ {won(int(value))}",
        "budget_max": lambda: f"budget ≤ {won(int(value))}",
        "budget_share_min": lambda: f"budget share ≥ {_percent(float(value))}",
        "budget_share_max": lambda: f"budget share ≤ {_percent(float(value))}",
    }[kind]()


def _projects(count: int) -> str:
    return f"{count:,} project" if count == 1 else f"{count:,} projects"


def _join(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


# --------------------------------------------------------------------------------------------
# The model


@dataclass
class _Row:
    element: str  # BUDGET or a constraint name
    kind: str  # "budget" or a bound kind
    bound_value: int | float
    sense: Literal["min", "max"]
    index: np.ndarray  # int32 columns with a non-zero coefficient
    value: np.ndarray  # float64 scaled coefficients
    bound: float  # scaled right-hand side
    exact: np.ndarray  # exact integer coefficients (int64 or Python ints), length n
    exact_bound: int
    exact_scale: float  # exact activity / exact_scale = scaled activity
    share_den: int = 1  # share rows: exact coefficients are den·cost·[member] − num·cost


@dataclass
class _Solve:
    status: str  # "optimal", "infeasible", "time_limit"
    x: np.ndarray | None  # bool selection
    objective: float  # exact objective of x (when x)
    dual_bound: float
    gap: float


class _Model:
    """The 0/1 programme as arrays, built once and re-used by every (re-)solve."""

    def __init__(self, proposals: Sequence[Proposal], policy: Policy) -> None:
        self.proposals = proposals
        self.policy = policy
        n = self.n = len(proposals)
        _check_proposals(proposals)
        self.cost = np.fromiter((p.cost for p in proposals), dtype=np.int64, count=n)
        self.score = np.fromiter((p.score for p in proposals), dtype=np.float64, count=n)
        self.eligible = (
            np.ones(n, dtype=bool) if policy.min_score is None else self.score >= float(policy.min_score)
        )
        max_cost = int(self.cost.max()) if n else 1
        self.unit = 10 ** max(0, len(str(max(max_cost, 1))) - 5)
        self.cost_range = max_cost // max(int(self.cost.min()), 1) if n else 1
        cost_scaled = self.cost / self.unit
        if policy.objective == "score_weighted_budget":
            self.exact_weight = self.score * self.cost.astype(np.float64)
        else:
            self.exact_weight = self.score.copy()
        # objective coefficients scaled by a power of ten to at most 1,000–9,999
        largest = float(np.abs(self.exact_weight).max()) if n else 1.0
        self.obj_scale = 10.0 ** (math.floor(math.log10(largest)) - 3) if largest > 0 else 1.0
        self.col_cost = self.exact_weight / self.obj_scale

        self.rows: list[_Row] = []
        all_cols = np.arange(n, dtype=np.int32)
        self.rows.append(
            _Row(
                BUDGET,
                "budget",
                policy.budget,
                "max",
                all_cols,
                cost_scaled,
                policy.budget / self.unit,
                self.cost,
                policy.budget,
                float(self.unit),
            )
        )
        columns = _Columns(proposals)
        self.masks: dict[str, np.ndarray] = {}
        for constraint in policy.constraints:
            mask = columns.mask(constraint.group)
            self.masks[constraint.name] = mask
            members = np.flatnonzero(mask).astype(np.int32)
            for kind, bound in constraint.bounds():
                sense: Literal["min", "max"] = "min" if kind.endswith("_min") else "max"
                if kind.startswith("count"):
                    row = _Row(
                        constraint.name,
                        kind,
                        bound,
                        sense,
                        members,
                        np.ones(len(members)),
                        float(bound),
                        mask.astype(np.int64),
                        int(bound),
                        1.0,
                    )
                elif kind in ("budget_min", "budget_max"):
                    row = _Row(
                        constraint.name,
                        kind,
                        bound,
                        sense,
                        members,
                        cost_scaled[members],
                        bound / self.unit,
                        self.cost * mask,
                        int(bound),
                        float(self.unit),
                    )
                else:
                    share = Fraction(repr(float(bound)))
                    num, den = share.numerator, share.denominator
                    factor = np.where(mask, den - num, -num).astype(object)
                    exact = self.cost.astype(object) * factor
                    value = cost_scaled * (mask.astype(np.float64) - float(bound))
                    keep = np.flatnonzero(value != 0).astype(np.int32)
                    row = _Row(
                        constraint.name,
                        kind,
                        bound,
                        sense,
                        keep,
                        value[keep],
                        0.0,
                        exact,
                        0,
                        float(self.unit * den),
                        den,
                    )
                self.rows.append(row)
        self.elements: list[str] = [BUDGET]
        if policy.min_score is not None:
            self.elements.append(CUT_OFF)
        self.elements += [c.name for c in policy.constraints]

        # Dense rows × proposals matrix: few rows, so cheap, and column subsets slice it directly.
        self.dense = np.zeros((len(self.rows), n))
        for i, r in enumerate(self.rows):
            self.dense[i, r.index] = r.value
        self.row_lower = np.array([r.bound if r.sense == "min" else -highspy.kHighsInf for r in self.rows])
        self.row_upper = np.array([r.bound if r.sense == "max" else highspy.kHighsInf for r in self.rows])

    def rows_of(self, element: str) -> list[int]:
        return [i for i, r in enumerate(self.rows) if r.element == element]

    def exact_objective(self, x: np.ndarray) -> float:
        return math.fsum(self.exact_weight[x].tolist())

    def violated_rows(self, x: np.ndarray, *, relaxed_rows: Iterable[int] = ()) -> list[tuple[int, int]]:
        """(row, amount in exact units) for each row the selection breaks, in exact arithmetic."""
        skip = set(relaxed_rows)
        out: list[tuple[int, int]] = []
        for i, row in enumerate(self.rows):
            if i in skip:
                continue
            activity = sum(row.exact[x].tolist())
            excess = row.exact_bound - activity if row.sense == "min" else activity - row.exact_bound
            if excess > 0:
                out.append((i, excess))
        return out

    def solve(
        self,
        *,
        relaxed_rows: Iterable[int] = (),
        relax_cut_off: bool = False,
        feasibility_only: bool = False,
        time_limit_s: float,
        mip_rel_gap: float,
        warm_start: np.ndarray | None = None,
        known_bound: float | None = None,
    ) -> _Solve:
        """Optimum (or, ``feasibility_only``, any feasible selection) with some rows freed.

        1. The LP relaxation gives an upper bound (and proves infeasibility when it has none).
        2. A neighbourhood MIP fixes every proposal the LP puts firmly in or out, leaving free the
           fractional ones and the few hundred nearest the line (smallest reduced cost); its
           optimum, checked exactly, is the incumbent (with the warm start, if better).
        3. If the incumbent is within ``mip_rel_gap`` of the LP bound it is proven; otherwise the
           full MIP runs from the incumbent. At 20,000 proposals step 3 is rarely needed: the LP
           bound is within a few millionths of the optimum.
        """
        n = self.n
        deadline = time.monotonic() + time_limit_s
        relaxed = sorted(set(relaxed_rows))
        row_lower = self.row_lower.copy()
        row_upper = self.row_upper.copy()
        row_lower[relaxed] = -highspy.kHighsInf
        row_upper[relaxed] = highspy.kHighsInf
        col_upper = np.ones(n) if relax_cut_off else self.eligible.astype(np.float64)
        free = np.flatnonzero(col_upper > 0)

        if not len(free):
            return self._mip(
                cols=free,
                on=free,
                row_lower=row_lower,
                row_upper=row_upper,
                relaxed=relaxed,
                feasibility_only=feasibility_only,
                gap=mip_rel_gap,
                deadline=deadline,
            )
        lp = _highs(
            self,
            cols=free,
            row_lower=row_lower,
            row_upper=row_upper,
            integer=False,
            time_limit_s=deadline - time.monotonic(),
        )
        lp.run()
        status = lp.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return _Solve("infeasible", None, math.nan, math.nan, math.nan)
        if status == highspy.HighsModelStatus.kTimeLimit:
            return _Solve("time_limit", None, math.nan, math.nan, math.inf)
        if status not in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kModelEmpty):
            raise EngineError(
                f"the LP relaxation stopped with status {lp.modelStatusToString(status)}",
                code="portfolio_solver_error",
            )
        solution = lp.getSolution()
        x_lp = np.zeros(n)
        reduced = np.zeros(n)
        if len(free):
            x_lp[free] = np.asarray(solution.col_value)
            reduced[free] = np.abs(np.asarray(solution.col_dual))
        bound = float(lp.getInfo().objective_function_value) * self.obj_scale if len(free) else 0.0

        incumbent: np.ndarray | None = None
        if warm_start is not None and not self.violated_rows(warm_start, relaxed_rows=relaxed):
            if relax_cut_off or not (warm_start & ~self.eligible).any():
                incumbent = warm_start
                # Nothing to gain from a search when the warm start is already within a tenth of the
                # gap asked for, or when the LP bound did not move from ``known_bound`` (the bound
                # proven for the warm start before the rows were freed).
                unmoved = known_bound is not None and bound <= known_bound * (1 + 1e-12) + 1e-9
                if unmoved or _relative_gap(bound, self.exact_objective(warm_start)) <= mip_rel_gap / 10:
                    objective = self.exact_objective(warm_start)
                    return _Solve(
                        "optimal",
                        warm_start,
                        objective,
                        max(bound, objective),
                        _relative_gap(bound, objective),
                    )

        fractional = free[(x_lp[free] > 1e-6) & (x_lp[free] < 1 - 1e-6)]
        firm = free[(x_lp[free] <= 1e-6) | (x_lp[free] >= 1 - 1e-6)]
        near = firm[np.argsort(reduced[firm], kind="stable")]
        width = 200 + 10 * len(self.rows)
        while True:
            cols = np.union1d(fractional, near[:width])
            on = np.setdiff1d(free[x_lp[free] >= 1 - 1e-6], cols)
            # a tenth of the gap asked for, within a node budget (deterministic, unlike a time slice)
            outcome = self._mip(
                cols=cols,
                on=on,
                row_lower=row_lower,
                row_upper=row_upper,
                relaxed=relaxed,
                feasibility_only=False,
                gap=mip_rel_gap / 10,
                deadline=deadline,
                max_nodes=_NEIGHBOURHOOD_NODES,
            )
            if outcome.status in ("optimal", "limit"):
                assert outcome.x is not None
                if incumbent is None or self.exact_objective(outcome.x) > self.exact_objective(incumbent):
                    incumbent = outcome.x
                break
            if outcome.status == "infeasible" and len(cols) == len(free):
                return outcome  # the neighbourhood was the whole model
            if outcome.status == "time_limit" or width >= len(near):
                break
            width *= 4
        if incumbent is not None:
            objective = self.exact_objective(incumbent)
            gap = _relative_gap(bound, objective)
            if feasibility_only or gap <= mip_rel_gap:
                return _Solve("optimal", incumbent, objective, max(bound, objective), gap)
        outcome = self._mip(
            cols=free,
            on=np.zeros(0, dtype=np.int64),
            row_lower=row_lower,
            row_upper=row_upper,
            relaxed=relaxed,
            feasibility_only=feasibility_only,
            gap=mip_rel_gap,
            deadline=deadline,
            warm=incumbent,
        )
        if outcome.status not in ("optimal", "limit") or outcome.x is None:
            return outcome
        objective = self.exact_objective(outcome.x)
        dual = max(objective, min(bound, outcome.dual_bound))
        # "limit": the time limit stopped the search with a selection in hand (gap above the one asked)
        return _Solve(outcome.status, outcome.x, objective, dual, _relative_gap(dual, objective))

    def _mip(
        self,
        *,
        cols: np.ndarray,
        on: np.ndarray,
        row_lower: np.ndarray,
        row_upper: np.ndarray,
        relaxed: list[int],
        feasibility_only: bool,
        gap: float,
        deadline: float,
        warm: np.ndarray | None = None,
        max_nodes: int | None = None,
    ) -> _Solve:
        """MIP over the columns ``cols`` with ``on`` fixed at 1 and the rest at 0, checked exactly;
        a row a tolerance let slip by a few won is tightened by the slip and the MIP re-run."""
        if not len(cols):  # nothing left to choose (HiGHS calls an empty model "empty", not infeasible)
            x = np.zeros(self.n, dtype=bool)
            x[on] = True
            if self.violated_rows(x, relaxed_rows=relaxed):
                return _Solve("infeasible", None, math.nan, math.nan, math.nan)
            objective = self.exact_objective(x)
            return _Solve("optimal", x, objective, objective, 0.0)
        fixed = self.dense[:, on].sum(axis=1) if len(on) else np.zeros(len(self.rows))
        lower, upper = row_lower - fixed, row_upper - fixed
        offset = float(self.col_cost[on].sum())
        cuts: list[np.ndarray] = []  # no-good cuts: the 0/1 points (over ``cols``) ruled out
        for attempt in range(_MAX_REPAIRS + 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return _Solve("time_limit", None, math.nan, math.nan, math.inf)
            h = _highs(
                self,
                cols=cols,
                row_lower=lower,
                row_upper=upper,
                integer=True,
                time_limit_s=remaining,
                offset=offset,
                zero_objective=feasibility_only,
            )
            h.setOptionValue("mip_rel_gap", 1.0 if feasibility_only else gap)
            if max_nodes is not None:
                h.setOptionValue("mip_max_nodes", max_nodes)
            for point in cuts:
                # sum over the point's ones − sum over its zeros ≤ ones − 1: only that point breaks it
                ones = int(point.sum())
                h.addRow(
                    -highspy.kHighsInf,
                    float(ones - 1),
                    len(cols),
                    np.arange(len(cols), dtype=np.int32),
                    np.where(point, 1.0, -1.0),
                )
            if warm is not None and not any(np.array_equal(warm[cols], point) for point in cuts):
                h.setSolution(len(cols), np.arange(len(cols), dtype=np.int32), warm[cols].astype(np.float64))
            h.run()
            status = h.getModelStatus()
            info = h.getInfo()
            if status == highspy.HighsModelStatus.kInfeasible:
                return _Solve("infeasible", None, math.nan, math.nan, math.nan)
            limited = status in (highspy.HighsModelStatus.kTimeLimit, highspy.HighsModelStatus.kSolutionLimit)
            if limited and info.primal_solution_status != 2:
                return _Solve("time_limit", None, math.nan, math.nan, math.inf)
            if not limited and status not in (
                highspy.HighsModelStatus.kOptimal,
                highspy.HighsModelStatus.kModelEmpty,
            ):
                raise EngineError(
                    f"the solver stopped with status {h.modelStatusToString(status)}",
                    code="portfolio_solver_error",
                )
            x = np.zeros(self.n, dtype=bool)
            x[on] = True
            if len(cols):
                x[cols] = np.asarray(h.getSolution().col_value) > 0.5
            broken = self.violated_rows(x, relaxed_rows=relaxed)
            if not broken:
                objective = self.exact_objective(x)
                dual = (
                    objective
                    if feasibility_only or not len(cols)
                    else float(info.mip_dual_bound) * self.obj_scale
                )
                dual = max(dual, objective)
                return _Solve(
                    "limit" if limited else "optimal", x, objective, dual, _relative_gap(dual, objective)
                )
            if attempt < _NO_GOOD_REPAIRS:
                cuts.append(x[cols].copy())
                continue
            for i, excess in broken:
                row = self.rows[i]
                step = excess / row.exact_scale + 1e-6 * max(1.0, abs(row.bound))
                if row.sense == "max":
                    upper[i] -= step
                else:
                    lower[i] += step
        raise EngineError(
            "the solver's selection kept breaking a constraint by rounding", code="portfolio_numerics"
        )


def _relative_gap(bound: float, objective: float) -> float:
    return max(0.0, bound - objective) / max(abs(objective), 1e-9)


def _highs(
    model: _Model,
    *,
    cols: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    integer: bool,
    time_limit_s: float,
    offset: float = 0.0,
    zero_objective: bool = False,
) -> highspy.Highs:
    """A HiGHS instance for the columns ``cols`` (0/1 each), rows as given, maximising."""
    sub = model.dense[:, cols]
    rows, positions = np.nonzero(sub)
    counts = np.bincount(rows, minlength=len(model.rows))
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int32)
    k = len(cols)
    h = highspy.Highs()
    h.silent()
    h.passModel(
        k,
        len(model.rows),
        len(rows),
        int(highspy.MatrixFormat.kRowwise),
        int(highspy.ObjSense.kMaximize),
        offset,
        np.zeros(k) if zero_objective else model.col_cost[cols],
        np.zeros(k),
        np.ones(k),
        row_lower,
        row_upper,
        starts,
        positions.astype(np.int32),
        sub[rows, positions],
        np.full(k, 1 if integer else 0, dtype=np.int32),
    )
    # HiGHS 1.15's MIP presolve spends ~30 s on a 20,000-column knapsack row and removes nothing
    # (measured), and LP presolve costs more than it saves here: large models and LPs go without.
    if k > 5000 or not integer or model.cost_range > _PRESOLVE_MAX_COST_RANGE:
        h.setOptionValue("presolve", "off")
    h.setOptionValue("time_limit", max(0.01, time_limit_s))
    return h


class _Columns:
    """Proposal attributes as numpy arrays, for vectorised group masks."""

    def __init__(self, proposals: Sequence[Proposal]) -> None:
        self.track = np.array([p.track for p in proposals], dtype=object)
        self.region = np.array([region_current_code(p.region) for p in proposals], dtype=object)
        self.region_raw = np.array([p.region for p in proposals], dtype=object)
        self.cost = np.fromiter((p.cost for p in proposals), dtype=np.int64, count=len(proposals))
        self.anchor_led = np.fromiter((p.anchor_led for p in proposals), dtype=bool, count=len(proposals))
        self.org_size = np.array([p.org_size for p in proposals], dtype=object)
        self.program = np.array([p.program for p in proposals], dtype=object)

    def mask(self, group: Group) -> np.ndarray:
        mask = np.ones(len(self.cost), dtype=bool)
        for key in ("track", "org_size", "program"):
            values = getattr(group, key)
            if values is not None:
                mask &= np.isin(getattr(self, key), list(values))
        if group.region_group is not None:
            codes = frozenset().union(*(region_codes_in(g) for g in group.region_group))
            mask &= np.isin(self.region_raw, list(codes))
        if group.region is not None:
            mask &= np.isin(self.region, list(group.region))
        if group.cost_min is not None:
            mask &= self.cost >= group.cost_min
        if group.cost_max is not None:
            mask &= self.cost <= group.cost_max
        if group.anchor_led is not None:
            mask &= self.anchor_led == group.anchor_led
        return mask


def _check_proposals(proposals: Sequence[Proposal]) -> None:
    seen: set[str] = set()
    for position, p in enumerate(proposals, start=1):
        label = f"proposal {position} ({p.proposal_id!r})"
        if p.proposal_id in seen:
            raise PortfolioInvalid(f"{label}: duplicate proposal_id")
        seen.add(p.proposal_id)
        if not _is_int(p.cost) or not 0 < p.cost <= MAX_COST_WON:
            raise PortfolioInvalid(
                f"{label}: cost must be a whole number of won from 1 to {won(MAX_COST_WON)}"
            )
        if isinstance(p.score, bool) or not isinstance(p.score, int | float) or not math.isfinite(p.score):
            raise PortfolioInvalid(f"{label}: score must be a finite number")
        try:
            region_group_of(p.region)
        except UnknownRegion as error:
            raise PortfolioInvalid(f"{label}: {error}") from None


# --------------------------------------------------------------------------------------------
# Selection


def portfolio_select(
    *,
    proposals: Sequence[Proposal],
    policy: Policy,
    time_limit_s: float = 60.0,
    mip_rel_gap: float = 1e-4,
) -> PortfolioResult:
    """The selection maximising the objective, proven optimal within ``mip_rel_gap``.

    Raises ``PortfolioInvalid`` for bad input, ``PortfolioInfeasible`` (with an irreducible set of
    conflicting constraints) when nothing satisfies the policy, ``PortfolioNotProven`` when the
    time limit passes first.
    """
    started = time.perf_counter()
    model = _Model(proposals, policy)
    solved = model.solve(time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap)
    if solved.status == "infeasible":
        remaining = max(1.0, time_limit_s - (time.perf_counter() - started))
        _raise_infeasible(model, time_limit_s=remaining)
    if solved.status != "optimal" or solved.x is None:
        raise PortfolioNotProven(
            f"no selection proven optimal within {time_limit_s:g} s (gap {_gap_text(solved.gap)})",
            gap=solved.gap,
        )
    return _result(model, solved, seconds=time.perf_counter() - started)


def _gap_text(gap: float | None) -> str:
    return "no solution yet" if gap is None or not math.isfinite(gap) else _percent(gap)


def _result(model: _Model, solved: _Solve, *, seconds: float) -> PortfolioResult:
    assert solved.x is not None
    x = solved.x
    return PortfolioResult(
        selected=tuple(bool(v) for v in x.tolist()),
        objective=solved.objective,
        funded_count=int(x.sum()),
        budget_used=sum(model.cost[x].tolist()),
        mip_gap=solved.gap,
        dual_bound=solved.dual_bound,
        status="optimal",
        seconds=seconds,
    )


def _raise_infeasible(model: _Model, *, time_limit_s: float) -> None:
    """Deletion filter: drop each element in turn; keep it only if the rest becomes feasible."""
    deadline = time.monotonic() + time_limit_s
    units: list[tuple[str, str | None]] = [(BUDGET, None)]
    if model.policy.min_score is not None:
        units.append((CUT_OFF, None))
    units += [(r.element, r.kind) for r in model.rows if r.element != BUDGET]
    keep = list(units)
    for unit in units:
        trial = [u for u in keep if u != unit]
        if _feasibility(model, active=trial, deadline=deadline) == "infeasible":
            keep = trial
    conflicting = tuple(dict.fromkeys(element for element, _ in keep))
    raise PortfolioInfeasible(
        _conflict_message(model.policy, keep), conflicting=conflicting, conflicting_bounds=tuple(keep)
    )


def _feasibility(model: _Model, *, active: list[tuple[str, str | None]], deadline: float) -> str:
    """Whether the model with only the ``active`` (element, bound kind) units is feasible."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise PortfolioNotProven(
            "the policy is infeasible; no conflict found within the time limit", gap=None
        )
    kept = set(active)
    relaxed_rows = [i for i, r in enumerate(model.rows) if (r.element, _kind_of(r)) not in kept]
    solved = model.solve(
        relaxed_rows=relaxed_rows,
        relax_cut_off=(CUT_OFF, None) not in kept,
        feasibility_only=True,
        time_limit_s=remaining,
        mip_rel_gap=1.0,
    )
    if solved.status == "time_limit":
        raise PortfolioNotProven(
            "the policy is infeasible; no conflict found within the time limit", gap=None
        )
    return solved.status


def _kind_of(row: _Row) -> str | None:
    return None if row.element == BUDGET else row.kind


def _conflict_message(policy: Policy, keep: list[tuple[str, str | None]]) -> str:
    by_name: dict[str, list[str]] = {}
    constraints = {c.name: c for c in policy.constraints}
    for element, kind in keep:
        if element in RESERVED_NAMES or kind is None:
            continue
        by_name.setdefault(element, []).append(describe_bound(kind, getattr(constraints[element], kind)))
    parts = [f"{name!r} ({', '.join(descs)})" for name, descs in by_name.items()]
    verb = {
        0: "The policy cannot hold",
        1: f"{_join(parts)} cannot hold",
        2: f"{_join(parts)} cannot both hold",
    }
    message = verb.get(len(parts), f"{_join(parts)} cannot all hold")
    kept = {element for element, _ in keep}
    if CUT_OFF in kept:
        message += f" with the cut-off score of {policy.min_score:g}"
    if BUDGET in kept:
        message += f" within the budget of {won(policy.budget)}"
    if not kept & RESERVED_NAMES:
        message += " with the proposals submitted"
    return message


# --------------------------------------------------------------------------------------------
# Checking a selection (any selection: ours, a spreadsheet's)


def policy_violations(
    *, proposals: Sequence[Proposal], policy: Policy, selected: Sequence[bool]
) -> tuple[str, ...]:
    """The constraints a selection breaks, in words ("'large projects' (≥ 12 projects): 9")."""
    model = _Model(proposals, policy)
    x = np.asarray(selected, dtype=bool)
    out: list[str] = []
    if policy.min_score is not None and bool((x & ~model.eligible).any()):
        below = int((x & ~model.eligible).sum())
        out.append(f"{CUT_OFF!r} (score ≥ {policy.min_score:g}): {below} funded below it")
    for i, _excess in model.violated_rows(x):
        row = model.rows[i]
        desc = (
            "≤ " + won(policy.budget) if row.element == BUDGET else describe_bound(row.kind, row.bound_value)
        )
        out.append(f"{row.element!r} ({desc}): {_achieved(model, row, x)}")
    return tuple(out)


def _achieved(model: _Model, row: _Row, x: np.ndarray) -> str:
    if row.kind.startswith("count"):
        return _projects(int(model.masks[row.element][x].sum()))
    if row.kind in ("budget", "budget_min", "budget_max"):
        mask = np.ones(model.n, dtype=bool) if row.kind == "budget" else model.masks[row.element]
        return won(sum(model.cost[x & mask].tolist()))
    total = sum(model.cost[x].tolist())
    part = sum(model.cost[x & model.masks[row.element]].tolist())
    return "no projects funded" if total == 0 else _percent(part / total)


def _slack(model: _Model, row: _Row, x: np.ndarray) -> tuple[str, bool]:
    """Slack in the bound's unit, and whether the bound is at its limit: no single proposal
    could move the quantity toward the bound without crossing it."""
    activity = sum(row.exact[x].tolist())
    slack_exact = activity - row.exact_bound if row.sense == "min" else row.exact_bound - activity
    if row.sense == "min":
        # moves that lower the activity: drop a funded one with a > 0, add an eligible one with a < 0
        moves = [row.exact[x & (row.exact > 0)], -row.exact[~x & model.eligible & (row.exact < 0)]]
    else:
        moves = [row.exact[~x & model.eligible & (row.exact > 0)], -row.exact[x & (row.exact < 0)]]
    sizes = [int(m.min()) for m in moves if len(m)]
    binding = bool(sizes) and slack_exact < min(sizes)
    if row.kind.startswith("count"):
        text = _projects(int(slack_exact))
    elif row.kind.startswith("budget_share"):
        total = sum(model.cost[x].tolist())
        text = "—" if total == 0 else f"{_percent(float(Fraction(slack_exact, row.share_den * total)))} pt"
    else:
        text = won(int(slack_exact))
    return text, binding


# --------------------------------------------------------------------------------------------
# Explanation


def portfolio_explain(
    *,
    proposals: Sequence[Proposal],
    policy: Policy,
    result: PortfolioResult | None = None,
    near_line: int = 10,
    time_limit_s: float = 60.0,
    mip_rel_gap: float = 1e-4,
    workers: int = 2,
    resolve_rel_gap: float | None = None,
) -> Explanation:
    """Binding constraints, their prices, and why the proposals nearest the line are in or out.

    Each constraint's price is the objective regained by re-solving without it (budget and the
    cut-off score included); the re-solves start from the optimum (still feasible when a
    constraint is removed) and run ``workers`` at a time.

    ``resolve_rel_gap``: the gap each re-solve proves. By default ``mip_rel_gap`` below
    1,000 proposals and ten times it (at most 1e-3) from there: at 2,000 proposals a re-solve to
    1e-4 takes ~10 s where 1e-3 takes ~1 s, and each price carries its exact range
    [``price_low``, ``price_high``] from the two solves' bounds either way. A re-solve stopped by
    the time limit with a selection in hand still gives a price, with its (wider) range.
    """
    started = time.perf_counter()
    model = _Model(proposals, policy)
    if result is None:
        result = portfolio_select(
            proposals=proposals, policy=policy, time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap
        )
    x = np.asarray(result.selected, dtype=bool)
    if resolve_rel_gap is None:
        resolve_rel_gap = (
            mip_rel_gap if model.n < _LOOSE_RESOLVE_FROM else max(mip_rel_gap, min(1e-3, 10 * mip_rel_gap))
        )

    job = (model, x, result.dual_bound, time_limit_s, resolve_rel_gap)
    if workers <= 1 or model.n < _PARALLEL_FROM:
        solved = [_resolve_without(job, element) for element in model.elements]
    else:
        # highspy keeps the GIL while it solves, so threads would run one at a time: processes.
        # "spawn", not "fork": HiGHS's worker threads in this process must not be forked.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_worker_start, initargs=(job,)
        ) as pool:
            solved = list(pool.map(_worker_resolve, model.elements))
    without = dict(zip(model.elements, solved, strict=True))

    reports = tuple(
        _constraint_report(model, element, x, result, without[element]) for element in model.elements
    )
    reasons = _near_line(model, x, without, near_line=near_line)
    return Explanation(
        policy=policy,
        result=result,
        proposal_count=model.n,
        eligible_count=int(model.eligible.sum()),
        constraints=reports,
        near_line=reasons,
        seconds=time.perf_counter() - started,
    )


_Job = tuple["_Model", np.ndarray, float, float, float]
_worker_job: _Job | None = None


def _resolve_without(job: _Job, element: str) -> _Solve:
    model, x, bound, time_limit_s, mip_rel_gap = job
    return model.solve(
        relaxed_rows=model.rows_of(element),
        relax_cut_off=element == CUT_OFF,
        time_limit_s=time_limit_s,
        mip_rel_gap=mip_rel_gap,
        warm_start=x,
        known_bound=bound,
    )


def _worker_start(job: _Job) -> None:
    global _worker_job
    _worker_job = job


def _worker_resolve(element: str) -> _Solve:
    assert _worker_job is not None
    return _resolve_without(_worker_job, element)


def _constraint_report(
    model: _Model, element: str, x: np.ndarray, result: PortfolioResult, solved: _Solve
) -> ConstraintReport:
    policy = model.policy
    bounds: list[BoundReport] = []
    if element == CUT_OFF:
        eligible_out = int((~model.eligible).sum())
        # binding: without the cut-off, some proposal below it would be funded
        wanted = solved.x is not None and bool((solved.x & ~model.eligible).any())
        bounds.append(
            BoundReport(
                "min_score", f"score ≥ {policy.min_score:g}", f"{eligible_out:,} below it", "—", wanted
            )
        )
        group = "all proposals"
    else:
        for i in model.rows_of(element):
            row = model.rows[i]
            desc = (
                f"≤ {won(policy.budget)}" if element == BUDGET else describe_bound(row.kind, row.bound_value)
            )
            slack, binding = _slack(model, row, x)
            bounds.append(BoundReport(row.kind, desc, _achieved(model, row, x), slack, binding))
        group = "all proposals" if element == BUDGET else _constraint(policy, element).group.describe()
    if solved.x is None:  # no selection within the time limit
        price = low = high = None
    else:
        price = max(0.0, solved.objective - result.objective)
        low = max(0.0, solved.objective - result.dual_bound)
        high = max(0.0, solved.dual_bound - result.objective)
    return ConstraintReport(element, group, tuple(bounds), any(b.binding for b in bounds), price, low, high)


def _constraint(policy: Policy, name: str) -> GroupConstraint:
    return next(c for c in policy.constraints if c.name == name)


def _near_line(
    model: _Model, x: np.ndarray, without: dict[str, _Solve], *, near_line: int
) -> tuple[ProposalReason, ...]:
    order = np.lexsort((np.arange(model.n), model.score))  # by score, ties by input order
    funded = [int(i) for i in order if x[i]][:near_line]
    unfunded = [int(i) for i in order[::-1] if not x[i] and model.eligible[i]][:near_line]
    below = [int(i) for i in order[::-1] if not model.eligible[i]][: min(3, near_line)]
    best_unfunded = max(
        (model.score[i] for i in range(model.n) if not x[i] and model.eligible[i]), default=None
    )
    base = model.exact_objective(x)

    def gain(element: str) -> float:
        solved = without[element]
        return solved.objective - base if solved.x is not None else 0.0

    out: list[ProposalReason] = []
    for i in funded + unfunded + below:
        p = model.proposals[i]
        flips = tuple(e for e, s in without.items() if s.x is not None and bool(s.x[i]) != bool(x[i]))
        # the constraints that decide it, costliest first (at most three named)
        named = sorted((e for e in flips if e not in RESERVED_NAMES), key=gain, reverse=True)
        causes = [f"{e!r}" for e in named] + (["the budget"] if BUDGET in flips and not x[i] else [])
        more = len(causes) - 3
        shown = causes[:3] + ([f"{more} more constraint" + ("s" if more > 1 else "")] if more > 0 else [])
        if not model.eligible[i]:
            reason = f"below cut-off score ({model.policy.min_score:g})"
        elif x[i]:
            over = best_unfunded is not None and best_unfunded > model.score[i]
            if named:
                prefix = "funded over a higher score" if over else "funded"
                reason = f"{prefix} because of {_join(shown)}"
            elif over:
                reason = "budget: funded over a higher score because it fits the remaining budget better"
            else:
                reason = "funded on score"
        elif named:
            reason = f"left out because of {_join(shown)}"
        elif BUDGET in flips:
            reason = "budget: does not fit alongside the funded set"
        else:
            reason = "budget: the money does more elsewhere (no single constraint decides it)"
        out.append(ProposalReason(p.proposal_id, p.score, p.cost, p.region, bool(x[i]), reason, flips))
    return tuple(out)


def explanation_to_markdown(explanation: Explanation) -> str:
    """The explanation as a Markdown report (Korean headings, English in parentheses)."""
    e = explanation
    r = e.result
    policy = e.policy
    objective_unit = "score × ₩" if policy.objective == "score_weighted_budget" else "points"
    lines = [
        "# 포트폴리오 선정 설명 (Portfolio selection explanation)",
        "",
        "## 요약 (Summary)",
        "",
        f"- Objective ({policy.objective}): **{_num(r.objective)}** {objective_unit}; proven optimal within a "
        f"gap of {_percent(r.mip_gap)} (no selection can exceed {_num(r.dual_bound)})",
        f"- Funded: **{r.funded_count:,}** of {e.eligible_count:,} eligible proposals ({e.proposal_count:,} in all)",
        f"- Budget used: **{won(r.budget_used)}** of {won(policy.budget)} "
        f"({_percent(r.budget_used / policy.budget) if policy.budget else '—'})",
        f"- Solved in {r.seconds:.2f} s; explained in {e.seconds:.2f} s",
    ]
    binding = [c for c in e.constraints if c.binding]
    costly = sorted((c for c in e.constraints if c.price), key=lambda c: -(c.price or 0.0))
    lines.append(
        f"- Binding constraints: {len(binding)} of {len(e.constraints)} (budget and cut-off included)"
    )
    if costly:
        top = ", ".join(f"'{c.name}' ({_num(c.price or 0.0)})" for c in costly[:3])
        lines.append(f"- Costliest constraints: {top}")
    spread = max(
        (
            max(c.price - c.price_low, c.price_high - c.price)
            for c in e.constraints
            if c.price is not None and c.price_low is not None and c.price_high is not None
        ),
        default=0.0,
    )
    lines += [
        "",
        "## 제약 조건 (Constraints)",
        "",
        "Price = the objective given up for the constraint: the optimum re-solved without it, minus this "
        "optimum. Binding = at its limit: no single proposal could move it further. Prices are exact up to "
        f"the optimality gaps of the two solves: at most ±{_num(spread)}"
        + (f" ({_percent(spread / r.objective)} of the objective)." if r.objective else "."),
        "",
        "| Constraint | Group | Bound | Achieved | Slack | Binding | Price | Price (% of objective) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for c in e.constraints:
        for k, b in enumerate(c.bounds):
            price = pct = ""
            if k == 0:
                price = "not proven in time" if c.price is None else _num(c.price)
                if c.price is not None:
                    pct = _percent(c.price / r.objective) if r.objective else "—"
            name, group = (_cell(c.name), _cell(c.group)) if k == 0 else ("", "")
            lines.append(
                f"| {name} | {group} | {_cell(b.description)} | {b.achieved} | {b.slack} "
                f"| {'yes' if b.binding else 'no'} | {price} | {pct} |"
            )
    lines += ["", "## 경계선 과제 (Proposals near the line)", ""]
    for title, rows in (
        ("### 선정, 최저 점수 (Funded, lowest scores)", [p for p in e.near_line if p.funded]),
        ("### 미선정, 최고 점수 (Not funded, highest scores)", [p for p in e.near_line if not p.funded]),
    ):
        lines += [title, "", "| Proposal | Score | Cost | Region | Why |", "|---|---|---|---|---|"]
        lines += [
            f"| {_cell(p.proposal_id)} | {p.score:g} | {won(p.cost)} | {p.region} | {_cell(p.reason)} |"
            for p in rows
        ]
        lines.append("")
    return "\n".join(lines)


def _num(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.4g}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
