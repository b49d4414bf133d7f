"""Settlement rules of issue #15 at their boundaries: evidence levels, split window, unplanned equipment,
stop dates, other cash, legal sources."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

import numpy as np
import polars as pl
import pytest
from tests.engine.test_settlement import POLICY_TOML, project, unlimited_budgets
from tests.engine.test_settlement import txn as _txn

from doyak.engine.settlement import (
    BUDGET_SCHEMA,
    EQUIPMENT_SCHEMA,
    FLAG_SOURCES,
    FLAGS,
    PROJECT_SCHEMA,
    TRANSACTION_SCHEMA,
    Ledger,
    LedgerError,
    budget_limit,
    budget_limits,
    clawback_amount,
    clawback_from_share,
    government_share_permille,
    ineligible_after_decisions,
    ledger_settle,
)
from doyak.engine.settlement_policy import PolicyError, SettlementPolicy, policy_from_toml

# The Act's policy as the app seeds it: no payment-record exemption; the innovation cost's small items
# (materials ₩3M, activities ₩500k per item) need no supporting documents.
ACT_POLICY_TOML = POLICY_TOML.replace("activities = 500000\nmaterials = 3000000\n", "") + """\
[documents_exemption]
default = 0
materials = 3000000
activities = 500000
innovation = 3000000
"""


def act_policy(**overrides: Any) -> SettlementPolicy:
    return replace(policy_from_toml(text=ACT_POLICY_TOML), **overrides)


def book(
    transactions: list[dict[str, Any]],
    *,
    projects: list[dict[str, Any]] | None = None,
    equipment: list[dict[str, Any]] | None = None,
) -> Ledger:
    """A ledger of transactions made by :func:`txn` (with ``documents`` and ``equipment_item``)."""
    projects = projects if projects is not None else [project()]
    rows = transactions
    project_schema = dict(PROJECT_SCHEMA)
    for row in projects:
        for column, dtype in (("stopped_on", pl.Date), ("other_cash_funds", pl.Int64)):
            if column in row:
                project_schema[column] = dtype
    return Ledger(
        transactions=pl.DataFrame(
            rows, schema={**TRANSACTION_SCHEMA, "documents": pl.Int64, "equipment_item": pl.String}
        ),
        projects=pl.DataFrame(projects, schema=project_schema),
        budgets=pl.DataFrame(unlimited_budgets([row["project_id"] for row in projects]), schema=BUDGET_SCHEMA),
        equipment=None if equipment is None else pl.DataFrame(equipment, schema=EQUIPMENT_SCHEMA),
    )


def txn(txn_id: str, *, documents: int = 1, equipment_item: str | None = None, **fields: Any) -> dict[str, Any]:
    """A transaction with the optional columns of issue #15."""
    return {**_txn(txn_id, **fields), "documents": documents, "equipment_item": equipment_item}


def flags_of(result) -> list[tuple[str, str, int]]:
    return [(row["txn_id"], row["flag"], row["amount_at_risk"]) for row in result.flags.iter_rows(named=True)]


# --- evidence levels ---------------------------------------------------------------------------


def test_exempt_innovation_item_with_a_slip_and_no_documents_passes():
    # given a ₩3M innovation-cost item paid by card, no supporting document
    ledger = book([txn("T1", category="innovation", amount=3_000_000, evidence="card_slip", documents=0)])
    # when settled under the Act's policy
    result = ledger_settle(ledger=ledger, policy=act_policy())
    # then nothing is flagged
    assert flags_of(result) == []


def test_exempt_innovation_item_without_a_payment_record_is_missing_evidence():
    # given the same item with no card slip or tax invoice
    ledger = book([txn("T1", category="innovation", amount=3_000_000, evidence="none", documents=0)])
    # when settled
    result = ledger_settle(ledger=ledger, policy=act_policy())
    # then the payment record is missing (exempt items still need it), and no document is
    assert flags_of(result) == [("T1", "MISSING_EVIDENCE", 3_000_000)]


def test_missing_documents_at_threshold_passes_and_one_won_over_is_ineligible():
    # given innovation items of ₩3,000,000 and ₩3,000,001 with a slip and no documents
    ledger = book([
        txn("T1", category="innovation", amount=3_000_000, merchant="A", documents=0),
        txn("T2", category="innovation", amount=3_000_001, merchant="B", documents=0),
        txn("T3", category="innovation", amount=3_000_001, merchant="C", documents=2),
    ])
    # when settled
    result = ledger_settle(ledger=ledger, policy=act_policy())
    # then only the one over the threshold without documents is ineligible, at its whole amount
    assert flags_of(result) == [("T2", "MISSING_DOCUMENTS", 3_000_001)]
    summary = result.summary.row(0, named=True)
    assert (summary["ineligible"], summary["eligible"]) == (3_000_001, 6_000_001)


