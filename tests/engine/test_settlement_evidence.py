"""Evidence items per project: what a settlement asked for, what the small-amount exemptions and
self-settlement spared (engine.settlement_evidence), on a hand-made ledger with exact counts."""

from __future__ import annotations

from dataclasses import replace

from doyak.engine.settlement import ledger_settle
from doyak.engine.settlement_evidence import EvidenceCounts, evidence_by_project, evidence_items

from .test_settlement import ledger, policy, project, txn


def _policy():
    # payment record: materials ≤ ₩3M, activities ≤ ₩500k (POLICY_TOML); documents: materials ≤ ₩1M,
    # activities ≤ ₩300k
    return replace(policy(), documents_exemption={"materials": 1_000_000, "activities": 300_000})


def _counts(transactions, projects):
    book = ledger(transactions, projects=projects)
    result = ledger_settle(ledger=book, policy=_policy())
    return evidence_by_project(evidence_items(ledger=book, policy=_policy(), result=result)), result


def test_evidence_items_exemptions_count_each_item_not_required():
    # given an ordinary project: a ₩200k material (no payment record, no documents needed), a ₩5M material (both
    # needed), a ₩400k activity (payment record exempt at ≤ ₩500k, documents needed above ₩300k) and a refund
    rows = [txn("T1", amount=200_000), txn("T2", amount=5_000_000, merchant="M2"),
            txn("T3", category="activities", amount=400_000, merchant="M3"), txn("T4", amount=-100_000, merchant="M4")]
    # when its evidence is counted
    counts, _result = _counts(rows, [project("P1")])
    # then six items (two per positive transaction): three exempted, three required, none spared
    assert counts == {"P1": EvidenceCounts(items=6, required=3, exempted=3, self_settled=0)}


def test_evidence_items_exemption_boundary_is_at_or_under():
    # given materials exactly at the documents exemption and one won above it
    rows = [txn("T1", amount=1_000_000), txn("T2", amount=1_000_001, merchant="M2")]
    counts, _result = _counts(rows, [project("P1")])
    # then the first needs neither item (payment ≤ ₩3M too), the second its documents only
    assert counts["P1"] == EvidenceCounts(items=4, required=1, exempted=3, self_settled=0)


def test_evidence_items_self_settlement_checks_only_the_sample():
    # given a self-settled project of ten ₩1M personnel payments and one ₩4M material bought at a bar (flagged)
    rows = [txn(f"T{i:02d}", project="P2", category="personnel", amount=1_000_000 + i, merchant=f"M{i}")
            for i in range(10)]
    rows.append(txn("TBAR", project="P2", amount=4_000_000, merchant="MB", merchant_type="bar"))
    counts, result = _counts(rows, [project("P2", self_settlement=True)])
    # then the sample is the flagged one plus ⌈15% × 11⌉ = 2 others: their six items are required, the other
    # eight transactions' sixteen items spared by self-settlement
    assert result.sample.height == 3
    assert "TBAR" in result.sample["txn_id"].to_list()
    assert counts["P2"] == EvidenceCounts(items=22, required=6, exempted=0, self_settled=16)


def test_evidence_items_project_without_transactions_counts_zero():
    counts, _result = _counts([], [project("P1"), project("P2", self_settlement=True)])
    assert counts == {"P1": EvidenceCounts(items=0, required=0, exempted=0, self_settled=0),
                      "P2": EvidenceCounts(items=0, required=0, exempted=0, self_settled=0)}
