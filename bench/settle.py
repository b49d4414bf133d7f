"""Benchmark of the settlement engine against a straightforward pandas baseline.

    .venv/bin/python bench/settle.py                      # 10,000,000 rows, 20,000 projects
    .venv/bin/python bench/settle.py --rows 200000 --projects 400 --baseline-rows 200000

Generates a synthetic ledger (Parquet transactions, CSV projects and budgets, the issue's
policy) into a temporary directory, then runs, each in its own process so that peak RSS is
its own: the engine end to end on all rows (read + validate the Parquet, settle every rule,
write flags and summary CSV), the pandas baseline on the first ``--baseline-rows`` rows
(it is slow; its rows/s and the extrapolation to all rows are reported), and the engine on
that same subset, whose flags must equal the baseline's. Nothing generated is kept unless
``--keep DIR`` is given. Target: engine ≤ 15 s and ≤ 4 GB on 2 cores.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]  # bench/select.py

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, _HERE / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _measure(kind: str, data: Path, transactions: Path, flags: Path) -> dict:
    completed = subprocess.run(
        [sys.executable, "-P", str(_HERE / "_settle_run.py"), kind, str(data), str(transactions), str(flags)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _flags_equal(first: Path, second: Path) -> tuple[bool, str]:
    import polars as pl

    def load(path: Path) -> pl.DataFrame:
        frame = pl.read_csv(path, infer_schema=False).with_columns(pl.col("txn_id").fill_null(""))
        return frame.with_columns(pl.col("amount_at_risk").cast(pl.Int64)).sort(frame.columns)

    a, b = load(first), load(second)
    counts = a.group_by("flag").len().sort("flag")
    detail = ", ".join(f"{flag} {count:,}" for flag, count in counts.iter_rows())
    return a.equals(b), detail


def _row(name: str, figures: dict, rows: int) -> str:
    rate = figures["rows"] / figures["seconds"]
    return (
        f"{name:<34} {figures['rows']:>12,} {figures['seconds']:>9.2f} {figures['cpu_seconds']:>9.2f} "
        f"{rate:>14,.0f} {figures['peak_rss_bytes'] / 2**30:>9.2f}  "
        f"read {figures['read_seconds']:.2f} / settle {figures['settle_seconds']:.2f} / "
        f"write {figures['write_seconds']:.2f}; load avg {figures['load_average_before']:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--baseline-rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="generate into this directory and keep it")
    arguments = parser.parse_args()
    baseline_rows = min(arguments.baseline_rows, arguments.rows)

    data_module = _load("_settle_data")
    directory = arguments.keep or Path(tempfile.mkdtemp(prefix="doyak-settle-bench-"))
    try:
        started = time.perf_counter()
        paths = data_module.generate(directory, rows=arguments.rows, projects=arguments.projects)
        subset = data_module.subset(paths["transactions"], directory / "subset.parquet", rows=baseline_rows)
        print(
            f"generated {arguments.rows:,} transactions over {arguments.projects:,} projects "
            f"in {time.perf_counter() - started:.1f} s ({paths['transactions'].stat().st_size / 2**20:.0f} MiB "
            f"Parquet); {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
        )
        engine = _measure("engine", directory, paths["transactions"], directory / "engine_flags.csv")
        engine_subset = _measure("engine", directory, subset, directory / "engine_subset_flags.csv")
        baseline = _measure("pandas", directory, subset, directory / "pandas_subset_flags.csv")
        same, detail = _flags_equal(
            directory / "engine_subset_flags.csv", directory / "pandas_subset_flags.csv"
        )

        print(
            f"\n{'run':<34} {'rows':>12} {'wall s':>9} {'cpu s':>9} {'rows/s (wall)':>14} {'peak GiB':>9}  phases"
        )
        print(_row("engine, all rules, end to end", engine, arguments.rows))
        print(_row("engine, baseline subset", engine_subset, baseline_rows))
        print(_row("pandas baseline, subset", baseline, baseline_rows))
        rate = baseline["rows"] / baseline["seconds"]
        print(
            f"\npandas baseline extrapolated to {arguments.rows:,} rows: {arguments.rows / rate:,.0f} s "
            f"(linear at {rate:,.0f} rows/s; it was run on {baseline['rows']:,} rows)"
        )
        print(
            f"engine vs pandas on the subset: {engine_subset['rows'] / engine_subset['seconds'] / rate:.1f}× rows/s"
        )
        print(
            f"flags on the subset agree: {'yes' if same else 'NO'} ({engine_subset['flags']:,} flags: {detail})"
        )
        target = engine["seconds"] <= 15 and engine["peak_rss_bytes"] <= 4 * 2**30
        print(
            f"target ≤ 15 s and ≤ 4 GiB for the engine: {'met' if target else 'NOT met'} "
            f"({engine['seconds']:.1f} s wall, {engine['cpu_seconds']:.1f} s CPU, "
            f"{engine['peak_rss_bytes'] / 2**30:.2f} GiB)"
        )
        if not same:
            raise SystemExit(1)
    finally:
        if arguments.keep is None:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
