"""Settlement engine: every rule at its boundary, totals, clawback, audit sample, chunks."""

from __future__ import annotations

import datetime as dt
import math
import random
import zoneinfo
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

import holidays
import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from doyak.engine.settlement import (
    BUDGET_SCHEMA,
    EQUIPMENT_SCHEMA,
    FLAG_COLUMNS,
    FLAGS,
    PROJECT_SCHEMA,
    SUMMARY_COLUMNS,
    TRANSACTION_SCHEMA,
    Ledger,
    LedgerError,
    SettlementResult,
    audit_rank,
    budget_limit,
    clawback_amount,
    clawback_from_share,
    clawbacks_from_shares,
    government_share_permille,
    government_shares_permille,
    ledger_settle,
    ledger_settle_projects,
)
from doyak.engine.settlement_policy import CATEGORIES, PolicyError, SettlementPolicy, policy_from_toml
from doyak.engine.settlement_whatif import WhatIfScenario, settlement_what_if

POLICY_TOML = """\
ineligible_merchant_types = ["bar", "karaoke", "golf", "casino"]
duplicate_window_minutes = 10
budget_transfer_share = 0.1
allowance_share_of_personnel = 0.2
holiday_review_categories = ["activities"]
audit_sample_share = 0.15
seed = 42
[evidence_exemption]   # won; at or under this, no evidence needed
default = 0
activities = 500000
materials = 3000000
[grace_days]
default = 0
allowance = 90
"""

# A Tuesday that is no holiday, inside the default project period.
WORKDAY = "2026-03-03T10:00:00+09:00"
UNLIMITED = 10**12


def policy(**overrides: Any) -> SettlementPolicy:
    return replace(policy_from_toml(text=POLICY_TOML), **overrides)


def parse_at(value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=9)))
    return moment.astimezone(dt.UTC)


def txn(
    txn_id: str,
    *,
    project: str = "P1",
    category: str = "materials",
    amount: int = 100_000,
    at: str = WORKDAY,
    merchant: str = "M1",
    merchant_type: str = "lab_supply",
    evidence: str = "card_slip",
) -> dict[str, Any]:
    return {
        "txn_id": txn_id,
        "project_id": project,
        "category": category,
        "amount": amount,
        "occurred_at": parse_at(at),
        "merchant_id": merchant,
        "merchant_type": merchant_type,
        "evidence": evidence,
    }


def project(
    project_id: str = "P1",
    *,
    start: str = "2026-01-01",
    end: str = "2026-12-31",
    self_settlement: bool = False,
    gov: int = 200_000_000,
    cash: int = 100_000_000,
) -> dict[str, Any]:
    return {
        "project_id": project_id,
        "start_date": dt.date.fromisoformat(start),
        "end_date": dt.date.fromisoformat(end),
        "self_settlement": self_settlement,
        "gov_funds": gov,
        "cash_funds": cash,
    }


def unlimited_budgets(project_ids: list[str]) -> list[dict[str, Any]]:
    return [
        {"project_id": project_id, "category": category, "approved": UNLIMITED}
        for project_id in project_ids
        for category in CATEGORIES
    ]


def ledger(
    transactions: list[dict[str, Any]],
    *,
    projects: list[dict[str, Any]] | None = None,
    budgets: list[dict[str, Any]] | None = None,
) -> Ledger:
    projects = projects if projects is not None else [project()]
    if budgets is None:
        budgets = unlimited_budgets([row["project_id"] for row in projects])
    return Ledger(
        transactions=pl.DataFrame(transactions, schema=TRANSACTION_SCHEMA),
        projects=pl.DataFrame(projects, schema=PROJECT_SCHEMA),
        budgets=pl.DataFrame(budgets, schema=BUDGET_SCHEMA),
    )


def flag_rows(result: SettlementResult) -> list[tuple[str, str, str, int]]:
    """(txn_id, flag, severity, amount_at_risk) in the result's order."""
    return [
        (row["txn_id"], row["flag"], row["severity"], row["amount_at_risk"])
        for row in result.flags.iter_rows(named=True)
    ]


def summary_row(result: SettlementResult, project_id: str = "P1") -> dict[str, Any]:
    rows = result.summary.filter(pl.col("project_id") == project_id).to_dicts()
    assert len(rows) == 1
    return rows[0]


# --- MISSING_EVIDENCE -------------------------------------------------------------------------


def test_missing_evidence_at_threshold_is_not_flagged():
    # given an activities transaction without evidence exactly at the ₩500,000 exemption
    book = ledger([txn("T1", category="activities", amount=500_000, evidence="none")])
    # when settled
    result = ledger_settle(ledger=book, policy=policy())
    # then nothing is flagged
    assert flag_rows(result) == []


def test_missing_evidence_one_won_over_threshold_is_ineligible():
    # given an activities transaction without evidence one won above the exemption
    book = ledger([txn("T1", category="activities", amount=500_001, evidence="none")])
    # when settled
    result = ledger_settle(ledger=book, policy=policy())
    # then it is ineligible for its whole amount
    assert flag_rows(result) == [("T1", "MISSING_EVIDENCE", "ineligible", 500_001)]


def test_missing_evidence_default_category_needs_evidence_for_one_won():
    # given equipment (default exemption 0) of ₩1 without evidence, and a refund without evidence
    book = ledger(
        [
            txn("T1", category="equipment", amount=1, evidence="none"),
            txn("T2", category="equipment", amount=-5_000, evidence="none"),
        ]
    )
    # when settled
    result = ledger_settle(ledger=book, policy=policy())
    # then only the positive one is flagged; the refund counts in spent
    assert flag_rows(result) == [("T1", "MISSING_EVIDENCE", "ineligible", 1)]
    assert summary_row(result)["spent"] == -4_999


# --- SPLIT_PURCHASE ---------------------------------------------------------------------------


