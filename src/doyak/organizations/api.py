
from decimal import Decimal

from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

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
    q: str = ""
    org_type: str = ""
    region_group: str = Field("", description="capital, non_capital, dongnam, daegyeong, jungbu, honam, gangwon, jeonbuk, jeju")
    region_code: str = ""
    demand_anchor: bool | None = None


class OrganizationPatch(Schema):
    name: str | None = None
    name_en: str | None = None
    corporate_group: str | None = None
    org_type: str | None = None
    region: int | None = None
    is_demand_anchor: bool | None = None
    indirect_cost_rate: Decimal | None = None
    self_settlement_eligible: bool | None = None


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
    q: str = ""
    career_stage: str = ""
    organization_id: int | None = None


@router.get("/regions", response=list[RegionOut], auth=None)
def region_list(request):
    return list(region_list_valid_on())


@router.get("/organizations", response=list[OrganizationOut])
@paginate(PageNumberPagination, page_size=50)
def organization_list(request, filters: Query[OrganizationFilter]):
    return organization_list_for_user(user=request.user, **filters.dict())


@router.get("/organizations/{organization_id}", response=OrganizationOut)
def organization_detail(request, organization_id: int):
    return organization_get_for_user_or_raise(user=request.user, organization_id=organization_id)


@router.patch("/organizations/{organization_id}", response=OrganizationOut)
def organization_patch(request, organization_id: int, payload: OrganizationPatch):
    organization_update(actor=request.user, organization_id=organization_id, data=payload.dict(exclude_unset=True))
    return organization_get_for_user_or_raise(user=request.user, organization_id=organization_id)


@router.get("/researchers", response=list[ResearcherOut])
@paginate(PageNumberPagination, page_size=50)
def researcher_list(request, filters: Query[ResearcherFilter]):
    return researcher_list_for_user(user=request.user, **filters.dict())
