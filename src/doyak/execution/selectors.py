"""Reads of project execution: an agreement's reports, evaluations, stops and sanction cases; the frame of a
report form; the PM's queue; the stop dates settlement ends the eligible period with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from doyak.accounts.rules import Actor
from doyak.agreements.models import Agreement
from doyak.agreements.selectors import agreement_get_for_user_or_raise
from doyak.core.errors import AccessDenied, NotFound
from doyak.proposals.enums import MemberRole

from .enums import OWED_REPORT_STATUSES, EvaluationStatus, ReportStatus, SanctionCaseStatus, StopStatus
from .models import ProjectEvaluation, Report, SanctionCase, StopRequest
from .rules import can_view_evaluation, can_view_execution, can_view_sanction, reads_all_execution


def stop_dates_for(agreement_ids: Iterable[int]) -> dict[int, dt.date]:
    """The stop notice date of each stopped agreement: settlement's end of the eligible period."""
    return dict(StopRequest.objects.filter(agreement_id__in=list(agreement_ids), status=StopStatus.STOPPED,
                                           notice_date__isnull=False).values_list("agreement_id", "notice_date"))


def report_list(*, agreement: Agreement, status: str = "") -> QuerySet[Report]:
    qs = agreement.reports.order_by("due_date", "pk")
    return qs.filter(status=status) if status else qs


def evaluation_list(*, agreement: Agreement, kind: str = "") -> QuerySet[ProjectEvaluation]:
    qs = agreement.project_evaluations.select_related("stop_request").prefetch_related("panel__profile").order_by(
        "due_date", "pk")
    return qs.filter(kind=kind) if kind else qs


def stop_list(*, agreement: Agreement) -> QuerySet[StopRequest]:
    return agreement.stop_requests.select_related("change_request").order_by("-created_at", "-pk")


def sanction_case_list(*, user: Actor, agreement: Agreement) -> list[SanctionCase]:
    return [c for c in agreement.sanction_cases.select_related("organization", "sanction").order_by("-pk")
            if can_view_sanction(user, c)]


def report_get_for_user_or_raise(*, user: Actor, report_id: int) -> Report:
    report = Report.objects.select_related("agreement__proposal__lead_organization").filter(pk=report_id).first()
    if report is None:
        raise NotFound(_("Report not found."), code="report_not_found")
    if not can_view_execution(user, report.agreement):
        raise AccessDenied(_("You may not see this agreement."), code="agreement_forbidden")
    return report


def evaluation_get_for_user_or_raise(*, user: Actor, evaluation_id: int) -> ProjectEvaluation:
    evaluation = (ProjectEvaluation.objects.select_related("agreement__proposal__lead_organization", "stop_request")
                  .filter(pk=evaluation_id).first())
    if evaluation is None:
        raise NotFound(_("Evaluation not found."), code="evaluation_not_found")
    if not can_view_evaluation(user, evaluation):
        raise AccessDenied(_("You may not see this agreement."), code="agreement_forbidden")
    return evaluation


def sanction_case_get_for_user_or_raise(*, user: Actor, case_id: int) -> SanctionCase:
    case = SanctionCase.objects.select_related("agreement__proposal", "organization", "evaluation").filter(
        pk=case_id).first()
    if case is None:
        raise NotFound(_("Sanction case not found."), code="sanction_case_not_found")
    if not can_view_sanction(user, case):
        raise AccessDenied(_("You may not see this sanction case."), code="sanction_forbidden")
    return case


def execution_agreement_or_raise(*, user: Actor, agreement_id: int) -> Agreement:
    return agreement_get_for_user_or_raise(user=user, agreement_id=agreement_id)


def report_frame(*, report: Report) -> dict:
    """What a report asks about, from the agreement in force: its goals, every KPI (indicator, unit, baseline,
    target, the report's period), the ripple commitments by region, and for an anchor-led project its supplier
    partners with the share of the approved budget planned for them."""
    agreement = report.agreement
    proposal = agreement.proposal
    kpis = [{"kpi_id": k.pk, "indicator": k.name, "unit": k.unit,
             "baseline": None if k.baseline is None else str(k.baseline.normalize()),
             "target": str(k.target.normalize()), "target_year": k.year,
             "period_start": report.period_start.isoformat(), "period_end": report.period_end.isoformat()}
            for k in agreement.kpis.order_by("pk")]
    ripple = [{"region_code": r.region.code, "region": str(r.region), "planned_investment_krw": r.investment_krw,
               "planned_jobs": r.jobs, "planned_production_krw": r.production_krw}
              for r in proposal.ripple_commitments.select_related("region").order_by("region__code", "pk")]
    members = list(proposal.members.values_list("organization_id", "role"))
    anchor_led = proposal.lead_organization.is_demand_anchor or any(r == MemberRole.DEMAND_ANCHOR for _o, r in members)
    suppliers = None
    if anchor_led:
        supplier_ids = {o for o, r in members if r == MemberRole.SUPPLIER}
        budgets = list(agreement.budgets.values_list("organization_id", "approved_krw"))
        total = sum(b for _o, b in budgets)
        planned = sum(b for o, b in budgets if o in supplier_ids)
        suppliers = {"partners": len(supplier_ids), "total_krw": total, "planned_krw": planned,
                     "planned_share": f"{planned * 100 / total:.1f}" if total else "0.0"}
    return {"goals": list(agreement.goals.order_by("order").values_list("text", flat=True)), "kpis": kpis,
            "ripple": ripple, "suppliers": suppliers}


def execution_queue(*, user: Actor, today: dt.date | None = None) -> dict:
    """The PM's queue: reports to review, overdue reports, evaluations to run, stop requests waiting for a
    special evaluation, sanction cases to decide or answer."""
    if not reads_all_execution(user):
        return {"review": [], "overdue": [], "evaluations": [], "stops": [], "sanctions": []}
    today = today or timezone.localdate()
    related = ("agreement__proposal__lead_organization",)
    return {
        "review": list(Report.objects.filter(status=ReportStatus.SUBMITTED).select_related(*related)
                       .order_by("submitted_at", "pk")[:200]),
        "overdue": list(Report.objects.filter(status__in=OWED_REPORT_STATUSES, due_date__lt=today)
                        .select_related(*related).order_by("due_date", "pk")[:200]),
        "evaluations": list(ProjectEvaluation.objects.filter(
            status__in=(EvaluationStatus.PENDING, EvaluationStatus.PANEL), due_date__lte=today + dt.timedelta(days=60))
            .select_related(*related).order_by("due_date", "pk")[:200]),
        "stops": list(StopRequest.objects.filter(status=StopStatus.REQUESTED).select_related(*related)
                      .order_by("created_at", "pk")[:200]),
        "sanctions": list(SanctionCase.objects.filter(
            status__in=(SanctionCaseStatus.PROPOSED, SanctionCaseStatus.OBJECTED)).select_related(
            *related, "organization").order_by("created_at", "pk")[:200]),
    }


def panel_assignments_for_user(*, user: Actor):
    """The evaluator's own panel seats (stage, final and special evaluations), those still open first; nobody
    else's."""
    from .models import PanelMember

    if getattr(user, "pk", None) is None:
        return PanelMember.objects.none()
    from django.db.models import Case, IntegerField, Value, When

    from .enums import EvaluationStatus

    still_open = Case(When(evaluation__status=EvaluationStatus.PANEL, then=Value(0)), default=Value(1),
                      output_field=IntegerField())
    return (PanelMember.objects.filter(profile__user_id=user.pk).select_related("evaluation__agreement__proposal")
            .annotate(still_open=still_open).order_by("still_open", "evaluation__due_date", "pk"))
