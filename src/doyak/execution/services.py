"""Writes of project execution. Atomic, permission first, audited; never see the HTTP request.

* the schedule: ``execution_schedule_ensure`` (reports from the stages, the period and the policy; stage and
  final evaluations), idempotent, called when an agreement is signed and by the daily job;
* stop and goal change: ``stop_request`` → ``special_evaluation_start`` (a small panel from the pool through
  the assignment engine, conflicts excluded) → ``evaluation_record`` decides continue / change goals (an
  agreement change through the agreements app: a new version) / stop (status ``stopped``, notice date = the end
  of the eligible period in settlement, no penalty for a justified reason, expense report and final evaluation);
* reports: ``report_transition`` (save, submit, accept, return) and ``reports_remind`` (the background job);
* stage and final evaluation: ``panel_form``, ``evaluation_record`` (grades by the policy's scheme, diligence,
  goal met early waives the final evaluation); a grade the policy names opens a ``SanctionCase``;
* sanctions: ``sanction_case_open`` (misconduct), ``sanction_statement_give`` (the institution heard),
  ``sanction_decide`` (records ``proposals.Sanction``), ``sanction_object`` (once, within the window),
  ``sanction_objection_answer``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doyak.accounts.rules import SYSTEM, Actor, is_system
from doyak.agreements.enums import IN_FORCE, AgreementStatus
from doyak.agreements.models import Agreement
from doyak.agreements.rules import is_lead_applicant_of, lead_organization_id
from doyak.core.audit import audit_record
from doyak.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from doyak.core.labels import audit_actions_register
from doyak.engine import execution as engine
from doyak.engine.affinity import Profile, affinity_scores
from doyak.engine.assignment import AssignmentInfeasible, Candidates, evaluators_assign
from doyak.evaluation.conflicts import conflicts_find
from doyak.evaluation.services import _profile_text, _proposal_text, available_profiles
from doyak.proposals.enums import SanctionKind
from doyak.proposals.models import Sanction

from . import policies as P
from .enums import (
    OPEN_STOP_STATUSES,
    OWED_REPORT_STATUSES,
    Diligence,
    EvaluationKind,
    EvaluationStatus,
    ReportKind,
    ReportStatus,
    RequestSide,
    SanctionCaseStatus,
    SanctionGrounds,
    SpecialOutcome,
    StopReason,
    StopStatus,
)
from .models import PanelMember, ProjectEvaluation, Report, SanctionCase, StopRequest
from .rules import (
    can_answer_objection,
    can_decide_sanction,
    can_give_statement,
    can_grade_evaluation,
    can_manage_execution,
    can_object,
    can_request_stop,
    can_run_evaluation,
    can_view_execution,
    can_view_sanction,
    is_panel_member,
)
from .workflow import TRANSITIONS, Owner

KPI_LIMIT = Decimal(10) ** 16
WON_LIMIT = 10 ** 15
COUNT_LIMIT = 10 ** 6


AUDIT_ACTIONS = audit_actions_register({
    "execution.schedule": gettext_lazy("Report and evaluation schedule made"),
    "stop.request": gettext_lazy("Stop or goal change requested"),
    "stop.special_evaluation": gettext_lazy("Special evaluation started"),
    "stop.decide": gettext_lazy("Stop or goal change decided"),
    "agreement.stop": gettext_lazy("Project stopped"),
    "evaluation.panel": gettext_lazy("Evaluation panel formed"),
    "evaluation.grade": gettext_lazy("Evaluator's grade entered"),
    "evaluation.stage.record": gettext_lazy("Stage evaluation recorded"),
    "evaluation.final.record": gettext_lazy("Final evaluation recorded"),
    "evaluation.special.record": gettext_lazy("Special evaluation recorded"),
    "evaluation.final.waive": gettext_lazy("Final evaluation waived (goal met early)"),
    "report.save": gettext_lazy("Report saved"),
    "report.submit": gettext_lazy("Report submitted"),
    "report.accept": gettext_lazy("Report accepted"),
    "report.return": gettext_lazy("Report returned with comments"),
    "report.remind": gettext_lazy("Report reminder sent"),
    "sanction_case.propose": gettext_lazy("Sanction proposed"),
    "sanction_case.statement": gettext_lazy("Institution's statement on a sanction"),
    "sanction_case.decide": gettext_lazy("Sanction decided"),
    "sanction_case.object": gettext_lazy("Objection to a sanction"),
    "sanction_case.objection_answer": gettext_lazy("Objection to a sanction answered"),
})

def _user_or_none(actor: Actor):
    return actor if getattr(actor, "pk", None) else None


def _require_manager(actor: Actor) -> None:
    if not can_manage_execution(actor):
        raise AccessDenied(_("Only program managers do this."), code="execution_forbidden")


def _agreement_locked_or_raise(agreement_id: int) -> Agreement:
    agreement = Agreement.objects.select_for_update(of=("self",)).select_related(
        "proposal__lead_organization").filter(pk=agreement_id).first()
    if agreement is None:
        raise NotFound(_("Agreement not found."), code="agreement_not_found")
    return agreement


# --------------------------------------------------------------------------------------------
# The schedule
# --------------------------------------------------------------------------------------------

@transaction.atomic
def execution_schedule_ensure(*, actor: Actor, agreement_id: int) -> list[Report]:
    """The reports and the stage and final evaluations an agreement in force owes, made once (the ones already
    there are kept as they are). Returns the reports made now."""
    agreement = _agreement_locked_or_raise(agreement_id)
    if not (can_manage_execution(actor) or is_lead_applicant_of(actor, agreement)):
        raise AccessDenied(_("Only program managers do this."), code="execution_forbidden")
    if agreement.status not in IN_FORCE:
        return []
    on = agreement.start_date
    stages = [engine.Period(s.start_date, s.end_date) for s in agreement.stages.order_by("number")]
    planned = engine.report_schedule(
        start=agreement.start_date, end=agreement.end_date, stages=stages,
        annual_due_days=P.int_policy(P.ANNUAL_DUE_DAYS, on=on), final_due_days=P.int_policy(P.FINAL_DUE_DAYS, on=on))
    have_final = agreement.reports.filter(kind=ReportKind.FINAL).exists()
    existing = set(agreement.reports.values_list("kind", "period_end"))
    made = [Report(agreement=agreement, kind=r.kind, period_start=r.period_start, period_end=r.period_end,
                   due_date=r.due_date)
            for r in planned if (r.kind, r.period_end) not in existing and not (r.kind == "final" and have_final)]
    Report.objects.bulk_create(made)
    evaluations = set(agreement.project_evaluations.exclude(kind=EvaluationKind.SPECIAL).values_list(
        "kind", "stage_number"))
    new_evaluations = [ProjectEvaluation(agreement=agreement, kind=EvaluationKind.STAGE, stage_number=s.number,
                                         due_date=s.end_date)
                       for s in list(agreement.stages.order_by("number"))[:-1]
                       if (EvaluationKind.STAGE, s.number) not in evaluations]
    if not any(kind == EvaluationKind.FINAL for kind, _n in evaluations):
        new_evaluations.append(ProjectEvaluation(agreement=agreement, kind=EvaluationKind.FINAL,
                                                 due_date=agreement.end_date))
    ProjectEvaluation.objects.bulk_create(new_evaluations)
    if made or new_evaluations:
        audit_record(actor=actor, action="execution.schedule", obj=agreement,
                     changes={"reports": len(made), "evaluations": len(new_evaluations)})
    return made


def schedules_ensure_all(*, actor: Actor) -> int:
    """The daily job's first step: every agreement in force gets its schedule. Returns reports made."""
    _require_manager(actor)
    made = 0
    for pk in Agreement.objects.filter(status__in=IN_FORCE).order_by("pk").values_list("pk", flat=True):
        made += len(execution_schedule_ensure(actor=actor, agreement_id=pk))
    return made


