from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doyak.accounts.enums import Role
from doyak.core.pagination import page_of

from .exports import csv_response, xlsx_response
from .home import home_content_for_user
from .labels import audit_action_choices, object_type_label
from .params import bounded_text, date_param, int_param
from .presentation import audit_export_rows, audit_rows
from .selectors import audit_event_list_for_user, audit_filter_options

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


AUDIT_EXPORT_MAX_ROWS = 100_000  # events one export holds at most (narrow the filter for more)
AUDIT_EXPORTS = ("csv", "xlsx")


def _audit_filters(params) -> dict:
    """The audit filter of a query string, bounded: a malformed date or person is a 400 naming it."""
    actor = (params.get("actor") or "").strip()
    since, until = date_param(params, "since"), date_param(params, "until")
    if since and until and since > until:
        raise BadRequest(_("%(name)s must not be after %(other)s.") % {"name": "since", "other": "until"})
    return {
        "actor_id": None if actor in ("", "system") else int_param(params, "actor"),
        "system_only": actor == "system",
        "action": bounded_text(params.get("action"), 80),
        "object_type": bounded_text(params.get("object_type"), 80),
        "since": since, "until": until,
    }


@login_required
def audit_list(request):
    filters = _audit_filters(request.GET)
    export = (request.GET.get("export") or "").strip()
    if export and export not in AUDIT_EXPORTS:
        raise BadRequest(_("%(name)s must be one of: %(values)s.") % {"name": "export",
                                                                     "values": ", ".join(AUDIT_EXPORTS)})
    events = audit_event_list_for_user(user=request.user, **filters)
    if export:
        rows = audit_export_rows(events[:AUDIT_EXPORT_MAX_ROWS].iterator(chunk_size=2000))
        name = f"audit-{timezone.localdate():%Y%m%d}"
        return csv_response(rows, filename=f"{name}.csv") if export == "csv" else xlsx_response(
            rows, filename=f"{name}.xlsx", title=_("Audit log"))
    page_obj = page_of(request, events)
    options = audit_filter_options(user=request.user)
    return render(request, "core/audit_list.html", {
        "page_obj": page_obj, "rows": audit_rows(page_obj.object_list, user=request.user),
        "filters": {**filters, "actor": (request.GET.get("actor") or "").strip()},
        "actions": audit_action_choices(), "people": options["people"],
        "object_types": [(t, object_type_label(t)) for t in options["object_types"]],
        "export_max": f"{AUDIT_EXPORT_MAX_ROWS:,}",
    })


def healthz(request):
    from django.http import JsonResponse

    return JsonResponse({"status": "ok", "time": dt.datetime.now(dt.UTC).isoformat()})
