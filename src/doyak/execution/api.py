"""REST API of project execution, a second router on the /api/v1/agreements prefix (issue 10's contract:
``GET /agreements/{id}/reports`` with ``status`` and ``due_date``, ``GET /agreements/{id}/evaluations`` with
``kind`` and ``grade``; add, never rename)."""

import datetime as dt
from typing import Any, Literal

from ninja import Router, Schema
from pydantic import Field

from doyak.core.inputs import Id, LongText, Text

from .enums import StopReason
from .selectors import (
    evaluation_list,
    execution_agreement_or_raise,
    report_get_for_user_or_raise,
    report_list,
    stop_list,
)
from .services import report_transition, stop_request

router = Router(tags=["execution"])

ReportStatusValue = Literal["due", "draft", "submitted", "accepted", "returned"]
EvaluationKindValue = Literal["stage", "final", "special"]


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


class EvaluationOut(Schema):
    id: int
    agreement_id: int
    kind: EvaluationKindValue
    stage_number: int | None = None
    status: Literal["pending", "panel", "graded", "waived"]
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

    @staticmethod
    def resolve_panel_size(obj) -> int:
        return len(obj.panel.all())


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
