"""Baseline: the settlement rules written in straightforward pandas (for the benchmark only).

Same rules and decisions as ``doyak.engine.settlement`` (see its docstring), written the way
one would first write them: merges, group-by transforms and sorts on whole frames.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import holidays
import numpy as np
import pandas as pd


def settle_flags(*, transactions: Path, projects: Path, budgets: Path, policy: Path) -> pd.DataFrame:
    pol = tomllib.loads(policy.read_text(encoding="utf-8"), parse_float=Decimal)
    tx = pd.read_parquet(transactions)
    pr = pd.read_csv(projects, parse_dates=["start_date", "end_date"])
    bu = pd.read_csv(budgets)

    exemption = {k: v for k, v in pol["evidence_exemption"].items() if k != "default"}
    grace = {k: v for k, v in pol["grace_days"].items() if k != "default"}
    tx["threshold"] = (
        tx["category"].map(exemption).fillna(pol["evidence_exemption"]["default"]).astype("int64")
    )
    tx["grace"] = tx["category"].map(grace).fillna(pol["grace_days"]["default"]).astype("int64")
    tx["day"] = tx["occurred_at"].dt.tz_convert("Asia/Seoul").dt.tz_localize(None).dt.normalize()
    tx = tx.merge(pr[["project_id", "start_date", "end_date"]], on="project_id", how="left")
    pos = tx["amount"] > 0

    tx["OUT_OF_PERIOD"] = pos & (
        (tx["day"] < tx["start_date"]) | (tx["day"] > tx["end_date"] + pd.to_timedelta(tx["grace"], unit="D"))
    )
    tx["INELIGIBLE_MERCHANT"] = pos & tx["merchant_type"].isin(pol["ineligible_merchant_types"])
    tx["MISSING_EVIDENCE"] = pos & (tx["evidence"] == "none") & (tx["amount"] > tx["threshold"])
    candidate = pos & (tx["evidence"] == "none") & (tx["amount"] <= tx["threshold"])
    keys = ["project_id", "merchant_id", "day", "category"]
    cand = tx.loc[candidate, [*keys, "amount", "threshold"]]
    grouped = cand.groupby(keys)["amount"]
    split_rows = cand.index[(grouped.transform("size") >= 2) & (grouped.transform("sum") > cand["threshold"])]
    tx["SPLIT_PURCHASE"] = False
    tx.loc[split_rows, "SPLIT_PURCHASE"] = True

    years = range(tx["day"].dt.year.min(), tx["day"].dt.year.max() + 1)
    kr = pd.to_datetime(list(holidays.country_holidays("KR", years=list(years))))
    tx["HOLIDAY_USE"] = (
        pos
        & tx["category"].isin(pol["holiday_review_categories"])
        & ((tx["day"].dt.weekday >= 5) | tx["day"].isin(kr))
    )
    positive = tx.loc[pos, ["project_id", "merchant_id", "amount", "occurred_at", "txn_id"]].sort_values(
        ["project_id", "merchant_id", "amount", "occurred_at", "txn_id"]
    )
    previous = positive.groupby(["project_id", "merchant_id", "amount"])["occurred_at"].shift()
    window = pd.Timedelta(minutes=int(pol["duplicate_window_minutes"]))
    tx["DUPLICATE"] = False
    tx.loc[positive.index[(positive["occurred_at"] - previous) <= window], "DUPLICATE"] = True

    inel = tx["OUT_OF_PERIOD"] | tx["INELIGIBLE_MERCHANT"] | tx["MISSING_EVIDENCE"] | tx["SPLIT_PURCHASE"]
    share = Fraction(pol["budget_transfer_share"])
    bu["limit"] = bu["approved"] * (share.denominator + share.numerator) // share.denominator
    ok = tx.loc[~inel, ["project_id", "category", "amount", "occurred_at", "txn_id"]].sort_values(
        ["project_id", "category", "occurred_at", "txn_id"]
    )
    ok["running"] = ok.groupby(["project_id", "category"])["amount"].cumsum()
    ok = ok.reset_index().merge(
        bu[["project_id", "category", "limit"]], on=["project_id", "category"], how="left"
    )
    ok["limit"] = ok["limit"].fillna(0).astype("int64")
    over = (ok["amount"] > 0) & (ok["running"] > ok["limit"])
    ok["risk"] = np.where(over, np.minimum(ok["amount"], ok["running"] - ok["limit"]), 0)
    tx["risk"] = 0
    tx.loc[ok.loc[over, "index"], "risk"] = ok.loc[over, "risk"].to_numpy()

    tx["recognised"] = np.where(inel, 0, tx["amount"] - tx["risk"])
    allowance = tx[tx["category"] == "allowance"].groupby("project_id")["recognised"].sum()
    personnel = (
        tx[tx["category"].isin(["personnel", "student_personnel"])].groupby("project_id")["recognised"].sum()
    )
    caps = pd.concat([allowance.rename("allowance"), personnel.rename("personnel")], axis=1).fillna(0)
    allowance_share = Fraction(pol["allowance_share_of_personnel"])
    cap = caps["personnel"].astype("int64") * allowance_share.numerator // allowance_share.denominator
    excess = caps["allowance"].astype("int64") - cap
    excess = excess[excess > 0]

    parts = []
    for flag, severity in (
        ("OUT_OF_PERIOD", "ineligible"),
        ("INELIGIBLE_MERCHANT", "ineligible"),
        ("MISSING_EVIDENCE", "ineligible"),
        ("SPLIT_PURCHASE", "ineligible"),
        ("DUPLICATE", "review"),
        ("HOLIDAY_USE", "review"),
    ):
        rows = tx.loc[tx[flag], ["txn_id", "project_id", "amount"]].rename(
            columns={"amount": "amount_at_risk"}
        )
        parts.append(rows.assign(flag=flag, severity=severity))
    rows = tx.loc[tx["risk"] > 0, ["txn_id", "project_id", "risk"]].rename(columns={"risk": "amount_at_risk"})
    parts.append(rows.assign(flag="OVER_BUDGET", severity="ineligible"))
    parts.append(
        pd.DataFrame(
            {
                "txn_id": "",
                "project_id": excess.index,
                "amount_at_risk": excess.to_numpy(),
                "flag": "ALLOWANCE_CAP",
                "severity": "ineligible",
            }
        )
    )
    flags = pd.concat(parts, ignore_index=True)[
        ["txn_id", "project_id", "flag", "severity", "amount_at_risk"]
    ]
    return flags.sort_values(["project_id", "txn_id", "flag"], ignore_index=True)
