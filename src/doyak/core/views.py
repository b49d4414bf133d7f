from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doyak.accounts.enums import Role
from doyak.organizations.models import Organization, Researcher
from doyak.programs.models import Program

from .money import format_won_short
from .selectors import audit_event_list_for_user

ROLE_INTROS = {
    Role.PROGRAM_MANAGER: gettext_lazy("Open calls, follow proposals and evaluations, and choose the portfolio."),
    Role.APPLICANT: gettext_lazy("Your organization's proposals, projects and research funds."),
    Role.EVALUATOR: gettext_lazy("Proposals assigned to you for evaluation, and your conflict-of-interest pledges."),
    Role.INVESTOR: gettext_lazy("Commercialisation fund commitments and demand surveys for R&D planning."),
    Role.REGULATION_LIAISON: gettext_lazy("Regulation innovation tasks and projects waiting for regulatory exemptions."),
    Role.COUNCIL_MEMBER: gettext_lazy("The plan's targets and portfolio scenarios, read-only."),
    Role.AUDITOR: gettext_lazy("Every change made in doyak, and settlement records, read-only."),
    Role.ADMINISTRATOR: gettext_lazy("Users, reference data and policy settings."),
}

PILLAR_LABELS = {
    "regional": gettext_lazy("Regional R&D"),
    "max": gettext_lazy("M.AX alliance"),
    "competitiveness": gettext_lazy("Industrial competitiveness"),
    "regulation": gettext_lazy("Regulation"),
    "capacity": gettext_lazy("Innovation capacity"),
    "fake_work": gettext_lazy("Cutting fake work"),
}


def _plan_targets(lang: str) -> list[dict]:
    from doyak.policies.selectors import policy_list_current

    rows: dict[str, dict] = {}
    for record in policy_list_current(on=timezone.localdate(), q="plan."):
        if not record.key.startswith("plan.") or record.key.startswith("plan.context."):
            continue
        base, field = record.key[len("plan."):].rsplit(".", 1)
        row = rows.setdefault(base, {"label": record.label.rsplit(" (", 1)[0], "pillar": PILLAR_LABELS.get(base.split(".")[0], ""),
                                     "goal": "", "by": ""})
        if field == "count":
            row["goal"] = f"{int(record.value):,}"
        elif field == "amount_krw":
            row["goal"] = format_won_short(int(record.value), lang=lang)
        elif field == "share_increase" and not row["goal"]:
            row["goal"] = f"+{float(record.value) * 100:.0f}%"
        elif field == "by":
            row["by"] = str(record.value)
    return list(rows.values())


def _proposal_cards() -> list[dict]:
    """Submitted proposals waiting for a panel, and proposals under review (one query)."""
    from doyak.proposals.enums import ProposalStatus
    from doyak.proposals.models import Proposal

    counts = Proposal.objects.aggregate(
        submitted=Count("pk", filter=Q(status=ProposalStatus.SUBMITTED)),
        under_review=Count("pk", filter=Q(status=ProposalStatus.UNDER_REVIEW)))
    return [
        {"label": _("Submitted proposals"), "value": f"{counts['submitted']:,}",
         "sub": _("Waiting for an evaluation panel."),
         "url": f"{reverse('proposals:list')}?status={ProposalStatus.SUBMITTED}"},
        {"label": _("Proposals under review"), "value": f"{counts['under_review']:,}",
         "sub": _("On evaluation panels."), "url": reverse("evaluation:home")},
    ]


def _open_calls_card() -> dict:
    """Calls accepting proposals now (open, within their window), as ``Call.is_accepting`` says."""
    from doyak.calls.enums import CallStatus
    from doyak.calls.models import Call

    now = timezone.now()
    n = Call.objects.filter(status=CallStatus.OPEN, opens_at__lte=now, closes_at__gt=now).count()
    return {"label": _("Open calls"), "value": f"{n:,}",
            "sub": _("Calls accepting proposals now.") if n else _("Calls appear here when a program opens them."),
            "url": f"{reverse('calls:list')}?status={CallStatus.OPEN}"}


