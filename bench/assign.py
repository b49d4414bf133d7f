"""Benchmark of evaluator assignment (not part of the test run).

    .venv/bin/python bench/assign.py                       # 10,000 proposals × 5,000 evaluators
    .venv/bin/python bench/assign.py --proposals 1000 --evaluators 500   # quick

Generates (deterministic seed) proposals × evaluators with ``--candidates`` candidate pairs per
proposal and ``--conflict-share`` of them forbidden, writes A and C as CSV under ``--data-dir``
(default ``bench/.data/assign``, git-ignored), then runs every method in its own subprocess, so
its peak memory (ru_maxrss) is its own:

* ``total`` / ``fair`` — ``doyak assign`` through the CLI code path (CSV in, CSV out);
* ``greedy`` — each slot takes the best free evaluator (baseline);
* ``lp-highs`` — the transportation LP solved by HiGHS simplex (the optimum to compare with).

It prints one table (seconds, peak MB, total affinity, gap to the LP optimum, minimum
per-proposal affinity) and the ratios against the baselines.
"""

from __future__ import annotations

import os
import sys

# bench/ holds scripts named like stdlib modules (select.py): keep it off the import path
_BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _BENCH]

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

BENCH_DIR = Path(__file__).resolve().parent
K, MAX_LOAD = 5, 12


def _helper(name: str):
    """Import bench/<name>.py by path (bench/ is not on sys.path, see above)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, BENCH_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _worker(method: str, data: Path, k: int, max_load: int) -> dict:
    a, c = data / "affinity.csv", data / "conflicts.csv"
    if method in ("total", "fair"):
        import polars as pl

        from doyak.cli.assign import main

        out = data / f"out_{method}.csv"
        started = time.perf_counter()
        code = main(
            [
                "--affinity",
                str(a),
                "--conflicts",
                str(c),
                "--per-proposal",
                str(k),
                "--max-load",
                str(max_load),
                "--objective",
                method,
                "--out",
                str(out),
                "--quiet",
            ]
        )
        seconds = time.perf_counter() - started
        if code != 0:
            raise SystemExit(f"doyak assign failed with {code}")
        res = pl.read_csv(out, schema_overrides={"proposal_id": pl.String, "evaluator_id": pl.String})
        per = res.group_by("proposal_id").agg(pl.col("score").sum(), pl.len().alias("n"))
        # feasibility check of the written file
        conflicts = pl.read_csv(c, schema_overrides={"proposal_id": pl.String, "evaluator_id": pl.String})
        bad = res.join(conflicts, on=["proposal_id", "evaluator_id"], how="semi").height
        loads = res.group_by("evaluator_id").len()["len"].max()
        return {
            "seconds": seconds,
            "peak_mb": _peak_mb(),
            "total": float(np.sum(res["score"].to_numpy())),
            "min": float(per["score"].min()),
            "note": f"rows/proposal={per['n'].min()}..{per['n'].max()} max load={loads} conflicted={bad}",
        }
    base = _helper("_assign_baselines")

    started = time.perf_counter()
    p, e, s, n_p, n_e = base.load(a, c)
    if method == "greedy":
        chosen, unfilled = base.greedy(p, e, s, n_p, n_e, k, max_load)
        note = f"unfilled slots={unfilled}"
    else:
        x, _objective = base.lp_highs(p, e, s, n_p, n_e, k, max_load)
        frac = int(np.sum(np.abs(x - np.rint(x)) > 1e-9))
        chosen = x > 0.5
        note = f"fractional columns={frac}"
    seconds = time.perf_counter() - started
    per = np.bincount(p[chosen], weights=s[chosen], minlength=n_p)
    return {
        "seconds": seconds,
        "peak_mb": _peak_mb(),
        "total": float(np.sum(s[chosen])),
        "min": float(per.min()),
        "note": note,
    }


def _run(method: str, data: Path, k: int, max_load: int) -> dict:
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            __file__,
            "--worker",
            method,
            "--data-dir",
            str(data),
            "--k",
            str(k),
            "--max-load",
            str(max_load),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{method} failed:\n{proc.stderr}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - started
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--proposals", type=int, default=10_000)
    ap.add_argument("--evaluators", type=int, default=5_000)
    ap.add_argument("--candidates", type=int, default=80)
    ap.add_argument("--conflict-share", type=float, default=0.03)
    ap.add_argument("--k", type=int, default=K)
    ap.add_argument("--max-load", type=int, default=MAX_LOAD)
    ap.add_argument("--seed", type=int, default=20260611)
    ap.add_argument("--data-dir", type=Path, default=BENCH_DIR / ".data" / "assign")
    ap.add_argument("--methods", default="lp-highs,greedy,total,fair")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(_worker(args.worker, args.data_dir, args.k, args.max_load)))
        return

    _assign_data = _helper("_assign_data")

    started = time.perf_counter()
    affinity, conflicts = _assign_data.generate(
        proposals=args.proposals,
        evaluators=args.evaluators,
        candidates=args.candidates,
        conflict_share=args.conflict_share,
        seed=args.seed,
    )
    _assign_data.write(affinity, args.data_dir / "affinity.csv")
    _assign_data.write(conflicts, args.data_dir / "conflicts.csv")
    print(
        f"data: {args.proposals} proposals × {args.evaluators} evaluators, {affinity.num_rows} pairs, "
        f"{conflicts.num_rows} conflicts, K={args.k}, max load={args.max_load}, seed={args.seed} "
        f"({time.perf_counter() - started:.1f} s, in {args.data_dir})"
    )
    results = {}
    for method in args.methods.split(","):
        results[method] = _run(method, args.data_dir, args.k, args.max_load)
        print(f"  {method}: done in {results[method]['process_seconds']:.1f} s", flush=True)

    lp = results.get("lp-highs", {}).get("total")
    print()
    print(
        f"{'method':<10} {'seconds':>8} {'process s':>9} {'peak MB':>8} {'total affinity':>16} {'gap to LP':>11} "
        f"{'min/proposal':>12}  note"
    )
    for method, r in results.items():
        gap = f"{(lp - r['total']) / lp:.2e}" if lp else "-"
        print(
            f"{method:<10} {r['seconds']:>8.2f} {r['process_seconds']:>9.2f} {r['peak_mb']:>8.0f} "
            f"{r['total']:>16.6f} {gap:>11} {r['min']:>12.6f}  {r['note']}"
        )
    print()
    if "total" in results:
        t = results["total"]
        if "greedy" in results:
            g = results["greedy"]
            print(
                f"total vs greedy:   affinity ×{t['total'] / g['total']:.4f}, min/proposal ×{t['min'] / g['min']:.4f}"
            )
        if lp:
            print(
                f"total vs LP:       relative gap {abs(lp - t['total']) / lp:.2e}, "
                f"time ×{t['seconds'] / results['lp-highs']['seconds']:.3f}"
            )
    if "fair" in results and "total" in results:
        f, t = results["fair"], results["total"]
        print(
            f"fair vs total:     affinity ×{f['total'] / t['total']:.5f} (loss {100 * (1 - f['total'] / t['total']):.3f}%), "
            f"min/proposal {t['min']:.6f} -> {f['min']:.6f}"
        )


if __name__ == "__main__":
    main()
