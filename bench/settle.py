"""Benchmark of the settlement engine: in memory, streamed, against a bare scan and a pandas baseline.

    .venv/bin/python bench/settle.py                      # 10M rows in memory and streamed, 100M streamed
    .venv/bin/python bench/settle.py --stream-rows 0      # 10M only
    .venv/bin/python bench/settle.py --rows 200000 --projects 400 --baseline-rows 200000 --stream-rows 0

Generates synthetic ledgers (Parquet transactions, CSV projects and budgets, the issue's policy) into a
temporary directory, then runs, each in its own process so that peak RSS is its own:

* the engine end to end on ``--rows`` transactions in memory (read + validate the Parquet, settle every
  rule, write flags and summary CSV), on the bench's file in random project order;
* the streamed engine (``doyak.engine.settlement_stream``, project range by project range) on the same
  transactions sorted by project: its flags and summary must equal the in-memory run's;
* the streamed engine on ``--stream-rows`` transactions over ``--stream-projects`` projects, generated
  block by block, sorted by project (100M rows: about 2 GiB of Parquet; check the disk first);
* for each file, a bare Polars scan of the same Parquet (read, one filter, one group-by): the floor, so
  the ratio says how close the rules come to merely reading the data;
* the pandas baseline on the first ``--baseline-rows`` rows (it is slow; its rows/s and the extrapolation
  to all rows are reported), and the engine on that same subset, whose flags must equal the baseline's.

Nothing generated is kept unless ``--keep DIR`` is given; a later run with the same ``--keep DIR`` and sizes
reuses what is there (generating 100M rows takes a quarter of an hour on 2 cores). Targets on 2 cores: in memory ≤ 3 s and
≤ 1.2 GiB for 10M; streamed ≤ 90 s and ≤ 4 GiB for 100M; ≥ 10× the pandas baseline. On a shared machine
read the ratios (to the floor, to pandas) as much as the seconds: the load average is printed per run.
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


def _files_equal(first: Path, second: Path) -> bool:
    """Byte for byte: both runs write their rows in the engine's order."""
    with first.open("rb") as a, second.open("rb") as b:
        while True:
            x, y = a.read(1 << 20), b.read(1 << 20)
            if x != y:
                return False
            if not x:
                return True


def _sorted_copy(source: Path, target: Path) -> Path:
    """The same transactions sorted by project, in 500,000-row groups (as an export by project gives)."""
    import polars as pl

    pl.read_parquet(source).sort("project_id", maintain_order=True).write_parquet(target, row_group_size=500_000)
    return target


def _generated(directory: Path, sizes: dict, generate) -> dict[str, Path]:
    """``generate()``'s files, or the ones a previous run with the same sizes left in ``directory``."""
    marker = directory / "generated.json"
    if marker.exists() and json.loads(marker.read_text()) == sizes:
        return {"transactions": directory / "transactions.parquet", "projects": directory / "projects.csv",
                "budgets": directory / "budgets.csv", "policy": directory / "policy.toml"}
    marker.unlink(missing_ok=True)
    paths = generate()
    marker.write_text(json.dumps(sizes))
    return paths


def _row(name: str, figures: dict) -> str:
    rate = figures["rows"] / figures["seconds"]
    phases = (
        f"read {figures['read_seconds']:.2f} / settle {figures['settle_seconds']:.2f} / "
        f"write {figures['write_seconds']:.2f}" if figures["read_seconds"] else
        (f"project ranges: {figures['parts']}" if "parts" in figures else "")
    )
    return (
        f"{name:<36} {figures['rows']:>12,} {figures['seconds']:>9.2f} {figures['cpu_seconds']:>9.2f} "
        f"{rate:>14,.0f} {figures['peak_rss_bytes'] / 2**30:>9.2f}  "
        f"{phases}; load avg {figures['load_average_before']:.1f}"
    )


