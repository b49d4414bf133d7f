"""Reads of the finance app: ledgers, flags, dashboards, what-if, reports. Aggregates run in SQL."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.db.models import Count, DateField, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from doyak.accounts.rules import Actor
from doyak.agreements.models import Agreement, AgreementVersion, ApprovedBudget
from doyak.agreements.rules import can_view_agreement
from doyak.core.errors import AccessDenied, NotFound, ValidationFailed
from doyak.engine.errors import EngineError
from doyak.engine.settlement import SettlementResult as EngineResult
from doyak.engine.settlement import SettlementTotals
from doyak.engine.settlement_report import report_write
from doyak.engine.settlement_whatif import WhatIfResult, WhatIfScenario, settlement_what_if

from .enums import Category, Evidence, FlagCode, FlagStatus, RunStatus
from .ledger import ledger_for_agreements
from .models import AuditSampleMonth, Flag, FlagSummary, SettlementResult, SettlementRun, Transaction
from .policies import (
    settlement_policy_from_snapshot,
    settlement_policy_snapshot,
    snapshot_documents_required,
)
from .rules import can_manage_settlement, can_view_dashboard, reads_all_ledgers

LEDGER_PAGE_SIZE = 50


def agreement_list_for_user(*, user: Actor, call_id: int | None = None, program_id: int | None = None,
                            q: str = "") -> QuerySet[Agreement]:
    """Agreements the user may see: all for the ministry side, their institution's (lead or member) otherwise."""
    qs = Agreement.objects.select_related("proposal__lead_organization", "proposal__call", "current_run")
    if not reads_all_ledgers(user):
        org = user.organization_id if getattr(user, "is_authenticated", False) else None
        if org is None:
            return qs.none()
        qs = qs.filter(Q(proposal__lead_organization_id=org) | Q(proposal__members__organization_id=org)).distinct()
    if call_id:
        qs = qs.filter(proposal__call_id=call_id)
    if program_id:
        qs = qs.filter(proposal__call__program_id=program_id)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(proposal__title_ko__icontains=q))
    return qs.order_by("number")


def agreement_get_for_user_or_raise(*, user: Actor, agreement_id: int) -> Agreement:
    agreement = Agreement.objects.select_related("proposal__lead_organization", "proposal__call__program",
                                                 "current_run").filter(pk=agreement_id).first()
    if agreement is None:
        raise NotFound(_("Agreement not found."), code="agreement_not_found")
    if not can_view_agreement(user, agreement):
        raise AccessDenied(_("You may not see this agreement."), code="agreement_forbidden")
    return agreement