# --------------------------------------------------------------------------------------------
# Stop and goal change (중단·목표 변경)
# --------------------------------------------------------------------------------------------

def _goals_clean(goals: list[str] | None) -> list[str]:
    return [g.strip()[:2000] for g in (goals or []) if g and g.strip()][:50]


@transaction.atomic
def stop_request(*, actor: Actor, agreement_id: int, reason: str, explanation: str,
                 proposed_goals: list[str] | None = None) -> StopRequest:
    """The lead institution or the ministry asks to stop the project or change its goals, with a reason."""
    agreement = _agreement_locked_or_raise(agreement_id)
    if not can_request_stop(actor, agreement):
        if agreement.status not in IN_FORCE and can_view_execution(actor, agreement):
            raise Conflict(_("Only an agreement in force can be stopped."), code="agreement_not_in_force")
        raise AccessDenied(_("Only the lead institution and the program manager ask for a stop."),
                           code="stop_forbidden")
    if reason not in StopReason.values:
        raise ValidationFailed(_("Choose a reason."), code="stop_reason_invalid", field="reason")
    if not explanation.strip():
        raise ValidationFailed(_("Explain the request."), code="required", field="explanation")
    if agreement.stop_requests.filter(status__in=OPEN_STOP_STATUSES).exists():
        raise Conflict(_("A stop or goal-change request of this agreement is still open."), code="stop_open")
    side = RequestSide.INSTITUTION if is_lead_applicant_of(actor, agreement) else RequestSide.MINISTRY
    stop = StopRequest.objects.create(agreement=agreement, side=side, reason=reason,
                                      explanation=explanation.strip(), proposed_goals=_goals_clean(proposed_goals),
                                      requested_by=_user_or_none(actor))
    audit_record(actor=actor, action="stop.request", obj=stop,
                 changes={"agreement": agreement.pk, "side": side, "reason": reason,
                          "proposed_goals": len(stop.proposed_goals)})
    return stop


@transaction.atomic
def special_evaluation_start(*, actor: Actor, stop_request_id: int, today: dt.date | None = None) -> ProjectEvaluation:
    """The special evaluation of a stop request, with its panel formed at once."""
    _require_manager(actor)
    stop = StopRequest.objects.select_for_update().filter(pk=stop_request_id).first()
    if stop is None:
        raise NotFound(_("Stop request not found."), code="stop_not_found")
    if stop.status != StopStatus.REQUESTED:
        raise Conflict(_("This request is already under evaluation or decided."), code="stop_wrong_state")
    today = today or timezone.localdate()
    evaluation = ProjectEvaluation.objects.create(agreement_id=stop.agreement_id, kind=EvaluationKind.SPECIAL,
                                                  stop_request=stop, due_date=today)
    stop.status = StopStatus.UNDER_EVALUATION
    stop.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="stop.special_evaluation", obj=stop,
                 changes={"status": [StopStatus.REQUESTED, stop.status], "evaluation": evaluation.pk})
    return panel_form(actor=actor, evaluation_id=evaluation.pk, today=today)


