"""Registering, proving and verifying M.AX assets. Every write is atomic and audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from doyak.accounts.rules import Actor
from doyak.core.audit import audit_record
from doyak.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from doyak.core.files import evidence_content_type
from doyak.core.labels import audit_actions_register
from doyak.organizations.models import Organization
from doyak.policies.services import policy_value
from doyak.proposals.enums import ProposalStatus
from doyak.proposals.models import Proposal
from doyak.regions.models import Region

from .enums import VERIFICATION_TRANSITIONS, AdoptionLevel, AssetKind
from .models import Asset, AssetEvidence, AssetProject
from .rules import can_add_evidence, can_register_asset, can_verify_asset

AUDIT_ACTIONS = audit_actions_register({
    "max.asset_register": gettext_lazy("M.AX asset registered"),
    "max.asset_evidence_add": gettext_lazy("Evidence added to an M.AX asset"),
    "max.asset_verify": gettext_lazy("M.AX asset verified"),
    "max.asset_reject": gettext_lazy("M.AX asset rejected"),
})

# Proposals an asset may come from: those past submission that were not turned down or withdrawn.
_LINKABLE = (ProposalStatus.SUBMITTED, ProposalStatus.UNDER_REVIEW, ProposalStatus.EVALUATED, ProposalStatus.SELECTED)


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text or "")).strip().casefold()


def asset_dedup_key(*, kind: str, organization: Organization, name: str, robot: str = "",
                    start_date: dt.date | None = None) -> str:
    """What makes two registrations one thing: a factory is its company and site; a lead model its name; a
    demonstration its site, robot and start; a chip milestone its name within the institution."""
    if kind == AssetKind.AI_FACTORY:
        parts = [organization.business_registration_number, _normal(name)]
    elif kind == AssetKind.LEAD_MODEL:
        parts = [_normal(name)]
    elif kind == AssetKind.HUMANOID_DEMO:
        parts = [_normal(name), _normal(robot), start_date.isoformat() if start_date else ""]
    else:
        parts = [organization.business_registration_number, _normal(name)]
    return "|".join(parts)[:300]


def _linkable_projects_or_raise(*, organization_id: int, proposal_ids: Sequence[int]) -> list[Proposal]:
    ids = sorted(set(proposal_ids))
    if not ids:
        raise ValidationFailed(_("Link the asset to at least one project."), code="asset_projects_required",
                               field="proposal_ids")
    projects = list(Proposal.objects.filter(pk__in=ids, status__in=_LINKABLE).filter(
        Q(lead_organization_id=organization_id) | Q(members__organization_id=organization_id)).distinct())
    if len(projects) != len(ids):
        raise ValidationFailed(_("Link only submitted or selected projects your institution takes part in."),
                               code="asset_project_invalid", field="proposal_ids")
    return projects


def _kind_fields_or_raise(*, kind: str, industry: str, adoption_level: str, robot: str, task: str,
                          start_date: dt.date | None, end_date: dt.date | None) -> None:
    if kind not in AssetKind.values:
        raise ValidationFailed(_("Choose the kind of asset."), code="asset_kind_invalid", field="kind")
    if kind == AssetKind.AI_FACTORY:
        if not industry.strip():
            raise ValidationFailed(_("Name the factory's industry."), code="asset_industry_required", field="industry")
        if adoption_level not in AdoptionLevel.values:
            raise ValidationFailed(_("Choose the factory's level of AI adoption."), code="asset_adoption_required",
                                   field="adoption_level")
    elif adoption_level:
        raise ValidationFailed(_("Only an AI factory has a level of adoption."), code="asset_adoption_invalid",
                               field="adoption_level")
    if kind == AssetKind.HUMANOID_DEMO:
        if not robot.strip() or not task.strip() or start_date is None:
            raise ValidationFailed(_("A demonstration names its robot, its task and its start date."),
                                   code="asset_demo_incomplete", field="robot")
    if start_date and end_date and end_date < start_date:
        raise ValidationFailed(_("The period ends before it starts."), code="asset_period_invalid", field="end_date")


@transaction.atomic
def asset_register(
    *, actor: Actor, kind: str, organization_id: int, name: str, region_code: str, planned_date: dt.date,
    proposal_ids: Sequence[int], industry: str = "", adoption_level: str = "", partner_ids: Sequence[int] = (),
    robot: str = "", task: str = "", start_date: dt.date | None = None, end_date: dt.date | None = None,
    achieved_date: dt.date | None = None,
) -> Asset:
    """An institution registers an asset it built (awaiting verification; not counted until verified)."""
    if not can_register_asset(actor, organization_id):
        raise AccessDenied(_("Only an applicant of the institution registers its assets."), code="asset_forbidden")
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        raise NotFound(_("Unknown institution."), code="organization_not_found", field="organization_id")
    if not name.strip():
        raise ValidationFailed(_("Name the asset."), code="asset_name_required", field="name")
    _kind_fields_or_raise(kind=kind, industry=industry, adoption_level=adoption_level, robot=robot, task=task,
                          start_date=start_date, end_date=end_date)
    if achieved_date and achieved_date > timezone.localdate():
        raise ValidationFailed(_("An achievement date cannot be in the future; give it as the planned date."),
                               code="asset_achieved_future", field="achieved_date")
    today = timezone.localdate()
    region = (Region.objects.filter(code=region_code, valid_from__lte=today)
              .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today)).first())
    if region is None:
        raise ValidationFailed(pgettext("max asset", "Choose a region."), code="asset_region_invalid", field="region_code")
    projects = _linkable_projects_or_raise(organization_id=organization_id, proposal_ids=proposal_ids)
    partners = list(Organization.objects.filter(pk__in=set(partner_ids)).exclude(pk=organization_id))
    if len(partners) != len(set(partner_ids) - {organization_id}):
        raise ValidationFailed(_("Unknown partner institution."), code="asset_partner_invalid", field="partner_ids")
    asset = Asset(kind=kind, organization=organization, name=name.strip()[:200], region=region,
                  industry=industry.strip()[:100], adoption_level=adoption_level, robot=robot.strip()[:200],
                  task=task.strip()[:200], start_date=start_date, end_date=end_date, planned_date=planned_date,
                  achieved_date=achieved_date, created_by=actor if getattr(actor, "pk", None) else None,
                  dedup_key=asset_dedup_key(kind=kind, organization=organization, name=name, robot=robot,
                                            start_date=start_date))
    try:
        with transaction.atomic():
            asset.save()
    except IntegrityError as exc:
        raise Conflict(_("This asset is already registered."), code="asset_duplicate") from exc
    AssetProject.objects.bulk_create([AssetProject(asset=asset, proposal=p) for p in projects])
    asset.partners.set(partners)
    audit_record(actor=actor, action="max.asset_register", obj=asset, changes={
        "kind": kind, "name": asset.name, "region": region.code, "projects": [p.pk for p in projects],
        "partners": [p.pk for p in partners], "planned_date": planned_date, "achieved_date": achieved_date})
    return asset


def _asset_for_update_or_raise(asset_id: int) -> Asset:
    asset = Asset.objects.select_for_update().filter(pk=asset_id).first()
    if asset is None:
        raise NotFound(_("Asset not found."), code="asset_not_found")
    return asset


@transaction.atomic
def asset_evidence_add(*, actor: Actor, asset_id: int, name: str, content: bytes) -> AssetEvidence:
    """A PDF, JPEG or PNG proving the asset, up to the policy's size, while it awaits verification."""
    asset = _asset_for_update_or_raise(asset_id)
    if not can_add_evidence(actor, asset):
        raise AccessDenied(_("You may not add evidence to this asset."), code="asset_evidence_forbidden")
    kind = evidence_content_type(name=name, content=content)
    if kind is None:
        raise ValidationFailed(pgettext("max asset", "Evidence must be a PDF, JPEG or PNG file."), code="evidence_type", field="file")
    limit = policy_value("max.evidence_max_bytes")
    if len(content) > limit:
        raise ValidationFailed(_("The file is larger than %(n)s bytes.") % {"n": limit}, code="evidence_too_large",
                               field="file")
    digest = hashlib.sha256(content).hexdigest()
    item = AssetEvidence(asset=asset, original_name=name[-255:], content_type=kind, size=len(content), sha256=digest,
                         uploaded_by=actor if getattr(actor, "pk", None) else None)
    item.file.save(f"{digest[:24]}{item.extension}", ContentFile(content), save=False)
    item.save()
    audit_record(actor=actor, action="max.asset_evidence_add", obj=asset,
                 changes={"file": item.original_name, "size": item.size, "sha256": digest})
    return item


