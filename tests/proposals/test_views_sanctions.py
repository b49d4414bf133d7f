"""The program manager's sanctions screen: list with filters, add (audited); applicants never see it."""

import datetime as dt

import pytest

from doyak.core.models import AuditEvent
from doyak.proposals.models import Sanction

pytestmark = pytest.mark.django_db


@pytest.fixture
def sanctioned(make_organization, make_researcher):
    org = make_organization(name="(주)제재기업")
    researcher = make_researcher(organization=make_organization(name="한빛대학교", org_type="university"), name="최연구")
    Sanction.objects.create(organization=org, kind="sanction", date=dt.date(2025, 3, 2), note="연구비 유용")
    Sanction.objects.create(researcher=researcher, kind="unpaid_surcharge", date=None)
    return org, researcher


def test_pm_lists_and_filters_sanctions(client, make_user, sanctioned):
    org, researcher = sanctioned
    client.force_login(make_user(role="program_manager"))
    everything = client.get("/proposals/sanctions/").content.decode()
    assert "(주)제재기업" in everything and "최연구" in everything
    by_kind = client.get("/proposals/sanctions/?kind=unpaid_surcharge").content.decode()
    assert "최연구" in by_kind and "(주)제재기업" not in by_kind
    by_subject = client.get("/proposals/sanctions/?subject=organization").content.decode()
    assert "(주)제재기업" in by_subject and "최연구" not in by_subject
    by_number = client.get(f"/proposals/sanctions/?q={researcher.national_researcher_number}").content.decode()
    assert "최연구" in by_number and "(주)제재기업" not in by_number
    by_name = client.get("/proposals/sanctions/?q=제재").content.decode()
    assert "(주)제재기업" in by_name and "최연구" not in by_name


def test_pm_records_sanction_with_audit(client, make_user, make_organization):
    pm = make_user(role="program_manager")
    org = make_organization(name="(주)포기기업")
    client.force_login(pm)
    response = client.post("/proposals/sanctions/", {
        "kind": "abandonment", "business_registration_number": org.brn_display, "date": "2026-05-04",
        "note": "중도 포기"})
    assert response.status_code == 302 and response["Location"] == "/proposals/sanctions/"
    sanction = Sanction.objects.get()
    assert (sanction.organization_id, sanction.researcher_id, sanction.kind, sanction.date, sanction.note) == (
        org.pk, None, "abandonment", dt.date(2026, 5, 4), "중도 포기")
    event = AuditEvent.objects.get(action="sanction.record")
    assert event.actor_id == pm.pk and event.object_id == str(sanction.pk)


def test_pm_record_refused_without_subject_or_with_both(client, make_user, make_organization, make_researcher):
    org = make_organization()
    researcher = make_researcher(organization=org)
    client.force_login(make_user(role="program_manager"))
    neither = client.post("/proposals/sanctions/", {"kind": "sanction", "date": "2026-05-04"})
    both = client.post("/proposals/sanctions/", {
        "kind": "sanction", "date": "2026-05-04", "business_registration_number": org.business_registration_number,
        "national_researcher_number": researcher.national_researcher_number})
    unknown = client.post("/proposals/sanctions/", {"kind": "sanction", "date": "2026-05-04",
                                                    "national_researcher_number": "99999999"})
    assert (neither.status_code, both.status_code, unknown.status_code) == (422, 422, 422)
    assert "이 국가연구자번호의 연구자가 없습니다." in unknown.content.decode()
    assert Sanction.objects.count() == 0 and not AuditEvent.objects.filter(action="sanction.record").exists()


def test_applicant_gets_403_and_nothing_changes(client, make_user, make_organization, sanctioned):
    org, _researcher = sanctioned
    applicant = make_user(role="applicant", organization=make_organization())
    client.force_login(applicant)
    before = list(Sanction.objects.order_by("pk").values_list("pk", "kind", "date", "note"))
    assert client.get("/proposals/sanctions/").status_code == 403
    response = client.post("/proposals/sanctions/", {
        "kind": "sanction", "business_registration_number": org.business_registration_number, "date": "2026-05-04"})
    assert response.status_code == 403
    assert list(Sanction.objects.order_by("pk").values_list("pk", "kind", "date", "note")) == before
    assert not AuditEvent.objects.filter(action="sanction.record").exists()
    assert "/proposals/sanctions/" not in client.get("/proposals/").content.decode()


def test_pm_list_links_to_sanctions(client, make_user):
    client.force_login(make_user(role="program_manager"))
    assert 'href="/proposals/sanctions/"' in client.get("/proposals/").content.decode()


def test_sanction_screen_needs_login(client):
    response = client.get("/proposals/sanctions/")
    assert response.status_code == 302 and "/login" in response["Location"]
