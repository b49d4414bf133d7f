from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from doyak.accounts.enums import Role
from doyak.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from doyak.core.pagination import page_of
from doyak.core.params import int_list_param, whole_number

from . import selectors, services
from .enums import ACTIVE_RUN_STATUSES, ConflictKind, PanelFormat, PanelStage
from .forms import (
    AppealAnswerForm,
    AppealForm,
    DeclareForm,
    ExpertForm,
    ManualAssignForm,
    PanelForm,
    ProfileForm,
    RunForm,
)
from .models import Appeal
from .rules import can_appeal, can_manage_evaluation, can_opt_in

USER_ERRORS = (ValidationFailed, Conflict)


@login_required
def home(request):
    """Evaluators land on their assignments, program managers on the calls in review, applicants on decisions."""
    user = request.user
    if can_manage_evaluation(user):
        return redirect("evaluation:calls")
    if user.role == Role.APPLICANT:
        return redirect("evaluation:decisions")
    return redirect("evaluation:assignments")


# --------------------------------------------------------------------------------------------
# Pool
# --------------------------------------------------------------------------------------------


def _profile_data(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k in services.PROFILE_FIELDS or k == "researcher"}


@login_required
def profile(request):
    if not can_opt_in(request.user):
        raise AccessDenied(_("Only evaluators and registered researchers join the evaluator pool."),
                           code="pool_forbidden")
    current = selectors.own_profile(user=request.user)
    form = ProfileForm(request.POST or None, initial=ProfileForm.initial_of(current))
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_opt_in(actor=request.user, data=_profile_data(form))
        except USER_ERRORS as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Your evaluator profile is saved."))
            return redirect("evaluation:profile")
    return render(request, "evaluation/profile.html", {"form": form, "profile": current})


@login_required
def pool(request):
    filters = {"q": request.GET.get("q", "").strip(), "economic": request.GET.get("economic", "")}
    qs = selectors.profile_list_for_user(user=request.user, q=filters["q"],
                                         economic={"1": True, "0": False}.get(filters["economic"]))
    page_obj = page_of(request, qs)
    return render(request, "evaluation/pool.html", {"page_obj": page_obj, "filters": filters})


@login_required
def pool_edit(request, profile_id: int | None = None):
    current = selectors.profile_get_or_raise(user=request.user, profile_id=profile_id) if profile_id else None
    if current is None and not can_manage_evaluation(request.user):
        raise AccessDenied(_("Only program managers manage evaluations."), code="evaluation_forbidden")
    form = ExpertForm(request.POST or None, initial=ExpertForm.initial_of(current))
    if request.method == "POST" and form.is_valid():
        data = _profile_data(form)
        if current is not None:
            data.pop("researcher", None)
        try:
            services.profile_save(actor=request.user, data=data, profile_id=current.pk if current else None)
        except USER_ERRORS as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Saved."))
            return redirect("evaluation:pool")
    return render(request, "evaluation/pool_edit.html", {"form": form, "profile": current})


# --------------------------------------------------------------------------------------------
# PM: calls, panels, runs, manual changes
# --------------------------------------------------------------------------------------------


@login_required
def calls(request):
    page_obj = page_of(request, selectors.calls_in_review(user=request.user))
    return render(request, "evaluation/calls.html", {"calls": page_obj.object_list, "page_obj": page_obj,
                                                     "appeals_open": selectors.appeal_list_for_manager(
                                                         user=request.user).filter(status="filed").count()})


@login_required
def call_detail(request, call_id: int):
    call = selectors.call_for_evaluation_or_raise(user=request.user, call_id=call_id)
    open_proposals = list(selectors.panel_open_proposals(call=call))
    form = PanelForm(request.POST or None, initial={
        "name": _("Panel %(n)s") % {"n": call.panels.count() + 1}, "per_proposal": call.panel_size,
        "format": PanelFormat.PRESENTATION if call.evaluation_format == "presentation" else PanelFormat.WRITTEN,
        "spread_alert_points": 20})
    if request.method == "POST" and form.is_valid():
        chosen = int_list_param(request.POST, "proposals")
        try:
            panel = services.panel_create(actor=request.user, call_id=call.pk, data=form.cleaned_data,
                                          proposal_ids=chosen or None)
        except USER_ERRORS as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Panel formed."))
            return redirect("evaluation:panel", panel.pk)
    return render(request, "evaluation/call.html", {
        "call": call, "panels": selectors.panels_of_call(call=call), "open_proposals": open_proposals, "form": form,
    })


