"""REST API of project execution, a second router on the /api/v1/agreements prefix (issue 10's contract:
``GET /agreements/{id}/reports`` with ``status`` and ``due_date``, ``GET /agreements/{id}/evaluations`` with
``kind`` and ``grade``; add, never rename).

An evaluator's own seats are ``GET /execution/evaluations/mine`` (``mine_router``, its own prefix: an evaluator
reads no agreement) and their grade ``POST /agreements/{id}/evaluations/{evaluation_id}/grade``; the
evaluations list gains each member's grade for the ministry side only (``members``, null for the others)."""

import datetime as dt
from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from doyak.core.errors import AccessDenied, NotFound
from doyak.core.inputs import Id, LongText, Text
from doyak.core.pagination import BoundedPageNumberPagination

from .enums import Diligence, Grade, SpecialOutcome, StopReason
from .rules import can_grade_evaluation, sees_panel_grades
from .selectors import (
    evaluation_get_for_user_or_raise,
    evaluation_list,
    execution_agreement_or_raise,
    panel_assignments_for_user,
    report_get_for_user_or_raise,
    report_list,
    stop_list,
)
from .services import panel_grade_enter, report_transition, stop_request

router = Router(tags=["execution"])
mine_router = Router(tags=["execution"])

ReportStatusValue = Literal["due", "draft", "submitted", "accepted", "returned"]
EvaluationKindValue = Literal["stage", "final", "special"]
EvaluationStatusValue = Literal["pending", "panel", "graded", "waived"]


class ReportOut(Schema):
    id: int
    agreement_id: int
    kind: Literal["annual", "stage", "final", "expense"]
    period_start: dt.date
    period_end: dt.date
    status: ReportStatusValue
    due_date: dt.date
    submitted_at: dt.datetime | None = None
    review_note: str
    content: dict[str, Any]


class MemberGradeOut(Schema):
    """One panel member's own judgement (``graded_at`` null until they enter it)."""

    id: int
    evaluator_id: int
    evaluator: str
    grade: str | None = None
    diligence: str | None = None
    outcome: str | None = None
    goal_met_early: bool
    comments: str
    graded_at: dt.datetime | None = None

    @staticmethod
    def resolve_evaluator_id(obj) -> int:
        return obj.profile_id

    @staticmethod
    def resolve_evaluator(obj) -> str:
        return str(obj.profile)

    @staticmethod
    def resolve_grade(obj) -> str | None:
        return obj.grade or None

    @staticmethod
    def resolve_diligence(obj) -> str | None:
        return obj.diligence or None

    @staticmethod
    def resolve_outcome(obj) -> str | None:
        return obj.outcome or None


class EvaluationOut(Schema):
    id: int
    agreement_id: int
    kind: EvaluationKindValue
    stage_number: int | None = None
    status: EvaluationStatusValue
    due_date: dt.date | None = None
    grade: str | None = None
    diligence: str | None = None
    outcome: str | None = None
    goal_met_early: bool
    decided_on: dt.date | None = None
    panel_size: int

    @staticmethod
    def resolve_grade(obj) -> str | None:
        return obj.grade or None

    @staticmethod
    def resolve_diligence(obj) -> str | None:
        return obj.diligence or None

    @staticmethod
    def resolve_outcome(obj) -> str | None:
        return obj.outcome or None

    # each member's grade, for the ministry side only (null for everyone else)
    members: list[MemberGradeOut] | None = None

    @staticmethod
    def resolve_panel_size(obj) -> int:
        return len(obj.panel.all())

    @staticmethod
    def resolve_members(obj, context) -> list | None:
        return list(obj.panel.all()) if sees_panel_grades(context["request"].user) else None


class SeatOut(Schema):
    """An evaluator's own panel seat: the evaluation and their own judgement so far."""

    id: int
    evaluation_id: int
    agreement_id: int
    agreement_number: str
    kind: EvaluationKindValue
    stage_number: int | None = None
    status: EvaluationStatusValue
    due_date: dt.date | None = None
    grade: str | None = None
    diligence: str | None = None
    outcome: str | None = None
    goal_met_early: bool
    comments: str
    graded_at: dt.datetime | None = None

    @staticmethod
    def resolve_agreement_id(obj) -> int:
        return obj.evaluation.agreement_id

    @staticmethod
    def resolve_agreement_number(obj) -> str:
        return obj.evaluation.agreement.number

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj.evaluation.kind

    @staticmethod
    def resolve_stage_number(obj) -> int | None:
        return obj.evaluation.stage_number

    @staticmethod
    def resolve_status(obj) -> str:
        return obj.evaluation.status

    @staticmethod
    def resolve_due_date(obj) -> dt.date | None:
        return obj.evaluation.due_date

    @staticmethod
    def resolve_grade(obj) -> str | None:
        return obj.grade or None

    @staticmethod
    def resolve_diligence(obj) -> str | None:
        return obj.diligence or None

    @staticmethod
    def resolve_outcome(obj) -> str | None:
        return obj.outcome or None