def _assignments_card(user) -> dict:
    """The evaluator's open assignments (not submitted, not withdrawn, panel not published; one query)."""
    from doyak.evaluation.enums import AssignmentStatus, PanelStage
    from doyak.evaluation.models import Assignment

    counts = (Assignment.objects.filter(profile__user=user, status=AssignmentStatus.ASSIGNED)
              .exclude(panel__stage=PanelStage.PUBLISHED)
              .aggregate(open=Count("pk"), unsigned=Count("pk", filter=Q(pledge_signed_at=None))))
    if not counts["open"]:
        sub = _("No evaluations assigned yet.")
    elif counts["unsigned"]:
        sub = _("%(n)s waiting for your conflict-of-interest pledge.") % {"n": f"{counts['unsigned']:,}"}
    else:
        sub = _("Pledges signed; scores to submit.")
    return {"label": _("Assigned proposals"), "value": f"{counts['open']:,}", "sub": sub,
            "url": reverse("evaluation:home")}


@login_required
def home(request):
    user = request.user
    lang = request.LANGUAGE_CODE
    year = timezone.localdate().year
    programs = Program.objects.filter(year=year).order_by("code")
    context = {"role_intro": ROLE_INTROS.get(user.role, ""), "cards": [], "programs": None,
               "organization": None, "targets": None, "recent_events": None}
    budget = programs.aggregate(total=Sum("budget_krw"))["total"] or 0
    if user.role in {Role.PROGRAM_MANAGER, Role.ADMINISTRATOR, Role.COUNCIL_MEMBER, Role.INVESTOR}:
        context["cards"] = [
            {"label": _("Programs in %(year)s") % {"year": year}, "value": f"{programs.count():,}",
             "sub": format_won_short(budget, lang=lang)},
            {"label": _("Organizations"), "value": f"{Organization.objects.count():,}",
             "sub": _("%(n)s demand-anchor companies") % {"n": f"{Organization.objects.filter(is_demand_anchor=True).count():,}"}},
            {"label": _("Researchers"), "value": f"{Researcher.objects.count():,}",
             "sub": _("%(n)s star engineers") % {"n": f"{Researcher.objects.exclude(star_engineer_since=None).count():,}"}},
        ]
        context["programs"] = programs[:20]
    if user.role in {Role.PROGRAM_MANAGER, Role.ADMINISTRATOR}:
        context["cards"] += _proposal_cards()
    if user.role in {Role.COUNCIL_MEMBER, Role.INVESTOR, Role.REGULATION_LIAISON, Role.PROGRAM_MANAGER}:
        context["targets"] = _plan_targets(lang)
    if user.role == Role.APPLICANT and user.organization_id:
        context["organization"] = Organization.objects.select_related("region").get(pk=user.organization_id)
        context["cards"] = [
            {"label": _("Researchers in my organization"),
             "value": f"{Researcher.objects.filter(organization_id=user.organization_id).count():,}", "sub": ""},
            _open_calls_card(),
        ]
    if user.role == Role.EVALUATOR:
        context["cards"] = [_assignments_card(user)]
    if user.role in {Role.AUDITOR, Role.ADMINISTRATOR}:
        events = audit_event_list_for_user(user=user)
        context["cards"].append({"label": _("Audit events"), "value": f"{events.count():,}", "sub": ""})
        context["recent_events"] = events[:10]
    return render(request, "core/home.html", context)


@login_required
def audit_list(request):
    filters = {
        "actor": request.GET.get("actor", "").strip(),
        "action": request.GET.get("action", "").strip(),
        "object_type": request.GET.get("object_type", "").strip(),
        "since": parse_date(request.GET.get("since", "") or "") if request.GET.get("since") else None,
        "until": parse_date(request.GET.get("until", "") or "") if request.GET.get("until") else None,
    }
    events = audit_event_list_for_user(user=request.user, **filters)
    page_obj = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_list.html", {"page_obj": page_obj, "filters": filters})


def healthz(request):
    from django.http import JsonResponse

    return JsonResponse({"status": "ok", "time": dt.datetime.now(dt.UTC).isoformat()})
