from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from doyak.max.models import Asset


@pytest.mark.django_db
def test_institution_registers_uploads_and_pm_verifies_through_the_screens(client, track_agreement, make_user):
    # given an applicant of an agreement's lead institution
    agreement = track_agreement()
    applicant = make_user(role="applicant", organization=agreement.proposal.lead_organization)
    client.force_login(applicant)
    # when they register a factory with the form and upload its evidence
    response = client.post("/max/register/", {
        "kind": "ai_factory", "name": "창원 스마트공장", "region_code": "48", "industry": "기계",
        "adoption_level": "intermediate", "planned_date": "2026-05-01", "achieved_date": "2026-05-01",
        "proposal_ids": [agreement.proposal_id]})
    asset = Asset.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/max/{asset.pk}/"
    client.post(f"/max/{asset.pk}/evidence/", {"file": SimpleUploadedFile("e.pdf", b"%PDF-1.4\nx")})
    assert asset.evidence.count() == 1
    # then the institution cannot verify it; the PM can
    assert client.post(f"/max/{asset.pk}/verify/", {"decision": "verify"}).status_code == 403
    client.force_login(make_user(role="program_manager"))
    client.post(f"/max/{asset.pk}/verify/", {"decision": "verify", "achieved_date": "2026-05-02"})
    asset.refresh_from_db()
    assert (asset.status, str(asset.achieved_date)) == ("verified", "2026-05-02")
    listing = client.get("/max/?kind=ai_factory&status=verified&group=dongnam").content.decode()
    assert "창원 스마트공장" in listing


@pytest.mark.django_db
def test_register_form_refuses_bad_input_without_a_500(client, track_agreement, make_user):
    agreement = track_agreement()
    client.force_login(make_user(role="applicant", organization=agreement.proposal.lead_organization))
    response = client.post("/max/register/", {"kind": "ai_factory", "name": "x", "region_code": "48",
                                              "planned_date": "99999-01-01", "proposal_ids": ["abc"]})
    assert response.status_code == 200 and Asset.objects.count() == 0
    response = client.post("/max/register/", {"kind": "ai_factory", "name": "x", "region_code": "48",
                                              "planned_date": "2026-01-01", "proposal_ids": [agreement.proposal_id]})
    assert response.status_code == 200 and "업종" in response.content.decode() and Asset.objects.count() == 0