def test_split_purchase_summing_to_threshold_is_not_flagged():
    # given two evidence-less activities payments at one merchant on one day summing to ₩500,000
    book = ledger(
        [
            txn("T1", category="activities", amount=250_000, evidence="none", at="2026-03-03T09:00:00+09:00"),
            txn("T2", category="activities", amount=250_000, evidence="none", at="2026-03-03T18:00:00+09:00"),
        ]
    )
    # when settled
    result = ledger_settle(ledger=book, policy=policy())
    # then nothing is flagged
    assert flag_rows(result) == []


def test_split_purchase_one_won_over_flags_every_part():
    # given three evidence-less payments, two of which (same merchant and day) sum to ₩500,001
    book = ledger(
        [
            txn("T1", category="activities", amount=250_000, evidence="none", at="2026-03-03T09:00:00+09:00"),
            txn("T2", category="activities", amount=250_001, evidence="none", at="2026-03-03T23:59:59+09:00"),
            txn("T3", category="activities", amount=250_000, evidence="none", at="2026-03-04T00:00:00+09:00"),
        ]
    )
    # when settled
    result = ledger_settle(ledger=book, policy=policy())
    # then both parts of the same Seoul day are ineligible, the next day's payment is not
    assert flag_rows(result) == [
        ("T1", "SPLIT_PURCHASE", "ineligible", 250_000),
        ("T2", "SPLIT_PURCHASE", "ineligible", 250_001),
    ]


def test_split_purchase_ignores_other_merchants_and_evidenced_payments():
    # given payments that together exceed the threshold but differ in merchant or have evidence
    book = ledger(
        [
            txn("T1", category="activities", amount=300_000, evidence="none", merchant="M1"),
            txn("T2", category="activities", amount=300_000, evidence="none", merchant="M2"),
            txn(
                "T3",
                category="activities",
                amount=300_000,
                evidence="card_slip",
                merchant="M1",
                at="2026-03-03T15:00:00+09:00",
            ),
        ]
    )
    # when settled
    result = ledger_settle(ledger=book, policy=policy())
    # then nothing is flagged
    assert flag_rows(result) == []


# --- DUPLICATE --------------------------------------------------------------------------------


def test_duplicate_exactly_at_window_is_flagged():
    # given the same merchant and amount again exactly 10 minutes later
    book = ledger(
        [
            txn("T1", at="2026-03-03T10:00:00+09:00"),
            txn("T2", at="2026-03-03T10:10:00+09:00"),
        ]
    )
    # when settled
    result = ledger_settle(ledger=book, policy=policy())
    # then the second is flagged for review
    assert flag_rows(result) == [("T2", "DUPLICATE", "review", 100_000)]
    assert summary_row(result)["review"] == 100_000


def test_duplicate_one_second_past_window_is_not_flagged():
    # given the same merchant and amount 10 minutes and 1 second later
    book = ledger(
        [
            txn("T1", at="2026-03-03T10:00:00+09:00"),
            txn("T2", at="2026-03-03T10:10:01+09:00"),
        ]
    )
    # when settled
    result = ledger_settle(ledger=book, policy=policy())
    # then nothing is flagged
    assert flag_rows(result) == []


def test_duplicate_chain_measures_from_previous_and_ties_break_by_txn_id():
    # given a chain every 8 minutes, two payments at the very same second, and another amount
    book = ledger(
        [
            txn("T9", at="2026-03-03T10:00:00+09:00"),
            txn("T1", at="2026-03-03T10:08:00+09:00"),
            txn("T5", at="2026-03-03T10:16:00+09:00"),
            txn("A2", amount=7_000, at="2026-03-03T11:00:00+09:00"),
            txn("A1", amount=7_000, at="2026-03-03T11:00:00+09:00"),
            txn("T4", amount=100_001, at="2026-03-03T10:01:00+09:00"),
        ]
    )
    # when settled
    result = ledger_settle(ledger=book, policy=policy())
    # then every one after the first is flagged; of the simultaneous pair the larger txn_id
    assert flag_rows(result) == [
        ("A2", "DUPLICATE", "review", 7_000),
        ("T1", "DUPLICATE", "review", 100_000),
        ("T5", "DUPLICATE", "review", 100_000),
    ]


# --- OUT_OF_PERIOD ----------------------------------------------------------------------------


def test_out_of_period_last_day_passes_and_next_day_fails():
    # given materials on the project's last day and on the day after
    book = ledger(
        [
            txn("T1", at="2026-12-31T23:59:59+09:00", merchant="A"),
            txn("T2", at="2027-01-01T00:00:00+09:00", merchant="B"),
            txn("T3", at="2025-12-31T23:59:59+09:00", merchant="C"),
        ]
    )
    # when settled
    result = ledger_settle(ledger=book, policy=policy())
    # then the days outside the period are ineligible
    assert flag_rows(result) == [
        ("T2", "OUT_OF_PERIOD", "ineligible", 100_000),
        ("T3", "OUT_OF_PERIOD", "ineligible", 100_000),
    ]


def test_out_of_period_utc_timestamp_is_judged_on_the_seoul_date():
    # given a project ending 2026-03-31 and a payment at 15:30 UTC that day (00:30 on 04-01 in Seoul)
    book = ledger(
        [txn("T1", at="2026-03-31T15:30:00Z"), txn("T2", at="2026-03-31T14:59:59Z")],
        projects=[project(end="2026-03-31")],
    )
    # when settled
    result = ledger_settle(ledger=book, policy=policy())
    # then only the one that is already April in Seoul is out of period
    assert flag_rows(result) == [("T1", "OUT_OF_PERIOD", "ineligible", 100_000)]


def test_out_of_period_allowance_grace_last_day_passes_and_day_after_fails():
    # given allowance 90 and 91 days after the end (grace 90 days), with ample personnel
    book = ledger(
        [
            txn("T1", category="allowance", amount=10_000, at="2027-03-31T12:00:00+09:00"),
            txn("T2", category="allowance", amount=10_000, at="2027-04-01T12:00:00+09:00"),
            txn("T3", category="personnel", amount=1_000_000, evidence="transfer"),
        ]
    )
    # when settled
    result = ledger_settle(ledger=book, policy=policy())
    # then only the day after the grace is ineligible
    assert flag_rows(result) == [("T2", "OUT_OF_PERIOD", "ineligible", 10_000)]


