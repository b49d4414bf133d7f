"""The regulation pages and the API contract of issue 11: ``GET /api/v1/regulation/tasks`` (paginated; ``id``,
``title``, ``status``) and ``GET /api/v1/regulation/dependencies?status=`` (``project``, ``route``,
``granted_on``, ``expires_on``, ``next_milestone_on``, ``status``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


class _Api:
    def __init__(self, user):
        from django.test import Client

        self.client = Client()
        self.client.force_login(user)

    def get(self, url):
        return self.client.get(url)

    def post(self, url, data, format="json"):  # noqa: A002 - reads like DRF's test client
        import json

        return self.client.post(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def api_client():
    return _Api


@pytest.fixture
def four(dependency, liaison):
    """One dependency in each status as of today."""
    from doyak.regulation.services import dependency_record

    today = timezone.localdate()
    on_track = dependency(today=today, milestone_days=200)
    at_risk = dependency(today=today, milestone_days=30)
    blocked = dependency(today=today, milestone_days=-1)
    expiring = dependency(today=today)
    dependency_record(actor=liaison, dependency_id=expiring.pk, today=today, data={
        "granted_on": today - dt.timedelta(days=600), "expires_on": today + dt.timedelta(days=20)})
    return {"on_track": on_track, "at_risk": at_risk, "blocked": blocked, "expiring": expiring}


def test_api_tasks_contract(api_client, make_user, pm):
    from doyak.regulation.services import task_create

    for n in range(3):
        task_create(actor=pm, data={"code": f"RT-{n}", "title": f"과제 {n}", "industry": "i", "ministry": "m",
                                    "law": "l", "change_kind": "notice"})
    client = api_client(make_user(role="council_member"))
    body = client.get("/api/v1/regulation/tasks?page_size=2").json()
    assert body["count"] == 3
    assert [(i["title"], i["status"]) for i in body["items"]] == [("과제 0", "identified"), ("과제 1", "identified")]
    assert {"id", "title", "status"} <= set(body["items"][0])
    assert client.get("/api/v1/regulation/tasks?status=nope").status_code == 422
    assert api_client(make_user(role="evaluator")).get("/api/v1/regulation/tasks").status_code == 403


def test_api_dependencies_filtered_by_status(api_client, liaison, four):
    client = api_client(liaison)
    for status, dep in four.items():
        items = client.get(f"/api/v1/regulation/dependencies?status={status}").json()["items"]
        assert [(i["id"], i["status"]) for i in items] == [(dep.pk, status)]
    item = client.get("/api/v1/regulation/dependencies?status=at_risk").json()["items"][0]
    assert item["project"] == {"id": four["at_risk"].proposal_id, "reference": four["at_risk"].proposal.reference,
                               "title": four["at_risk"].proposal.title}
    assert (item["route"], item["granted_on"], item["expires_on"], item["next_milestone_on"]) == (
        "demonstration_exemption", None, None, (timezone.localdate() + dt.timedelta(days=30)).isoformat())
    assert client.get("/api/v1/regulation/dependencies?status=late").status_code == 422


def test_api_dependencies_of_an_applicant_are_their_own(api_client, make_user, four):
    dep = four["at_risk"]
    own = make_user(role="applicant", organization=dep.proposal.lead_organization)
    items = api_client(own).get("/api/v1/regulation/dependencies").json()["items"]
    assert [i["id"] for i in items] == [dep.pk]
    assert api_client(own).get(f"/api/v1/regulation/dependencies/{four['blocked'].pk}").status_code == 404


def test_api_record_turns_an_at_risk_dependency_on_track(api_client, liaison, four, make_user):
    dep = four["at_risk"]
    url = f"/api/v1/regulation/dependencies/{dep.pk}/record"
    refused = api_client(make_user(role="council_member")).post(url, {"granted_on": str(timezone.localdate())},
                                                                format="json")
    assert refused.status_code == 403
    dep.refresh_from_db()
    assert dep.granted_on is None
    body = api_client(liaison).post(url, {"granted_on": str(timezone.localdate())}, format="json").json()
    assert (body["status"], body["granted_on"]) == ("on_track", str(timezone.localdate()))


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_pages_show_labels_in_the_language(client, liaison, four, lang):
    client.force_login(liaison)
    client.cookies["django_language"] = lang
    workspace = client.get("/regulation/workspace/").content.decode()
    assert ("위험" if lang == "ko" else "At risk") in workspace and "at_risk</" not in workspace
    page = client.get(f"/regulation/dependencies/{four['expiring'].pk}/").content.decode()
    assert ("만료 임박" if lang == "ko" else "Expiring") in page
    assert 'data-testid="timeline"' in page
    import re

    ids = re.findall(r' id="(id_[^"]+)"', page)  # four forms on one page: every control has its own id
    assert len(ids) == len(set(ids))
    for url in ("/regulation/", "/regulation/dependencies/", "/regulation/progress/", "/regulation/calendar/"):
        assert client.get(url).status_code == 200


def test_home_shows_the_open_alerts_to_the_pm_and_the_institution(client, four, pm, make_user):
    from doyak.accounts.rules import SYSTEM
    from doyak.regulation.services import regulation_daily

    regulation_daily(actor=SYSTEM)
    client.force_login(pm)
    page = client.get("/").content.decode()
    assert "규제 경보" in page and "위험 1 · 차단 1 · 만료 임박 1" in page
    own = make_user(role="applicant", organization=four["blocked"].proposal.lead_organization)
    client.force_login(own)
    page = client.get("/").content.decode()
    assert "규제 경보" in page and four["blocked"].proposal.reference in page
    assert four["at_risk"].proposal.reference not in page
    client.force_login(make_user(role="applicant"))
    assert "규제 경보" not in client.get("/").content.decode()


def test_agreement_page_links_its_regulatory_agreement_and_the_pm_records_it(client, chain, make_call):
    from doyak.agreements.models import Agreement
    from doyak.proposals.models import RegulationDependency

    call = make_call(track="regulation_free")
    proposal = chain.submitted(call, gov=100_000_000)
    RegulationDependency.objects.create(proposal=proposal, regulation="전파법 시행령")
    chain.selected(call, [proposal])
    agreement = Agreement.objects.get(proposal=proposal)
    client.force_login(chain.pm)
    assert f"/regulation/agreements/{agreement.pk}/" in client.get(f"/agreements/{agreement.pk}/").content.decode()
    response = client.post(f"/regulation/agreements/{agreement.pk}/", {
        "number": "RA-9", "ministry": "과학기술정보통신부", "signed_on": "2026-12-01", "terms": "실증 협력"})
    assert response.status_code == 302
    assert agreement.regulatory_agreement.number == "RA-9"
