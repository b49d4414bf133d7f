"""Benchmark of ``doyak select``: proven optimum, full explanation, and the spreadsheet baseline.

    .venv/bin/python bench/select.py [--proposals 20000] [--constraints 40] [--seed 1] [--workers 2]

Generates proposals and a feasible policy into a temporary directory (nothing is kept), reads
them through the CLI's parsers, then reports: seconds to the proven optimum and its gap; seconds
for the full explanation (one re-solve per constraint, budget and cut-off included); and the
spreadsheet baseline — rank the eligible proposals by score and fund down the list, either
skipping what does not fit (``skip``) or stopping at the first that does not fit (``stop``) —
with its objective, the constraints it breaks and the ratio to the optimum.
Targets on 2 cores: proven optimal ≤ 10 s; full explanation ≤ 60 s.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the standard library's ``select`` module; drop its folder from the
# import path before anything imports ``select`` (subprocess, multiprocessing do).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

_spec = importlib.util.spec_from_file_location("_select_data", _HERE / "_select_data.py")
assert _spec is not None and _spec.loader is not None
_data = importlib.util.module_from_spec(_spec)
sys.modules["_select_data"] = _data
_spec.loader.exec_module(_data)
files_write, policy_generate, proposals_generate = (
    _data.files_write,
    _data.policy_generate,
    _data.proposals_generate,
)

from doyak.cli.select import policy_read, proposals_read  # noqa: E402
from doyak.engine.portfolio import (  # noqa: E402
    Policy,
    Proposal,
    explanation_to_markdown,
    policy_violations,
    portfolio_explain,
    portfolio_select,
    won,
)


def baseline(proposals: list[Proposal], policy: Policy, *, skip: bool) -> list[bool]:
    """Rank by score (ties: input order), fund down the list until the budget is spent."""
    order = sorted(range(len(proposals)), key=lambda i: -proposals[i].score)
    chosen = [False] * len(proposals)
    left = policy.budget
    for i in order:
        p = proposals[i]
        if policy.min_score is not None and p.score < policy.min_score:
            break
        if p.cost <= left:
            chosen[i] = True
            left -= p.cost
        elif not skip:
            break
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--proposals", type=int, default=20_000)
    parser.add_argument("--constraints", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--time-limit", type=float, default=120.0)
    parser.add_argument("--show-explanation", action="store_true", help="print the Markdown explanation")
    args = parser.parse_args()

    print(
        f"doyak select bench: {args.proposals:,} proposals, {args.constraints} constraints, seed {args.seed}, "
        f"{os.cpu_count()} CPUs, {args.workers} explanation workers"
    )
    with tempfile.TemporaryDirectory(prefix="doyak-select-bench-") as tmp:
        data = proposals_generate(n=args.proposals, seed=args.seed)
        budget, constraints = policy_generate(data=data, m=args.constraints, seed=args.seed)
        proposals_path, policy_path = files_write(
            directory=Path(tmp), data=data, budget=budget, constraints=constraints
        )
        t = time.perf_counter()
        proposals = proposals_read(proposals_path)
        policy = policy_read(policy_path)
        read_s = time.perf_counter() - t

    t = time.perf_counter()
    result = portfolio_select(proposals=proposals, policy=policy, time_limit_s=args.time_limit)
    select_s = time.perf_counter() - t
    t = time.perf_counter()
    explanation = portfolio_explain(
        proposals=proposals, policy=policy, result=result, time_limit_s=args.time_limit, workers=args.workers
    )
    explain_s = time.perf_counter() - t
    markdown = explanation_to_markdown(explanation)

    total_cost = sum(p.cost for p in proposals)
    eligible = sum(p.score >= (policy.min_score or -np.inf) for p in proposals)
    print(
        f"budget {won(policy.budget)} ({policy.budget / total_cost:.1%} of all requested); "
        f"{eligible:,} eligible at min_score {policy.min_score:g}; read CSV+TOML {read_s:.2f} s"
    )
    print()
    print(
        f"optimum: {select_s:.2f} s to proven optimal (status {result.status}, gap {result.mip_gap:.5%}), "
        f"objective {result.objective:,.0f}, {result.funded_count:,} funded, {won(result.budget_used)} used"
    )
    assert policy_violations(proposals=proposals, policy=policy, selected=result.selected) == ()
    binding = [c.name for c in explanation.constraints if c.binding]
    priced = [c for c in explanation.constraints if c.price]
    unproven = [c.name for c in explanation.constraints if c.price is None]
    print(
        f"explanation: {explain_s:.2f} s for {len(explanation.constraints)} re-solves "
        f"({len(binding)} binding, {len(priced)} with a price > 0, {len(unproven)} not proven)"
    )
    for c in sorted(priced, key=lambda c: -(c.price or 0))[:8]:
        print(f"   price {c.price / result.objective:8.4%}  {c.name}")
    print()
    print("spreadsheet baseline (rank by score, fund down the list until the budget is spent):")
    for skip in (True, False):
        chosen = baseline(proposals, policy, skip=skip)
        x = np.array(chosen)
        objective = sum(p.score * p.cost for p, c in zip(proposals, chosen, strict=True) if c)
        broken = policy_violations(proposals=proposals, policy=policy, selected=chosen)
        label = "skip what doesn't fit" if skip else "stop at the first that doesn't fit"
        print(
            f"  {label}: objective {objective:,.0f} ({objective / result.objective:.4f} of optimum), "
            f"{int(x.sum()):,} funded, breaks {len(broken)} of {len(policy.constraints)} constraints"
        )
        for b in broken[:5]:
            print(f"     {b}")
        if len(broken) > 5:
            print(f"     … and {len(broken) - 5} more")
    print()
    ok = select_s <= 10 and explain_s <= 60
    print(
        f"targets: proven optimal ≤ 10 s: {select_s:.2f} s; explanation ≤ 60 s: {explain_s:.2f} s -> "
        f"{'met' if ok else 'MISSED'}"
    )
    if args.show_explanation:
        print()
        print(markdown)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