# --- INELIGIBLE_MERCHANT ----------------------------------------------------------------------


def test_ineligible_merchant_flags_positive_only_and_counts_once_in_clawback():
    # given a bar payment without evidence (two ineligible flags) and a bar refund
    book = ledger(
        [
            txn("T1", category="equipment", amount=1_000_001, merchant_type="bar", evidence="none"),
            txn("T2", category="equipment", amount=-1_000, merchant_type="bar"),
        ]
    )
    # when settled
    result = ledger_settle(ledger=book, policy=policy())
    # then the payment carries both flags, the refund none, and its amount counts once
    assert flag_rows(result) == [
        ("T1", "INELIGIBLE_MERCHANT", "ineligible", 1_000_001),
        ("T1", "MISSING_EVIDENCE", "ineligible", 1_000_001),
    ]
    row = summary_row(result)
    assert (row["spent"], row["ineligible"], row["eligible"]) == (999_001, 1_000_001, -1_000)
    # gov 200M / (200M + 100M) = 66.66…% → 66.6 %; 1,000,001 × 0.666 = 666,000.666 → 666,000
    assert (row["government_share_permille"], row["clawback"]) == (666, 666_000)


# --- HOLIDAY_USE ------------------------------------------------------------------------------


def test_holiday_use_saturday_flags_and_friday_does_not():
    # given activities on Friday 2026-03-06 and Saturday 2026-03-07, and materials on Saturday
    book = ledger(
        [
            txn("T1", category="activities", amount=50_000, at="2026-03-06T12:00:00+09:00"),
            txn("T2", category="activities", amount=50_000, at="2026-03-07T12:00:00+09:00", merchant="M2"),
            txn("T3", category="materials", amount=50_000, at="2026-03-07T12:00:00+09:00", merchant="M3"),
        ]
    )
    # when settled
    result = ledger_settle(ledger=book, policy=policy())
    # then only the activities payment on Saturday is flagged for review
    assert flag_rows(result) == [("T2", "HOLIDAY_USE", "review", 50_000)]


def test_holiday_use_korean_public_holidays_are_flagged():
    # given activities on the 2026-03-02 substitute holiday, 2026-01-01, and the workday 2026-03-03
    book = ledger(
        [
            txn("T1", category="activities", amount=50_000, at="2026-03-02T12:00:00+09:00"),
            txn("T2", category="activities", amount=50_000, at="2026-01-01T12:00:00+09:00", merchant="M2"),
            txn("T3", category="activities", amount=50_000, at="2026-03-03T12:00:00+09:00", merchant="M3"),
        ]
    )
    # when settled
    result = ledger_settle(ledger=book, policy=policy())
    # then both public holidays are flagged
    assert flag_rows(result) == [
        ("T1", "HOLIDAY_USE", "review", 50_000),
        ("T2", "HOLIDAY_USE", "review", 50_000),
    ]


# --- OVER_BUDGET ------------------------------------------------------------------------------


def _budget(category: str, approved: int) -> list[dict[str, Any]]:
    return [{"project_id": "P1", "category": category, "approved": approved}]


def test_over_budget_crossing_transaction_risks_only_the_excess():
    # given materials approved ₩1,000,000 (limit ₩1,100,000) and three payments in time order
    book = ledger(
        [
            txn("T1", amount=600_000, at="2026-03-03T09:00:00+09:00", merchant="A"),
            txn("T2", amount=600_000, at="2026-03-03T10:00:00+09:00", merchant="B"),
            txn("T3", amount=50_000, at="2026-03-03T11:00:00+09:00", merchant="C"),
        ],
        budgets=_budget("materials", 1_000_000),
    )
    # when settled
    result = ledger_settle(ledger=book, policy=policy())
    # then the crossing payment risks ₩100,000, the next one all of it
    assert flag_rows(result) == [
        ("T2", "OVER_BUDGET", "ineligible", 100_000),
        ("T3", "OVER_BUDGET", "ineligible", 50_000),
    ]
    assert summary_row(result)["ineligible"] == 150_000


def test_over_budget_exactly_at_limit_passes_and_refund_lowers_running_total():
    # given the limit reached exactly, then a refund, then a payment that fits again
    book = ledger(
        [
            txn("T1", amount=1_100_000, at="2026-03-03T09:00:00+09:00", merchant="A"),
            txn("T2", amount=-200_000, at="2026-03-03T10:00:00+09:00", merchant="B"),
            txn("T3", amount=200_000, at="2026-03-03T11:00:00+09:00", merchant="C"),
            txn("T4", amount=1, at="2026-03-03T12:00:00+09:00", merchant="D"),
        ],
        budgets=_budget("materials", 1_000_000),
    )
    # when settled
    result = ledger_settle(ledger=book, policy=policy())
    # then only the won above the limit is at risk
    assert flag_rows(result) == [("T4", "OVER_BUDGET", "ineligible", 1)]


def test_over_budget_limit_uses_exact_decimal_share():
    # given approved ₩3 with a 0.1 transfer share: 3 × 1.1 = 3.3 exactly (3.3000000000000003 in float)
    # and a policy share of 0.7 where 10 × 1.7 = 17 exactly (16.999999999999996 … in float)
    book = ledger([txn("T1", amount=17, merchant="A")], budgets=_budget("materials", 10))
    # when settled with share 0.7 parsed from text
    result = ledger_settle(ledger=book, policy=policy(budget_transfer_share=Decimal("0.7")))
    # then ₩17 is within ⌊17⌋ and not flagged
    assert flag_rows(result) == []
    assert budget_limit(approved=3, transfer_share=Decimal("0.1")) == 3


