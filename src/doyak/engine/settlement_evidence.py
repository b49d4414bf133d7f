"""Evidence items a settlement asked for, and those the small-amount exemptions and self-settlement spared.

Read from a settled ledger and the engine's result (``engine.settlement``, not changed by this module). Each
transaction with a positive amount carries two evidence items under the Act: its **payment record** (card slip,
tax invoice, transfer) and its **supporting documents** (quotation, inspection record, minutes). Refunds and
cancellations (amount ≤ 0) carry none.

* An item is **exempted** when the small-amount rules do not require it: the payment record at or under the
  category's ``[evidence_exemption]``, the supporting documents at or under its ``[documents_exemption]``
  (``SettlementPolicy.exemption_for`` / ``documents_exemption_for``), whether or not the institution kept it.
* An item a rule still requires is **spared by self-settlement** when its project settles on the report and the
  transaction is outside the audit sample (``SettlementResult.sample``): nobody examines it.
* Every other item is **required**: a settler examines it.

So ``items = required + exempted + self_settled`` per project, with ``items`` = 2 × positive transactions.
No Django here."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .settlement import CATEGORIES, Ledger, SettlementResult
from .settlement_policy import SettlementPolicy

ITEMS_PER_TRANSACTION = 2  # the payment record and the supporting documents
EVIDENCE_COLUMNS = ("project_id", "items", "required", "exempted", "self_settled")


@dataclass(frozen=True, kw_only=True)
class EvidenceCounts:
    """One project's evidence items in one settlement."""

    items: int
    required: int
    exempted: int
    self_settled: int


def evidence_items(*, ledger: Ledger, policy: SettlementPolicy, result: SettlementResult) -> pl.DataFrame:
    """Per project of the ledger (ordered by project_id), its evidence items: ``EVIDENCE_COLUMNS``."""
    projects = ledger.projects.sort("project_id")
    project_ids = projects["project_id"].to_list()
    n = len(project_ids)
    tx = ledger.transactions
    # each transaction's position among the sorted project ids (the Ledger checked every one is known)
    p = tx["project_id"].cast(pl.Enum(project_ids)).to_physical().to_numpy().astype(np.int64)
    cat = tx["category"].to_physical().to_numpy().astype(np.int64)
    amount = tx["amount"].to_numpy()
    positive = amount > 0
    payment_exempt = np.array([policy.exemption_for(c) for c in CATEGORIES], dtype=np.int64)[cat]
    documents_exempt = np.array([policy.documents_exemption_for(c) for c in CATEGORIES], dtype=np.int64)[cat]
    exempted = positive & (amount <= payment_exempt)
    exempted_documents = positive & (amount <= documents_exempt)
    still_required = (positive & ~exempted).astype(np.int64) + (positive & ~exempted_documents).astype(np.int64)

    self_settled = projects["self_settlement"].to_numpy().astype(bool)
    def keys(frame: pl.DataFrame) -> pl.Series:  # a transaction id is unique within its project
        return frame.select(pl.concat_str("project_id", pl.lit("\x1f"), "txn_id")).to_series()

    in_sample = keys(tx).is_in(keys(result.sample).implode()).to_numpy()
    spared = self_settled[p] & ~in_sample if tx.height else np.zeros(0, dtype=bool)

    def per_project(values: np.ndarray) -> list[int]:
        return [int(v) for v in np.bincount(p, weights=values, minlength=n)] if tx.height else [0] * n

    items = per_project(positive.astype(np.int64) * ITEMS_PER_TRANSACTION)
    exempt_counts = per_project(exempted.astype(np.int64) + exempted_documents.astype(np.int64))
    spared_counts = per_project(np.where(spared, still_required, 0))
    required_counts = per_project(np.where(spared, 0, still_required))
    return pl.DataFrame({"project_id": project_ids, "items": items, "required": required_counts,
                         "exempted": exempt_counts, "self_settled": spared_counts},
                        schema={"project_id": pl.String, "items": pl.Int64, "required": pl.Int64,
                                "exempted": pl.Int64, "self_settled": pl.Int64})


def evidence_by_project(frame: pl.DataFrame) -> dict[str, EvidenceCounts]:
    """``evidence_items``' rows keyed by project id."""
    return {row["project_id"]: EvidenceCounts(items=row["items"], required=row["required"],
                                              exempted=row["exempted"], self_settled=row["self_settled"])
            for row in frame.iter_rows(named=True)}