def _evaluation_locked_or_raise(evaluation_id: int) -> ProjectEvaluation:
    evaluation = ProjectEvaluation.objects.select_for_update(of=("self",)).select_related(
        "agreement__proposal").filter(pk=evaluation_id).first()
    if evaluation is None:
        raise NotFound(_("Evaluation not found."), code="evaluation_not_found")
    return evaluation


@transaction.atomic
def panel_form(*, actor: Actor, evaluation_id: int, today: dt.date | None = None) -> ProjectEvaluation:
    """A small panel for the evaluation from the evaluator pool: the selection evaluation's conflicts
    (``evaluation.conflicts``) excluded, the best affinity kept, the policy's size and economic experts, by the
    assignment engine (``engine.assignment.evaluators_assign``). Forming it again replaces the panel."""
    evaluation = _evaluation_locked_or_raise(evaluation_id)
    if not can_run_evaluation(actor, evaluation):
        if can_manage_execution(actor):
            raise Conflict(_("This evaluation is already decided."), code="evaluation_wrong_state")
        raise AccessDenied(_("Only program managers form panels."), code="execution_forbidden")
    today = today or timezone.localdate()
    proposal = evaluation.agreement.proposal
    size = P.int_policy(P.PANEL_SIZE_SPECIAL if evaluation.kind == EvaluationKind.SPECIAL else P.PANEL_SIZE_RESULT,
                        on=today)
    min_experts = P.int_policy(P.PANEL_MIN_EXPERTS, on=today)
    profiles = list(available_profiles(on=today))
    forbidden = {int(c.evaluator_id) for c in conflicts_find(proposal_ids=[proposal.pk], profiles=profiles,
                                                              as_of=today)}
    profiles = [p for p in profiles if p.pk not in forbidden]
    if len(profiles) < size:
        raise ValidationFailed(_("The pool has too few evaluators without a conflict: %(n)s of %(size)s.")
                               % {"n": len(profiles), "size": size}, code="panel_infeasible")
    text, codes = _proposal_text(proposal)
    scores = affinity_scores(proposals=[Profile(id=str(proposal.pk), text=text, codes=codes)],
                             evaluators=[Profile(id=str(e.pk), text=t, codes=c)
                                         for e in profiles for t, c in [_profile_text(e)]])
    candidates = Candidates(proposal_ids=(str(proposal.pk),), evaluator_ids=tuple(str(e.pk) for e in profiles),
                            proposal=np.zeros(len(profiles), dtype=np.int64),
                            evaluator=np.arange(len(profiles), dtype=np.int64),
                            score=np.clip(scores[0], 0.0, 1.0))
    try:
        result = evaluators_assign(candidates=candidates, per_proposal=size, max_load=1,
                                   economic_experts=[str(p.pk) for p in profiles if p.is_economic_expert],
                                   min_economic_experts=min_experts)
    except AssignmentInfeasible as exc:
        raise ValidationFailed(_("No panel is possible: %(problems)s") % {"problems": "; ".join(exc.problems)},
                               code="panel_infeasible") from exc
    evaluation.panel.all().delete()
    PanelMember.objects.bulk_create([PanelMember(evaluation=evaluation, profile_id=int(pair.evaluator_id),
                                                 affinity=round(pair.score, 6)) for pair in result.pairs])
    evaluation.status = EvaluationStatus.PANEL
    evaluation.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="evaluation.panel", obj=evaluation,
                 changes={"members": sorted(int(p.evaluator_id) for p in result.pairs),
                          "excluded_for_conflict": len(forbidden)})
    return evaluation


def _judgement_checked(*, evaluation: ProjectEvaluation, grade: str, diligence: str, outcome: str,
                       goal_met_early: bool, today: dt.date) -> tuple[str, str, str, bool]:
    """One judgement (a member's, or the panel's): a special evaluation decides ``outcome``; a stage or final
    one gives a grade of the policy's scheme on ``today`` and the diligence; only a stage evaluation finds
    the goal reached early."""
    if evaluation.kind == EvaluationKind.SPECIAL:
        if outcome not in SpecialOutcome.values:
            raise ValidationFailed(_("Choose the decision."), code="outcome_invalid", field="outcome")
        return "", diligence if diligence in Diligence.values else "", outcome, False
    allowed = engine.grades_allowed(on=today, switch_date=P.grade_switch_date(on=today))
    if grade not in allowed:
        raise ValidationFailed(_("Choose one of the grades in force."), code="grade_invalid", field="grade")
    if diligence not in Diligence.values:
        raise ValidationFailed(_("Judge the diligence."), code="diligence_invalid", field="diligence")
    return grade, diligence, "", bool(goal_met_early) and evaluation.kind == EvaluationKind.STAGE


