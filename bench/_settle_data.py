"""Synthetic ledger for the settlement benchmark: a realistic mix that triggers every rule.

``generate(directory, rows=…, projects=…)`` writes ``transactions.parquet`` (typed columns),
``projects.csv``, ``budgets.csv`` and ``policy.toml`` into ``directory``. Deterministic for a
given seed. Nothing it writes is meant to be committed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

CATEGORIES = (
    "personnel",
    "student_personnel",
    "equipment",
    "materials",
    "activities",
    "allowance",
    "subcontract",
    "international",
    "innovation",
    "indirect",
)
CATEGORY_WEIGHTS = np.array([0.10, 0.05, 0.03, 0.30, 0.33, 0.04, 0.02, 0.01, 0.05, 0.07])
CATEGORY_MEDIAN = np.array(
    [3_000_000, 1_000_000, 20_000_000, 300_000, 80_000, 600_000, 30_000_000, 5_000_000, 200_000, 1_000_000]
)
MERCHANT_TYPES = (
    "restaurant",
    "office_supply",
    "lab_supply",
    "travel",
    "electronics",
    "payroll",
    "bank",
    "consulting",
    "university",
    "bookstore",
    "cafe",
    "logistics",
)
INELIGIBLE_TYPES = ("bar", "karaoke", "golf", "casino")
EVIDENCE = ("none", "card_slip", "tax_invoice", "receipt", "transfer")

POLICY = """\
ineligible_merchant_types = ["bar", "karaoke", "golf", "casino"]
duplicate_window_minutes = 10
budget_transfer_share = 0.1
allowance_share_of_personnel = 0.2
holiday_review_categories = ["activities"]
audit_sample_share = 0.15
seed = 42
[evidence_exemption]
default = 0
activities = 500000
materials = 3000000
[grace_days]
default = 0
allowance = 90
"""

_DAY_US = 86_400_000_000
_EPOCH = dt.date(1970, 1, 1)


def generate(directory: Path, *, rows: int, projects: int, seed: int = 20260128) -> dict[str, Path]:
    """The bench's ledger: transactions in random project order, one Parquet file of 1M-row groups."""
    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True, exist_ok=True)
    start, length = _projects_write(rng, directory, projects=projects)
    frame = _transactions(rng, start=start, length=length, first_project=0, rows=rows, first_txn=0)
    frame.write_parquet(directory / "transactions.parquet", row_group_size=1_000_000)
    _budgets_write(rng, directory, [_spend(frame)])
    return _paths(directory)


def generate_sorted(
    directory: Path, *, rows: int, projects: int, seed: int = 20260128, block_projects: int = 10_000
) -> dict[str, Path]:
    """The same kind of ledger at any size: written block of projects by block, each block sorted by
    project, so the file is sorted by ``project_id`` and a project range is a contiguous run of row groups
    (a few hundred MiB of memory however many rows)."""
    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True, exist_ok=True)
    start, length = _projects_write(rng, directory, projects=projects)
    spends = []
    writer = None
    first_txn = 0
    try:
        for first in range(0, projects, block_projects):
            last = min(first + block_projects, projects)
            block_rows = rows * last // projects - rows * first // projects
            frame = _transactions(rng, start=start[first:last], length=length[first:last], first_project=first,
                                  rows=block_rows, first_txn=first_txn).sort("project_id", maintain_order=True)
            first_txn += block_rows
            spends.append(_spend(frame))
            table = frame.to_arrow(compat_level=pl.CompatLevel.oldest())
            if writer is None:
                writer = pq.ParquetWriter(directory / "transactions.parquet", table.schema, compression="zstd")
            writer.write_table(table, row_group_size=500_000)
            del frame, table
    finally:
        if writer is not None:
            writer.close()
    _budgets_write(rng, directory, spends)
    return _paths(directory)


def _paths(directory: Path) -> dict[str, Path]:
    (directory / "policy.toml").write_text(POLICY, encoding="utf-8")
    return {
        "transactions": directory / "transactions.parquet",
        "projects": directory / "projects.csv",
        "budgets": directory / "budgets.csv",
        "policy": directory / "policy.toml",
    }


def _projects_write(rng: np.random.Generator, directory: Path, *, projects: int) -> tuple[np.ndarray, np.ndarray]:
    # Projects: 1–2 year periods starting in 2025, 30 % self-settlement.
    start = (dt.date(2025, 1, 1) - _EPOCH).days + rng.integers(0, 365, projects)
    length = rng.integers(365, 731, projects)
    end = start + length
    gov = rng.integers(50, 5_000, projects) * 1_000_000
    cash = gov // rng.integers(2, 20, projects)
    cash[::7] = gov[::7] // 2  # 2:1 → 66.66…% government share, truncated to 66.6 %
    pl.DataFrame(
        {
            "project_id": _project_ids(0, projects),
            "start_date": pl.Series(start, dtype=pl.Int32).cast(pl.Date),
            "end_date": pl.Series(end, dtype=pl.Int32).cast(pl.Date),
            "self_settlement": rng.random(projects) < 0.3,
            "gov_funds": gov,
            "cash_funds": cash,
        }
    ).write_csv(directory / "projects.csv")
    return start, length


def _project_ids(first: int, last: int) -> pl.Series:
    return pl.Series("project_id", [f"P{i:06d}" for i in range(first, last)])


