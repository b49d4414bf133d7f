"""One measured settlement run, in its own process (so peak RSS is this run's alone).

    python -P bench/_settle_run.py engine|stream|floor|pandas DATA_DIR TRANSACTIONS.parquet FLAGS.csv

``engine``: read the whole ledger into memory and settle it; ``stream``: settle it project range by project
range (``doyak.engine.settlement_stream``), writing each range's flags and summary as it goes; ``floor``: a
bare Polars scan of the same Parquet (read, one filter, one group-by), what reading the data costs at least.

Prints one JSON line: wall seconds per phase, CPU seconds, peak RSS (VmHWM), rows, flags.
"""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]  # bench/select.py

import importlib.util  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402


def _peak_rss_bytes() -> int:
    """This process image's peak RSS (VmHWM). ``ru_maxrss`` is not used: on Linux it keeps the
    high-water mark of the parent that forked this process."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_engine(data: Path, transactions: Path, flags_out: Path) -> dict[str, float | int]:
    from doyak.engine.ledger_io import ledger_read
    from doyak.engine.settlement import SUMMARY_COLUMNS
    from doyak.engine.settlement_policy import policy_read
    from doyak.engine.settlement_stream import ledger_settle_ranges

    started, cpu = time.perf_counter(), _cpu()
    policy = policy_read(path=data / "policy.toml")
    ledger = ledger_read(
        transactions_path=transactions, projects_path=data / "projects.csv", budgets_path=data / "budgets.csv"
    )
    read = time.perf_counter()
    result = ledger_settle_ranges(ledger=ledger, policy=policy)  # what `doyak settle` runs
    settled = time.perf_counter()
    result.flags.write_csv(flags_out)
    result.summary.select(SUMMARY_COLUMNS).write_csv(flags_out.with_suffix(".summary.csv"))
    done = time.perf_counter()
    return {
        "rows": ledger.transactions.height,
        "flags": result.flags.height,
        "read_seconds": read - started,
        "settle_seconds": settled - read,
        "write_seconds": done - settled,
        "seconds": done - started,
        "cpu_seconds": _cpu() - cpu,
    }


def run_stream(data: Path, transactions: Path, flags_out: Path) -> dict[str, float | int]:
    from doyak.engine.settlement import SUMMARY_COLUMNS
    from doyak.engine.settlement_policy import policy_read
    from doyak.engine.settlement_stream import ledger_parts_settle

    started, cpu = time.perf_counter(), _cpu()
    policy = policy_read(path=data / "policy.toml")
    rows = flag_count = parts = 0
    with flags_out.open("wb") as flags, flags_out.with_suffix(".summary.csv").open("wb") as summary:
        for part in ledger_parts_settle(transactions_path=transactions, projects_path=data / "projects.csv",
                                        budgets_path=data / "budgets.csv", policy=policy):
            part.flags.write_csv(flags, include_header=parts == 0)
            part.summary.select(SUMMARY_COLUMNS).write_csv(summary, include_header=parts == 0)
            rows += part.totals.transactions
            flag_count += part.flags.height
            parts += 1
    done = time.perf_counter()
    return {
        "rows": rows,
        "flags": flag_count,
        "parts": parts,
        "read_seconds": 0.0,
        "settle_seconds": done - started,
        "write_seconds": 0.0,
        "seconds": done - started,
        "cpu_seconds": _cpu() - cpu,
    }


def run_floor(data: Path, transactions: Path, flags_out: Path) -> dict[str, float | int]:
    import polars as pl

    started, cpu = time.perf_counter(), _cpu()
    grouped = (
        pl.scan_parquet(transactions)
        .filter(pl.col("amount") > 0)
        .group_by("project_id")
        .agg(pl.len(), pl.col("amount").sum())
        .collect(engine="streaming")
    )
    done = time.perf_counter()
    assert grouped.height > 0
    return {
        "rows": pl.scan_parquet(transactions).select(pl.len()).collect().item(),
        "flags": 0,
        "read_seconds": 0.0,
        "settle_seconds": done - started,
        "write_seconds": 0.0,
        "seconds": done - started,
        "cpu_seconds": _cpu() - cpu,
    }


def run_pandas(data: Path, transactions: Path, flags_out: Path) -> dict[str, float | int]:
    spec = importlib.util.spec_from_file_location("_settle_pandas", _HERE / "_settle_pandas.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    import pandas as pd

    started, cpu = time.perf_counter(), _cpu()
    flags = module.settle_flags(
        transactions=transactions,
        projects=data / "projects.csv",
        budgets=data / "budgets.csv",
        policy=data / "policy.toml",
    )
    settled = time.perf_counter()
    flags.to_csv(flags_out, index=False)
    done = time.perf_counter()
    return {
        "rows": len(pd.read_parquet(transactions, columns=["amount"])),
        "flags": len(flags),
        "read_seconds": 0.0,
        "settle_seconds": settled - started,
        "write_seconds": done - settled,
        "seconds": done - started,
        "cpu_seconds": _cpu() - cpu,
    }


def main() -> None:
    kind, data, transactions, flags_out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
    load_before = os.getloadavg()[0]
    runs = {"engine": run_engine, "stream": run_stream, "floor": run_floor, "pandas": run_pandas}
    figures = runs[kind](data, transactions, flags_out)
    figures["peak_rss_bytes"] = _peak_rss_bytes()
    figures["load_average_before"] = load_before
    figures["load_average_after"] = os.getloadavg()[0]
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
