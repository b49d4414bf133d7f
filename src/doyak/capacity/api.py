"""REST API of innovation capacity, mounted at /api/v1/capacity (and the talent counts at /api/v1/talent)."""


import datetime as dt
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from doyak.core.errors import AccessDenied
from doyak.core.inputs import Date, Id, Tags, Text, Won
from doyak.core.pagination import BoundedPageNumberPagination

from . import rules
from .enums import SurveyStatus
from .selectors import survey_get_for_user_or_raise, survey_list_for_user, survey_topics_for_user
from .services import demand_state, survey_open, topic_carry_into_call

router = Router(tags=["capacity"])
talent_router = Router(tags=["talent"])


# ---------------------------------------------------------------------------------------------- surveys
class DemandOut(Schema):
    id: int
    topic_id: int
    organization_id: int
    organization: str
    kind: str
    amount_krw: int
    stage: str
    condition: str
    comment: str


class TopicOut(Schema):
    id: int
    title: str
    technology_codes: list[str]
    expected_budget_krw: int
    call_id: int | None
    demand_total_krw: int | None = Field(description="Sum of the stated amounts (ministry side only).")
    demand_count: int | None = Field(description="Organisations that answered (ministry side only).")
    responses: list[DemandOut] = Field(description="The answers the caller may see: all for the ministry side, "
                                                   "their own organisation's for an investor.")


class SurveyOut(Schema):
    id: int
    program_id: int
    title: str
    closes_on: dt.date
    status: str
    topics: list[TopicOut]


def _demand_out(row) -> dict:
    return {"id": row.pk, "topic_id": row.topic_id, "organization_id": row.organization_id,
            "organization": row.organization.name, "kind": row.kind, "amount_krw": row.amount_krw,
            "stage": row.stage, "condition": row.condition, "comment": row.comment}


def _survey_out(user, survey) -> dict:
    return {"id": survey.pk, "program_id": survey.program_id, "title": survey.title, "closes_on": survey.closes_on,
            "status": survey.status, "topics": [
                {"id": d.topic.pk, "title": d.topic.title, "technology_codes": d.topic.technology_codes,
                 "expected_budget_krw": d.topic.expected_budget_krw, "call_id": d.topic.call_id,
                 "demand_total_krw": d.total_krw, "demand_count": d.count,
                 "responses": [_demand_out(r) for r in d.responses]}
                for d in survey_topics_for_user(user=user, survey=survey)]}



@router.get("/surveys", response=list[SurveyOut])
@paginate(BoundedPageNumberPagination, page_size=20)
def survey_list(request, status: Text(8) = ""):
    """Demand surveys: every one for the ministry side and read-only roles, open ones for investors and
    demand-anchor companies (who see only their own organisation's answers)."""
    if not rules.can_view_surveys(request.user):
        raise AccessDenied(_("Only the ministry side, investors and demand-anchor companies see demand surveys."),
                           code="survey_forbidden")
    status = status if status in SurveyStatus.values else ""
    return _LazySurveys(request.user, survey_list_for_user(user=request.user, status=status))


class _LazySurveys:
    """The queryset paged first, each survey of the page then shaped with the demand the user may see."""

    def __init__(self, user, qs):
        self.user, self.qs = user, qs

    def __len__(self) -> int:
        return self.qs.count()

    def count(self) -> int:
        return self.qs.count()

    def __getitem__(self, item):
        return [_survey_out(self.user, s) for s in self.qs[item]]


@router.get("/surveys/{survey_id}", response=SurveyOut)
def survey_detail(request, survey_id: Id):
    return _survey_out(request.user, survey_get_for_user_or_raise(user=request.user, survey_id=survey_id))


class TopicIn(Schema):
    title: Text(200)
    technology_codes: Tags = []
    expected_budget_krw: Won = 0


class SurveyIn(Schema):
    program_id: Id
    title: Text(200)
    closes_on: Date
    topics: Annotated[list[TopicIn], Field(min_length=1, max_length=50)]


@router.post("/surveys", response={201: SurveyOut})
def survey_create(request, payload: SurveyIn):
    survey = survey_open(actor=request.user, program_id=payload.program_id, title=payload.title,
                         closes_on=payload.closes_on, topics=[t.dict() for t in payload.topics])
    return 201, _survey_out(request.user, survey)


class DemandIn(Schema):
    kind: Text(10)
    amount_krw: Won
    stage: Text(12)
    condition: Text(500) = ""
    comment: Text(5000) = ""


@router.post("/topics/{topic_id}/demand", response=DemandOut)
def topic_demand(request, topic_id: Id, payload: DemandIn):
    """State (or restate) the caller's organisation's interest in a topic."""
    row = demand_state(actor=request.user, topic_id=topic_id, **payload.dict())
    return _demand_out(row)


class CarryIn(Schema):
    call_id: Id


@router.post("/topics/{topic_id}/call", response=TopicOut)
def topic_carry(request, topic_id: Id, payload: CarryIn):
    """Carry a topic into a call of the survey's program (the topic keeps the link)."""
    topic = topic_carry_into_call(actor=request.user, topic_id=topic_id, call_id=payload.call_id)
    survey = _survey_out(request.user, topic.survey)
    return next(t for t in survey["topics"] if t["id"] == topic.pk)
