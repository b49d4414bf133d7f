"""REST API of the M.AX asset registry, mounted at /api/v1/max."""


import datetime as dt
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import Field

from doyak.core.errors import AccessDenied
from doyak.core.inputs import Date, Id, LongText, Text
from doyak.core.pagination import BoundedPageNumberPagination

from .enums import AssetKind, AssetStatus
from .rules import can_register_any_asset
from .selectors import asset_get_for_user_or_raise, asset_list_for_user
from .services import asset_register, asset_verify

router = Router(tags=["max"])


class AssetOut(Schema):
    id: int
    kind: str
    name: str
    organization_id: int
    region_code: str
    region_group: str
    industry: str
    adoption_level: str
    robot: str
    task: str
    start_date: dt.date | None
    end_date: dt.date | None
    planned_date: dt.date
    achieved_date: dt.date | None
    status: str
    verified_at: dt.datetime | None
    project_ids: list[int]
    partner_ids: list[int]

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region.code

    @staticmethod
    def resolve_region_group(obj) -> str:
        return obj.region.group

    @staticmethod
    def resolve_project_ids(obj) -> list[int]:
        return sorted(link.proposal_id for link in obj.project_links.all())

    @staticmethod
    def resolve_partner_ids(obj) -> list[int]:
        return sorted(p.pk for p in obj.partners.all())


class AssetIn(Schema):
    kind: Text(16)
    name: Text(200)
    region_code: Text(2)
    planned_date: Date
    proposal_ids: Annotated[list[Id], Field(min_length=1, max_length=50)]
    industry: Text(100) = ""
    adoption_level: Text(16) = ""
    partner_ids: Annotated[list[Id], Field(max_length=50)] = []
    robot: Text(200) = ""
    task: Text(200) = ""
    start_date: Date | None = None
    end_date: Date | None = None
    achieved_date: Date | None = None


class VerificationIn(Schema):
    accept: bool
    note: LongText = ""
    achieved_date: Date | None = None


@router.get("/assets", response=list[AssetOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def asset_list(request, kind: Text(16) = "", status: Text(12) = ""):
    """Verified assets for everyone signed in; the rest for their institution and the ministry's readers."""
    kind = kind if kind in AssetKind.values else ""
    status = status if status in AssetStatus.values else ""
    return (asset_list_for_user(user=request.user, kind=kind, status=status)
            .prefetch_related("project_links", "partners"))


@router.get("/assets/{asset_id}", response=AssetOut)
def asset_detail(request, asset_id: Id):
    return asset_get_for_user_or_raise(user=request.user, asset_id=asset_id)


@router.post("/assets", response={201: AssetOut})
def asset_create(request, payload: AssetIn):
    """Register an asset of the caller's institution (an applicant's); it awaits verification."""
    if not can_register_any_asset(request.user):
        raise AccessDenied(_("Only an institution's applicants register its assets."), code="asset_forbidden")
    asset = asset_register(actor=request.user, organization_id=request.user.organization_id, **payload.dict())
    return 201, asset_get_for_user_or_raise(user=request.user, asset_id=asset.pk)


@router.post("/assets/{asset_id}/verification", response=AssetOut)
def asset_verification(request, asset_id: Id, payload: VerificationIn):
    asset_get_for_user_or_raise(user=request.user, asset_id=asset_id)
    asset_verify(actor=request.user, asset_id=asset_id, accept=payload.accept, note=payload.note,
                 achieved_date=payload.achieved_date)
    return asset_get_for_user_or_raise(user=request.user, asset_id=asset_id)
