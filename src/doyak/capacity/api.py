"""REST API of innovation capacity, mounted at /api/v1/capacity (and the talent counts at /api/v1/talent)."""


import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from doyak.core.errors import AccessDenied
from doyak.core.inputs import Date, Id, Tags, Text, Won, Year
from doyak.core.pagination import BoundedPageNumberPagination

from . import rules
from .enums import SurveyStatus
from .selectors import (
    fund_figures_for,
    fund_get_for_user_or_raise,
    fund_list_for_user,
    graduate_school_list_for_user,
    investment_list_for_user,
    joint_lab_list_for_user,
    survey_get_for_user_or_raise,
    survey_list_for_user,
    survey_topics_for_user,
    talent_stage_counts,
)
from .services import (
    commitment_record,
    demand_state,
    exit_record,
    fund_create,
    graduate_school_register,
    investment_record,
    investor_letter_confirm,
    joint_lab_register,
    survey_open,
    topic_carry_into_call,
)

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
    return _Shaped(survey_list_for_user(user=request.user, status=status),
                   lambda rows: [_survey_out(request.user, s) for s in rows])


class _Shaped:
    """A queryset paged first, the page's rows then shaped at once (``shape``: rows → output dicts)."""

    def __init__(self, qs, shape):
        self.qs, self.shape = qs, shape

    def __len__(self) -> int:
        return self.qs.count()

    def __getitem__(self, item):
        return self.shape(list(self.qs[item]))


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


# ---------------------------------------------------------------------------------------------- the fund
class FundOut(Schema):
    id: int
    name: str
    size_krw: int
    vintage: int
    manager_id: int
    manager: str
    committed_krw: int
    invested_krw: int
    leap_invested_krw: int
    leap_share: Decimal | None = Field(description="Invested in industrial leap projects / invested (4 decimals); "
                                                   "null when nothing was invested.")
    leap_share_min: Decimal = Field(description="The policy's minimum (capacity.fund.leap_share_min).")
    meets_policy: bool | None
    invested_by_region_group: dict[str, int]


def _funds_out(funds) -> list[dict]:
    figures = fund_figures_for(funds)
    return [{"id": f.pk, "name": f.name, "size_krw": f.size_krw, "vintage": f.vintage, "manager_id": f.manager_id,
             "manager": f.manager.name, "committed_krw": figures[f.pk].committed_krw,
             "invested_krw": figures[f.pk].invested_krw, "leap_invested_krw": figures[f.pk].leap_invested_krw,
             "leap_share": figures[f.pk].leap_share, "leap_share_min": figures[f.pk].leap_share_min,
             "meets_policy": figures[f.pk].meets_policy,
             "invested_by_region_group": figures[f.pk].by_region_group} for f in funds]


def _require_fund_reader(request) -> None:
    if not rules.can_view_funds(request.user):
        raise AccessDenied(_("Only the ministry side and investors see funds."), code="fund_forbidden")


