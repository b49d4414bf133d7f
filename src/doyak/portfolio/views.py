"""Screens of the portfolio app: scenarios of a call or a program year, solving, comparing, submitting."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from doyak.core.errors import AccessDenied, Conflict, ValidationFailed
from doyak.core.pagination import page_of
from doyak.core.params import int_list_param

from . import presentation, selectors, services
from .enums import COMPARE_MAX, EDITABLE_STATUSES, ScenarioStatus
from .forms import ConstraintForm, ConstraintFormSet, PolicyForm, ScenarioCreateForm, policy_from_forms
from .rules import can_approve_scenarios, can_edit_scenarios

USER_ERRORS = (ValidationFailed, Conflict)


def _require_editor(user) -> None:
    if not can_edit_scenarios(user):
        raise AccessDenied(_("Only program managers and administrators change portfolio scenarios."),
                           code="portfolio_forbidden")


@login_required
def home(request):
    page_obj = page_of(request, selectors.scenario_list_for_user(user=request.user))
    scenarios = list(page_obj.object_list)
    for s in scenarios:
        s.scope_text = selectors.scope_label(s)
    return render(request, "portfolio/home.html", {
        "scenarios": scenarios, "page_obj": page_obj, "can_edit": can_edit_scenarios(request.user), "compare_max": COMPARE_MAX})


@login_required
def create(request):
    _require_editor(request.user)
    form = ScenarioCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            scenario = services.scenario_create(
                actor=request.user, name=d["name"], program_id=d["program"].pk if d.get("program") else None,
                call_id=d["call"].pk if d.get("call") else None)
        except USER_ERRORS as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The scenario is pre-filled from the plan's targets. Check it and solve."))
            return redirect("portfolio:detail", scenario.pk)
    return render(request, "portfolio/create.html", {"form": form})


@login_required
def detail(request, scenario_id: int):
    scenario = selectors.scenario_get_or_raise(user=request.user, scenario_id=scenario_id)
    editable = can_edit_scenarios(request.user) and scenario.status in EDITABLE_STATUSES
    policy_form = formset = None
    if editable:
        if request.method == "POST":
            policy_form = PolicyForm(request.POST)
            formset = ConstraintFormSet(request.POST, prefix="c")
            if policy_form.is_valid() and formset.is_valid():
                try:
                    services.scenario_update(actor=request.user, scenario_id=scenario.pk,
                                             name=policy_form.cleaned_data["name"],
                                             policy=policy_from_forms(policy_form, formset))
                except USER_ERRORS as exc:
                    policy_form.add_error(None, str(exc.message))
                else:
                    messages.success(request, _("The policy is saved."))
                    return redirect("portfolio:detail", scenario.pk)
        else:
            policy_form = PolicyForm(initial=PolicyForm.initial_of(scenario))
            formset = ConstraintFormSet(prefix="c", initial=[ConstraintForm.initial_of(c)
                                                              for c in scenario.policy.get("constraint", [])])
    elif request.method == "POST":
        _require_editor(request.user)
    result = scenario.result or {}
    return render(request, "portfolio/detail.html", {
        "scenario": scenario, "scope_text": selectors.scope_label(scenario), "editable": editable,
        "can_edit": can_edit_scenarios(request.user), "can_approve": can_approve_scenarios(request.user),
        "policy_form": policy_form, "formset": formset, "result": result,
        "constraints": presentation.constraint_rows(scenario.policy),
        "table": presentation.compare_table([scenario]) if result else None,
        "error_text": presentation.error_words(scenario) if scenario.error else "",
        "conflicts": presentation.conflict_words(scenario) if scenario.error else [],
        "unscored": selectors.unscored_count(program=scenario.program, year=scenario.year, call=scenario.call),
        "solving": scenario.status == ScenarioStatus.SOLVING,
        "selections": selectors.selections_of(scenario=scenario),
        "lines": presentation.scenario_lines(scenario) if result else None,
        "summary": presentation.explanation_summary(scenario),
        "objective_text": presentation.objective_label(scenario.policy.get("objective", "")),
    })


def _action(request, scenario_id: int, service, success: str):
    try:
        service(actor=request.user, scenario_id=scenario_id)
    except USER_ERRORS as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, success)


@login_required
@require_POST
def solve(request, scenario_id: int):
    _action(request, scenario_id, services.scenario_solve_request, _("The scenario is being solved."))
    return redirect("portfolio:detail", scenario_id)


@login_required
@require_POST
def submit(request, scenario_id: int):
    _action(request, scenario_id, services.scenario_submit, _("The scenario is submitted for approval."))
    return redirect("portfolio:detail", scenario_id)


@login_required
@require_POST
def withdraw(request, scenario_id: int):
    _action(request, scenario_id, services.scenario_withdraw, _("The scenario is withdrawn from approval."))
    return redirect("portfolio:detail", scenario_id)


@login_required
@require_POST
def approve(request, scenario_id: int):
    _action(request, scenario_id, services.scenario_approve,
            _("The scenario is approved and its selection applied to the proposals."))
    return redirect("portfolio:detail", scenario_id)


@login_required
@require_POST
def delete(request, scenario_id: int):
    try:
        services.scenario_delete(actor=request.user, scenario_id=scenario_id)
    except USER_ERRORS as exc:
        messages.error(request, str(exc.message))
        return redirect("portfolio:detail", scenario_id)
    messages.success(request, _("The scenario is deleted."))
    return redirect("portfolio:home")


@login_required
def compare(request):
    ids = int_list_param(request.GET, "ids")
    try:
        scenarios = selectors.scenarios_for_compare(user=request.user, scenario_ids=ids)
    except ValidationFailed as exc:
        messages.error(request, str(exc.message))
        return redirect(reverse("portfolio:home"))
    for s in scenarios:
        s.scope_text = selectors.scope_label(s)
    return render(request, "portfolio/compare.html", {"table": presentation.compare_table(scenarios),
                                                      "scenarios": scenarios,
                                                      "differences": presentation.compare_differences(scenarios)})