@transaction.atomic
def panel_grade_enter(*, actor: Actor, evaluation_id: int, grade: str = "", diligence: str = "", outcome: str = "",
                      goal_met_early: bool = False, comments: str = "", member_id: int | None = None,
                      today: dt.date | None = None) -> PanelMember:
    """A panel member's own grade (or decision, in a special evaluation), diligence and comments; entered
    again until the PM confirms the panel's result. Only the member enters it (the system may, naming the
    member, for a panel that met outside the application)."""
    evaluation = _evaluation_locked_or_raise(evaluation_id)
    if not can_grade_evaluation(actor, evaluation):  # permission before state
        if evaluation.status != EvaluationStatus.PANEL and (is_panel_member(actor, evaluation)
                                                            or can_manage_execution(actor)):
            raise Conflict(_("The panel no longer takes grades."), code="evaluation_wrong_state")
        raise AccessDenied(_("Only the panel's evaluators enter grades."), code="evaluation_not_assigned")
    members = evaluation.panel.select_for_update()
    member = (members.filter(pk=member_id).first() if is_system(actor) and member_id is not None
              else members.filter(profile__user_id=getattr(actor, "pk", None)).first())
    if member is None:
        raise NotFound(_("Panel member not found."), code="panel_member_not_found")
    today = today or timezone.localdate()
    grade, diligence, outcome, goal_met_early = _judgement_checked(
        evaluation=evaluation, grade=grade, diligence=diligence, outcome=outcome, goal_met_early=goal_met_early,
        today=today)
    member.grade, member.diligence, member.outcome = grade, diligence, outcome
    member.goal_met_early, member.comments, member.graded_at = goal_met_early, comments.strip(), timezone.now()
    member.save()
    audit_record(actor=actor, action="evaluation.grade", obj=evaluation,
                 changes={"member": member.pk, "grade": grade, "diligence": diligence, "outcome": outcome,
                          "goal_met_early": goal_met_early})
    return member


def panel_result(*, evaluation: ProjectEvaluation, today: dt.date | None = None) -> dict[str, Any] | None:
    """The panel's result computed from every member's judgement by the policy rule
    (``execution.panel.result_rule``); None while a member has not entered theirs."""
    members = list(evaluation.panel.all())
    if not members or any(m.graded_at is None for m in members):
        return None
    rule = P.panel_result_rule(on=today or timezone.localdate())
    if evaluation.kind == EvaluationKind.SPECIAL:
        return {"outcome": engine.panel_vote([m.outcome for m in members], rule=rule, order=engine.OUTCOME_ORDER),
                "grade": "", "diligence": "", "goal_met_early": False, "rule": rule}
    return {"grade": engine.panel_vote([m.grade for m in members], rule=rule, order=engine.GRADE_ORDER),
            "diligence": engine.panel_vote([m.diligence for m in members], rule=rule,
                                           order=engine.DILIGENCE_ORDER),
            "outcome": "", "goal_met_early": engine.panel_majority([m.goal_met_early for m in members]),
            "rule": rule}


@transaction.atomic
def evaluation_record(*, actor: Actor, evaluation_id: int, grade: str = "", diligence: str = "", outcome: str = "",
                      goal_met_early: bool | None = None, comments: str = "",
                      today: dt.date | None = None) -> ProjectEvaluation:
    """The PM confirms the panel's result, computed from every member's grade by the policy rule
    (``panel_result``); a grade, diligence, decision or goal finding the PM gives must be that result (a
    check, not an override). A special evaluation decides continue, change the goals or stop; a stage
    evaluation that finds the goal reached early waives the final one; a grade the policy names
    (``grades.sanction_grades``) opens a sanction case."""
    evaluation = _evaluation_locked_or_raise(evaluation_id)
    if not can_run_evaluation(actor, evaluation):
        if can_manage_execution(actor):
            raise Conflict(_("This evaluation is already decided."), code="evaluation_wrong_state")
        raise AccessDenied(_("Only program managers record results."), code="execution_forbidden")
    if evaluation.status != EvaluationStatus.PANEL:
        raise Conflict(_("Form the panel first."), code="evaluation_no_panel")
    today = today or timezone.localdate()
    result = panel_result(evaluation=evaluation, today=today)
    if result is None:
        raise Conflict(_("Every evaluator of the panel has to enter a grade first."), code="panel_grades_missing")
    given = {"grade": grade, "diligence": diligence, "outcome": outcome, "goal_met_early": goal_met_early}
    differs = sorted(k for k, v in given.items() if v not in ("", None) and v != result[k]
                     and not (evaluation.kind == EvaluationKind.SPECIAL and k in ("grade", "diligence")))
    if differs:
        raise ValidationFailed(_("The panel's result is computed from its evaluators' grades; it differs in: "
                                 "%(fields)s.") % {"fields": ", ".join(differs)}, code="panel_result_differs",
                               field=differs[0])
    grade, diligence, outcome, goal_met_early = _judgement_checked(
        evaluation=evaluation, grade=result["grade"], diligence=result["diligence"], outcome=result["outcome"],
        goal_met_early=result["goal_met_early"], today=today)
    evaluation.grade, evaluation.diligence, evaluation.outcome = grade, diligence, outcome
    evaluation.goal_met_early, evaluation.comments = goal_met_early, comments.strip()
    evaluation.status, evaluation.decided_on, evaluation.decided_by = EvaluationStatus.GRADED, today, _user_or_none(actor)
    evaluation.save()
    audit_record(actor=actor, action=f"evaluation.{evaluation.kind}.record", obj=evaluation,
                 changes={"grade": grade, "diligence": diligence, "outcome": outcome, "goal_met_early": goal_met_early,
                          "members": evaluation.panel.count()})
    if evaluation.kind == EvaluationKind.SPECIAL:
        _special_outcome_apply(actor=actor, evaluation=evaluation, today=today)
    else:
        if goal_met_early:
            waived = ProjectEvaluation.objects.filter(agreement=evaluation.agreement, kind=EvaluationKind.FINAL,
                                                      status__in=(EvaluationStatus.PENDING, EvaluationStatus.PANEL))
            for final in waived:
                final.status = EvaluationStatus.WAIVED
                final.comments = _("Waived: the goal was reached early at the stage evaluation.")
                final.save(update_fields=["status", "comments", "updated_at"])
                audit_record(actor=actor, action="evaluation.final.waive", obj=final,
                             changes={"stage_evaluation": evaluation.pk})
        if grade in P.sanction_grades(on=today):
            _sanction_case_create(actor=actor, agreement=evaluation.agreement, evaluation=evaluation,
                                  grounds=SanctionGrounds.GRADE, misused_krw=0, today=today)
    return evaluation


