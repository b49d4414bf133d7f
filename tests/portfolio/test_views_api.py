"""Screens and API: council members read only; compare takes at most four scenarios."""

from __future__ import annotations

import pytest

from doyak.core.models import AuditEvent
from doyak.portfolio import services
from doyak.portfolio.models import Scenario

POLICY = {"budget": 1_000_000_000, "min_score": 70, "objective": "total_score", "constraint": []}


@pytest.fixture
def scenario(make_call, make_scored, pm):
    call = make_call(budget_krw=1_000_000_000)
    make_scored(call, gov=400_000_000, score=85, region="26")
    return services.scenario_create(actor=pm, name="기본안", call_id=call.pk, policy=POLICY)


def test_council_member_reads_but_cannot_edit_solve_or_delete(client, council, scenario):
    client.force_login(council)
    before = (Scenario.objects.values().get(pk=scenario.pk), AuditEvent.objects.count())
    # when the council member reads, then tries every write through the screens and the API
    assert client.get("/portfolio/").status_code == 200
    page = client.get(f"/portfolio/{scenario.pk}/")
    assert page.status_code == 200
    assert b'name="budget"' not in page.content  # no form
    denied = [
        client.post(f"/portfolio/{scenario.pk}/", {"name": "x", "budget": 1}).status_code,
        client.post(f"/portfolio/{scenario.pk}/solve/").status_code,
        client.post(f"/portfolio/{scenario.pk}/delete/").status_code,
        client.post(f"/portfolio/{scenario.pk}/submit/").status_code,
        client.get("/portfolio/new/").status_code,
        client.patch(f"/api/v1/portfolio/scenarios/{scenario.pk}", {"name": "x"}, content_type="application/json").status_code,
        client.post(f"/api/v1/portfolio/scenarios/{scenario.pk}/solve").status_code,
        client.delete(f"/api/v1/portfolio/scenarios/{scenario.pk}").status_code,
    ]
    # then every write is refused and nothing changed
    assert denied == [403] * 8
    assert (Scenario.objects.values().get(pk=scenario.pk), AuditEvent.objects.count()) == before
    assert client.get(f"/api/v1/portfolio/scenarios/{scenario.pk}").json()["name"] == "기본안"


def test_applicants_see_no_scenario(client, make_user, scenario):
    client.force_login(make_user(role="applicant"))
    assert client.get("/portfolio/").status_code == 403
    assert client.get("/api/v1/portfolio/scenarios").json()["code"] == "portfolio_forbidden"


def test_compare_takes_up_to_four_scenarios(client, pm, scenario):
    ids = [scenario.pk] + [services.scenario_create(actor=pm, name=f"안{i}", call_id=scenario.call_id,
                                                    policy=POLICY).pk for i in range(4)]
    client.force_login(pm)
    # when four are compared, then all four are columns
    four = client.get("/portfolio/compare/", {"ids": ids[:4]})
    assert four.status_code == 200
    assert [s.pk for s in four.context["scenarios"]] == ids[:4]
    assert client.get("/api/v1/portfolio/scenarios/compare", {"ids": ids[:4]}).status_code == 200
    # when five are asked for, then the screen sends back to the list and the API says why
    five = client.get("/portfolio/compare/", {"ids": ids})
    assert five.status_code == 302
    api = client.get("/api/v1/portfolio/scenarios/compare", {"ids": ids})
    assert (api.status_code, api.json()["code"]) == (422, "compare_too_many")


def test_pm_edits_the_policy_through_the_form(client, pm, scenario):
    client.force_login(pm)
    form = {"name": "수정안", "budget": "900000000", "min_score": "75", "objective": "total_score",
            "c-TOTAL_FORMS": "2", "c-INITIAL_FORMS": "0", "c-MIN_NUM_FORMS": "0", "c-MAX_NUM_FORMS": "40",
            "c-0-name": "비수도권", "c-0-region_group": "non_capital", "c-0-budget_share_min": "50",
            "c-1-name": ""}
    response = client.post(f"/portfolio/{scenario.pk}/", form)
    assert response.status_code == 302
    scenario.refresh_from_db()
    assert scenario.name == "수정안"
    assert scenario.policy == {"budget": 900_000_000, "objective": "total_score", "min_score": 75.0, "constraint": [
        {"name": "비수도권", "group": {"region_group": "non_capital"}, "budget_share_min": 0.5}]}


def test_api_creates_solves_and_reads_a_scenario(client, pm, scenario, django_capture_on_commit_callbacks):
    client.force_login(pm)
    created = client.post("/api/v1/portfolio/scenarios", {"name": "API안", "call_id": scenario.call_id,
                                                          "policy": POLICY}, content_type="application/json")
    assert created.status_code == 201
    new_id = created.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        solved = client.post(f"/api/v1/portfolio/scenarios/{new_id}/solve")
    assert solved.status_code == 202
    body = client.get(f"/api/v1/portfolio/scenarios/{new_id}").json()
    assert (body["status"], body["result"]["funded_count"], body["result"]["budget_used"]) == ("solved", 1, 400_000_000)
    bad = client.patch(f"/api/v1/portfolio/scenarios/{new_id}", {"policy": {"budget": -1}},
                       content_type="application/json")
    assert (bad.status_code, bad.json()["code"]) == (422, "policy_invalid")
