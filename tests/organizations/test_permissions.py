"""An applicant cannot read or change another organisation's record, through the UI or the API."""

import json

import pytest

from doyak.core.models import AuditEvent
from doyak.organizations.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_orgs(make_organization, make_user):
    own = make_organization(name="(주)우리회사")
    other = make_organization(name="(주)남의회사", corporate_group="")
    applicant = make_user(role="applicant", organization=own)
    return own, other, applicant


def _snapshot(org):
    return Organization.objects.filter(pk=org.pk).values().get()


def test_ui_detail_other_organization_forbidden(client, two_orgs):
    own, other, applicant = two_orgs
    client.force_login(applicant)
    response = client.get(f"/organizations/{other.pk}/")
    assert response.status_code == 403
    assert "남의회사" not in response.content.decode()
    assert client.get(f"/organizations/{own.pk}/").status_code == 200


def test_ui_edit_other_organization_forbidden_changes_nothing(client, two_orgs):
    own, other, applicant = two_orgs
    before = _snapshot(other)
    client.force_login(applicant)
    response = client.post(f"/organizations/{other.pk}/edit/", {"name": "탈취", "name_en": "", "corporate_group": ""})
    assert response.status_code == 403
    assert _snapshot(other) == before
    assert AuditEvent.objects.count() == 0


def test_ui_list_shows_only_own_organization(client, two_orgs):
    own, other, applicant = two_orgs
    client.force_login(applicant)
    response = client.get("/organizations/")
    body = response.content.decode()
    assert "우리회사" in body and "남의회사" not in body


def test_ui_edit_own_organization_saves_and_audits(client, two_orgs):
    own, _other, applicant = two_orgs
    client.force_login(applicant)
    response = client.post(f"/organizations/{own.pk}/edit/", {"name": "(주)우리첨단", "name_en": "Uri", "corporate_group": ""})
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.name, own.name_en) == ("(주)우리첨단", "Uri")
    assert AuditEvent.objects.filter(action="organization.update", object_id=str(own.pk)).count() == 1


def test_api_get_other_organization_forbidden(client, two_orgs):
    _own, other, applicant = two_orgs
    client.force_login(applicant)
    response = client.get(f"/api/v1/organizations/{other.pk}")
    assert response.status_code == 403
    assert response.json()["code"] == "organization_forbidden"


def test_api_patch_other_organization_forbidden_changes_nothing(client, two_orgs):
    _own, other, applicant = two_orgs
    before = _snapshot(other)
    client.force_login(applicant)
    response = client.patch(f"/api/v1/organizations/{other.pk}", data=json.dumps({"name": "탈취"}),
                            content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "organization_forbidden"
    assert _snapshot(other) == before
    assert AuditEvent.objects.count() == 0


def test_api_list_only_own_organization(client, two_orgs):
    own, _other, applicant = two_orgs
    client.force_login(applicant)
    body = client.get("/api/v1/organizations").json()
    assert body["count"] == 1
    assert [item["id"] for item in body["items"]] == [own.pk]


def test_api_applicant_cannot_change_admin_fields(client, two_orgs):
    own, _other, applicant = two_orgs
    client.force_login(applicant)
    response = client.patch(f"/api/v1/organizations/{own.pk}", data=json.dumps({"is_demand_anchor": True}),
                            content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "field_not_editable"
    assert response.json()["field"] == "is_demand_anchor"
    own.refresh_from_db()
    assert own.is_demand_anchor is False


def test_program_manager_sees_all_organizations(client, two_orgs, make_user):
    pm = make_user(role="program_manager")
    client.force_login(pm)
    assert client.get("/api/v1/organizations").json()["count"] == 2
    _own, other, _applicant = two_orgs
    assert client.get(f"/organizations/{other.pk}/").status_code == 200


def test_council_member_cannot_change(client, two_orgs, make_user):
    _own, other, _applicant = two_orgs
    council = make_user(role="council_member")
    client.force_login(council)
    response = client.patch(f"/api/v1/organizations/{other.pk}", data=json.dumps({"name": "x"}),
                            content_type="application/json")
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.name == "(주)남의회사"