@transaction.atomic
def asset_verify(*, actor: Actor, asset_id: int, accept: bool, note: str = "",
                 achieved_date: dt.date | None = None) -> Asset:
    """The program manager verifies an asset against its evidence (then it counts) or rejects it with a note."""
    asset = _asset_for_update_or_raise(asset_id)
    if not can_verify_asset(actor, asset):
        if not can_verify_asset(actor):
            raise AccessDenied(_("Only the ministry side verifies assets."), code="asset_verify_forbidden")
        raise Conflict(_("This asset was already decided."), code="asset_already_decided")
    action = "verify" if accept else "reject"
    if accept:
        if not asset.evidence.exists():
            raise ValidationFailed(_("An asset is verified against its evidence: none was uploaded."),
                                   code="asset_evidence_missing", field="evidence")
        asset.achieved_date = achieved_date or asset.achieved_date
        if asset.achieved_date is None or asset.achieved_date > timezone.localdate():
            raise ValidationFailed(_("Give the date the asset was achieved (today or earlier)."),
                                   code="asset_achieved_required", field="achieved_date")
    elif not note.strip():
        raise ValidationFailed(_("Say why the asset is rejected."), code="asset_reject_note_required", field="note")
    before = asset.status
    asset.status = VERIFICATION_TRANSITIONS[(asset.status, action)]
    asset.verified_by = actor if getattr(actor, "pk", None) else None
    asset.verified_at = timezone.now()
    asset.verification_note = note.strip()
    asset.save(update_fields=["status", "verified_by", "verified_at", "verification_note", "achieved_date",
                              "updated_at"])
    audit_record(actor=actor, action=f"max.asset_{action}", obj=asset, changes={
        "status": [before, asset.status], "note": asset.verification_note, "achieved_date": asset.achieved_date})
    return asset
