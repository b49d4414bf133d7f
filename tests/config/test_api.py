import pytest

pytestmark = pytest.mark.django_db


def test_openapi_document_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/organizations" in paths
    assert "/api/v1/policies" in paths


def test_api_docs_page(client):
    assert client.get("/api/v1/docs").status_code == 200


def test_api_unauthenticated_error_json(client):
    response = client.get("/api/v1/organizations", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json() == {"code": "unauthorized", "message": "Sign in or send a valid API token.", "field": None}


def test_api_error_message_korean_by_default(client):
    response = client.get("/api/v1/organizations")
    assert response.json() == {"code": "unauthorized", "message": "로그인하거나 유효한 API 토큰을 보내십시오.", "field": None}


def test_api_validation_error_names_field(client, make_user):
    client.force_login(make_user(role="program_manager"))
    response = client.get("/api/v1/organizations?demand_anchor=maybe")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert body["field"] == "demand_anchor"


def test_api_list_paginated_and_filtered(client, make_user, make_organization):
    for i in range(55):
        make_organization(name=f"(주)목록{i:02d}", region_code="26" if i % 5 == 0 else "11")
    client.force_login(make_user(role="program_manager"))
    first = client.get("/api/v1/organizations").json()
    assert first["count"] == 55 and len(first["items"]) == 50
    second = client.get("/api/v1/organizations?page=2").json()
    assert len(second["items"]) == 5
    busan = client.get("/api/v1/organizations?region_group=dongnam").json()
    assert busan["count"] == 11
    assert {item["region"]["code"] for item in busan["items"]} == {"26"}
    non_capital = client.get("/api/v1/organizations?region_group=non_capital").json()
    assert non_capital["count"] == 11


def test_api_policy_detail(client, make_user):
    client.force_login(make_user(role="council_member"))
    body = client.get("/api/v1/policies/rnd_act.subcontract_max_share_of_direct?on=2026-11-01").json()
    assert body["value"] == "0.40"
    assert body["source"].startswith("국가연구개발혁신법")


def test_api_policy_change_only_admin(client, make_user):
    client.force_login(make_user(role="program_manager"))
    response = client.post("/api/v1/policies/settlement.duplicate_window_minutes/versions",
                           data={"value": 15, "effective_from": "2027-01-01", "source": "x"},
                           content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "policy_forbidden"


def test_api_audit_events_auditor_only(client, make_user):
    client.force_login(make_user(role="applicant"))
    assert client.get("/api/v1/audit/events").json()["code"] == "audit_forbidden"
    client.force_login(make_user(role="auditor"))
    assert client.get("/api/v1/audit/events").status_code == 200
