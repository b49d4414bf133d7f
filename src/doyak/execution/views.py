"""Execution pages: the project's execution page (reports due, evaluations, stops, sanctions), a report, an
evaluation, a sanction case and the PM's queue. Thin: parse, check the rule, call one service or selector."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from doyak.agreements.rules import is_institution_of, is_lead_applicant_of
from doyak.core.errors import AccessDenied, DoyakError
from doyak.core.params import whole_number

from . import policies as P
from . import services
from .enums import EvaluationKind
from .forms import DecideForm, GradeForm, MisuseForm, NoteForm, ReportTextsForm, ResultForm, StopForm
from .models import StopRequest
from .presentation import computed_result, report_rows
from .rules import (
    can_answer_objection,
    can_decide_sanction,
    can_edit_report,
    can_give_statement,
    can_grade_evaluation,
    can_manage_execution,
    can_object,
    can_request_stop,
    can_review_report,
    can_run_evaluation,
    can_view_execution,
    reads_all_execution,
    sees_panel_grades,
)
from .selectors import (
    evaluation_get_for_user_or_raise,
    evaluation_list,
    execution_agreement_or_raise,
    execution_queue,
    panel_assignments_for_user,
    report_frame,
    report_get_for_user_or_raise,
    report_list,
    sanction_case_get_for_user_or_raise,
    sanction_case_list,
    stop_list,
)
from .workflow import Owner, transitions_from


def _run(request, call, success: str) -> bool:
    """Call a service; a refusal of state or input becomes a message (403/404 stay errors)."""
    try:
        call()
    except DoyakError as error:
        if error.http_status in (403, 404):
            raise
        messages.error(request, str(error.message))
        return False
    messages.success(request, success)
    return True


@login_required
def project(request, agreement_id: int):
    agreement = execution_agreement_or_raise(user=request.user, agreement_id=agreement_id)
    return render(request, "execution/project.html", {
        "agreement": agreement, "reports": report_rows(report_list(agreement=agreement)),
        "evaluations": list(evaluation_list(agreement=agreement)), "stops": list(stop_list(agreement=agreement)),
        "sanctions": sanction_case_list(user=request.user, agreement=agreement),
        "can_request_stop": can_request_stop(request.user, agreement), "stop_form": StopForm(),
        "can_manage": can_manage_execution(request.user), "misuse_form": MisuseForm()})


@login_required
@require_POST
def stop_new(request, agreement_id: int):
    agreement = execution_agreement_or_raise(user=request.user, agreement_id=agreement_id)
    if not can_request_stop(request.user, agreement):
        raise AccessDenied(_("Only the lead institution and the program manager ask for a stop."),
                           code="stop_forbidden")
    form = StopForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a reason and explain the request."))
        return redirect("execution:project", agreement.pk)
    _run(request, lambda: services.stop_request(
        actor=request.user, agreement_id=agreement.pk, reason=form.cleaned_data["reason"],
        explanation=form.cleaned_data["explanation"], proposed_goals=form.goals()), _("Request sent."))
    return redirect("execution:project", agreement.pk)


@login_required
@require_POST
def stop_special(request, stop_id: int):
    stop = StopRequest.objects.select_related("agreement").filter(pk=stop_id).first()
    agreement = execution_agreement_or_raise(user=request.user, agreement_id=stop.agreement_id if stop else 0)
    if not can_manage_execution(request.user):
        raise AccessDenied(_("Only program managers start a special evaluation."), code="execution_forbidden")
    _run(request, lambda: services.special_evaluation_start(actor=request.user, stop_request_id=stop_id),
         _("Special evaluation started; panel formed."))
    return redirect("execution:project", agreement.pk)


@login_required
@require_POST
def sanction_open(request, agreement_id: int):
    agreement = execution_agreement_or_raise(user=request.user, agreement_id=agreement_id)
    if not can_manage_execution(request.user):
        raise AccessDenied(_("Only program managers open a sanction case."), code="execution_forbidden")
    form = MisuseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the misused amount."))
        return redirect("execution:project", agreement.pk)
    _run(request, lambda: services.sanction_case_open(actor=request.user, agreement_id=agreement.pk,
                                                      misused_krw=form.cleaned_data["misused_krw"]),
         _("Sanction proposed; the institution is to be heard."))
    return redirect("execution:project", agreement.pk)


def _report_data(post) -> dict:
    """The report form's fields: achievement_<i>, kpi_<id>, ripple_<code>_<field>, suppliers_<field>."""
    data: dict = {"achievements": [], "kpi_actuals": {}, "ripple": {}, "suppliers": {},
                  "summary": post.get("summary", "")[:20000]}
    for i in range(50):
        if f"achievement_{i}" not in post:
            break
        data["achievements"].append(post.get(f"achievement_{i}", "")[:5000])
    for key, value in post.items():
        if key.startswith("kpi_"):
            data["kpi_actuals"][key[4:][:20]] = value[:30]
        elif key.startswith("ripple_"):
            code, _sep, field = key[7:].partition("_")
            data["ripple"].setdefault(code[:2], {})[field[:20]] = value[:30]
        elif key.startswith("suppliers_"):
            data["suppliers"][key[10:][:20]] = value[:30]
    return data