def _latest_run(panel):
    return panel.runs.order_by("-created_at", "-id").first()


@login_required
def panel_detail(request, panel_id: int):
    panel = selectors.panel_get_or_raise(user=request.user, panel_id=panel_id)
    settings_form = PanelForm(initial={"name": panel.name, "format": panel.format, "per_proposal": panel.per_proposal,
                                       "spread_alert_points": panel.spread_alert_points})
    run = _latest_run(panel)
    return render(request, "evaluation/panel.html", {
        "panel": panel, "call": panel.call, "rows": selectors.panel_overview(panel=panel), "run": run,
        "run_active": run is not None and run.status in ACTIVE_RUN_STATUSES,
        "run_form": RunForm(), "settings_form": settings_form, "conflict_kinds": ConflictKind.choices,
        "published": panel.stage == PanelStage.PUBLISHED,
    })


@login_required
@require_POST
def panel_edit(request, panel_id: int):
    panel = selectors.panel_get_or_raise(user=request.user, panel_id=panel_id)
    form = PanelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the panel settings: %(errors)s") % {
            "errors": "; ".join(str(e) for errors in form.errors.values() for e in errors)})
    else:
        try:
            services.panel_update(actor=request.user, panel_id=panel.pk, data=form.cleaned_data)
        except USER_ERRORS as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Saved."))
    return redirect("evaluation:panel", panel.pk)


@login_required
@require_POST
def run_start(request, panel_id: int):
    panel = selectors.panel_get_or_raise(user=request.user, panel_id=panel_id)
    form = RunForm(request.POST)
    objective = form.cleaned_data["objective"] if form.is_valid() else "total"
    try:
        services.assignment_run_start(actor=request.user, panel_id=panel.pk, objective=objective)
    except USER_ERRORS as exc:
        messages.error(request, exc.message)
    return redirect("evaluation:panel", panel.pk)


@login_required
def run_progress(request, run_id: int):
    """The run's progress as an htmx fragment; polls every second while the run is queued or running."""
    run = selectors.run_get_or_raise(user=request.user, run_id=run_id)
    active = run.status in ACTIVE_RUN_STATUSES
    response = render(request, "evaluation/_run.html", {"run": run, "poll": active})
    if request.headers.get("HX-Request") and not active and request.GET.get("was") == "active":
        response["HX-Refresh"] = "true"  # show the stored assignments
    return response


@login_required
@require_POST
def assignment_add(request, panel_id: int):
    panel = selectors.panel_get_or_raise(user=request.user, panel_id=panel_id)
    form = ManualAssignForm(request.POST)
    if form.is_valid():
        try:
            services.assignment_add(actor=request.user, panel_id=panel.pk, proposal_id=form.cleaned_data["proposal"],
                                    profile_id=form.cleaned_data["profile"])
        except (*USER_ERRORS, NotFound) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Evaluator assigned."))
    else:
        messages.error(request, _("Enter the evaluator's id."))
    return redirect(reverse("evaluation:panel", args=[panel.pk]) + f"#p{request.POST.get('proposal', '')}")


@login_required
@require_POST
def assignment_withdraw(request, panel_id: int, assignment_id: int):
    panel = selectors.panel_get_or_raise(user=request.user, panel_id=panel_id)
    try:
        a = services.assignment_withdraw(actor=request.user, assignment_id=assignment_id,
                                         reason=request.POST.get("reason", ""))
    except USER_ERRORS as exc:
        messages.error(request, exc.message)
        return redirect("evaluation:panel", panel.pk)
    messages.success(request, _("Evaluator taken off the proposal."))
    return redirect(reverse("evaluation:panel", args=[panel.pk]) + f"#p{a.proposal_id}")