def _special_outcome_apply(*, actor: Actor, evaluation: ProjectEvaluation, today: dt.date) -> None:
    from doyak.agreements.services import change_propose, change_transition

    stop = StopRequest.objects.select_for_update().get(pk=evaluation.stop_request_id)
    before = stop.status
    if evaluation.outcome == SpecialOutcome.CONTINUE:
        stop.status = StopStatus.CONTINUED
    elif evaluation.outcome == SpecialOutcome.CHANGE_GOALS:
        if not stop.proposed_goals:
            raise ValidationFailed(_("The request proposes no new goals."), code="goals_missing", field="outcome")
        change = change_propose(actor=actor, agreement_id=stop.agreement_id, edits={"goals": stop.proposed_goals},
                                reason=_("Goal change decided by the special evaluation: %(reason)s")
                                % {"reason": stop.get_reason_display()})
        change = change_transition(actor=actor, change_id=change.pk, name="submit", today=today)
        if change.status == "submitted":  # the special evaluation is the prior approval the Act asks for
            change = change_transition(actor=actor, change_id=change.pk, name="approve", today=today)
        stop.change_request, stop.status = change, StopStatus.GOALS_CHANGED
    else:
        _project_stop(actor=actor, stop=stop, evaluation=evaluation, today=today)
    stop.save()
    audit_record(actor=actor, action="stop.decide", obj=stop,
                 changes={"status": [before, stop.status], "notice_date": stop.notice_date,
                          "no_penalty": stop.no_penalty, "change_request": stop.change_request_id})


def _project_stop(*, actor: Actor, stop: StopRequest, evaluation: ProjectEvaluation, today: dt.date) -> None:
    """Stop on ``today`` (the notice date): spending after it is ineligible (settlement ends the period there),
    reports of later periods fall away, the final report covers the period up to the notice, the final expense
    report is due within the policy's months, the final evaluation follows; a justified reason carries no
    penalty and the stop is recorded as diligent conduct."""
    agreement = Agreement.objects.select_for_update(of=("self",)).get(pk=stop.agreement_id)
    stop.status, stop.notice_date = StopStatus.STOPPED, today
    stop.no_penalty = stop.reason in set(P.list_policy(P.NO_PENALTY_REASONS, on=today))
    if stop.no_penalty:
        evaluation.diligence = Diligence.DILIGENT
        evaluation.save(update_fields=["diligence", "updated_at"])
    before = agreement.status
    agreement.status = AgreementStatus.STOPPED
    agreement.save(update_fields=["status", "updated_at"])
    agreement.reports.filter(status=ReportStatus.DUE, period_start__gt=today).exclude(kind=ReportKind.FINAL).delete()
    final_days = P.int_policy(P.FINAL_DUE_DAYS, on=today)
    agreement.reports.filter(kind=ReportKind.FINAL, status__in=OWED_REPORT_STATUSES).update(
        period_end=max(today, agreement.start_date), due_date=today + dt.timedelta(days=final_days))
    if not agreement.reports.filter(kind=ReportKind.FINAL).exists():
        Report.objects.create(agreement=agreement, kind=ReportKind.FINAL, period_start=agreement.start_date,
                              period_end=max(today, agreement.start_date),
                              due_date=today + dt.timedelta(days=final_days))
    Report.objects.get_or_create(
        agreement=agreement, kind=ReportKind.EXPENSE, period_end=max(today, agreement.start_date),
        defaults={"period_start": agreement.start_date,
                  "due_date": engine.add_months(today, P.int_policy(P.EXPENSE_REPORT_MONTHS, on=today))})
    agreement.project_evaluations.filter(kind=EvaluationKind.STAGE, status=EvaluationStatus.PENDING).update(
        status=EvaluationStatus.WAIVED, comments=_("Waived: the project stopped."))
    final = agreement.project_evaluations.filter(kind=EvaluationKind.FINAL).first()
    if final is None:
        ProjectEvaluation.objects.create(agreement=agreement, kind=EvaluationKind.FINAL,
                                         due_date=today + dt.timedelta(days=final_days))
    elif final.status == EvaluationStatus.PENDING:
        final.due_date = today + dt.timedelta(days=final_days)
        final.save(update_fields=["due_date", "updated_at"])
    audit_record(actor=actor, action="agreement.stop", obj=agreement,
                 changes={"status": [before, AgreementStatus.STOPPED], "notice_date": today.isoformat(),
                          "stop_request": stop.pk, "no_penalty": stop.no_penalty})  # its reason: the request's own event


# --------------------------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------------------------

def _decimal_or_none(raw: Any, field: str) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(_("Enter a number."), code="number_invalid", field=field) from exc
    if not value.is_finite() or abs(value) >= KPI_LIMIT:
        raise ValidationFailed(_("Enter a number."), code="number_invalid", field=field)
    return value.quantize(Decimal("0.01"))


def _whole(raw: Any, field: str, limit: int = WON_LIMIT) -> int:
    if raw is None or raw == "":
        return 0
    try:
        value = int(str(raw).strip().replace(",", ""))
    except ValueError as exc:
        raise ValidationFailed(_("Enter a whole number."), code="number_invalid", field=field) from exc
    if not 0 <= value < limit:
        raise ValidationFailed(_("Enter a whole number."), code="number_invalid", field=field)
    return value