@login_required
def report(request, report_id: int):
    report = report_get_for_user_or_raise(user=request.user, report_id=report_id)
    frame = report_frame(report=report)
    content = report.content or {}
    goals = content.get("goals") or [{"goal": g, "achievement": ""} for g in frame["goals"]]
    kpis = content.get("kpis") or [{**k, "actual": None} for k in frame["kpis"]]
    ripple = content.get("ripple") or frame["ripple"]
    editable = can_edit_report(request.user, report)
    owner = Owner.INSTITUTION if editable else Owner.MANAGER
    texts = ReportTextsForm(achievements=[g.get("achievement", "") for g in goals], summary=content.get("summary", ""))
    fields = texts.achievement_fields
    return render(request, "execution/report.html", {
        "report": report, "agreement": report.agreement, "goals": goals, "kpis": kpis, "ripple": ripple,
        "suppliers": content.get("suppliers") or frame["suppliers"], "summary": content.get("summary", ""),
        "editable": editable, "reviewable": can_review_report(request.user, report),
        "texts": texts, "goal_rows": [(g, fields[i] if i < len(fields) else None) for i, g in enumerate(goals)],
        "actions": transitions_from(report.status, owner), "note_form": NoteForm(),
        "overdue": services.report_is_overdue(report)})


@login_required
@require_POST
def report_action(request, report_id: int, name: str):
    report = report_get_for_user_or_raise(user=request.user, report_id=report_id)
    if not (can_edit_report(request.user, report) or can_review_report(request.user, report)
            or is_lead_applicant_of(request.user, report.agreement) or can_manage_execution(request.user)):
        raise AccessDenied(_("You may not do this to the report."), code="report_forbidden")
    institution = name in ("save", "submit")
    _run(request, lambda: services.report_transition(
        actor=request.user, report_id=report.pk, name=name, data=_report_data(request.POST) if institution else None,
        note=request.POST.get("note", "")[:10000]), _("Saved."))
    return redirect("execution:report", report.pk)


@login_required
def evaluation(request, evaluation_id: int):
    evaluation = evaluation_get_for_user_or_raise(user=request.user, evaluation_id=evaluation_id)
    ministry = reads_all_execution(request.user)
    members = list(evaluation.panel.select_related("profile__researcher__organization", "profile__organization"))
    own = next((m for m in members if m.profile.user_id == request.user.pk), None)
    grading = can_grade_evaluation(request.user, evaluation) and own is not None
    grade_form = None
    if grading:
        today = timezone.localdate()
        grade_form = GradeForm(grades=P.grades_in_force(on=today), initial={
            "grade": own.grade, "diligence": own.diligence, "outcome": own.outcome,
            "goal_met_early": own.goal_met_early, "comments": own.comments})
    return render(request, "execution/evaluation.html", {
        "evaluation": evaluation, "agreement": evaluation.agreement,
        # an evaluator sees their own seat, not the other members' grades; the ministry side sees them all
        "panel": members if (ministry or is_institution_of(request.user, evaluation.agreement)) else [own],
        "show_grades": sees_panel_grades(request.user), "own": own, "can_view_project": can_view_execution(request.user, evaluation.agreement), "grading": grading, "grade_form": grade_form,
        "graded_count": sum(1 for m in members if m.graded_at), "computed": computed_result(services.panel_result(
            evaluation=evaluation) if ministry and evaluation.status == "panel" else None),
        "can_run": can_run_evaluation(request.user, evaluation), "form": ResultForm(),
        "special": evaluation.kind == EvaluationKind.SPECIAL,
        "cases": evaluation.sanction_cases.all() if ministry else []})


