
from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from doyak.core.inputs import Id, NotNull, Number, Text
from doyak.core.pagination import BoundedPageNumberPagination
from doyak.regions.selectors import region_list_valid_on

from .selectors import (
    organization_get_for_user_or_raise,
    organization_list_for_user,
    researcher_list_for_user,
)
from .services import organization_update

router = Router(tags=["organizations"])


class RegionOut(Schema):
    id: int
    code: str
    name_ko: str
    name_en: str
    group: str


class OrganizationOut(Schema):
    id: int
    name: str
    name_en: str
    business_registration_number: str
    org_type: str
    corporate_group: str
    region: RegionOut
    is_demand_anchor: bool
    indirect_cost_rate: Decimal | None
    self_settlement_eligible: bool


class OrganizationFilter(Schema):
    q: Text(200) = ""
    org_type: Text(20) = ""
    region_group: Text(20) = Field("", description="capital, non_capital, dongnam, daegyeong, jungbu, honam, gangwon, jeonbuk, jeju")
    region_code: Text(20) = ""
    demand_anchor: bool | None = None


class OrganizationPatch(Schema):
    """Only the fields sent change; ``null`` only for the indirect cost rate (the other columns are NOT NULL)."""

    name: NotNull[Text(200, min_length=1)] = None
    name_en: NotNull[Text(200)] = None
    corporate_group: NotNull[Text(100)] = None
    org_type: NotNull[Text(20)] = None
    region: NotNull[Id] = None
    is_demand_anchor: NotNull[bool] = None
    indirect_cost_rate: Number(max_digits=5, decimal_places=2, ge=0, le=100) | None = None
    self_settlement_eligible: NotNull[bool] = None


class ResearcherOut(Schema):
    id: int
    national_researcher_number: str
    name: str
    organization_id: int
    department: str
    career_stage: str
    star_engineer_since: str | None = None
    expertise_keywords: list[str]
    technology_codes: list[str]

    @staticmethod
    def resolve_star_engineer_since(obj) -> str | None:
        return obj.star_engineer_since.isoformat() if obj.star_engineer_since else None


class ResearcherFilter(Schema):
    q: Text(200) = ""
    career_stage: Text(20) = ""
    organization_id: Id | None = None


@router.get("/regions", response=list[RegionOut], auth=None)
@paginate(BoundedPageNumberPagination, page_size=100)
def region_list(request):
    return list(region_list_valid_on())


@router.get("/organizations", response=list[OrganizationOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def organization_list(request, filters: Query[OrganizationFilter]):
    return organization_list_for_user(user=request.user, **filters.dict())


@router.get("/organizations/{organization_id}", response=OrganizationOut)
def organization_detail(request, organization_id: Id):
    return organization_get_for_user_or_raise(user=request.user, organization_id=organization_id)


@router.patch("/organizations/{organization_id}", response=OrganizationOut)
def organization_patch(request, organization_id: Id, payload: OrganizationPatch):
    organization_update(actor=request.user, organization_id=organization_id, data=payload.dict(exclude_unset=True))
    return organization_get_for_user_or_raise(user=request.user, organization_id=organization_id)


@router.get("/researchers", response=list[ResearcherOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def researcher_list(request, filters: Query[ResearcherFilter]):
    return researcher_list_for_user(user=request.user, **filters.dict())