def test_over_budget_ties_break_by_txn_id_and_ineligible_payments_do_not_count():
    # given two payments at the same instant (B crosses after A by txn_id) and an ineligible one
    book = ledger(
        [
            txn("B", amount=700_000, merchant="X"),
            txn("A", amount=700_000, merchant="Y"),
            txn("C", amount=5_000_000, merchant="Z", merchant_type="casino", at="2026-03-02T09:00:00+09:00"),
        ],
        budgets=_budget("materials", 1_000_000),
    )
    # when settled
    result = ledger_settle(ledger=book, policy=policy())
    # then B risks the excess over ₩1,100,000 and the casino payment is only INELIGIBLE_MERCHANT
    assert flag_rows(result) == [
        ("B", "OVER_BUDGET", "ineligible", 300_000),
        ("C", "INELIGIBLE_MERCHANT", "ineligible", 5_000_000),
    ]


def test_over_budget_category_without_budget_line_has_limit_zero():
    # given equipment spending in a project whose budget has no equipment line
    book = ledger([txn("T1", category="equipment", amount=10)], budgets=_budget("materials", 1_000))
    # when settled
    result = ledger_settle(ledger=book, policy=policy())
    # then all of it is over budget
    assert flag_rows(result) == [("T1", "OVER_BUDGET", "ineligible", 10)]


# --- ALLOWANCE_CAP ----------------------------------------------------------------------------


def _allowance_book(allowance: int) -> Ledger:
    return ledger(
        [
            txn("T1", category="personnel", amount=8_000_000, evidence="transfer", merchant="staff"),
            txn(
                "T2", category="student_personnel", amount=2_000_000, evidence="transfer", merchant="students"
            ),
            txn("T3", category="allowance", amount=allowance, evidence="transfer", merchant="allowance"),
        ]
    )


def test_allowance_cap_at_exactly_twenty_percent_passes():
    # given allowance of exactly 20 % of personnel + student personnel (₩10,000,000)
    book = _allowance_book(2_000_000)
    # when settled
    result = ledger_settle(ledger=book, policy=policy())
    # then nothing is flagged
    assert flag_rows(result) == []


def test_allowance_cap_one_won_over_is_ineligible_at_project_level():
    # given allowance one won above the cap
    book = _allowance_book(2_000_001)
    # when settled
    result = ledger_settle(ledger=book, policy=policy())
    # then a project-level flag with an empty txn_id risks that one won
    assert flag_rows(result) == [("", "ALLOWANCE_CAP", "ineligible", 1)]
    row = summary_row(result)
    assert (row["ineligible"], row["eligible"], row["clawback"]) == (1, 12_000_000, 0)


def test_allowance_cap_does_not_count_over_budget_excess_twice():
    # given allowance approved ₩100 (limit ₩110) spending ₩300 against personnel of ₩1,000
    book = ledger(
        [
            txn("T1", category="personnel", amount=1_000, evidence="transfer", merchant="payroll"),
            txn("T2", category="allowance", amount=300, evidence="transfer", merchant="payroll"),
        ],
        budgets=[
            {"project_id": "P1", "category": "personnel", "approved": 1_000},
            {"project_id": "P1", "category": "allowance", "approved": 100},
        ],
    )
    # when settled
    result = ledger_settle(ledger=book, policy=policy())
    # then ₩190 is over budget and the recognised ₩110 exceeds the ₩200 cap by nothing
    assert flag_rows(result) == [("T2", "OVER_BUDGET", "ineligible", 190)]


# --- clawback ---------------------------------------------------------------------------------


def test_clawback_truncates_share_to_one_decimal_of_a_percent_then_rounds_down():
    # given 2:1 funding (66.66…%) and 1:0 and 1:2 (33.33…%)
    # when the clawback of ₩1,000,001 / ₩999 / ₩1,000 is computed
    # then the share is 66.6 % / 100 % / 33.3 % and the won are rounded down
    assert government_share_permille(gov_funds=200, cash_funds=100) == 666
    assert clawback_amount(ineligible=1_000_001, gov_funds=200, cash_funds=100) == 666_000
    assert clawback_amount(ineligible=999, gov_funds=1, cash_funds=0) == 999
    assert clawback_amount(ineligible=1_000, gov_funds=1, cash_funds=2) == 333


