"""Database rows → the settlement engine's :class:`~doyak.engine.settlement.Ledger`, and back.

Engine ids: ``project_id`` is the agreement's primary key as text, ``txn_id`` is
``"<agreement pk>:<txn_id>"`` (transaction ids are unique per agreement, the engine wants them
unique per ledger). Rows are read with ``values_list`` in one query per table, never as model
instances.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl
from django.db.models import Sum

from doyak.agreements.models import Agreement, ApprovedBudget
from doyak.engine.settlement import BUDGET_SCHEMA, PROJECT_SCHEMA, TRANSACTION_SCHEMA, Ledger
from doyak.engine.settlement_policy import CATEGORIES

from .models import Transaction


def engine_txn_id(agreement_id: int, txn_id: str) -> str:
    return f"{agreement_id}:{txn_id}"


def ledger_for_agreements(*, agreement_ids: Sequence[int]) -> Ledger:
    """The engine ledger of these agreements (approved budgets summed over years and institutions)."""
    ids = sorted(set(agreement_ids))
    projects = list(
        Agreement.objects.filter(pk__in=ids).order_by("pk").values_list(
            "pk", "start_date", "end_date", "self_settlement", "gov_funds_krw", "cash_funds_krw")
    )
    budgets = list(
        ApprovedBudget.objects.filter(agreement_id__in=ids, category__in=CATEGORIES)
        .values("agreement_id", "category").annotate(total=Sum("approved_krw")).order_by("agreement_id", "category")
        .values_list("agreement_id", "category", "total")
    )
    rows = Transaction.objects.filter(agreement_id__in=ids).values_list(
        "agreement_id", "txn_id", "category", "amount_krw", "occurred_at", "merchant_id", "merchant_type", "evidence")
    columns: dict[str, list] = {name: [] for name in TRANSACTION_SCHEMA}
    for agreement_id, txn_id, category, amount, occurred_at, merchant_id, merchant_type, evidence in rows.iterator(
            chunk_size=5000):
        columns["txn_id"].append(engine_txn_id(agreement_id, txn_id))
        columns["project_id"].append(str(agreement_id))
        columns["category"].append(category)
        columns["amount"].append(amount)
        columns["occurred_at"].append(occurred_at.astimezone(dt.UTC))
        columns["merchant_id"].append(merchant_id)
        columns["merchant_type"].append(merchant_type)
        columns["evidence"].append(evidence)
    return Ledger(
        transactions=pl.DataFrame(columns, schema=TRANSACTION_SCHEMA),
        projects=pl.DataFrame(
            {
                "project_id": [str(p[0]) for p in projects],
                "start_date": [p[1] for p in projects],
                "end_date": [p[2] for p in projects],
                "self_settlement": [p[3] for p in projects],
                "gov_funds": [p[4] for p in projects],
                "cash_funds": [p[5] for p in projects],
            },
            schema=PROJECT_SCHEMA,
        ),
        budgets=pl.DataFrame(
            {"project_id": [str(b[0]) for b in budgets], "category": [b[1] for b in budgets],
             "approved": [int(b[2]) for b in budgets]},
            schema=BUDGET_SCHEMA,
        ),
    )
