"""Calls API: list and read for everyone signed in; build, open and close for program managers."""


import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Body, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from doyak.core.inputs import SMALLINT_MAX, DateTime, Id, LongText, NotNull, Number, Tags, Text, Won
from doyak.core.pagination import BoundedPageNumberPagination

from .selectors import call_get_for_user_or_raise, call_list_for_user, call_open_problems
from .services import call_cancel, call_close, call_create, call_criteria_set, call_open, call_update

router = Router(tags=["calls"])


class CriterionSchema(Schema):
    kind: Text(24)
    name_ko: Text(200) = ""
    name_en: Text(200) = ""
    weight: Number(max_digits=5, decimal_places=2, ge=0)
    scale_max: Annotated[int, Field(ge=1, le=SMALLINT_MAX)] = 100


class CallOut(Schema):
    id: int
    reference: str
    program_id: int
    sub_program_id: int | None = None
    track: str
    title_ko: str
    title_en: str
    description: str
    status: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    eligible_region_codes: list[str]
    eligible_org_types: list[str]
    required_documents: list[str]
    budget_krw: int
    max_gov_per_project_krw: int | None = None
    evaluation_format: str
    scoring_mode: str
    aggregation: str
    cutoff_score: Decimal
    panel_size: int


class CallDetailOut(CallOut):
    criteria: list[CriterionSchema]
    open_problems: list[dict]

    @staticmethod
    def resolve_criteria(obj):
        return list(obj.criteria.all())

    @staticmethod
    def resolve_open_problems(obj):
        if obj.status != "draft":
            return []
        return [{"code": p.code, "field": p.field, "message": p.message} for p in call_open_problems(call=obj)]


class CallFilter(Schema):
    q: Text(200) = ""
    status: Text(12) = ""
    track: Text(24) = ""
    program_id: Id | None = None
    accepting: bool | None = None


Score = Number(max_digits=5, decimal_places=2, ge=0)
PanelSize = Annotated[int, Field(ge=1, le=SMALLINT_MAX)]


class CallIn(Schema):
    program: Id
    sub_program: Id | None = None
    reference: Text(40, min_length=1)
    track: Text(24) = "general"
    title_ko: Text(300, min_length=1)
    title_en: Text(300) = ""
    description: LongText = ""
    opens_at: DateTime
    closes_at: DateTime
    eligible_region_codes: Tags = []
    eligible_org_types: Tags = []
    required_documents: Tags = []
    budget_krw: Won = 0
    max_gov_per_project_krw: Won | None = None
    evaluation_format: Text(16) = "written"
    scoring_mode: Text(10) = "absolute"
    aggregation: Text(16) | None = None  # None: the policy's default (evaluation.drop_highest_lowest_default)
    cutoff_score: Score | None = None  # None: the policy's default (evaluation.cutoff_score_default)
    panel_size: PanelSize = 5


class CallPatch(Schema):
    """Only the fields sent change; ``null`` is accepted only where the column may be empty."""

    sub_program: Id | None = None
    reference: NotNull[Text(40, min_length=1)] = None
    track: NotNull[Text(24)] = None
    title_ko: NotNull[Text(300, min_length=1)] = None
    title_en: NotNull[Text(300)] = None
    description: NotNull[LongText] = None
    opens_at: NotNull[DateTime] = None
    closes_at: NotNull[DateTime] = None
    eligible_region_codes: NotNull[Tags] = None
    eligible_org_types: NotNull[Tags] = None
    required_documents: NotNull[Tags] = None
    budget_krw: NotNull[Won] = None
    max_gov_per_project_krw: Won | None = None
    evaluation_format: NotNull[Text(16)] = None
    scoring_mode: NotNull[Text(10)] = None
    aggregation: NotNull[Text(16)] = None
    cutoff_score: NotNull[Score] = None
    panel_size: NotNull[PanelSize] = None


@router.get("", response=list[CallOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def call_list(request, filters: Query[CallFilter]):
    return call_list_for_user(user=request.user, **filters.dict())


@router.post("", response={201: CallDetailOut})
def call_post(request, payload: CallIn):
    data = {k: v for k, v in payload.dict().items() if not (k in ("aggregation", "cutoff_score") and v is None)}
    call = call_create(actor=request.user, data=data)
    return Status(201, call)


@router.get("/{call_id}", response=CallDetailOut)
def call_detail(request, call_id: Id):
    return call_get_for_user_or_raise(user=request.user, call_id=call_id)


@router.patch("/{call_id}", response=CallDetailOut)
def call_patch(request, call_id: Id, payload: CallPatch):
    call_update(actor=request.user, call_id=call_id, data=payload.dict(exclude_unset=True))
    return call_get_for_user_or_raise(user=request.user, call_id=call_id)


@router.put("/{call_id}/criteria", response=CallDetailOut)
def call_criteria_put(request, call_id: Id, payload: Body[Annotated[list[CriterionSchema], Field(max_length=100)]]):
    call_criteria_set(actor=request.user, call_id=call_id, criteria=[c.dict() for c in payload])
    return call_get_for_user_or_raise(user=request.user, call_id=call_id)


@router.post("/{call_id}/open", response=CallDetailOut)
def call_open_post(request, call_id: Id):
    call_open(actor=request.user, call_id=call_id)
    return call_get_for_user_or_raise(user=request.user, call_id=call_id)


@router.post("/{call_id}/close", response=CallDetailOut)
def call_close_post(request, call_id: Id):
    call_close(actor=request.user, call_id=call_id)
    return call_get_for_user_or_raise(user=request.user, call_id=call_id)


@router.post("/{call_id}/cancel", response=CallDetailOut)
def call_cancel_post(request, call_id: Id):
    call_cancel(actor=request.user, call_id=call_id)
    return call_get_for_user_or_raise(user=request.user, call_id=call_id)
