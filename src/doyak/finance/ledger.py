"""Database rows → the settlement engine's :class:`~doyak.engine.settlement.Ledger`, and back.

Engine ids: ``project_id`` is the agreement's primary key as text, ``txn_id`` is
``"<agreement pk>:<txn_id>"`` (transaction ids are unique per agreement, the engine wants them
unique per ledger). Rows are read with ``values_list`` in one query per table, never as model
instances.

The optional engine columns (issue #15): ``documents`` is the number of evidence files attached to the
transaction; ``equipment_item`` is an equipment purchase's description, matched against the equipment plan
(the approved budget's equipment items); ``stopped_on`` is the stop notice date of a stopped agreement; ``other_cash_funds`` is the agreement's other cash
(the government share is gov / (gov + cash + other cash)).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl
from django.db.models import Count, Sum
from django.utils import timezone

from doyak.agreements.models import Agreement, AgreementVersion, ApprovedBudget
from doyak.agreements.terms import other_cash_of
from doyak.engine.self_settlement import ProjectFacts, SelfSettlementRules, self_settlement_route
from doyak.engine.settlement import (
    BUDGET_SCHEMA,
    EQUIPMENT_SCHEMA,
    PROJECT_SCHEMA,
    TRANSACTION_SCHEMA,
    Ledger,
)
from doyak.engine.settlement_policy import CATEGORIES
from doyak.execution.models import Report
from doyak.execution.selectors import stop_dates_for
from doyak.organizations.enums import OrganizationType

from .models import EvidenceFile, Transaction

_TRANSACTION_SCHEMA = {**TRANSACTION_SCHEMA, "documents": pl.Int64(), "equipment_item": pl.String()}
_PROJECT_SCHEMA = {**PROJECT_SCHEMA, "stopped_on": pl.Date(), "other_cash_funds": pl.Int64(),
                   "report_due_on": pl.Date(), "report_submitted_on": pl.Date()}


def engine_txn_id(agreement_id: int, txn_id: str) -> str:
    return f"{agreement_id}:{txn_id}"


def ledger_for_agreements(*, agreement_ids: Sequence[int], documents_required: bool = False,
                          self_settlement_rules: SelfSettlementRules | None = None) -> Ledger:
    """The engine ledger of these agreements (approved budgets summed over years and institutions; for an
    agreement with more than one version, every version's budget with the date it came into force).
    ``documents_required``: the evidence files attached are the ``documents`` column (MISSING_DOCUMENTS).
    ``self_settlement_rules``: the routes that decide who settles on the report (see :func:`self_settlement_for`);
    without them, the agreement's own flag (as recorded at conclusion) decides."""
    ids = sorted(set(agreement_ids))
    projects = list(
        Agreement.objects.filter(pk__in=ids).order_by("pk").values_list(
            "pk", "start_date", "end_date", "self_settlement", "gov_funds_krw", "cash_funds_krw",
            "other_cash_funds_krw")
    )
    # a stopped project's eligible period ends on the stop notice date (the engine's stopped_on)
    stopped = stop_dates_for(ids)
    if self_settlement_rules is not None:
        eligible = self_settlement_for(agreement_ids=ids, rules=self_settlement_rules)
        projects = [(p[0], p[1], p[2], eligible[p[0]], *p[4:]) for p in projects]
    reports = _reports_due(ids=ids)
    budgets = list(
        ApprovedBudget.objects.filter(agreement_id__in=ids, category__in=CATEGORIES)
        .values("agreement_id", "category").annotate(total=Sum("approved_krw")).order_by("agreement_id", "category")
        .values_list("agreement_id", "category", "total")
    )
    versioned = {pk for pk, version in Agreement.objects.filter(pk__in=ids, version__gt=1).values_list("pk", "version")}
    budget_frame = (_budgets_by_version(ids=ids, versioned=versioned, current=budgets) if versioned else pl.DataFrame(
        {"project_id": [str(b[0]) for b in budgets], "category": [b[1] for b in budgets],
         "approved": [int(b[2]) for b in budgets]}, schema=BUDGET_SCHEMA))
    documents = dict(EvidenceFile.objects.filter(agreement_id__in=ids, transaction__isnull=False)
                     .values("transaction_id").annotate(n=Count("id")).order_by().values_list("transaction_id", "n"))
    rows = Transaction.objects.filter(agreement_id__in=ids).values_list(
        "agreement_id", "txn_id", "category", "amount_krw", "occurred_at", "merchant_id", "merchant_type", "evidence",
        "pk", "description")
    columns: dict[str, list] = {name: [] for name in _TRANSACTION_SCHEMA}
    for (agreement_id, txn_id, category, amount, occurred_at, merchant_id, merchant_type, evidence, pk,
         description) in rows.iterator(chunk_size=5000):
        columns["txn_id"].append(engine_txn_id(agreement_id, txn_id))
        columns["project_id"].append(str(agreement_id))
        columns["category"].append(category)
        columns["amount"].append(amount)
        columns["occurred_at"].append(occurred_at.astimezone(dt.UTC))
        columns["merchant_id"].append(merchant_id)
        columns["merchant_type"].append(merchant_type)
        columns["evidence"].append(evidence)
        columns["documents"].append(documents.get(pk, 0))
        columns["equipment_item"].append(description.strip() if category == "equipment" else None)
    transactions = pl.DataFrame(columns, schema=_TRANSACTION_SCHEMA)
    if not documents_required:
        transactions = transactions.drop("documents")
    return Ledger(
        transactions=transactions,
        equipment=_equipment_plan(ids=ids),
        projects=pl.DataFrame(
            {
                "project_id": [str(p[0]) for p in projects],
                "start_date": [p[1] for p in projects],
                "end_date": [p[2] for p in projects],
                "self_settlement": [p[3] for p in projects],
                "gov_funds": [p[4] for p in projects],
                "cash_funds": [p[5] for p in projects],
                "other_cash_funds": [p[6] for p in projects],
                "stopped_on": [stopped.get(p[0]) for p in projects],
                "report_due_on": [reports.get(p[0], (None, None))[0] for p in projects],
                "report_submitted_on": [reports.get(p[0], (None, None))[1] for p in projects],
            },
            schema=_PROJECT_SCHEMA,
        ),
        budgets=budget_frame,
    )


def self_settlement_for(*, agreement_ids: Sequence[int], rules: SelfSettlementRules) -> dict[int, bool]:
    """Whether each agreement settles on its report, by the routes: the program, the lead institution's kind
    and recognition (the agreement's own flag, recorded from the institution at conclusion), and the largest
    yearly approved funds. No institution rating is recorded yet, so the excellent route never applies."""
    yearly: dict[int, int] = {}
    for agreement_id, _year, total in (ApprovedBudget.objects.filter(agreement_id__in=agreement_ids)
                                       .values("agreement_id", "year").annotate(total=Sum("approved_krw"))
                                       .order_by().values_list("agreement_id", "year", "total")):
        yearly[agreement_id] = max(yearly.get(agreement_id, 0), int(total or 0))
    result: dict[int, bool] = {}
    for pk, flag, program_code, org_type in Agreement.objects.filter(pk__in=agreement_ids).values_list(
            "pk", "self_settlement", "proposal__call__program__code", "proposal__lead_organization__org_type"):
        facts = ProjectFacts(program_code=program_code or "", institution_is_gri=org_type == OrganizationType.GRI,
                             institution_recognised=bool(flag), yearly_funds_krw=yearly.get(pk, 0))
        result[pk] = self_settlement_route(facts=facts, rules=rules) is not None
    return result


def _reports_due(*, ids: list[int]) -> dict[int, tuple[dt.date, dt.date | None]]:
    """Per agreement, the report whose due date came last up to today, with the day it was submitted (Seoul)."""
    today = timezone.localdate()
    due: dict[int, tuple[dt.date, dt.date | None]] = {}
    for agreement_id, due_date, submitted_at in Report.objects.filter(
            agreement_id__in=ids, due_date__lte=today).order_by("agreement_id", "due_date", "pk").values_list(
            "agreement_id", "due_date", "submitted_at"):
        due[agreement_id] = (due_date, timezone.localtime(submitted_at).date() if submitted_at else None)
    return due


def _equipment_plan(*, ids: list[int]) -> pl.DataFrame:
    """The planned equipment items of the agreements: the descriptions of their approved equipment lines' items."""
    planned: dict[tuple[str, str], int] = {}
    for agreement_id, items in ApprovedBudget.objects.filter(agreement_id__in=ids, category="equipment").values_list(
            "agreement_id", "items"):
        for item in items or ():
            name = str(item.get("description", "")).strip()
            if name:
                key = (str(agreement_id), name)
                planned[key] = planned.get(key, 0) + int(item.get("amount_krw") or 0)
    return pl.DataFrame({"project_id": [k[0] for k in planned], "equipment_item": [k[1] for k in planned],
                         "planned_amount": list(planned.values())}, schema=EQUIPMENT_SCHEMA)


def _budgets_by_version(*, ids: list[int], versioned: set[int], current: list[tuple]) -> pl.DataFrame:
    """Budgets with ``valid_from``: every version of the agreements that changed (from their frozen terms),
    the budget in force of the others from its version 1 date, so each transaction meets its date's version."""
    rows: list[tuple[str, str, int, dt.date]] = []
    first = dict(AgreementVersion.objects.filter(agreement_id__in=ids, number=1).values_list(
        "agreement_id", "effective_from"))
    starts = dict(Agreement.objects.filter(pk__in=ids).values_list("pk", "start_date"))
    for agreement_id, category, total in current:
        if agreement_id not in versioned:
            rows.append((str(agreement_id), category, int(total), first.get(agreement_id, starts[agreement_id])))
    for agreement_id, effective_from, terms in AgreementVersion.objects.filter(
            agreement_id__in=versioned).order_by("agreement_id", "number").values_list(
            "agreement_id", "effective_from", "terms"):
        totals: dict[str, int] = {}
        for line in terms["budget"]:
            if line["category"] in CATEGORIES:
                totals[line["category"]] = (totals.get(line["category"], 0) + line["gov_krw"] + line["cash_krw"]
                                            + other_cash_of(line))
        rows = [r for r in rows if not (r[0] == str(agreement_id) and r[3] == effective_from)]  # same day: later wins
        rows.extend((str(agreement_id), category, total, effective_from) for category, total in sorted(totals.items()))
    return pl.DataFrame(
        {"project_id": [r[0] for r in rows], "category": [r[1] for r in rows], "approved": [r[2] for r in rows],
         "valid_from": [r[3] for r in rows]},
        schema={**BUDGET_SCHEMA, "valid_from": pl.Date()})
