from __future__ import annotations

import datetime as dt

import pytest

from doyak.core.errors import AccessDenied, Conflict, ValidationFailed
from doyak.core.models import AuditEvent
from doyak.max.models import Asset
from doyak.max.services import asset_evidence_add, asset_register, asset_verify


@pytest.mark.django_db
def test_asset_register_then_verify_counts_it_and_audits_each_step(track_agreement, register_asset):
    a = track_agreement()
    asset = register_asset([a], verified=False)
    assert asset.status == "registered"
    verified = asset_verify(actor=register_asset.pm, asset_id=asset.pk, accept=True, achieved_date=dt.date(2026, 2, 1))
    assert (verified.status, verified.achieved_date, verified.verified_by) == ("verified", dt.date(2026, 2, 1),
                                                                               register_asset.pm)
    actions = list(AuditEvent.objects.filter(object_type__icontains="asset", object_id=str(asset.pk))
                   .order_by("seq").values_list("action", flat=True))
    assert actions == ["max.asset_register", "max.asset_evidence_add", "max.asset_verify"]


@pytest.mark.django_db
def test_asset_verify_without_evidence_is_refused(track_agreement, make_user):
    a = track_agreement()
    org = a.proposal.lead_organization
    user = make_user(role="applicant", organization=org)
    asset = asset_register(actor=user, kind="lead_model", organization_id=org.pk, name="용접 AI 모델",
                           region_code="26", planned_date=dt.date(2026, 6, 1), proposal_ids=[a.proposal_id])
    with pytest.raises(ValidationFailed) as exc:
        asset_verify(actor=make_user(role="program_manager"), asset_id=asset.pk, accept=True,
                     achieved_date=dt.date(2026, 6, 1))
    assert exc.value.code == "asset_evidence_missing"
    asset.refresh_from_db()
    assert asset.status == "registered"


@pytest.mark.django_db
def test_asset_verify_by_the_institution_is_refused_and_changes_nothing(track_agreement, register_asset):
    a = track_agreement()
    asset = register_asset([a], verified=False)
    from doyak.accounts.models import User

    own = User.objects.get(organization=a.proposal.lead_organization, role="applicant")
    events = AuditEvent.objects.count()
    with pytest.raises(AccessDenied):
        asset_verify(actor=own, asset_id=asset.pk, accept=True, achieved_date=dt.date(2026, 3, 1))
    asset.refresh_from_db()
    assert asset.status == "registered" and AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_asset_register_twice_is_a_conflict_and_another_institution_may_not(track_agreement, register_asset,
                                                                            make_user, make_organization):
    a = track_agreement()
    register_asset([a], name="울산 1공장")
    with pytest.raises(Conflict):
        register_asset([a], name="  울산   1공장 ")
    stranger = make_user(role="applicant", organization=make_organization())
    with pytest.raises(AccessDenied):
        asset_register(actor=stranger, kind="ai_factory", organization_id=a.proposal.lead_organization_id,
                       name="x", region_code="26", planned_date=dt.date(2026, 1, 1), proposal_ids=[a.proposal_id],
                       industry="x", adoption_level="basic")
    assert Asset.objects.count() == 1


@pytest.mark.django_db
def test_asset_register_refuses_a_project_of_another_institution(track_agreement, make_user):
    mine, theirs = track_agreement(), track_agreement()
    org = mine.proposal.lead_organization
    with pytest.raises(ValidationFailed) as exc:
        asset_register(actor=make_user(role="applicant", organization=org), kind="chip_milestone",
                       organization_id=org.pk, name="NPU 테이프아웃", region_code="26",
                       planned_date=dt.date(2026, 9, 1), proposal_ids=[mine.proposal_id, theirs.proposal_id])
    assert exc.value.code == "asset_project_invalid"


@pytest.mark.django_db
def test_asset_evidence_must_be_pdf_jpeg_or_png(track_agreement, register_asset):
    a = track_agreement()
    asset = register_asset([a], verified=False)
    from doyak.accounts.models import User

    own = User.objects.get(organization=a.proposal.lead_organization, role="applicant")
    with pytest.raises(ValidationFailed) as exc:
        asset_evidence_add(actor=own, asset_id=asset.pk, name="x.exe", content=b"MZ\x90\x00")
    assert exc.value.code == "evidence_type"
    assert asset.evidence.count() == 1