def test_activities_documents_exemption_is_five_hundred_thousand_and_default_is_zero():
    # given ₩500,000 and ₩500,001 activities and ₩1 of equipment, none with documents
    ledger = book([
        txn("T1", category="activities", amount=500_000, merchant="A", documents=0),
        txn("T2", category="activities", amount=500_001, merchant="B", documents=0),
        txn("T3", category="equipment", amount=1, merchant="C", documents=0),
    ])
    # when settled
    result = ledger_settle(ledger=ledger, policy=act_policy())
    # then above ₩500k activities need documents, and every other category needs them from ₩1
    assert flags_of(result) == [("T2", "MISSING_DOCUMENTS", 500_001), ("T3", "MISSING_DOCUMENTS", 1)]


def test_without_a_documents_column_no_documents_are_required():
    # given today's transactions (no documents column) of ₩5M with a slip
    ledger = Ledger(
        transactions=pl.DataFrame([txn("T1", amount=5_000_000)], schema=TRANSACTION_SCHEMA),
        projects=pl.DataFrame([project()], schema=PROJECT_SCHEMA),
        budgets=pl.DataFrame(unlimited_budgets(["P1"]), schema=BUDGET_SCHEMA),
    )
    # when settled under the Act's policy
    result = ledger_settle(ledger=ledger, policy=act_policy())
    # then nothing is flagged: the rule needs the column
    assert flags_of(result) == []


def test_negative_documents_are_refused():
    # given a transaction with documents = -1
    # when the ledger is built
    with pytest.raises(LedgerError) as error:
        book([txn("T1", documents=-1)])
    # then it is refused
    assert str(error.value) == "transactions: documents must not be negative"


# --- split purchases and the window ------------------------------------------------------------


def _across_midnight() -> list[dict[str, Any]]:
    # two ₩2M innovation items at one merchant, 23:30 and 00:30 the next day, with slips and no documents
    return [
        txn("T1", category="innovation", amount=2_000_000, at="2026-03-03T23:30:00+09:00", documents=0),
        txn("T2", category="innovation", amount=2_000_000, at="2026-03-04T00:30:00+09:00", documents=0),
    ]


def test_split_across_midnight_stays_apart_under_the_default_window():
    # given a split across midnight
    # when settled with split_window_days = 1 (the same local day)
    result = ledger_settle(ledger=book(_across_midnight()), policy=act_policy())
    # then the two are separate purchases under the threshold
    assert flags_of(result) == []


def test_split_across_midnight_merges_under_a_two_day_window():
    # given the same split
    # when settled with split_window_days = 2
    result = ledger_settle(ledger=book(_across_midnight()), policy=act_policy(split_window_days=2))
    # then both are one ₩4M purchase above ₩3M: each is flagged
    assert flags_of(result) == [("T1", "SPLIT_PURCHASE", 2_000_000), ("T2", "SPLIT_PURCHASE", 2_000_000)]


def test_split_window_chains_from_one_purchase_to_the_next():
    # given ₩1.2M items on the 3rd, 4th and 5th (each a day after the previous, the last two days after the first)
    rows = [
        txn(f"T{i}", category="innovation", amount=1_200_000, at=f"2026-03-0{2 + i}T10:00:00+09:00", documents=0)
        for i in (1, 2, 3)
    ]
    rows.append(txn("T4", category="innovation", amount=1_200_000, at="2026-03-07T10:00:00+09:00", documents=0))
    # when settled with a two-day window
    result = ledger_settle(ledger=book(rows), policy=act_policy(split_window_days=2))
    # then the 3rd-5th chain into one ₩3.6M group; the 7th is two days after the 5th and stays apart
    assert flags_of(result) == [
        ("T1", "SPLIT_PURCHASE", 1_200_000), ("T2", "SPLIT_PURCHASE", 1_200_000),
        ("T3", "SPLIT_PURCHASE", 1_200_000)]


def test_split_by_evidence_keeps_todays_rule_with_the_window():
    # given two ₩300k activities without a payment record, 23:30 and 00:30, under the old ₩500k evidence exemption
    rows = [
        txn("T1", category="activities", amount=300_000, at="2026-03-03T23:30:00+09:00", evidence="none"),
        txn("T2", category="activities", amount=300_000, at="2026-03-04T00:30:00+09:00", evidence="none"),
    ]
    old = policy_from_toml(text=POLICY_TOML)
    # when settled with the default window and with two days
    same_day = ledger_settle(ledger=book(rows), policy=old)
    two_days = ledger_settle(ledger=book(rows), policy=replace(old, split_window_days=2))
    # then they stay apart, then merge
    assert flags_of(same_day) == []
    assert flags_of(two_days) == [("T1", "SPLIT_PURCHASE", 300_000), ("T2", "SPLIT_PURCHASE", 300_000)]