def report_content_build(*, report: Report, data: dict[str, Any]) -> dict[str, Any]:
    """The report's content from the agreement in force and what the institution entered (``data``:
    ``achievements`` one text per goal, ``kpi_actuals`` {kpi id: number}, ``ripple`` {region code:
    {investment_krw, jobs, production_krw}}, ``suppliers`` {sme_count, reached_krw}, ``summary``)."""
    from .selectors import report_frame

    frame = report_frame(report=report)
    achievements = list(data.get("achievements") or [])
    goals = [{"goal": goal, "achievement": str(achievements[i]).strip()[:5000] if i < len(achievements) else ""}
             for i, goal in enumerate(frame["goals"])]
    actuals = {str(k): v for k, v in (data.get("kpi_actuals") or {}).items()}
    kpis = [{**kpi, "actual": (lambda v: None if v is None else str(v))(
        _decimal_or_none(actuals.get(str(kpi["kpi_id"])), f"kpi_actuals.{kpi['kpi_id']}"))} for kpi in frame["kpis"]]
    ripple_in = data.get("ripple") or {}
    ripple = []
    for row in frame["ripple"]:
        given = ripple_in.get(row["region_code"]) or {}
        ripple.append({**row, "investment_krw": _whole(given.get("investment_krw"), f"ripple.{row['region_code']}"),
                       "jobs": _whole(given.get("jobs"), f"ripple.{row['region_code']}", COUNT_LIMIT),
                       "production_krw": _whole(given.get("production_krw"), f"ripple.{row['region_code']}")})
    suppliers = None
    if frame["suppliers"] is not None:
        given = data.get("suppliers") or {}
        reached = _whole(given.get("reached_krw"), "suppliers.reached_krw")
        total = frame["suppliers"]["total_krw"]
        suppliers = {**frame["suppliers"], "sme_count": _whole(given.get("sme_count"), "suppliers.sme_count",
                                                              COUNT_LIMIT),
                     "reached_krw": reached,
                     "share": str((Decimal(reached) * 100 / total).quantize(Decimal("0.1"))) if total else "0.0"}
    return {"goals": goals, "kpis": kpis, "ripple": ripple, "suppliers": suppliers,
            "summary": str(data.get("summary") or "").strip()[:20000]}


def _content_incomplete(content: dict) -> str | None:
    if any(not g["achievement"] for g in content["goals"]):
        return "achievements"
    if any(k["actual"] is None for k in content["kpis"]):
        return "kpi_actuals"
    return None


@transaction.atomic
def report_transition(*, actor: Actor, report_id: int, name: str, data: dict[str, Any] | None = None,
                      note: str = "") -> Report:
    """Fire ``name`` (``workflow.TRANSITIONS``): the institution saves or submits the content, the PM accepts or
    returns it with comments. Permission first, then state; a submitted report gives every goal's achievement
    and every indicator's actual."""
    report = Report.objects.select_for_update(of=("self",)).select_related("agreement__proposal").filter(
        pk=report_id).first()
    if report is None:
        raise NotFound(_("Report not found."), code="report_not_found")
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise NotFound(_("Unknown action."), code="report_action_unknown")
    agreement = report.agreement
    allowed = (is_lead_applicant_of(actor, agreement) if transition.owner == Owner.INSTITUTION
               else can_manage_execution(actor))
    if not allowed:
        raise AccessDenied(_("You may not do this to the report."), code="report_forbidden")
    if report.status not in transition.source:
        raise Conflict(_("This report cannot be %(action)s now.") % {"action": str(transition.label).lower()},
                       code="report_wrong_state")
    if transition.owner == Owner.INSTITUTION:
        if data is not None:
            report.content = report_content_build(report=report, data=data)
        elif not report.content:
            report.content = report_content_build(report=report, data={})
        if name == "submit":
            missing = _content_incomplete(report.content)
            if missing:
                raise ValidationFailed(_("Give every goal's achievement and every indicator's actual value."),
                                       code="report_incomplete", field=missing)
            report.submitted_at = timezone.now()
    else:
        if transition.needs_note and not note.strip():
            raise ValidationFailed(_("Give your comments."), code="report_note_required", field="note")
        report.reviewed_by, report.reviewed_at, report.review_note = _user_or_none(actor), timezone.now(), note.strip()
    before = report.status
    report.status = transition.target
    report.save()
    audit_record(actor=actor, action=f"report.{name}", obj=report,
                 changes={"status": [before, report.status], **({"note": report.review_note} if note else {})})
    return report


def report_is_overdue(report: Report, today: dt.date | None = None) -> bool:
    return report.status in OWED_REPORT_STATUSES and report.due_date < (today or timezone.localdate())


def _recipients(agreement: Agreement) -> list[str]:
    from doyak.accounts.models import User

    emails = list(User.objects.filter(organization_id=lead_organization_id(agreement), role="applicant",
                                      is_active=True).exclude(email="").order_by("pk").values_list("email", flat=True))
    pi = agreement.researchers.filter(is_pi=True).select_related("researcher").first()
    if pi and pi.researcher.email and pi.researcher.email not in emails:
        emails.append(pi.researcher.email)
    return emails