@pytest.mark.parametrize("gov", [200, 10**18 * 7])  # the second overflows int64 products: exact Python ints
def test_share_and_clawback_of_many_projects_equal_the_one_project_formula(gov):
    # given projects' funds (no funds at all, 2:1, 1:2, one beyond int64 products) and their ineligible won
    gov_funds = np.array([0, gov, 1, gov], dtype=np.int64)
    cash_funds = np.array([0, gov // 2, 2, 3], dtype=np.int64)
    other_cash_funds = np.array([0, 0, 0, 1], dtype=np.int64)
    ineligible = np.array([5, 1_000_001, 1_000, 10**15], dtype=np.int64)
    # when the shares and clawbacks are computed for all of them at once
    shares = government_shares_permille(gov_funds=gov_funds, cash_funds=cash_funds, other_cash_funds=other_cash_funds)
    clawbacks = clawbacks_from_shares(ineligible=ineligible, government_share_permille=shares)
    # then each is the one-project formula's
    expected = [government_share_permille(gov_funds=int(g), cash_funds=int(c), other_cash_funds=int(o))
                for g, c, o in zip(gov_funds, cash_funds, other_cash_funds, strict=True)]
    assert [int(share) for share in shares] == expected
    assert expected[:3] == [0, 666, 333]
    assert expected[3] == (999 if gov > 10**9 else 980)  # 7e18 of 7e18 + 4; 200 of 204
    assert [int(amount) for amount in clawbacks] == [
        clawback_from_share(ineligible=int(i), government_share_permille=share)
        for i, share in zip(ineligible, expected, strict=True)]
    assert [int(amount) for amount in clawbacks] == [0, 666_000, 333, (999 if gov > 10**9 else 980) * 10**12]


# --- summary ----------------------------------------------------------------------------------


def test_summary_review_counts_only_transactions_without_ineligible_flags():
    # given a duplicate that is also out of period, and a plain duplicate
    book = ledger(
        [
            txn("T1", at="2026-12-31T23:55:00+09:00"),
            txn("T2", at="2027-01-01T00:01:00+09:00"),
            txn("T3", amount=5_000, at="2026-05-06T10:00:00+09:00"),
            txn("T4", amount=5_000, at="2026-05-06T10:05:00+09:00"),
        ]
    )
    # when settled
    result = ledger_settle(ledger=book, policy=policy())
    # then review holds only the plain duplicate
    row = summary_row(result)
    assert (row["spent"], row["ineligible"], row["eligible"], row["review"]) == (
        210_000,
        100_000,
        110_000,
        5_000,
    )
    assert result.summary.columns[:7] == list(SUMMARY_COLUMNS)


# --- audit sample -----------------------------------------------------------------------------


def _self_settled_book(order: list[int]) -> Ledger:
    rows = [
        txn(
            f"T{i:02d}",
            merchant=f"M{i}",
            amount=10_000 + i,
            at=f"2026-03-03T{8 + i // 6:02d}:{i % 6 * 5:02d}:00+09:00",
        )
        for i in range(40)
    ]
    rows[7]["merchant_type"] = "golf"
    return ledger(
        [rows[i] for i in order],
        projects=[project(self_settlement=True), project("P2")],
    )


def test_audit_sample_has_share_plus_every_flagged_transaction():
    # given a self-settlement project of 40 transactions, one flagged (golf)
    book = _self_settled_book(list(range(40)))
    # when settled
    result = ledger_settle(ledger=book, policy=policy())
    # then ⌈40 × 15 %⌉ = 6 random transactions plus the flagged one are sampled
    sample = result.sample
    assert sample.filter(pl.col("reason") == "flagged")["txn_id"].to_list() == ["T07"]
    assert sample.filter(pl.col("reason") == "random").height == 6
    assert summary_row(result)["sampled"] == 7
    assert summary_row(result, "P2")["sampled"] == 0


def test_audit_sample_is_reproducible_and_independent_of_row_order():
    # given the same ledger in two row orders
    forward = _self_settled_book(list(range(40)))
    backward = _self_settled_book(list(range(39, -1, -1)))
    # when settled
    first = ledger_settle(ledger=forward, policy=policy())
    second = ledger_settle(ledger=backward, policy=policy())
    # then the sample is identical, and the lowest audit ranks are the ones taken
    assert first.sample.to_dicts() == second.sample.to_dicts()
    unflagged = [f"T{i:02d}" for i in range(40) if i != 7]
    expected = sorted(sorted(unflagged, key=lambda t: (_reference_rank(t, 42), t))[:6])
    assert first.sample.filter(pl.col("reason") == "random")["txn_id"].to_list() == expected


def test_audit_sample_changes_with_the_seed():
    # given the same ledger
    book = _self_settled_book(list(range(40)))
    # when settled with two seeds
    first = ledger_settle(ledger=book, policy=policy(seed=42))
    second = ledger_settle(ledger=book, policy=policy(seed=43))
    # then the random part differs (each is the lowest ranks under its own seed)
    unflagged = [f"T{i:02d}" for i in range(40) if i != 7]
    expected_43 = sorted(sorted(unflagged, key=lambda t: (_reference_rank(t, 43), t))[:6])
    assert second.sample.filter(pl.col("reason") == "random")["txn_id"].to_list() == expected_43
    assert first.sample["txn_id"].to_list() != second.sample["txn_id"].to_list()


def _reference_rank(txn_id: str, seed: int) -> int:
    """The audit rank written out in plain Python (FNV-1a-64 + splitmix64, top 40 bits)."""
    mask = (1 << 64) - 1

    def splitmix(z: int) -> int:
        z &= mask
        z ^= z >> 30
        z = (z * 0xBF58476D1CE4E5B9) & mask
        z ^= z >> 27
        z = (z * 0x94D049BB133111EB) & mask
        return z ^ (z >> 31)

    value = 0xCBF29CE484222325 ^ splitmix(seed)
    for byte in txn_id.encode("utf-8"):
        value = ((value ^ byte) * 0x100000001B3) & mask
    return splitmix(value) >> 24


def test_audit_rank_matches_its_plain_definition():
    # given ids including an empty and a non-ASCII one
    ids = ["T1", "", "한글-7", "T0000000001"]
    # when ranked with seed 42
    ranks = audit_rank(txn_ids=pl.Series(ids), seed=42).tolist()
    # then each equals the documented definition
    assert ranks == [_reference_rank(txn_id, 42) for txn_id in ids]
    assert ranks[0] == 629_667_433_822


# --- chunks and a reference implementation ----------------------------------------------------


def _random_ledger(seed: int, *, rows: int, projects: int, extended: bool = False) -> Ledger:
    """A random ledger full of boundary values; ``extended`` adds the optional columns of issue #15
    (documents, equipment items and a plan, stop dates, other cash) and innovation-cost spending."""
    rng = random.Random(seed)
    project_rows = [
        project(
            f"P{p:02d}",
            start="2026-01-05",
            end="2026-03-31",
            self_settlement=p % 3 == 0,
            gov=rng.choice([100, 200, 300]),
            cash=rng.choice([0, 100, 150]),
        )
        for p in range(projects)
    ]
    budgets = [
        {
            "project_id": f"P{p:02d}",
            "category": category,
            "approved": rng.choice([0, 400_000, 2_000_000, UNLIMITED]),
        }
        for p in range(projects)
        for category in ("materials", "activities", "allowance", "personnel")
        if rng.random() < 0.9
    ]
    days = ["2026-01-04", "2026-01-05", "2026-03-01", "2026-03-02", "2026-03-06", "2026-03-07", "2026-03-31"]
    days += ["2026-04-01", "2026-06-29", "2026-06-30", "2026-02-10"]
    transactions = []
    for i in range(rows):
        minute = rng.choice([0, 5, 10, 15, 20])
        second = rng.choice([0, 0, 1])
        transactions.append(
            txn(
                f"T{rng.randrange(10**6):06d}-{i}",
                project=f"P{rng.randrange(projects):02d}",
                category=rng.choice(
                    ["materials", "activities", "activities", "allowance", "personnel", "equipment"]
                ),
                amount=rng.choice(
                    [-50_000, 0, 1, 250_000, 250_001, 500_000, 500_001, 3_000_000, 3_000_001, 700_000]
                ),
                at=f"{rng.choice(days)}T{rng.choice(['00', '10', '23'])}:{minute:02d}:{second:02d}"
                + rng.choice(["+09:00", "Z"]),
                merchant=rng.choice(["M1", "M2"]),
                merchant_type=rng.choice(["lab_supply"] * 9 + ["bar"]),
                evidence=rng.choice(["none", "card_slip"]),
            )
        )
    if not extended:
        return ledger(transactions, projects=project_rows, budgets=budgets)
    for row in project_rows:
        row["stopped_on"] = rng.choice([None, None, dt.date(2026, 3, 1), dt.date(2026, 3, 6), dt.date(2026, 6, 1)])
        row["other_cash_funds"] = rng.choice([0, 0, 50, 333])
    for row in transactions:
        row["documents"] = rng.choice([0, 0, 1, 2])
        row["equipment_item"] = rng.choice([None, "", "EQ1", "EQ2"])
        if rng.random() < 0.25:
            row["category"] = rng.choice(["innovation", "equipment"])
            row["amount"] = rng.choice([500_000, 500_001, 3_000_000, 3_000_001, 29_999_999, 30_000_000])
    planned = [
        {"project_id": f"P{p:02d}", "equipment_item": item, "planned_amount": 40_000_000}
        for p in range(projects)
        for item in ("EQ1", "EQ2")
        if rng.random() < 0.5
    ]
    return Ledger(
        transactions=pl.DataFrame(
            transactions, schema={**TRANSACTION_SCHEMA, "documents": pl.Int64, "equipment_item": pl.String}
        ),
        projects=pl.DataFrame(
            project_rows, schema={**PROJECT_SCHEMA, "stopped_on": pl.Date, "other_cash_funds": pl.Int64}
        ),
        budgets=pl.DataFrame(budgets, schema=BUDGET_SCHEMA),
        equipment=pl.DataFrame(planned, schema=EQUIPMENT_SCHEMA),
    )


def extended_policy(*, split_window_days: int = 1) -> SettlementPolicy:
    """The test policy with the rules of issue #15 switched on."""
    return policy(
        documents_exemption={"materials": 3_000_000, "activities": 500_000, "innovation": 3_000_000},
        split_window_days=split_window_days,
        equipment_plan_threshold=30_000_000,
    )


def _reference(
    book: Ledger, pol: SettlementPolicy
) -> tuple[list[tuple[str, str, str, str, int]], dict[str, tuple]]:
    """The rules of issues #6 and #15 written out plainly, transaction by transaction."""
    seoul = zoneinfo.ZoneInfo("Asia/Seoul")
    planned_items = set()
    if book.equipment is not None:
        planned_items = {(row["project_id"], row["equipment_item"]) for row in book.equipment.to_dicts()}
    has_documents = "documents" in book.transactions.columns
    share = Fraction(pol.budget_transfer_share)
    allowance_share = Fraction(pol.allowance_share_of_personnel)
    projects = {row["project_id"]: row for row in book.projects.to_dicts()}
    approved = {(row["project_id"], row["category"]): row["approved"] for row in book.budgets.to_dicts()}
    flags: list[tuple[str, str, str, str, int]] = []
    summary: dict[str, tuple] = {}
    txns = book.transactions.to_dicts()
    kr = holidays.country_holidays("KR", years=range(2025, 2028))
    for project_id, info in projects.items():
        mine = [t for t in txns if t["project_id"] == project_id]
        for t in mine:
            t["day"] = t["occurred_at"].astimezone(seoul).date()
        ineligible: dict[str, set[str]] = {}
        review: dict[str, set[str]] = {}
        last_day = info["end_date"]
        if info.get("stopped_on") is not None and info["stopped_on"] < last_day:
            last_day = info["stopped_on"]

        def evidence_qualifies(u: dict) -> bool:
            return u["amount"] > 0 and u["evidence"] == "none" and u["amount"] <= pol.exemption_for(u["category"])

        def documents_qualify(u: dict) -> bool:
            return (has_documents and u["amount"] > 0 and u["documents"] == 0
                    and u["amount"] <= pol.documents_exemption_for(u["category"]))

        def chain_of(t: dict, qualifies, mine: list[dict]) -> list[dict]:
            """t's group: same merchant and category, linked by steps of fewer than the window's days."""
            group = [t]
            grew = True
            while grew:
                grew = False
                for u in mine:
                    if u in group or not qualifies(u):
                        continue
                    if (u["merchant_id"], u["category"]) != (t["merchant_id"], t["category"]):
                        continue
                    if any(abs((u["day"] - g["day"]).days) < pol.split_window_days for g in group):
                        group.append(u)
                        grew = True
            return group

        for t in mine:
            if t["amount"] <= 0:
                continue
            found = set()
            grace = dt.timedelta(days=pol.grace_days_for(t["category"]))
            if t["day"] < info["start_date"] or t["day"] > last_day + grace:
                found.add("OUT_OF_PERIOD")
            if t["merchant_type"] in pol.ineligible_merchant_types:
                found.add("INELIGIBLE_MERCHANT")
            if t["evidence"] == "none" and t["amount"] > pol.exemption_for(t["category"]):
                found.add("MISSING_EVIDENCE")
            if has_documents and t["documents"] == 0 and t["amount"] > pol.documents_exemption_for(t["category"]):
                found.add("MISSING_DOCUMENTS")
            for qualifies, limit in (
                (evidence_qualifies, pol.exemption_for(t["category"])),
                (documents_qualify, pol.documents_exemption_for(t["category"])),
            ):
                if qualifies(t):
                    group = chain_of(t, qualifies, mine)
                    if len(group) >= 2 and sum(u["amount"] for u in group) > limit:
                        found.add("SPLIT_PURCHASE")
            ineligible[t["txn_id"]] = found
            later = set()
            if (
                pol.equipment_plan_threshold is not None
                and t["category"] == "equipment"
                and t["amount"] >= pol.equipment_plan_threshold
                and (not t.get("equipment_item") or (project_id, t["equipment_item"]) not in planned_items)
            ):
                later.add("UNPLANNED_EQUIPMENT")
            if t["category"] in pol.holiday_review_categories and (t["day"].weekday() >= 5 or t["day"] in kr):
                later.add("HOLIDAY_USE")
            same = sorted(
                (u for u in mine if (u["merchant_id"], u["amount"]) == (t["merchant_id"], t["amount"])),
                key=lambda u: (u["occurred_at"], u["txn_id"]),
            )
            index = same.index(t)
            if index > 0 and t["occurred_at"] - same[index - 1]["occurred_at"] <= dt.timedelta(
                minutes=pol.duplicate_window_minutes
            ):
                later.add("DUPLICATE")
            review[t["txn_id"]] = later
        at_risk: dict[str, int] = {}
        for category in CATEGORIES:
            limit = approved.get((project_id, category), 0) * (1 + share)
            running = 0
            for t in sorted(
                (u for u in mine if u["category"] == category and not ineligible.get(u["txn_id"])),
                key=lambda u: (u["occurred_at"], u["txn_id"]),
            ):
                before = running
                running += t["amount"]
                if t["amount"] > 0 and running > limit:
                    at_risk[t["txn_id"]] = int(running - max(Fraction(before), Fraction(math.floor(limit))))
        recognised = {
            t["txn_id"]: 0 if ineligible.get(t["txn_id"]) else t["amount"] - at_risk.get(t["txn_id"], 0)
            for t in mine
        }
        allowance = sum(recognised[t["txn_id"]] for t in mine if t["category"] == "allowance")
        personnel = sum(
            recognised[t["txn_id"]] for t in mine if t["category"] in ("personnel", "student_personnel")
        )
        excess = max(0, allowance - math.floor(personnel * allowance_share))
        for t in mine:
            for flag in ineligible.get(t["txn_id"], set()):
                flags.append((project_id, t["txn_id"], flag, "ineligible", t["amount"]))
            for flag in review.get(t["txn_id"], set()):
                flags.append((project_id, t["txn_id"], flag, "review", t["amount"]))
            if t["txn_id"] in at_risk:
                flags.append((project_id, t["txn_id"], "OVER_BUDGET", "ineligible", at_risk[t["txn_id"]]))
        if excess:
            flags.append((project_id, "", "ALLOWANCE_CAP", "ineligible", excess))
        spent = sum(t["amount"] for t in mine)
        lost = sum(t["amount"] for t in mine if ineligible.get(t["txn_id"])) + sum(at_risk.values()) + excess
        reviewed = sum(
            t["amount"]
            for t in mine
            if review.get(t["txn_id"]) and not ineligible.get(t["txn_id"]) and t["txn_id"] not in at_risk
        )
        gov, cash, other = info["gov_funds"], info["cash_funds"], info.get("other_cash_funds", 0)
        clawback = lost * (gov * 1000 // (gov + cash + other)) // 1000
        summary[project_id] = (spent, spent - lost, lost, reviewed, clawback)
    return sorted(flags), summary


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=10**9), rows=st.integers(min_value=0, max_value=60))
def test_engine_matches_plain_reference_on_random_ledgers(seed, rows):
    # given a random small ledger full of boundary values
    book = _random_ledger(seed, rows=rows, projects=3)
    pol = policy()
    # when settled by the engine and by the plain reference
    result = ledger_settle(ledger=book, policy=pol)
    expected_flags, expected_summary = _reference(book, pol)
    # then flags and money figures agree exactly
    got_flags = sorted(
        (r["project_id"], r["txn_id"], r["flag"], r["severity"], r["amount_at_risk"])
        for r in result.flags.to_dicts()
    )
    assert got_flags == expected_flags
    got_summary = {
        r["project_id"]: (r["spent"], r["eligible"], r["ineligible"], r["review"], r["clawback"])
        for r in result.summary.to_dicts()
    }
    assert got_summary == expected_summary


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(min_value=0, max_value=10**9),
    rows=st.integers(min_value=0, max_value=60),
    window=st.sampled_from([1, 2, 3, 30]),
)
def test_engine_matches_plain_reference_with_every_optional_rule(seed, rows, window):
    # given a random ledger with documents, equipment items and a plan, stop dates and other cash
    book = _random_ledger(seed, rows=rows, projects=3, extended=True)
    pol = extended_policy(split_window_days=window)
    # when settled by the engine and by the plain reference
    result = ledger_settle(ledger=book, policy=pol)
    expected_flags, expected_summary = _reference(book, pol)
    # then flags and money figures agree exactly
    got_flags = sorted(
        (r["project_id"], r["txn_id"], r["flag"], r["severity"], r["amount_at_risk"])
        for r in result.flags.to_dicts()
    )
    assert got_flags == expected_flags
    got_summary = {
        r["project_id"]: (r["spent"], r["eligible"], r["ineligible"], r["review"], r["clawback"])
        for r in result.summary.to_dicts()
    }
    assert got_summary == expected_summary