# --- unplanned equipment -----------------------------------------------------------------------


def test_unplanned_equipment_at_threshold_is_reviewed_and_below_or_planned_is_not():
    # given equipment of ₩29,999,999 (no item), ₩30M (no item), ₩30M (planned), ₩30M (another project's item)
    rows = [
        txn("T1", category="equipment", amount=29_999_999, merchant="A"),
        txn("T2", category="equipment", amount=30_000_000, merchant="B"),
        txn("T3", category="equipment", amount=30_000_000, merchant="C", equipment_item="질량분석기"),
        txn("T4", category="equipment", amount=30_000_000, merchant="D", equipment_item="현미경"),
        txn("T5", category="equipment", amount=30_000_000, merchant="E", equipment_item=""),
    ]
    plan = [{"project_id": "P1", "equipment_item": "질량분석기", "planned_amount": 35_000_000},
            {"project_id": "P2", "equipment_item": "현미경", "planned_amount": 40_000_000}]
    ledger = book(rows, projects=[project(), project("P2")], equipment=plan)
    # when settled with equipment_plan_threshold = ₩30M
    result = ledger_settle(ledger=ledger, policy=act_policy(equipment_plan_threshold=30_000_000))
    # then the unplanned ones at or above the threshold are for review, amount at risk the amount
    assert flags_of(result) == [("T2", "UNPLANNED_EQUIPMENT", 30_000_000), ("T4", "UNPLANNED_EQUIPMENT", 30_000_000),
                                ("T5", "UNPLANNED_EQUIPMENT", 30_000_000)]
    assert result.summary.row(0, named=True)["review"] == 90_000_000


def test_unplanned_equipment_is_off_without_a_threshold():
    # given ₩50M of equipment with no item
    ledger = book([txn("T1", category="equipment", amount=50_000_000)])
    # when settled under a policy without equipment_plan_threshold
    result = ledger_settle(ledger=ledger, policy=act_policy())
    # then it is not flagged
    assert flags_of(result) == []


# --- stop dates and other cash -----------------------------------------------------------------


def test_stopped_project_last_day_is_the_stop_date_with_grace_days():
    # given a project stopped on 2026-03-10 and spending on the 10th, the 11th, and an allowance 90 days on
    rows = [
        txn("T0", category="personnel", amount=1_000_000, merchant="P"),
        txn("T1", at="2026-03-10T23:00:00+09:00"),
        txn("T2", at="2026-03-11T00:10:00+09:00", merchant="B"),
        txn("T3", category="allowance", at="2026-06-08T10:00:00+09:00", merchant="C"),
        txn("T4", category="allowance", at="2026-06-09T10:00:00+09:00", merchant="D"),
    ]
    stopped = {**project(), "stopped_on": dt.date(2026, 3, 10)}
    # when settled
    result = ledger_settle(ledger=book(rows, projects=[stopped]), policy=act_policy())
    # then spending after the stop date is out of period; the allowance keeps its 90 grace days from the stop
    assert [(t, f) for t, f, _ in flags_of(result)] == [("T2", "OUT_OF_PERIOD"), ("T4", "OUT_OF_PERIOD")]


def test_stop_date_after_the_end_date_changes_nothing_and_empty_means_not_stopped():
    # given two projects ending 2026-03-31, one "stopped" later, one with no stop date
    rows = [txn("T1", at="2026-04-01T10:00:00+09:00"), txn("T2", project="P2", at="2026-03-31T10:00:00+09:00")]
    projects = [{**project(end="2026-03-31"), "stopped_on": dt.date(2026, 5, 1)},
                {**project("P2", end="2026-03-31"), "stopped_on": None}]
    # when settled
    result = ledger_settle(ledger=book(rows, projects=projects), policy=act_policy())
    # then the period ends at the earlier date
    assert flags_of(result) == [("T1", "OUT_OF_PERIOD", 100_000)]


def test_other_cash_lowers_the_government_share_and_the_clawback():
    # given gov ₩200, institution cash ₩50 and other cash ₩50 (share 66.6 %), and ₩1,000 ineligible
    projects = [{**project(gov=200, cash=50), "other_cash_funds": 50}]
    ledger = book([txn("T1", amount=1_000, merchant_type="bar")], projects=projects)
    # when settled
    row = ledger_settle(ledger=ledger, policy=act_policy()).summary.row(0, named=True)
    # then the share is truncated to 666 ‰ and the clawback to ₩666
    assert (row["government_share_permille"], row["clawback"]) == (666, 666)
    assert government_share_permille(gov_funds=200, cash_funds=50, other_cash_funds=50) == 666
    assert clawback_amount(ineligible=1_000, gov_funds=200, cash_funds=50, other_cash_funds=50) == 666
    assert government_share_permille(gov_funds=200, cash_funds=50) == 800