def _reminder_send(*, report: Report, overdue: bool) -> bool:
    from django.template.loader import render_to_string
    from django.utils import translation

    recipients = _recipients(report.agreement)
    if not recipients:
        return False
    subjects, parts = [], []
    for lang in ("ko", "en"):
        with translation.override(lang):
            subjects.append((_("[doyak] Report overdue: %(number)s") if overdue
                             else _("[doyak] Report due soon: %(number)s")) % {"number": report.agreement.number})
            parts.append(render_to_string("execution/email/reminder.txt",
                                          {"report": report, "overdue": overdue}).strip())
    subject = f"{subjects[0]} / {subjects[1]}"
    body = "\n\n----------------------------------------\n\n".join(parts) + "\n"
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients,
                                            fail_silently=False))
    return True


@transaction.atomic
def reports_remind(*, actor: Actor = SYSTEM, today: dt.date | None = None) -> Counter:
    """E-mail the institution once when a report's due date is within the policy's days, and once when it is
    overdue (the background job, daily). Returns how many of each were sent."""
    _require_manager(actor)
    today = today or timezone.localdate()
    days = P.int_policy(P.REMINDER_DAYS, on=today)
    sent: Counter = Counter()
    owed = (Report.objects.select_for_update(of=("self",)).select_related("agreement")
            .filter(status__in=OWED_REPORT_STATUSES, due_date__lte=today + dt.timedelta(days=days)).order_by("pk"))
    for report in owed:
        overdue = report.due_date < today
        field = "reminded_overdue_on" if overdue else "reminded_before_on"
        if getattr(report, field) is not None:
            continue
        delivered = _reminder_send(report=report, overdue=overdue)
        sent["overdue" if overdue else "before"] += int(delivered)
        setattr(report, field, today)
        report.save(update_fields=[field, "updated_at"])
        audit_record(actor=actor, action="report.remind", obj=report,
                     changes={"overdue": overdue, "delivered": delivered, "due_date": report.due_date.isoformat()})
    return sent


def execution_daily(*, actor: Actor = SYSTEM, today: dt.date | None = None) -> dict:
    """The daily job: schedules for new agreements, then the reminders."""
    made = schedules_ensure_all(actor=actor)
    return {"reports_made": made, **reports_remind(actor=actor, today=today)}


# --------------------------------------------------------------------------------------------
# Sanctions (제재)
# --------------------------------------------------------------------------------------------

def _sanction_case_create(*, actor: Actor, agreement: Agreement, evaluation: ProjectEvaluation | None,
                          grounds: str, misused_krw: int, today: dt.date) -> SanctionCase:
    proposal = engine.sanction_propose(
        misused_krw=misused_krw, paid_krw=agreement.gov_funds_krw,
        grade_ban_months=P.list_policy(P.GRADE_BAN_MONTHS, on=today),
        misuse_bands=P.list_policy(P.MISUSE_BANDS, on=today),
        ban_max_years=P.int_policy(P.BAN_MAX_YEARS, on=today),
        surcharge_max_multiple=P.int_policy(P.SURCHARGE_MAX_MULTIPLE, on=today))
    case = SanctionCase.objects.create(
        agreement=agreement, evaluation=evaluation, organization_id=lead_organization_id(agreement), grounds=grounds,
        misused_krw=misused_krw, paid_krw=agreement.gov_funds_krw, ban_min_months=proposal.ban_min_months,
        ban_max_months=proposal.ban_max_months, surcharge_max_krw=proposal.surcharge_max_krw,
        hearing_due=today + dt.timedelta(days=P.int_policy(P.HEARING_DAYS, on=today)))
    audit_record(actor=actor, action="sanction_case.propose", obj=case,
                 changes={"grounds": grounds, "misused_krw": misused_krw, "ban_months": [case.ban_min_months,
                                                                                        case.ban_max_months],
                          "surcharge_max_krw": case.surcharge_max_krw})
    return case


@transaction.atomic
def sanction_case_open(*, actor: Actor, agreement_id: int, misused_krw: int,
                       today: dt.date | None = None) -> SanctionCase:
    """The PM opens a case for misconduct (misused funds): the ban and surcharge proposed from the table."""
    _require_manager(actor)
    agreement = _agreement_locked_or_raise(agreement_id)
    if agreement.status == AgreementStatus.DRAFT:
        raise Conflict(_("The agreement is not signed."), code="agreement_not_signed")
    if not 0 < misused_krw < WON_LIMIT:
        raise ValidationFailed(_("Enter the misused amount."), code="number_invalid", field="misused_krw")
    return _sanction_case_create(actor=actor, agreement=agreement, evaluation=None,
                                 grounds=SanctionGrounds.MISCONDUCT, misused_krw=misused_krw,
                                 today=today or timezone.localdate())


def _case_locked_or_raise(case_id: int, actor: Actor) -> SanctionCase:
    case = SanctionCase.objects.select_for_update(of=("self",)).select_related("agreement__proposal").filter(
        pk=case_id).first()
    if case is None or not can_view_sanction(actor, case):
        raise NotFound(_("Sanction case not found."), code="sanction_case_not_found")
    return case


@transaction.atomic
def sanction_statement_give(*, actor: Actor, case_id: int, statement: str) -> SanctionCase:
    """The institution is heard: its statement before the decision."""
    case = _case_locked_or_raise(case_id, actor)
    if not can_give_statement(actor, case):
        raise AccessDenied(_("Only the institution gives its statement, before the decision."),
                           code="sanction_forbidden")
    if not statement.strip():
        raise ValidationFailed(_("Write the statement."), code="required", field="statement")
    case.statement, case.statement_at = statement.strip(), timezone.now()
    case.save(update_fields=["statement", "statement_at", "updated_at"])
    audit_record(actor=actor, action="sanction_case.statement", obj=case, changes={"length": len(case.statement)})
    return case


