from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from doyak.core.errors import AccessDenied, DoyakError
from doyak.core.inputs import YEAR_MAX, YEAR_MIN
from doyak.core.pagination import page_of
from doyak.core.params import int_param
from doyak.programs.enums import Track

from .enums import CallStatus
from .forms import CallForm, CriterionFormSet
from .presentation import call_facts
from .rules import can_manage_calls
from .selectors import (
    call_get_for_user_or_raise,
    call_list_for_user,
    call_open_problems,
    call_ripple_required,
    calls_with_proposal_counts,
)
from .services import call_cancel, call_close, call_create, call_criteria_set, call_open, call_update


@login_required
def call_list(request):
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "status", "track")}
    qs = call_list_for_user(user=request.user, **filters)
    page_obj = page_of(request, qs, per_page=30)
    page_obj.object_list = calls_with_proposal_counts(page_obj.object_list)
    return render(request, "calls/list.html", {
        "page_obj": page_obj, "filters": filters, "statuses": CallStatus.choices, "tracks": Track.choices,
        "can_manage": can_manage_calls(request.user),
    })


@login_required
def program_list(request):
    """Programs (사업) of a fiscal year with their budget envelopes, sub-programs and calls by track."""
    from django.db.models import Prefetch

    from doyak.programs.models import Program

    from .models import Call

    years = list(Program.objects.order_by("-year").values_list("year", flat=True).distinct())
    year = int_param(request.GET, "year", minimum=YEAR_MIN, maximum=YEAR_MAX, default=years[0] if years else None)
    programs = (Program.objects.filter(year=year).order_by("code").prefetch_related(
        "sub_programs", Prefetch("calls", queryset=Call.objects.exclude(status=CallStatus.DRAFT).order_by("reference"))))
    return render(request, "calls/programs.html", {"programs": programs, "years": years, "year": year,
                                                   "total": sum(p.budget_krw for p in programs)})


@login_required
def call_detail(request, call_id: int):
    call = call_get_for_user_or_raise(user=request.user, call_id=call_id)
    manage = can_manage_calls(request.user)
    return render(request, "calls/detail.html", {
        "call": call, "criteria": call.criteria.all(), "can_manage": manage,
        "problems": call_open_problems(call=call) if manage and call.status == CallStatus.DRAFT else [],
        "ripple_required": call_ripple_required(call=call), "facts": call_facts(call),
        "can_apply": request.user.role == "applicant" and call.is_accepting(),
    })


def _criteria_from_formset(formset) -> list[dict]:
    return [f.cleaned_data for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("kind")]


@login_required
def call_edit(request, call_id: int | None = None):
    """The call builder: call fields and, while a draft, the evaluation template."""
    if not can_manage_calls(request.user):
        raise AccessDenied(_("Only program managers may change calls."), code="call_forbidden")
    call = call_get_for_user_or_raise(user=request.user, call_id=call_id) if call_id else None
    initial = {}
    criteria_initial = []
    if call is not None:
        initial = {name: getattr(call, name) for name in CallForm.base_fields if hasattr(call, name)}
        initial["program"], initial["sub_program"] = call.program_id, call.sub_program_id
        criteria_initial = [{"kind": c.kind, "name_ko": c.name_ko, "name_en": c.name_en, "weight": c.weight,
                             "scale_max": c.scale_max} for c in call.criteria.all()]
    form = CallForm(request.POST or None, initial=initial)
    formset = CriterionFormSet(request.POST or None, initial=criteria_initial, prefix="criteria") if call else None
    if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        try:
            if call is None:
                call = call_create(actor=request.user, data=form.service_data())
            else:
                data = form.service_data()
                if call.status != CallStatus.DRAFT:
                    data = {k: v for k, v in data.items() if k in form.changed_data}
                call_update(actor=request.user, call_id=call.pk, data=data)
                if call.status == CallStatus.DRAFT:
                    call_criteria_set(actor=request.user, call_id=call.pk, criteria=_criteria_from_formset(formset))
        except DoyakError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Saved."))
            return redirect("calls:detail", call.pk)
    return render(request, "calls/edit.html", {"form": form, "formset": formset, "call": call})


_ACTIONS = {"open": call_open, "close": call_close, "cancel": call_cancel}


@login_required
@require_POST
def call_transition(request, call_id: int, action: str):
    call = call_get_for_user_or_raise(user=request.user, call_id=call_id)
    service = _ACTIONS.get(action)
    if service is None:
        raise AccessDenied(_("Unknown action."), code="call_transition_invalid")
    try:
        service(actor=request.user, call_id=call.pk)
    except DoyakError as exc:
        if exc.http_status == 403:
            raise
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Saved."))
    return redirect("calls:detail", call.pk)