@login_required
@require_POST
def conflict_declare(request, panel_id: int):
    panel = selectors.panel_get_or_raise(user=request.user, panel_id=panel_id)
    form = DeclareForm(request.POST)
    if form.is_valid():
        try:
            services.conflict_declare(actor=request.user, profile_id=form.cleaned_data["profile"],
                                      proposal_id=form.cleaned_data["proposal"], kind=form.cleaned_data["kind"],
                                      reason=form.cleaned_data["reason"])
        except USER_ERRORS as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Conflict recorded."))
    else:
        messages.error(request, _("Enter the evaluator's id and the kind of conflict."))
    return redirect(reverse("evaluation:panel", args=[panel.pk]) + f"#p{request.POST.get('proposal', '')}")


@login_required
def proposal_conflicts(request, proposal_id: int):
    proposal, grouped = selectors.proposal_conflicts(user=request.user, proposal_id=proposal_id)
    return render(request, "evaluation/conflicts.html", {"proposal": proposal, "grouped": grouped})


@login_required
def panel_results(request, panel_id: int):
    panel = selectors.panel_get_or_raise(user=request.user, panel_id=panel_id)
    results = selectors.panel_results(panel=panel)
    return render(request, "evaluation/results.html", {
        "panel": panel, "call": panel.call, "results": results,
        "ranked": [(row, results.proposals[row.proposal_id]) for row in results.rows],
        "published": panel.stage == PanelStage.PUBLISHED,
    })


@login_required
@require_POST
def panel_publish(request, panel_id: int):
    panel = selectors.panel_get_or_raise(user=request.user, panel_id=panel_id)
    try:
        decisions = services.decisions_publish(actor=request.user, panel_id=panel.pk)
    except USER_ERRORS as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(n)s decisions published.") % {"n": len(decisions)})
    return redirect("evaluation:results", panel.pk)


@login_required
def appeals(request):
    page_obj = page_of(request, selectors.appeal_list_for_manager(user=request.user))
    return render(request, "evaluation/appeals.html", {
        "appeals": page_obj.object_list, "page_obj": page_obj, "today": timezone.localdate(),
        "form": AppealAnswerForm(),
    })


@login_required
@require_POST
def appeal_answer(request, appeal_id: int):
    form = AppealAnswerForm(request.POST)
    if not can_manage_evaluation(request.user):
        raise AccessDenied(_("Only program managers manage evaluations."), code="evaluation_forbidden")
    if form.is_valid():
        try:
            services.appeal_answer(actor=request.user, appeal_id=appeal_id, **form.cleaned_data)
        except USER_ERRORS as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Answer sent."))
    else:
        messages.error(request, _("Choose the outcome and write the answer."))
    return redirect("evaluation:appeals")


# --------------------------------------------------------------------------------------------
# The evaluator
# --------------------------------------------------------------------------------------------


@login_required
def assignments(request):
    page_obj = page_of(request, selectors.assignment_list_for_evaluator(user=request.user))
    return render(request, "evaluation/assignments.html", {
        "assignments": page_obj.object_list, "page_obj": page_obj, "profile": selectors.own_profile(user=request.user),
        "can_opt_in": can_opt_in(request.user),
    })


