import pytest

from doyak.core.audit import changed_fields
from doyak.core.models import AuditEvent
from doyak.organizations.services import organization_update

pytestmark = pytest.mark.django_db


def test_changed_fields_only_differences():
    assert changed_fields({"a": 1, "b": 2}, {"a": 1, "b": 3}) == {"b": [2, 3]}


def test_organization_update_records_audit_event(make_organization, make_user):
    # given an applicant member of an organisation
    org = make_organization(name="(주)가람소재")
    user = make_user(role="applicant", organization=org)
    # when they rename it
    organization_update(actor=user, organization_id=org.pk, data={"name": "(주)가람첨단소재", "corporate_group": ""})
    # then one event names the actor, the object and only the changed field
    event = AuditEvent.objects.get()
    assert (event.actor_id, event.action, event.object_type, event.object_id) == (
        user.pk, "organization.update", "organizations.organization", str(org.pk))
    assert event.changes == {"name": ["(주)가람소재", "(주)가람첨단소재"]}


def test_audit_event_cannot_be_changed_or_deleted(make_organization, make_user):
    org = make_organization()
    user = make_user(role="administrator")
    organization_update(actor=user, organization_id=org.pk, data={"name": "새 이름"})
    event = AuditEvent.objects.get()
    event.action = "tampered"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.update(action="tampered")
    assert AuditEvent.objects.get().action == "organization.update"
