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
    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True, exist_ok=True)

    # Projects: 1–2 year periods starting in 2025, 30 % self-settlement.
    start = (dt.date(2025, 1, 1) - _EPOCH).days + rng.integers(0, 365, projects)
    length = rng.integers(365, 731, projects)
    end = start + length
    gov = rng.integers(50, 5_000, projects) * 1_000_000
    cash = gov // rng.integers(2, 20, projects)
    cash[::7] = gov[::7] // 2  # 2:1 → 66.66…% government share, truncated to 66.6 %
    project_ids = pl.Series("project_id", [f"P{i:06d}" for i in range(projects)])
    pl.DataFrame(
        {
            "project_id": project_ids,
            "start_date": pl.Series(start, dtype=pl.Int32).cast(pl.Date),
            "end_date": pl.Series(end, dtype=pl.Int32).cast(pl.Date),
            "self_settlement": rng.random(projects) < 0.3,
            "gov_funds": gov,
            "cash_funds": cash,
        }
    ).write_csv(directory / "projects.csv")

    # Transactions.
    project = rng.integers(0, projects, rows)
    category = rng.choice(len(CATEGORIES), size=rows, p=CATEGORY_WEIGHTS)
    heavy_allowance = (project % 25 == 0) & (category == CATEGORIES.index("allowance"))
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
    merchant = (project * 37 + rng.integers(0, 40, rows)) % 500_000
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
    txn_number = rng.permutation(rows)
    frame = pl.DataFrame(
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
    frame.write_parquet(directory / "transactions.parquet", row_group_size=1_000_000)

    # Budgets: spend × 0.85–1.3 per project and category, so some lines run over.
    spend = (
        frame.lazy()
        .filter(pl.col("amount") > 0)
        .group_by("project_id", "category")
        .agg(pl.col("amount").sum())
        .sort("project_id", "category")
        .collect()
    )
    factor = rng.uniform(0.85, 1.3, spend.height)
    spend.select(
        "project_id",
        "category",
        approved=((pl.col("amount").cast(pl.Float64) * factor) / 1000).round().cast(pl.Int64) * 1000,
    ).write_csv(directory / "budgets.csv")
    (directory / "policy.toml").write_text(POLICY, encoding="utf-8")
    return {
        "transactions": directory / "transactions.parquet",
        "projects": directory / "projects.csv",
        "budgets": directory / "budgets.csv",
        "policy": directory / "policy.toml",
    }


def subset(source: Path, target: Path, *, rows: int) -> Path:
    """The first ``rows`` transactions of a generated file (all rules still present)."""
    pl.scan_parquet(source).head(rows).sink_parquet(target)
    return target