@login_required
def review(request, proposal_id: int):
    """The evaluator's page for one assigned proposal: pledge first, then the proposal and the score sheet.

    Unassigned, withdrawn or conflicted evaluators get 403 (from the service), and nothing changes.
    """
    assignment = services.evaluator_assignment_or_raise(actor=request.user, proposal_id=proposal_id)
    errors: dict[str, str] = {}
    posted: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "pledge":
                if request.POST.get("pledge") != "yes":
                    raise ValidationFailed(_("Tick the pledge to continue."), code="pledge_unchecked", field="pledge")
                services.pledge_sign(actor=request.user, proposal_id=proposal_id)
                messages.success(request, _("Pledge signed."))
                return redirect("evaluation:review", proposal_id)
            if action in ("save", "submit"):
                entries = []
                for key in request.POST:
                    if key.startswith("score-") and whole_number(key[6:]) is not None:
                        cid = key[6:]
                        posted[key] = request.POST.get(key, "")
                        posted[f"comment-{cid}"] = request.POST.get(f"comment-{cid}", "")
                        entries.append({"criterion_id": int(cid), "score": request.POST.get(key, ""),
                                        "comment": request.POST.get(f"comment-{cid}", "")})
                services.scores_save(actor=request.user, proposal_id=proposal_id, entries=entries,
                                     submit=action == "submit")
                messages.success(request, _("Scores submitted.") if action == "submit" else _("Draft saved."))
                return redirect("evaluation:review", proposal_id)
        except USER_ERRORS as exc:
            errors[exc.field or "__all__"] = str(exc.message)
            messages.error(request, exc.message)
        assignment.refresh_from_db()
    proposal = assignment.proposal
    context = {"assignment": assignment, "proposal": proposal, "errors": errors, "posted": posted,
               "form_error": errors.get("__all__", ""),
               "locked": assignment.status == "submitted"}
    if assignment.pledge_signed_at:
        lines = selectors.score_sheet(assignment=assignment)
        for line in lines:
            cid = line.criterion.pk
            saved = line.score
            line.value = posted.get(f"score-{cid}", f"{saved.score.normalize():f}" if saved else "")
            line.comment_value = posted.get(f"comment-{cid}", saved.comment if saved else "")
            line.error = errors.get(f"score-{cid}", "")
        context.update(
            weight_total=sum(line.criterion.weight for line in lines),
            lines=lines, total=selectors.sheet_total(lines),
            core_lines=[line for line in lines if not line.is_ripple],
            ripple_lines=[line for line in lines if line.is_ripple],
            ripple=list(proposal.ripple_commitments.select_related("region")),
            budget_years=selectors.budget_by_year(proposal=proposal),
            members=list(proposal.members.select_related("organization")),
        )
    return render(request, "evaluation/review.html", context)


@login_required
@require_POST
def recuse(request, proposal_id: int):
    assignment = services.evaluator_assignment_or_raise(actor=request.user, proposal_id=proposal_id)
    try:
        services.conflict_declare(actor=request.user, profile_id=assignment.profile_id, proposal_id=proposal_id,
                                  kind=ConflictKind.RECUSAL, reason=request.POST.get("reason", ""))
    except USER_ERRORS as exc:
        messages.error(request, exc.message)
        return redirect("evaluation:review", proposal_id)
    messages.success(request, _("You have recused yourself from this proposal."))
    return redirect("evaluation:assignments")


# --------------------------------------------------------------------------------------------
# Applicants: decisions and appeals
# --------------------------------------------------------------------------------------------


@login_required
def decisions(request):
    page_obj = page_of(request, selectors.decision_list_for_applicant(user=request.user))
    return render(request, "evaluation/decisions.html", {"decisions": page_obj.object_list, "page_obj": page_obj})


@login_required
def decision_detail(request, proposal_id: int):
    decision = selectors.decision_get_for_user_or_raise(user=request.user, proposal_id=proposal_id)
    proposal = decision.proposal
    appeal = Appeal.objects.filter(proposal=proposal).first()
    form = AppealForm(request.POST or None)
    window_end = selectors.appeal_window_end(decision)
    may_appeal = can_appeal(request.user, proposal) and appeal is None and timezone.localdate() <= window_end
    if request.method == "POST":
        if form.is_valid():
            try:
                services.appeal_file(actor=request.user, proposal_id=proposal.pk, text=form.cleaned_data["text"])
            except USER_ERRORS as exc:
                form.add_error("text", str(exc.message))
            else:
                messages.success(request, _("Your appeal is filed."))
                return redirect("evaluation:decision", proposal.pk)
    return render(request, "evaluation/decision.html", {
        "decision": decision, "proposal": proposal, "appeal": appeal, "form": form, "may_appeal": may_appeal,
        "window_end": window_end,
    })