@dataclass(frozen=True)
class CategoryLine:
    category: str
    label: str
    approved: int
    spent: int
    count: int

    @property
    def share(self) -> int:
        """Spent as a percentage of approved (capped at 100 for the bar)."""
        if self.approved <= 0:
            return 100 if self.spent > 0 else 0
        return max(0, min(100, self.spent * 100 // self.approved))

    @property
    def over(self) -> bool:
        return self.spent > self.approved


def ledger_category_totals(*, agreement: Agreement) -> list[CategoryLine]:
    """Spent (one grouped SQL aggregate over the index) against approved, per cost category."""
    spent = {row["category"]: row for row in Transaction.objects.filter(agreement=agreement).order_by()
             .values("category").annotate(total=Sum("amount_krw"), n=Count("id"))}
    approved = dict(ApprovedBudget.objects.filter(agreement=agreement).order_by().values("category")
                    .annotate(total=Sum("approved_krw")).values_list("category", "total"))
    lines = []
    for value, label in Category.choices:
        row = spent.get(value, {})
        if value in approved or row:
            lines.append(CategoryLine(category=value, label=str(label), approved=int(approved.get(value) or 0),
                                      spent=int(row.get("total") or 0), count=int(row.get("n") or 0)))
    return lines


@dataclass(frozen=True)
class LedgerPage:
    rows: list[dict]
    number: int
    num_pages: int
    count: int
    has_previous: bool
    has_next: bool

    @property
    def paginator(self) -> LedgerPage:  # the shared pagination template reads page_obj.paginator.*
        return self

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def ledger_page(*, agreement: Agreement, page: int = 1, category: str = "", flagged_only: bool = False,
                page_size: int = LEDGER_PAGE_SIZE) -> LedgerPage:
    """One page of transactions, newest first (index ``agreement, -occurred_at, -id``), with the
    current run's flags of those transactions attached as ``row["flags"]``."""
    qs = Transaction.objects.filter(agreement=agreement)
    if category:
        qs = qs.filter(category=category)
    if flagged_only:
        qs = qs.filter(flags__run_id=agreement.current_run_id).distinct() if agreement.current_run_id else qs.none()
    count = qs.count()
    num_pages = max(1, (count + page_size - 1) // page_size)
    number = min(max(1, page), num_pages)
    rows = list(qs.order_by("-occurred_at", "-id").values(
        "id", "txn_id", "category", "amount_krw", "occurred_at", "merchant_id", "merchant_type", "evidence",
        "description", "source")[(number - 1) * page_size:number * page_size])
    by_id = {row["id"]: row for row in rows}
    versions = version_dates(agreement=agreement)
    for row in rows:
        row["version"] = version_in_force(versions, timezone.localdate(row["occurred_at"]))
        row["flags"] = []
        row["category_label"] = Category(row["category"]).label
        row["evidence_label"] = Evidence(row["evidence"]).label
    if agreement.current_run_id and by_id:
        for flag in Flag.objects.filter(run_id=agreement.current_run_id, transaction_id__in=list(by_id)):
            by_id[flag.transaction_id]["flags"].append(flag)
    return LedgerPage(rows=rows, number=number, num_pages=num_pages, count=count,
                      has_previous=number > 1, has_next=number < num_pages)


def version_dates(*, agreement: Agreement) -> list[tuple[dt.date, int]]:
    """(in force from, number) of the agreement's versions, in force order."""
    return sorted((day, number) for number, day in
                  AgreementVersion.objects.filter(agreement=agreement).values_list("number", "effective_from"))


def version_in_force(versions: list[tuple[dt.date, int]], day: dt.date) -> int | None:
    """The version in force on ``day`` (the first one before it came into force), as settlement judges it."""
    if not versions:
        return None
    index = bisect.bisect_right(versions, (day, 2**31)) - 1
    return versions[max(index, 0)][1]


def flag_list_current(*, agreement: Agreement, status: str = "") -> QuerySet[Flag]:
    """The flags of the agreement's latest run (what still counts)."""
    if not agreement.current_run_id:
        return Flag.objects.none()
    qs = Flag.objects.filter(agreement=agreement, run_id=agreement.current_run_id).select_related("transaction")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "-amount_at_risk_krw", "txn_ref", "code")


@dataclass(frozen=True)
class FlagCounts:
    """The current run's flags of one agreement by status (from ``FlagSummary``, not from the flags)."""

    by_status: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def not_accepted(self) -> int:
        return self.total - self.by_status.get(FlagStatus.ACCEPTED, 0)

    @property
    def waiting(self) -> int:
        return self.by_status.get(FlagStatus.EXPLAINED, 0)


def flag_counts_current(*, agreement: Agreement) -> FlagCounts:
    if not agreement.current_run_id:
        return FlagCounts(by_status={})
    rows = (FlagSummary.objects.filter(agreement=agreement, run_id=agreement.current_run_id).order_by()
            .values("status").annotate(n=Sum("flags")))
    return FlagCounts(by_status={row["status"]: int(row["n"]) for row in rows})


def flag_page_current(*, agreement: Agreement, page: int = 1, page_size: int = LEDGER_PAGE_SIZE) -> LedgerPage:
    """One page of the current run's flags still to settle (not accepted), most at risk first, counted from the
    summary and read through the ``flag_ledger_order_idx`` index: the page reads ``page_size`` flags."""
    count = flag_counts_current(agreement=agreement).not_accepted
    num_pages = max(1, (count + page_size - 1) // page_size)
    number = min(max(1, page), num_pages)
    rows = list(flag_list_current(agreement=agreement).exclude(status=FlagStatus.ACCEPTED)
                [(number - 1) * page_size:number * page_size]) if count else []
    return LedgerPage(rows=rows, number=number, num_pages=num_pages, count=count,
                      has_previous=number > 1, has_next=number < num_pages)


def flag_get_for_user_or_raise(*, user: Actor, flag_id: int) -> Flag:
    flag = Flag.objects.select_related("agreement__proposal", "transaction").filter(pk=flag_id).first()
    if flag is None:
        raise NotFound(_("Flag not found."), code="flag_not_found")
    if not can_view_agreement(user, flag.agreement):
        raise AccessDenied(_("You may not see this flag."), code="flag_forbidden")
    return flag


def result_current(*, agreement: Agreement) -> SettlementResult | None:
    if not agreement.current_run_id:
        return None
    return SettlementResult.objects.filter(run_id=agreement.current_run_id, agreement=agreement).first()


# --------------------------------------------------------------------------------------------
# Dashboard
# --------------------------------------------------------------------------------------------

def _scope_agreements(*, call_id: int | None, program_id: int | None) -> QuerySet[Agreement]:
    qs = Agreement.objects.all()
    if call_id:
        qs = qs.filter(proposal__call_id=call_id)
    elif program_id:
        qs = qs.filter(proposal__call__program_id=program_id)
    return qs


def dashboard_for_scope(*, user: Actor, call_id: int | None = None, program_id: int | None = None) -> dict:
    """Amount at risk by flag, top projects, monthly trend, totals: over each agreement's latest run."""
    if not can_view_dashboard(user):
        raise AccessDenied(_("Only program managers and auditors see the settlement dashboard."),
                           code="dashboard_forbidden")
    agreements = _scope_agreements(call_id=call_id, program_id=program_id)
    current = FlagSummary.objects.filter(agreement__in=agreements, run_id=F("agreement__current_run_id"))
    by_flag = list(current.order_by().values("code").annotate(
        at_risk=Sum("at_risk_krw"), n=Sum("flags"),
        open=Coalesce(Sum("flags", filter=Q(status=FlagStatus.OPEN)), 0),
        explained=Coalesce(Sum("flags", filter=Q(status=FlagStatus.EXPLAINED)), 0)).order_by("-at_risk", "code"))
    top = max((row["at_risk"] for row in by_flag), default=0) or 1
    for row in by_flag:
        row["label"] = FlagCode(row["code"]).label
        row["bar"] = max(1, row["at_risk"] * 100 // top) if row["at_risk"] else 0
    results = SettlementResult.objects.filter(agreement__in=agreements, run_id=F("agreement__current_run_id"))
    totals = results.aggregate(spent=Coalesce(Sum("spent_krw"), 0), ineligible=Coalesce(Sum("ineligible_krw"), 0),
                               review=Coalesce(Sum("review_krw"), 0), clawback=Coalesce(Sum("clawback_krw"), 0),
                               projects=Count("id"))
    top_projects = list(results.select_related("agreement__proposal__lead_organization")
                        .order_by("-ineligible_krw", "-review_krw", "agreement__number")[:10])
    months = list(Transaction.objects.filter(agreement__in=agreements)
                  .annotate(month=TruncMonth("occurred_at", output_field=DateField()))
                  .order_by().values("month").annotate(spent=Sum("amount_krw")).order_by("month"))
    flagged = {row["month"]: row["at_risk"] for row in current.filter(month__isnull=False).order_by()
               .values("month").annotate(at_risk=Sum("at_risk_krw"))}
    peak = max((row["spent"] for row in months), default=0) or 1
    trend = [{"month": row["month"], "spent": row["spent"], "at_risk": flagged.get(row["month"], 0),
              "bar": max(0, row["spent"] * 100 // peak), "risk_bar": max(0, flagged.get(row["month"], 0) * 100 // peak)}
             for row in months]
    return {"by_flag": by_flag, "totals": totals, "top_projects": top_projects, "trend": trend[-24:],
            "agreement_count": agreements.count(),
            "waiting": current.filter(status=FlagStatus.EXPLAINED).aggregate(n=Coalesce(Sum("flags"), 0))["n"]}


def run_list(*, user: Actor, limit: int = 20) -> list[SettlementRun]:
    """The latest runs, each knowing the numbers of the agreements its scope names (one query for all)."""
    if not can_view_dashboard(user):
        return []
    runs = list(SettlementRun.objects.select_related("call", "program", "created_by")
                .order_by("-created_at", "-id")[:limit])
    shown = {pk for run in runs for pk in run.agreement_ids[:SettlementRun.SCOPE_AGREEMENTS_SHOWN]}
    numbers = dict(Agreement.objects.filter(pk__in=shown).values_list("pk", "number"))
    for run in runs:
        run.agreement_numbers = numbers
    return runs


def run_list_for_user_or_raise(*, user: Actor) -> QuerySet[SettlementRun]:
    """Every settlement run, newest first, with their parts: only for those who see the settlement dashboard."""
    if not can_view_dashboard(user):
        raise AccessDenied(_("Only program managers and auditors see the settlement dashboard."),
                           code="dashboard_forbidden")
    return (SettlementRun.objects.select_related("call", "program").prefetch_related("parts")
            .order_by("-created_at", "-id"))


def run_get_for_user_or_raise(*, user: Actor, run_id: int) -> SettlementRun:
    run = SettlementRun.objects.select_related("call", "program").filter(pk=run_id).first()
    if run is None:
        raise NotFound(_("Settlement run not found."), code="settlement_run_not_found")
    if not can_view_dashboard(user) and not (run.created_by_id == getattr(user, "pk", None)):
        raise AccessDenied(_("You may not see this run."), code="settlement_run_forbidden")
    return run


def run_audit_sample(*, user: Actor, run: SettlementRun, month: str = "") -> dict:
    """The run's monthly audit sample of self-settlement agreements: the months it covers, the month shown (the
    asked one when the run has it, else the latest) and that month's sampled agreements with why each was
    taken. Only those who see the settlement dashboard see it."""
    if not can_view_dashboard(user):
        return {"months": [], "month": "", "rows": [], "population": 0}
    months = list(AuditSampleMonth.objects.filter(run=run).order_by("-month").values_list("month", flat=True)
                  .distinct())
    shown = month if month in months else (months[0] if months else "")
    in_month = AuditSampleMonth.objects.filter(run=run, month=shown)
    rows = list(in_month.exclude(reason="").select_related("agreement__proposal").order_by("reason", "agreement_id"))
    return {"months": months, "month": shown, "rows": rows, "population": in_month.count()}


def explanations_waiting(*, user: Actor, limit: int = 50) -> QuerySet[Flag]:
    """Explained flags of the latest runs, oldest answer first (the program manager's inbox)."""
    if not can_manage_settlement(user):
        return Flag.objects.none()
    return (Flag.objects.filter(status=FlagStatus.EXPLAINED, run_id=F("agreement__current_run_id"))
            .select_related("agreement", "transaction").order_by("explained_at", "id")[:limit])


# --------------------------------------------------------------------------------------------
# What-if and the report
# --------------------------------------------------------------------------------------------

def settlement_what_if_for_scope(*, user: Actor, call_id: int | None, program_id: int | None,
                                 exemptions: dict[str, int], organization_ids: Iterable[int]) -> WhatIfResult:
    """Settle the scope's actual ledger under today's policy and under the change, on the fly."""
    if not can_view_dashboard(user):
        raise AccessDenied(_("Only program managers and auditors see the settlement dashboard."),
                           code="dashboard_forbidden")
    agreements = _scope_agreements(call_id=call_id, program_id=program_id)
    ids = list(agreements.order_by("pk").values_list("pk", flat=True))
    if not ids:
        raise ValidationFailed(_("No agreement in this scope."), code="settlement_scope_empty")
    orgs = set(organization_ids)
    switched = {str(pk) for pk in agreements.filter(proposal__lead_organization_id__in=orgs)
                .values_list("pk", flat=True)} if orgs else set()
    try:
        scenario = WhatIfScenario(evidence_exemption=exemptions, self_settlement_project_ids=frozenset(switched))
        # the ledger as a run today reads it: with its supporting documents when the policy checks them, so
        # "before" is what a settlement run finds
        snapshot = settlement_policy_snapshot()
        ledger = ledger_for_agreements(agreement_ids=ids, documents_required=snapshot_documents_required(snapshot))
        return settlement_what_if(ledger=ledger, policy=settlement_policy_from_snapshot(snapshot), scenario=scenario)
    except EngineError as exc:
        raise ValidationFailed(str(exc), code=exc.code) from exc


def settlement_report_for_run(*, user: Actor, run_id: int, path: Path) -> None:
    """Write the Korean XLSX report of a finished run from its stored results and flags."""
    run = run_get_for_user_or_raise(user=user, run_id=run_id)
    if not can_view_dashboard(user):
        raise AccessDenied(_("Only program managers and auditors download settlement reports."),
                           code="report_forbidden")
    if run.status != RunStatus.DONE:
        raise ValidationFailed(_("The run has not finished."), code="settlement_run_not_done")
    numbers = dict(Agreement.objects.filter(pk__in=run.agreement_ids).values_list("pk", "number"))
    rows = list(run.results.order_by("agreement__number").values_list(
        "agreement_id", "spent_krw", "eligible_krw", "ineligible_krw", "review_krw", "clawback_krw", "sampled",
        "transactions", "self_settlement", "government_share_permille"))
    summary = pl.DataFrame(
        [(numbers[r[0]], *r[1:]) for r in rows],
        schema={"project_id": pl.String, "spent": pl.Int64, "eligible": pl.Int64, "ineligible": pl.Int64,
                "review": pl.Int64, "clawback": pl.Int64, "sampled": pl.Int64, "transactions": pl.Int64,
                "self_settlement": pl.Boolean, "government_share_permille": pl.Int64}, orient="row")
    flag_rows = list(run.flags.order_by("agreement__number", "txn_ref", "code").values_list(
        "txn_ref", "agreement_id", "code", "severity", "amount_at_risk_krw"))
    flags = pl.DataFrame(
        [(t, numbers[a], c, s, v) for t, a, c, s, v in flag_rows],
        schema={"txn_id": pl.String, "project_id": pl.String, "flag": pl.String, "severity": pl.String,
                "amount_at_risk": pl.Int64}, orient="row")
    totals = SettlementTotals(
        projects=summary.height, transactions=int(summary["transactions"].sum()), spend=int(summary["spent"].sum()),
        checked_transactions=int(summary["sampled"].sum()), checked_spend=0, sampled_spend=0, evidence_documents=0,
        evidence_exempt=0, flagged_transactions=flags.filter(pl.col("txn_id") != "")["txn_id"].n_unique(),
        flags=flags.height, ineligible=int(summary["ineligible"].sum()), clawback=int(summary["clawback"].sum()))
    report_write(path=path, result=EngineResult(flags=flags, summary=summary, sample=pl.DataFrame(), totals=totals),
                 policy=settlement_policy_from_snapshot(run.policy_snapshot))


def month_label(value: dt.datetime | dt.date | None) -> str:
    return value.strftime("%Y-%m") if value else "-"