@login_required
@require_POST
def evaluation_grade(request, evaluation_id: int):
    evaluation = evaluation_get_for_user_or_raise(user=request.user, evaluation_id=evaluation_id)
    if not can_grade_evaluation(request.user, evaluation):
        raise AccessDenied(_("Only the panel's evaluators enter grades."), code="evaluation_not_assigned")
    form = GradeForm(request.POST)
    if form.is_valid():
        _run(request, lambda: services.panel_grade_enter(actor=request.user, evaluation_id=evaluation.pk,
                                                         **form.cleaned_data), _("Your grade is saved."))
    else:
        messages.error(request, _("Check the grade."))
    return redirect("execution:evaluation", evaluation.pk)


@login_required
def my_evaluations(request):
    """The evaluator's own panel seats (stage, final and special evaluations)."""
    return render(request, "execution/my_evaluations.html",
                  {"seats": panel_assignments_for_user(user=request.user)})


@login_required
@require_POST
def evaluation_panel(request, evaluation_id: int):
    evaluation = evaluation_get_for_user_or_raise(user=request.user, evaluation_id=evaluation_id)
    if not can_manage_execution(request.user):
        raise AccessDenied(_("Only program managers form panels."), code="execution_forbidden")
    _run(request, lambda: services.panel_form(actor=request.user, evaluation_id=evaluation.pk), _("Panel formed."))
    return redirect("execution:evaluation", evaluation.pk)


@login_required
@require_POST
def evaluation_result(request, evaluation_id: int):
    evaluation = evaluation_get_for_user_or_raise(user=request.user, evaluation_id=evaluation_id)
    if not can_manage_execution(request.user):
        raise AccessDenied(_("Only program managers record results."), code="execution_forbidden")
    form = ResultForm(request.POST)
    if form.is_valid():
        _run(request, lambda: services.evaluation_record(actor=request.user, evaluation_id=evaluation.pk,
                                                         comments=form.cleaned_data["comments"]),
             _("Result recorded."))
    else:
        messages.error(request, _("Check the result."))
    return redirect("execution:evaluation", evaluation.pk)


@login_required
def sanction(request, case_id: int):
    case = sanction_case_get_for_user_or_raise(user=request.user, case_id=case_id)
    return render(request, "execution/sanction.html", {
        "case": case, "agreement": case.agreement, "deadline": services.objection_deadline(case),
        "can_statement": can_give_statement(request.user, case), "can_decide": can_decide_sanction(request.user, case),
        "can_object": can_object(request.user, case), "can_answer": can_answer_objection(request.user, case),
        "decide_form": DecideForm(initial={"ban_months": case.ban_min_months, "surcharge_krw": 0}),
        "note_form": NoteForm()})


@login_required
@require_POST
def sanction_action(request, case_id: int, name: str):
    case = sanction_case_get_for_user_or_raise(user=request.user, case_id=case_id)
    text = request.POST.get("note", "")[:10000]
    actor = request.user
    if name == "statement":
        call = lambda: services.sanction_statement_give(actor=actor, case_id=case.pk, statement=text)  # noqa: E731
    elif name == "object":
        call = lambda: services.sanction_object(actor=actor, case_id=case.pk, text=text)  # noqa: E731
    elif name == "answer":
        revoke = request.POST.get("revoke") == "1"
        call = lambda: services.sanction_objection_answer(actor=actor, case_id=case.pk, answer=text,  # noqa: E731
                                                          revoke=revoke)
    elif name == "decide":
        ban = whole_number(request.POST.get("ban_months", ""), maximum=120)
        surcharge = whole_number(request.POST.get("surcharge_krw", "") or "0") or 0
        if ban is None:
            if not can_decide_sanction(actor, case):
                raise AccessDenied(_("Only program managers decide sanctions."), code="sanction_forbidden")
            messages.error(request, _("Enter the ban in months."))
            return redirect("execution:sanction", case.pk)
        call = lambda: services.sanction_decide(actor=actor, case_id=case.pk, ban_months=ban,  # noqa: E731
                                                surcharge_krw=surcharge, note=text)
    else:
        raise AccessDenied(_("Unknown action."), code="sanction_action_unknown")
    _run(request, call, _("Saved."))
    return redirect("execution:sanction", case.pk)


@login_required
def queue(request):
    if not reads_all_execution(request.user):
        raise AccessDenied(_("Only the ministry side sees the execution queue."), code="queue_forbidden")
    return render(request, "execution/queue.html", {"queue": execution_queue(user=request.user)})
