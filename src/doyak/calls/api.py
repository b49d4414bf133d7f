"""Calls API: list and read for everyone signed in; build, open and close for program managers."""


import datetime as dt
from decimal import Decimal

from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from .selectors import call_get_for_user_or_raise, call_list_for_user, call_open_problems
from .services import call_cancel, call_close, call_create, call_criteria_set, call_open, call_update

router = Router(tags=["calls"])


class CriterionSchema(Schema):
    kind: str
    name_ko: str = ""
    name_en: str = ""
    weight: Decimal
    scale_max: int = 100


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
    q: str = ""
    status: str = ""
    track: str = ""
    program_id: int | None = None
    accepting: bool | None = None


class CallIn(Schema):
    program: int
    sub_program: int | None = None
    reference: str
    track: str = "general"
    title_ko: str
    title_en: str = ""
    description: str = ""
    opens_at: dt.datetime
    closes_at: dt.datetime
    eligible_region_codes: list[str] = []
    eligible_org_types: list[str] = []
    required_documents: list[str] = []
    budget_krw: int = 0
    max_gov_per_project_krw: int | None = None
    evaluation_format: str = "written"
    scoring_mode: str = "absolute"
    aggregation: str | None = None  # None: the policy's default (evaluation.drop_highest_lowest_default)
    cutoff_score: Decimal | None = None  # None: the policy's default (evaluation.cutoff_score_default)
    panel_size: int = 5


class CallPatch(Schema):
    sub_program: int | None = None
    reference: str | None = None
    track: str | None = None
    title_ko: str | None = None
    title_en: str | None = None
    description: str | None = None
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    eligible_region_codes: list[str] | None = None
    eligible_org_types: list[str] | None = None
    required_documents: list[str] | None = None
    budget_krw: int | None = None
    max_gov_per_project_krw: int | None = None
    evaluation_format: str | None = None
    scoring_mode: str | None = None
    aggregation: str | None = None
    cutoff_score: Decimal | None = None
    panel_size: int | None = None


@router.get("", response=list[CallOut])
@paginate(PageNumberPagination, page_size=50)
def call_list(request, filters: Query[CallFilter]):
    return call_list_for_user(user=request.user, **filters.dict())


@router.post("", response={201: CallDetailOut})
def call_post(request, payload: CallIn):
    data = {k: v for k, v in payload.dict().items() if not (k in ("aggregation", "cutoff_score") and v is None)}
    call = call_create(actor=request.user, data=data)
    return Status(201, call)


@router.get("/{call_id}", response=CallDetailOut)
def call_detail(request, call_id: int):
    return call_get_for_user_or_raise(user=request.user, call_id=call_id)


@router.patch("/{call_id}", response=CallDetailOut)
def call_patch(request, call_id: int, payload: CallPatch):
    call_update(actor=request.user, call_id=call_id, data=payload.dict(exclude_unset=True))
    return call_get_for_user_or_raise(user=request.user, call_id=call_id)


@router.put("/{call_id}/criteria", response=CallDetailOut)
def call_criteria_put(request, call_id: int, payload: list[CriterionSchema]):
    call_criteria_set(actor=request.user, call_id=call_id, criteria=[c.dict() for c in payload])
    return call_get_for_user_or_raise(user=request.user, call_id=call_id)


@router.post("/{call_id}/open", response=CallDetailOut)
def call_open_post(request, call_id: int):
    call_open(actor=request.user, call_id=call_id)
    return call_get_for_user_or_raise(user=request.user, call_id=call_id)


@router.post("/{call_id}/close", response=CallDetailOut)
def call_close_post(request, call_id: int):
    call_close(actor=request.user, call_id=call_id)
    return call_get_for_user_or_raise(user=request.user, call_id=call_id)


@router.post("/{call_id}/cancel", response=CallDetailOut)
def call_cancel_post(request, call_id: int):
    call_cancel(actor=request.user, call_id=call_id)
    return call_get_for_user_or_raise(user=request.user, call_id=call_id)
