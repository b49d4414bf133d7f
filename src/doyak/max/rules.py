"""Who may do what with M.AX assets, composed of the shared predicates (doyak.accounts.rules).

An institution's applicants register its assets and add evidence while the asset awaits verification; the
ministry side verifies or rejects. A verified asset is a public record of the plan's progress: every signed-in
user reads it. One awaiting verification or rejected is read by its institution and by those who read as the
ministry; so is every evidence file."""

from __future__ import annotations

from doyak.accounts.rules import (
    Actor,
    belongs_to,
    is_applicant_of,
    is_ministry,
    is_signed_in,
    is_system,
    reads_as_ministry,
)

from .enums import AssetStatus
from .models import Asset


def can_register_asset(user: Actor, organization_id: int | None) -> bool:
    """An applicant of the institution; or the system (seeds, an agency's bulk import)."""
    return is_applicant_of(user, organization_id) or is_system(user)


def can_register_any_asset(user: Actor) -> bool:
    return is_applicant_of(user, getattr(user, "organization_id", None))


def can_view_asset(user: Actor, asset: Asset) -> bool:
    if asset.status == AssetStatus.VERIFIED:
        return is_signed_in(user)
    return reads_as_ministry(user) or belongs_to(user, asset.organization_id)


def can_view_evidence(user: Actor, asset: Asset) -> bool:
    return reads_as_ministry(user) or belongs_to(user, asset.organization_id)


def can_add_evidence(user: Actor, asset: Asset) -> bool:
    return asset.status == AssetStatus.REGISTERED and (is_applicant_of(user, asset.organization_id) or is_system(user))


def can_verify_asset(user: Actor, asset: Asset | None = None) -> bool:
    """The ministry side (the program manager) verifies; only an asset that awaits verification."""
    return is_ministry(user) and (asset is None or asset.status == AssetStatus.REGISTERED)