# --- policy and sources ------------------------------------------------------------------------


def test_policy_reads_the_new_keys_and_leaves_them_off_when_absent():
    # given the Act's policy text with a window and an equipment threshold, and today's text
    text = ACT_POLICY_TOML.replace("seed = 42\n", "seed = 42\nsplit_window_days = 2\nequipment_plan_threshold = 30000000\n")
    # when parsed
    new, old = policy_from_toml(text=text), policy_from_toml(text=POLICY_TOML)
    # then the new keys are read, and absent they keep today's rules
    assert (new.split_window_days, new.equipment_plan_threshold) == (2, 30_000_000)
    assert (new.documents_exemption_for("innovation"), new.documents_exemption_for("equipment")) == (3_000_000, 0)
    assert (new.exemption_for("materials"), new.exemption_for("activities")) == (0, 0)
    assert (old.split_window_days, old.equipment_plan_threshold, dict(old.documents_exemption)) == (1, None, {})


@pytest.mark.parametrize(("line", "message"), [
    ("split_window_days = 0", "policy.toml: split_window_days must be at least 1, got 0"),
    ("equipment_plan_threshold = -1", "policy.toml: equipment_plan_threshold must be at least 0, got -1"),
])
def test_policy_rejects_bad_new_keys(line, message):
    # given a policy with one bad new key
    # when parsed
    with pytest.raises(PolicyError) as error:
        policy_from_toml(text=POLICY_TOML.replace("seed = 42\n", f"seed = 42\n{line}\n"), source="policy.toml")
    # then the message names it
    assert str(error.value) == message


def test_every_flag_has_a_korean_and_an_english_source():
    # given the flags the engine can raise
    # when their sources are looked up
    # then each has a Korean source citing the Act or the casebook, and an English one without Hangul
    def hangul(text: str) -> bool:
        return any("\uac00" <= ch <= "\ud7a3" for ch in text)

    assert set(FLAG_SOURCES) == set(FLAGS)
    for flag in FLAGS:
        korean, english = FLAG_SOURCES[flag]
        assert hangul(korean) and ("혁신법" in korean or "사례집" in korean), flag
        assert not hangul(english) and ("Act" in english or "Decree" in english or "casebook" in english), flag


# --- one place for each money rule ---------------------------------------------------------------


def test_ineligible_after_decisions_counts_each_transaction_once_by_its_decisions():
    # given flags after answers: an ineligible finding with two flags (one accepted, one open), one with all
    # accepted, a review flag rejected, a review flag accepted, and a project-level cap still open
    rows = [
        ("T1", "MISSING_EVIDENCE", "ineligible", "accepted", 400),
        ("T1", "OVER_BUDGET", "ineligible", "open", 150),
        ("T2", "INELIGIBLE_MERCHANT", "ineligible", "accepted", 90),
        ("T2", "HOLIDAY_USE", "review", "rejected", 90),
        ("T3", "DUPLICATE", "review", "rejected", 70),
        ("T4", "HOLIDAY_USE", "review", "accepted", 60),
        ("", "ALLOWANCE_CAP", "ineligible", "open", 5),
    ]
    # when the amount after decisions is computed
    total = ineligible_after_decisions(flags=rows)
    # then T1 counts once at its largest at-risk amount, T2 is recognised (every ineligible flag accepted),
    # T3's rejected review makes it ineligible, T4 passes, and the cap counts: 400 + 70 + 5
    assert total == 475


def test_budget_limits_are_exact_for_huge_lines_and_match_the_single_line_rule():
    # given lines of ₩1,000,001 and one so large that int64 products overflow, at a 10% transfer share
    share = Decimal("0.1")
    approved = np.array([1_000_001, 10**18], dtype=np.int64)
    # when the limits are computed
    limits = budget_limits(approved=approved, transfer_share=share)
    # then each is ⌊approved × 1.1⌋ exactly, as budget_limit says for one line
    assert [int(x) for x in limits] == [1_100_001, 11 * 10**17]
    assert budget_limit(approved=1_000_001, transfer_share=share) == 1_100_001


def test_clawback_of_the_summary_is_the_share_rule():
    # given ₩1,001 ineligible in a project with gov 2 : cash 1 (666 ‰)
    ledger = book([txn("T1", amount=1_001, merchant_type="bar")], projects=[project(gov=2, cash=1)])
    # when settled
    row = ledger_settle(ledger=ledger, policy=act_policy()).summary.row(0, named=True)
    # then the summary's clawback is the one share rule's
    assert row["clawback"] == clawback_from_share(ineligible=1_001, government_share_permille=666) == 666
