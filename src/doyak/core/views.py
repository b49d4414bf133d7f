from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from doyak.accounts.enums import Role
from doyak.core.pagination import page_of

from .home import home_content_for_user
from .params import date_param
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


@login_required
def home(request):
    content = home_content_for_user(user=request.user, lang=request.LANGUAGE_CODE)
    return render(request, "core/home.html", {"role_intro": ROLE_INTROS.get(request.user.role, ""),
                                              "cards": content.cards, "sections": content.sections})


@login_required
def audit_list(request):
    filters = {
        "actor": request.GET.get("actor", "").strip(),
        "action": request.GET.get("action", "").strip(),
        "object_type": request.GET.get("object_type", "").strip(),
        "since": date_param(request.GET, "since"),
        "until": date_param(request.GET, "until"),
    }
    events = audit_event_list_for_user(user=request.user, **filters)
    page_obj = page_of(request, events)
    return render(request, "core/audit_list.html", {"page_obj": page_obj, "filters": filters})


def healthz(request):
    from django.http import JsonResponse

    return JsonResponse({"status": "ok", "time": dt.datetime.now(dt.UTC).isoformat()})