@transaction.atomic
def sanction_decide(*, actor: Actor, case_id: int, ban_months: int, surcharge_krw: int = 0, note: str = "",
                    today: dt.date | None = None) -> SanctionCase:
    """The PM decides within the proposed range, once the institution was heard (its statement, or the hearing
    window passed); the ban is recorded as the ``proposals.Sanction`` the selection rules read (and an unpaid
    surcharge as one until it is paid)."""
    from doyak.proposals.services import sanction_record

    case = _case_locked_or_raise(case_id, actor)
    if not can_decide_sanction(actor, case):
        if can_manage_execution(actor):
            raise Conflict(_("This case is already decided."), code="sanction_wrong_state")
        raise AccessDenied(_("Only program managers decide sanctions."), code="sanction_forbidden")
    today = today or timezone.localdate()
    if case.statement_at is None and today <= case.hearing_due:
        raise Conflict(_("The institution has not been heard yet (until %(date)s).")
                       % {"date": case.hearing_due.isoformat()}, code="sanction_not_heard")
    if not case.ban_min_months <= ban_months <= case.ban_max_months:
        raise ValidationFailed(_("The ban is between %(low)s and %(high)s months.")
                               % {"low": case.ban_min_months, "high": case.ban_max_months},
                               code="ban_out_of_range", field="ban_months")
    if not 0 <= surcharge_krw <= case.surcharge_max_krw:
        raise ValidationFailed(_("The surcharge is at most the proposed ceiling."), code="surcharge_out_of_range",
                               field="surcharge_krw")
    text = _("Participation ban %(months)s months (%(agreement)s, %(grounds)s). %(note)s") % {
        "months": ban_months, "agreement": case.agreement.number, "grounds": case.get_grounds_display(),
        "note": note.strip()}
    case.sanction = sanction_record(actor=actor, kind=SanctionKind.SANCTION, date=today,
                                    organization_id=case.organization_id, note=text.strip())
    if surcharge_krw:
        case.surcharge_sanction = sanction_record(actor=actor, kind=SanctionKind.UNPAID_SURCHARGE, date=today,
                        organization_id=case.organization_id,
                        note=_("Surcharge %(won)s won (%(agreement)s)") % {"won": f"{surcharge_krw:,}",
                                                                        "agreement": case.agreement.number})
    case.ban_months, case.surcharge_krw, case.decision_note = ban_months, surcharge_krw, note.strip()
    case.decided_on, case.decided_by, case.status = today, _user_or_none(actor), SanctionCaseStatus.DECIDED
    case.save()
    audit_record(actor=actor, action="sanction_case.decide", obj=case,
                 changes={"ban_months": ban_months, "surcharge_krw": surcharge_krw, "sanction": case.sanction_id})
    return case


def objection_deadline(case: SanctionCase) -> dt.date | None:
    if case.decided_on is None:
        return None
    return case.decided_on + dt.timedelta(days=P.int_policy(P.OBJECTION_DAYS, on=case.decided_on))


@transaction.atomic
def sanction_object(*, actor: Actor, case_id: int, text: str, today: dt.date | None = None) -> SanctionCase:
    """The institution's one objection, within the policy's window from the decision."""
    case = _case_locked_or_raise(case_id, actor)
    if not can_object(actor, case):
        if is_lead_applicant_of(actor, case.agreement) and case.objection_at:
            raise Conflict(_("An objection was already filed."), code="objection_exists")
        raise AccessDenied(_("Only the sanctioned institution objects, once, after the decision."),
                           code="sanction_forbidden")
    today = today or timezone.localdate()
    if today > objection_deadline(case):
        raise Conflict(_("The objection window closed on %(date)s.") % {"date": objection_deadline(case)},
                       code="objection_window_closed")
    if not text.strip():
        raise ValidationFailed(_("Write the objection."), code="required", field="objection")
    case.objection, case.objection_at, case.status = text.strip(), timezone.now(), SanctionCaseStatus.OBJECTED
    case.save(update_fields=["objection", "objection_at", "status", "updated_at"])
    audit_record(actor=actor, action="sanction_case.object", obj=case, changes={"status": case.status})
    return case


@transaction.atomic
def sanction_objection_answer(*, actor: Actor, case_id: int, answer: str, revoke: bool = False) -> SanctionCase:
    """The PM answers the objection: the decision stands, or it is revoked (its selection bar removed)."""
    case = _case_locked_or_raise(case_id, actor)
    if not can_answer_objection(actor, case):
        raise AccessDenied(_("Only program managers answer an objection."), code="sanction_forbidden")
    if not answer.strip():
        raise ValidationFailed(_("Write the answer."), code="required", field="answer")
    removed = []
    if revoke:
        removed = [pk for pk in (case.sanction_id, case.surcharge_sanction_id) if pk]
        case.sanction, case.surcharge_sanction = None, None
        case.save(update_fields=["sanction", "surcharge_sanction"])
        Sanction.objects.filter(pk__in=removed).delete()
    case.objection_answer, case.status = answer.strip(), SanctionCaseStatus.FINAL
    case.save(update_fields=["objection_answer", "status", "updated_at"])
    audit_record(actor=actor, action="sanction_case.objection_answer", obj=case,
                 changes={"revoked": revoke, "removed_sanctions": removed})
    return case