def _transactions(
    rng: np.random.Generator, *, start: np.ndarray, length: np.ndarray, first_project: int, rows: int, first_txn: int
) -> pl.DataFrame:
    """``rows`` transactions of the projects ``first_project`` … (``start``/``length`` are theirs)."""
    projects = start.size
    project_ids = _project_ids(first_project, first_project + projects)
    project = rng.integers(0, projects, rows)
    global_project = project + first_project
    category = rng.choice(len(CATEGORIES), size=rows, p=CATEGORY_WEIGHTS)
    heavy_allowance = (global_project % 25 == 0) & (category == CATEGORIES.index("allowance"))
    amount = np.round(CATEGORY_MEDIAN[category] * rng.lognormal(0.0, 0.6, rows), -1).astype(np.int64)
    amount[heavy_allowance] *= 12
    amount = np.maximum(amount, 10)
    refund = rng.random(rows) < 0.01
    amount[refund] = -amount[refund]
    offset_day = (rng.random(rows) * length[project]).astype(np.int64)
    outside = rng.random(rows)
    offset_day[outside < 0.004] = -rng.integers(1, 30, int((outside < 0.004).sum()))
    late = outside > 0.995
    offset_day[late] = length[project[late]] + rng.integers(1, 120, int(late.sum()))
    day = start[project] + offset_day
    weekday = (day + 3) % 7  # Monday = 0
    to_friday = (weekday >= 5) & (rng.random(rows) < 0.85)  # most spending happens on workdays
    day[to_friday] -= weekday[to_friday] - 4
    second_of_day = rng.integers(8 * 3600, 22 * 3600, rows)  # local time of day
    ts = (day * 86_400 + second_of_day - 9 * 3600) * 1_000_000 + rng.integers(0, 1000, rows) * 1000
    merchant = (global_project * 37 + rng.integers(0, 40, rows)) % 500_000
    merchant_kind = (merchant * 2_654_435_761) % 1000
    merchant_type_code = np.where(merchant_kind < 4, len(MERCHANT_TYPES) + merchant_kind, merchant_kind % 12)
    is_people = category <= 1
    evidence = rng.choice([1, 2, 3, 0], size=rows, p=[0.70, 0.20, 0.05, 0.05])
    evidence[is_people] = 4
    merchant_type_code[is_people] = MERCHANT_TYPES.index("payroll")

    # Split purchases: every 300th row gets a partner at the same merchant, same local day,
    # both small and without evidence, together above the activities threshold.
    base = np.arange(0, rows - 1, 300)
    partner = base + 1
    act = CATEGORIES.index("activities")
    for rows_ in (base, partner):
        category[rows_] = act
        amount[rows_] = 300_000
        evidence[rows_] = 0
        merchant_type_code[rows_] = 10
    project[partner] = project[base]
    merchant[partner] = merchant[base]
    day[partner] = day[base]
    ts[base] = (day[base] * 86_400 + 10 * 3600 - 9 * 3600) * 1_000_000
    ts[partner] = ts[base] + 4 * 3600 * 1_000_000
    # Duplicates: every 200th row repeats the row before it a few minutes later.
    dup = np.arange(3, rows, 200)
    for array in (project, category, amount, merchant, merchant_type_code, evidence, day):
        array[dup] = array[dup - 1]
    ts[dup] = ts[dup - 1] + rng.integers(0, 15 * 60, dup.size) * 1_000_000

    types = np.array(MERCHANT_TYPES + INELIGIBLE_TYPES, dtype=object)
    txn_number = first_txn + rng.permutation(rows)
    return pl.DataFrame(
        {
            "txn_id": pl.Series(txn_number).cast(pl.String).str.zfill(10),
            "project_id": project_ids.gather(project),
            "category": pl.Series(np.array(CATEGORIES)[category]),
            "amount": amount,
            "occurred_at": pl.Series(ts).cast(pl.Datetime("us", "UTC")),
            "merchant_id": pl.Series(merchant).cast(pl.String).str.zfill(6),
            "merchant_type": pl.Series(types[merchant_type_code].astype(str)),
            "evidence": pl.Series(np.array(EVIDENCE)[evidence]),
        }
    ).with_columns(
        pl.concat_str(pl.lit("T"), "txn_id").alias("txn_id"),
        pl.concat_str(pl.lit("M"), "merchant_id").alias("merchant_id"),
    )


def _spend(frame: pl.DataFrame) -> pl.DataFrame:
    return (
        frame.lazy()
        .filter(pl.col("amount") > 0)
        .group_by("project_id", "category")
        .agg(pl.col("amount").sum())
        .sort("project_id", "category")
        .collect()
    )


def _budgets_write(rng: np.random.Generator, directory: Path, spends: list[pl.DataFrame]) -> None:
    # Budgets: spend × 0.85–1.3 per project and category, so some lines run over.
    spend = pl.concat(spends)
    factor = rng.uniform(0.85, 1.3, spend.height)
    spend.select(
        "project_id",
        "category",
        approved=((pl.col("amount").cast(pl.Float64) * factor) / 1000).round().cast(pl.Int64) * 1000,
    ).write_csv(directory / "budgets.csv")


def subset(source: Path, target: Path, *, rows: int) -> Path:
    """The first ``rows`` transactions of a generated file (all rules still present)."""
    pl.scan_parquet(source).head(rows).sink_parquet(target)
    return target
