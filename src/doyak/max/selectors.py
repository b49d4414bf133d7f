"""Reading M.AX assets: lists a user may see, one asset, its evidence, the projects it may be linked to."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from doyak.accounts.rules import Actor, is_signed_in, reads_as_ministry
from doyak.core.errors import NotFound
from doyak.proposals.models import Proposal

from .enums import AssetStatus
from .models import Asset, AssetEvidence
from .rules import can_view_asset, can_view_evidence
from .services import _LINKABLE


def asset_list_for_user(*, user: Actor, kind: str = "", status: str = "", region_group: str = "",
                        q: str = "") -> QuerySet[Asset]:
    """Verified assets for every signed-in user; the others for their institution and the ministry's readers."""
    if not is_signed_in(user):
        return Asset.objects.none()
    qs = Asset.objects.select_related("organization", "region")
    if not reads_as_ministry(user):
        qs = qs.filter(Q(status=AssetStatus.VERIFIED) | Q(organization_id=user.organization_id or 0))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if region_group:
        qs = qs.filter(region__group=region_group)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(organization__name__icontains=q))
    return qs.order_by("-created_at", "-id")


def asset_get_for_user_or_raise(*, user: Actor, asset_id: int) -> Asset:
    asset = (Asset.objects.select_related("organization", "region", "verified_by")
             .prefetch_related("partners", "project_links__proposal").filter(pk=asset_id).first())
    if asset is None or not can_view_asset(user, asset):
        raise NotFound(_("Asset not found."), code="asset_not_found")
    return asset


def evidence_get_for_user_or_raise(*, user: Actor, asset_id: int, evidence_id: int) -> AssetEvidence:
    item = AssetEvidence.objects.select_related("asset").filter(pk=evidence_id, asset_id=asset_id).first()
    if item is None or not can_view_evidence(user, item.asset):
        raise NotFound(_("Evidence not found."), code="evidence_not_found")
    return item


def linkable_projects_for_user(*, user: Actor) -> QuerySet[Proposal]:
    """The projects an applicant's institution leads or takes part in that an asset may come from."""
    org = getattr(user, "organization_id", None)
    if not org:
        return Proposal.objects.none()
    return (Proposal.objects.filter(status__in=_LINKABLE)
            .filter(Q(lead_organization_id=org) | Q(members__organization_id=org)).distinct().order_by("-id"))