def test_flags_are_ordered_by_project_txn_and_flag():
    # given a random ledger with many flags
    book = _random_ledger(7, rows=300, projects=4)
    # when settled
    flags = ledger_settle(ledger=book, policy=policy()).flags
    # then rows are sorted by (project_id, txn_id, flag)
    keys = list(zip(flags["project_id"], flags["txn_id"], flags["flag"], strict=True))
    assert keys == sorted(keys)
    assert flags.height > 50
    assert flags.columns == list(FLAG_COLUMNS)


def test_settling_a_chunk_equals_the_full_run_restricted_to_it():
    # given a ledger of 6 projects, all rules firing (the optional ones of issue #15 too)
    book = _random_ledger(11, rows=600, projects=6, extended=True)
    pol = extended_policy(split_window_days=2)
    full = ledger_settle(ledger=book, policy=pol)
    chunk = ["P01", "P04", "P00"]
    # when only three projects are settled
    part = ledger_settle_projects(ledger=book, policy=pol, project_ids=chunk)

    # then flags, summary and sample equal the full run's rows for those projects
    def only(frame: pl.DataFrame) -> list[dict]:
        return frame.filter(pl.col("project_id").is_in(chunk)).to_dicts()

    assert part.flags.to_dicts() == only(full.flags)
    assert part.summary.to_dicts() == only(full.summary)
    assert part.sample.to_dicts() == only(full.sample)
    assert len(only(full.flags)) > 20
    assert {row["flag"] for row in full.flags.to_dicts()} == set(FLAGS)