@router.get("/funds", response=list[FundOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def fund_list(request):
    """Funds with their figures: every fund for those who read as the ministry, an investor's own firm's."""
    _require_fund_reader(request)
    return _Shaped(fund_list_for_user(user=request.user), _funds_out)


@router.get("/funds/{fund_id}", response=FundOut)
def fund_detail(request, fund_id: Id):
    return _funds_out([fund_get_for_user_or_raise(user=request.user, fund_id=fund_id)])[0]


class FundIn(Schema):
    name: Text(200)
    size_krw: Won
    vintage: Year
    manager_id: Id


@router.post("/funds", response={201: FundOut})
def fund_create_api(request, payload: FundIn):
    fund = fund_create(actor=request.user, **payload.dict())
    return 201, _funds_out([fund])[0]


class CommitmentOut(Schema):
    id: int
    fund_id: int
    proposal_id: int | None
    organization_id: int
    amount_krw: int
    committed_on: dt.date
    investor_letter_id: int | None


class CommitmentIn(Schema):
    amount_krw: Won
    committed_on: Date
    proposal_id: Id | None = None
    organization_id: Id | None = None
    note: Text(500) = ""


@router.post("/funds/{fund_id}/commitments", response={201: CommitmentOut})
def commitment_create(request, fund_id: Id, payload: CommitmentIn):
    return 201, commitment_record(actor=request.user, fund_id=fund_id, **payload.dict())


class LetterConfirmIn(Schema):
    letter_id: Id
    committed_on: Date
    amount_krw: Won | None = None


@router.post("/funds/{fund_id}/letter-commitments", response={201: CommitmentOut})
def letter_confirm(request, fund_id: Id, payload: LetterConfirmIn):
    """Confirm a proposal's investor letter of intent into a commitment of the fund."""
    return 201, investor_letter_confirm(actor=request.user, fund_id=fund_id, **payload.dict())


class InvestmentOut(Schema):
    id: int
    fund_id: int
    commitment_id: int | None
    organization_id: int
    organization: str
    proposal_id: int | None
    invested_on: dt.date
    amount_krw: int
    instrument: str
    stage: str
    follows_id: int | None
    leap_project: bool
    region_group: str
    exit_kind: str | None
    exited_on: dt.date | None
    exit_proceeds_krw: int | None

    @staticmethod
    def resolve_organization(obj) -> str:
        return obj.organization.name

    @staticmethod
    def resolve_leap_project(obj) -> bool:
        return bool(obj.proposal_id and obj.proposal.call.track == "industrial_leap")

    @staticmethod
    def resolve_region_group(obj) -> str:
        return obj.organization.region.group if obj.organization.region_id else ""

    @staticmethod
    def _exit(obj):
        return getattr(obj, "exit", None) if hasattr(obj, "exit") else None

    @staticmethod
    def resolve_exit_kind(obj) -> str | None:
        e = InvestmentOut._exit(obj)
        return e.kind if e else None

    @staticmethod
    def resolve_exited_on(obj) -> dt.date | None:
        e = InvestmentOut._exit(obj)
        return e.exited_on if e else None

    @staticmethod
    def resolve_exit_proceeds_krw(obj) -> int | None:
        e = InvestmentOut._exit(obj)
        return e.proceeds_krw if e else None


@router.get("/investments", response=list[InvestmentOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def investment_list(request, fund_id: Id | None = None):
    """Investments, follow-ons and their exits, of the funds the caller may see."""
    _require_fund_reader(request)
    return investment_list_for_user(user=request.user, fund_id=fund_id)


class InvestmentIn(Schema):
    fund_id: Id
    invested_on: Date
    amount_krw: Won
    instrument: Text(12)
    stage: Text(12)
    organization_id: Id | None = None
    proposal_id: Id | None = None
    commitment_id: Id | None = None
    follows_id: Id | None = None


@router.post("/investments", response={201: InvestmentOut})
def investment_create(request, payload: InvestmentIn):
    investment = investment_record(actor=request.user, **payload.dict())
    return 201, investment_list_for_user(user=request.user).get(pk=investment.pk)


class ExitIn(Schema):
    exited_on: Date
    kind: Text(12)
    proceeds_krw: Won


@router.post("/investments/{investment_id}/exit", response={201: InvestmentOut})
def investment_exit(request, investment_id: Id, payload: ExitIn):
    exit_record(actor=request.user, investment_id=investment_id, **payload.dict())
    return 201, investment_list_for_user(user=request.user).get(pk=investment_id)


# ---------------------------------------------------------------------------------------------- talent
class StageCountOut(Schema):
    year: int
    stage: str
    people: int
    transitions: int = Field(description="Changes into the stage during the year (not a person's first record).")
    as_pi: int
    as_researcher: int
    by_region_group: dict[str, int]
    by_organization_type: dict[str, int]


@talent_router.get("/stages", response=list[StageCountOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def talent_stages(request, year_from: Year | None = None, year_to: Year | None = None):
    """People per career stage per year (postdoc → early career → … → star engineer), from the stage records;
    by default the last five years. At most twenty years at once."""
    if not rules.can_view_talent(request.user):
        raise AccessDenied(_("Only the ministry side and read-only roles see talent counts."), code="talent_forbidden")
    from django.utils import timezone

    from doyak.core.errors import ValidationFailed

    year_to = year_to or timezone.localdate().year
    year_from = year_from or year_to - 4
    if year_from > year_to or year_to - year_from >= 20:
        raise ValidationFailed(_("Give at most twenty years, the first not after the last."),
                               code="years_invalid", field="year_from")
    return [row.__dict__ for row in talent_stage_counts(years=list(range(year_from, year_to + 1)))]


# ---------------------------------------------------------------------------------------------- registries
class _RegistryOut(Schema):
    region_code: str
    region_group: str
    project_ids: list[int]

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region.code

    @staticmethod
    def resolve_region_group(obj) -> str:
        return obj.region.group

    @staticmethod
    def resolve_project_ids(obj) -> list[int]:
        return sorted(p.pk for p in obj.projects.all())


class JointLabOut(_RegistryOut):
    id: int
    name: str
    host_id: int
    host: str
    partner_ids: list[int]
    field: str
    opened_on: dt.date

    @staticmethod
    def resolve_host(obj) -> str:
        return obj.host.name

    @staticmethod
    def resolve_partner_ids(obj) -> list[int]:
        return sorted(p.pk for p in obj.partners.all())


class GraduateSchoolOut(_RegistryOut):
    id: int
    name: str
    university_id: int
    university: str
    field: str
    designation_year: int
    students: int

    @staticmethod
    def resolve_university(obj) -> str:
        return obj.university.name


def _group(value: str) -> str:
    from doyak.regions.enums import RegionGroup

    return value if value in RegionGroup.values else ""


@router.get("/joint-labs", response=list[JointLabOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def joint_lab_list(request, region_group: Text(12) = ""):
    """Industry–research joint labs (host institute, partner companies, region, field, opened, projects)."""
    return joint_lab_list_for_user(user=request.user, region_group=_group(region_group))


@router.get("/graduate-schools", response=list[GraduateSchoolOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def graduate_school_list(request, region_group: Text(12) = ""):
    """Specialised graduate schools (university, field, region, designation year, students, projects)."""
    return graduate_school_list_for_user(user=request.user, region_group=_group(region_group))


class JointLabIn(Schema):
    name: Text(200)
    host_id: Id
    region_code: Text(2)
    field: Text(100)
    opened_on: Date
    partner_ids: Annotated[list[Id], Field(min_length=1, max_length=50)]
    proposal_ids: Annotated[list[Id], Field(max_length=50)] = []


@router.post("/joint-labs", response={201: JointLabOut})
def joint_lab_create(request, payload: JointLabIn):
    lab = joint_lab_register(actor=request.user, **payload.dict())
    return 201, joint_lab_list_for_user(user=request.user).get(pk=lab.pk)


class GraduateSchoolIn(Schema):
    name: Text(200)
    university_id: Id
    field: Text(100)
    region_code: Text(2)
    designation_year: Year
    students: Annotated[int, Field(ge=0, le=100_000)] = 0
    proposal_ids: Annotated[list[Id], Field(max_length=50)] = []


@router.post("/graduate-schools", response={201: GraduateSchoolOut})
def graduate_school_create(request, payload: GraduateSchoolIn):
    school = graduate_school_register(actor=request.user, **payload.dict())
    return 201, graduate_school_list_for_user(user=request.user).get(pk=school.pk)