def _target(name: str, figures: dict, *, seconds: float, gib: float) -> str:
    met = figures["seconds"] <= seconds and figures["peak_rss_bytes"] <= gib * 2**30
    return (
        f"target ≤ {seconds:g} s and ≤ {gib:g} GiB, {name}: {'met' if met else 'NOT met'} "
        f"({figures['seconds']:.1f} s wall, {figures['cpu_seconds']:.1f} s CPU, "
        f"{figures['peak_rss_bytes'] / 2**30:.2f} GiB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--baseline-rows", type=int, default=1_000_000)
    parser.add_argument("--stream-rows", type=int, default=100_000_000, help="0: no large streamed run")
    parser.add_argument("--stream-projects", type=int, default=200_000)
    parser.add_argument("--keep", type=Path, help="generate into this directory and keep it")
    arguments = parser.parse_args()
    baseline_rows = min(arguments.baseline_rows, arguments.rows)

    data_module = _load("_settle_data")
    directory = arguments.keep or Path(tempfile.mkdtemp(prefix="doyak-settle-bench-"))
    try:
        started = time.perf_counter()
        directory.mkdir(parents=True, exist_ok=True)

        def generate() -> dict[str, Path]:
            generated = data_module.generate(directory, rows=arguments.rows, projects=arguments.projects)
            data_module.subset(generated["transactions"], directory / "subset.parquet", rows=baseline_rows)
            _sorted_copy(generated["transactions"], directory / "transactions_by_project.parquet")
            return generated

        paths = _generated(directory, {"rows": arguments.rows, "projects": arguments.projects,
                                       "baseline_rows": baseline_rows}, generate)
        subset = directory / "subset.parquet"
        by_project = directory / "transactions_by_project.parquet"
        print(
            f"ledger of {arguments.rows:,} transactions over {arguments.projects:,} projects ready "
            f"in {time.perf_counter() - started:.1f} s ({paths['transactions'].stat().st_size / 2**20:.0f} MiB "
            f"Parquet); {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
        )
        engine = _measure("engine", directory, paths["transactions"], directory / "engine_flags.csv")
        streamed = _measure("stream", directory, by_project, directory / "stream_flags.csv")
        floor = _measure("floor", directory, paths["transactions"], directory / "floor.csv")
        engine_subset = _measure("engine", directory, subset, directory / "engine_subset_flags.csv")
        baseline = _measure("pandas", directory, subset, directory / "pandas_subset_flags.csv")
        same, detail = _flags_equal(
            directory / "engine_subset_flags.csv", directory / "pandas_subset_flags.csv"
        )
        stream_same = _files_equal(directory / "engine_flags.csv", directory / "stream_flags.csv") and _files_equal(
            directory / "engine_flags.summary.csv", directory / "stream_flags.summary.csv")

        large = large_floor = None
        if arguments.stream_rows:
            large_dir = directory / "large"
            started = time.perf_counter()
            large_dir.mkdir(parents=True, exist_ok=True)
            large_paths = _generated(
                large_dir, {"rows": arguments.stream_rows, "projects": arguments.stream_projects},
                lambda: data_module.generate_sorted(
                    large_dir, rows=arguments.stream_rows, projects=arguments.stream_projects))
            print(
                f"ledger of {arguments.stream_rows:,} transactions over {arguments.stream_projects:,} projects, "
                f"sorted by project, in {time.perf_counter() - started:.1f} s "
                f"({large_paths['transactions'].stat().st_size / 2**20:,.0f} MiB Parquet); "
                f"load average {os.getloadavg()[0]:.1f}"
            )
            large = _measure("stream", large_dir, large_paths["transactions"], large_dir / "stream_flags.csv")
            large_floor = _measure("floor", large_dir, large_paths["transactions"], large_dir / "floor.csv")

        print(
            f"\n{'run':<36} {'rows':>12} {'wall s':>9} {'cpu s':>9} {'rows/s (wall)':>14} {'peak GiB':>9}  phases"
        )
        print(_row("engine, in memory, end to end", engine))
        print(_row("engine, streamed (sorted copy)", streamed))
        print(_row("bare Polars scan (floor)", floor))
        if large is not None and large_floor is not None:
            print(_row("engine, streamed, large", large))
            print(_row("bare Polars scan (floor), large", large_floor))
        print(_row("engine, baseline subset", engine_subset))
        print(_row("pandas baseline, subset", baseline))
        rate = baseline["rows"] / baseline["seconds"]
        print(
            f"\npandas baseline extrapolated to {arguments.rows:,} rows: {arguments.rows / rate:,.0f} s "
            f"(linear at {rate:,.0f} rows/s; it was run on {baseline['rows']:,} rows)"
        )
        print(
            f"engine vs pandas on the subset: {engine_subset['rows'] / engine_subset['seconds'] / rate:.1f}× rows/s; "
            f"in memory on all rows vs pandas: {engine['rows'] / engine['seconds'] / rate:.1f}×"
        )
        print(
            f"engine vs the bare scan: in memory {engine['seconds'] / floor['seconds']:.1f}× its time"
            + (f", streamed large {large['seconds'] / large_floor['seconds']:.1f}×" if large and large_floor else "")
        )
        print(
            f"flags on the subset agree with pandas: {'yes' if same else 'NO'} "
            f"({engine_subset['flags']:,} flags: {detail})"
        )
        print(
            f"streamed flags and summary equal the in-memory ones, byte for byte: {'yes' if stream_same else 'NO'} "
            f"({engine['flags']:,} flags, {streamed['parts']} project ranges)"
        )
        print(_target("in memory", engine, seconds=3, gib=1.2))
        if large is not None:
            print(_target(f"streamed {arguments.stream_rows:,} rows", large, seconds=90, gib=4))
        if not (same and stream_same):
            raise SystemExit(1)
    finally:
        if arguments.keep is None:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