def test_settling_is_independent_of_row_order():
    # given a ledger and the same ledger with rows reversed
    book = _random_ledger(5, rows=400, projects=4)
    reversed_book = Ledger(
        transactions=book.transactions.reverse(),
        projects=book.projects.reverse(),
        budgets=book.budgets.reverse(),
    )
    # when both are settled
    first = ledger_settle(ledger=book, policy=policy())
    second = ledger_settle(ledger=reversed_book, policy=policy())
    # then every output is identical
    assert first.flags.to_dicts() == second.flags.to_dicts()
    assert first.summary.to_dicts() == second.summary.to_dicts()
    assert first.sample.to_dicts() == second.sample.to_dicts()
    assert first.totals == second.totals


def test_settle_projects_unknown_project_raises_ledger_error():
    # given a ledger with project P1 only
    book = ledger([txn("T1")])
    # when a chunk names an unknown project
    with pytest.raises(LedgerError) as error:
        ledger_settle_projects(ledger=book, policy=policy(), project_ids=["P1", "P404"])
    # then the error names it
    assert error.value.code == "unknown_project"
    assert str(error.value) == "project 'P404' is not in the ledger"


def test_ledger_rejects_transactions_of_unknown_projects():
    # given a transaction of a project that is not in the projects frame
    book = ledger([txn("T1", project="P9")])
    # when settled
    with pytest.raises(LedgerError) as error:
        ledger_settle(ledger=book, policy=policy())
    # then it is refused
    assert str(error.value) == "transactions: project 'P9' is not in projects"