class GradeIn(Schema):
    """An evaluator's own judgement: a grade of the scheme in force and the diligence (stage and final), or the
    decision (special); the goal reached early (stage); comments."""

    grade: Literal[tuple(["", *Grade.values])] = ""  # type: ignore[valid-type]
    diligence: Literal[tuple(["", *Diligence.values])] = ""  # type: ignore[valid-type]
    outcome: Literal[tuple(["", *SpecialOutcome.values])] = ""  # type: ignore[valid-type]
    goal_met_early: bool = False
    comments: LongText = ""


class StopOut(Schema):
    id: int
    agreement_id: int
    side: Literal["institution", "ministry"]
    reason: Literal["environment_change", "goals_met_early", "cannot_continue", "misconduct"]
    explanation: str
    proposed_goals: list[str]
    status: Literal["requested", "under_evaluation", "continued", "goals_changed", "stopped"]
    notice_date: dt.date | None = None
    no_penalty: bool


class StopIn(Schema):
    reason: Literal[tuple(StopReason.values)]  # type: ignore[valid-type]
    explanation: LongText
    proposed_goals: list[Text(2000)] = Field(default=[], max_length=50)


class ReportIn(Schema):
    """What the institution enters (the rest of the content comes from the agreement in force); ``submit`` sends
    it for review."""

    achievements: list[Text(5000)] = Field(default=[], max_length=50)
    kpi_actuals: dict[Text(20), Text(30)] = Field(default={}, max_length=200)
    ripple: dict[Text(2), dict[Text(20), Text(30)]] = Field(default={}, max_length=30)
    suppliers: dict[Text(20), Text(30)] = Field(default={}, max_length=5)
    summary: LongText = ""
    submit: bool = False


class ReviewIn(Schema):
    action: Literal["accept", "return"]
    note: LongText = ""


@router.get("/{agreement_id}/reports", response=list[ReportOut])
def agreement_reports(request, agreement_id: Id, status: ReportStatusValue | None = None):
    agreement = execution_agreement_or_raise(user=request.user, agreement_id=agreement_id)
    return list(report_list(agreement=agreement, status=status or ""))


@router.get("/{agreement_id}/evaluations", response=list[EvaluationOut])
def agreement_evaluations(request, agreement_id: Id, kind: EvaluationKindValue | None = None):
    agreement = execution_agreement_or_raise(user=request.user, agreement_id=agreement_id)
    return list(evaluation_list(agreement=agreement, kind=kind or ""))


@router.post("/{agreement_id}/evaluations/{evaluation_id}/grade", response=SeatOut)
def evaluation_grade(request, agreement_id: Id, evaluation_id: Id, payload: GradeIn):
    """The seat's own evaluator enters (or enters again, while the panel sits) their grade; nobody else."""
    evaluation = evaluation_get_for_user_or_raise(user=request.user, evaluation_id=evaluation_id)
    if evaluation.agreement_id != agreement_id:
        raise NotFound(_("Evaluation not found."), code="evaluation_not_found")
    if not can_grade_evaluation(request.user, evaluation):
        raise AccessDenied(_("Only the panel's evaluators enter grades."), code="evaluation_not_assigned")
    member = panel_grade_enter(actor=request.user, evaluation_id=evaluation.pk, **payload.dict())
    return panel_assignments_for_user(user=request.user).get(pk=member.pk)


@mine_router.get("/evaluations/mine", response=list[SeatOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def my_evaluations(request):
    """The signed-in evaluator's own panel seats, those still open first (empty for anyone else)."""
    return panel_assignments_for_user(user=request.user)


@router.get("/{agreement_id}/stops", response=list[StopOut])
def agreement_stops(request, agreement_id: Id):
    agreement = execution_agreement_or_raise(user=request.user, agreement_id=agreement_id)
    return list(stop_list(agreement=agreement))


@router.post("/{agreement_id}/stops", response={201: StopOut})
def agreement_stop_request(request, agreement_id: Id, payload: StopIn):
    execution_agreement_or_raise(user=request.user, agreement_id=agreement_id)
    return 201, stop_request(actor=request.user, agreement_id=agreement_id, reason=payload.reason,
                             explanation=payload.explanation, proposed_goals=payload.proposed_goals)


@router.get("/reports/{report_id}", response=ReportOut)
def report_detail(request, report_id: Id):
    return report_get_for_user_or_raise(user=request.user, report_id=report_id)


@router.put("/reports/{report_id}", response=ReportOut)
def report_save(request, report_id: Id, payload: ReportIn):
    report_get_for_user_or_raise(user=request.user, report_id=report_id)
    data = payload.dict(exclude={"submit"})
    return report_transition(actor=request.user, report_id=report_id, name="submit" if payload.submit else "save",
                             data=data)


@router.post("/reports/{report_id}/review", response=ReportOut)
def report_review(request, report_id: Id, payload: ReviewIn):
    report_get_for_user_or_raise(user=request.user, report_id=report_id)
    return report_transition(actor=request.user, report_id=report_id, name=payload.action, note=payload.note)