# --- policy ------------------------------------------------------------------------------------


def test_policy_from_toml_reads_shares_as_exact_decimals():
    # given the policy text
    # when parsed
    pol = policy_from_toml(text=POLICY_TOML)
    # then shares are Decimal and per-category values fall back to the default
    assert pol.budget_transfer_share == Decimal("0.1")
    assert pol.allowance_share_of_personnel == Decimal("0.2")
    assert (pol.exemption_for("materials"), pol.exemption_for("equipment")) == (3_000_000, 0)
    assert (pol.grace_days_for("allowance"), pol.grace_days_for("materials")) == (90, 0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("surprise = 1\n" + POLICY_TOML, "policy.toml: unknown policy key 'surprise'"),
        (
            POLICY_TOML.replace("allowance = 90", "alowance = 90"),
            "policy.toml: unknown policy key 'grace_days.alowance'",
        ),
        (POLICY_TOML.replace("seed = 42\n", ""), "policy.toml: missing policy key 'seed'"),
        (
            POLICY_TOML.replace("audit_sample_share = 0.15", "audit_sample_share = 1.5"),
            "policy.toml: audit_sample_share must be at most 1, got 1.5",
        ),
        (
            POLICY_TOML.replace('["activities"]', '["parties"]'),
            "policy.toml: holiday_review_categories: unknown category 'parties'",
        ),
    ],
)
def test_policy_from_toml_rejects_bad_policies(text, message):
    # given a policy text with one mistake
    # when parsed
    with pytest.raises(PolicyError) as error:
        policy_from_toml(text=text, source="policy.toml")
    # then the message names it
    assert str(error.value) == message


# --- what-if -----------------------------------------------------------------------------------


def test_what_if_raising_exemption_removes_evidence_documents():
    # given activities of ₩400k (exempt), ₩800k with evidence and ₩900k without, in an ordinary project
    book = ledger(
        [
            txn("T1", category="activities", amount=400_000, merchant="A"),
            txn("T2", category="activities", amount=800_000, merchant="B"),
            txn("T3", category="activities", amount=900_000, merchant="C", evidence="none"),
        ]
    )
    # when the exemption is raised to ₩1,000,000
    result = settlement_what_if(
        ledger=book, policy=policy(), scenario=WhatIfScenario(evidence_exemption={"activities": 1_000_000})
    )
    # then two fewer documents are needed, the missing-evidence payment is no longer ineligible
    assert (result.before.evidence_documents, result.after.evidence_documents) == (2, 0)
    assert result.evidence_documents_removed == 2
    assert result.transactions_no_longer_needing_evidence == 2
    assert (result.before.ineligible, result.after.ineligible) == (900_000, 0)
    assert result.transactions_removed_from_checked == 0
    assert result.spend_moved_to_sampled == 0


def test_what_if_self_settlement_moves_spend_from_checked_to_sampled():
    # given an ordinary project with 40 transactions (one flagged) and another with 1
    book = _self_settled_book(list(range(40)))
    book = Ledger(
        transactions=book.transactions.vstack(
            pl.DataFrame([txn("X1", project="P2")], schema=TRANSACTION_SCHEMA)
        ),
        projects=book.projects.with_columns(self_settlement=pl.lit(False)),
        budgets=book.budgets,
    )
    spend_p1 = sum(10_000 + i for i in range(40))
    # when P1 would settle on the report
    result = settlement_what_if(
        ledger=book, policy=policy(), scenario=WhatIfScenario(self_settlement_project_ids=frozenset({"P1"}))
    )
    # then 41 → 8 checked transactions (7 sampled in P1 + 1 in P2); P1's spend moves to sampling
    assert (result.before.checked_transactions, result.after.checked_transactions) == (41, 8)
    assert result.transactions_removed_from_checked == 33
    assert result.spend_moved_to_sampled == spend_p1
    assert result.after.clawback == result.before.clawback
