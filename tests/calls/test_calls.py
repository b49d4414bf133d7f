"""Calls: the builder's template, opening rules (ripple criteria where policy requires them), permissions."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from doyak.calls.models import Call
from doyak.calls.services import call_create, call_criteria_set, call_open
from doyak.core.errors import AccessDenied, ValidationFailed
from doyak.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _data(program, **extra):
    now = timezone.now()
    return {"program": program.pk, "reference": extra.pop("reference", "2027-RGE-01"), "title_ko": "지역 공고",
            "opens_at": now, "closes_at": now + dt.timedelta(days=30), **extra}


def test_regional_only_call_gets_ripple_criteria_and_non_capital_regions(make_program, make_user):
    pm = make_user(role="program_manager")
    call = call_create(actor=pm, data=_data(make_program(), track="regional_only"))
    kinds = list(call.criteria.values_list("kind", flat=True))
    assert {"ripple_investment", "ripple_employment", "ripple_production"} <= set(kinds)
    assert "11" not in call.eligible_region_codes and "26" in call.eligible_region_codes
    assert call.cutoff_score == 70
    call_open(actor=pm, call_id=call.pk)
    call.refresh_from_db()
    assert call.status == "open"
    assert list(AuditEvent.objects.filter(object_id=str(call.pk)).values_list("action", flat=True).order_by("id")) == [
        "call.create", "call.open"]


def test_call_cannot_open_without_ripple_criteria(make_program, make_user):
    pm = make_user(role="program_manager")
    call = call_create(actor=pm, data=_data(make_program(), track="regional_only"))
    call_criteria_set(actor=pm, call_id=call.pk, criteria=[
        {"kind": "creativity_plan", "weight": 50}, {"kind": "capability", "weight": 50}])
    with pytest.raises(ValidationFailed) as info:
        call_open(actor=pm, call_id=call.pk)
    assert info.value.code == "call_ripple_criteria_missing"
    call.refresh_from_db()
    assert call.status == "draft"


def test_general_call_weights_must_total_policy_points(make_program, make_user):
    pm = make_user(role="program_manager")
    call = call_create(actor=pm, data=_data(make_program()))
    assert not call.criteria.filter(kind__startswith="ripple").exists()
    call_criteria_set(actor=pm, call_id=call.pk, criteria=[
        {"kind": "creativity_plan", "weight": 50}, {"kind": "capability", "weight": 49}])
    with pytest.raises(ValidationFailed) as info:
        call_open(actor=pm, call_id=call.pk)
    assert info.value.code == "call_weights_total"


def test_ripple_mandatory_tracks_come_from_policy(make_program, make_user):
    from doyak.policies.services import policy_change

    policy_change(actor=None, key="evaluation.regional_ripple_mandatory_tracks", value=["regional_only", "general"],
                  effective_from=timezone.localdate() - dt.timedelta(days=1), source="test")
    pm = make_user(role="program_manager")
    call = call_create(actor=pm, data=_data(make_program()))
    assert call.criteria.filter(kind="ripple_production").exists()


def test_applicant_cannot_create_call(make_program, make_user, make_organization):
    applicant = make_user(role="applicant", organization=make_organization())
    with pytest.raises(AccessDenied):
        call_create(actor=applicant, data=_data(make_program()))
    assert Call.objects.count() == 0


def test_call_builder_screen_and_open_button(client, make_program, make_user):
    pm = make_user(role="program_manager")
    program = make_program()
    client.force_login(pm)
    assert client.get("/calls/new/").status_code == 200
    response = client.post("/calls/new/", {
        "program": program.pk, "reference": "C-1", "track": "regional_only", "title_ko": "지역 전용 공고",
        "opens_at": "2026-03-01T09:00", "closes_at": "2099-12-31T18:00", "budget_krw": "1000000000",
        "evaluation_format": "written", "scoring_mode": "absolute", "aggregation": "trimmed_mean", "panel_size": "5"})
    assert response.status_code == 302, [line for line in response.content.decode().splitlines() if "dy-error" in line]
    call = Call.objects.get(reference="C-1")
    assert timezone.localtime(call.closes_at).strftime("%H:%M") == "18:00"  # Asia/Seoul
    page = client.get(f"/calls/{call.pk}/edit/")
    assert page.status_code == 200 and "criteria-TOTAL_FORMS" in page.content.decode()
    client.post(f"/calls/{call.pk}/open/")
    call.refresh_from_db()
    assert call.status == "open"
    assert "지역 전용 공고" in client.get("/calls/").content.decode()


def test_drafts_hidden_from_applicants_api(client, make_call, make_user, make_organization):
    make_call(status="draft", title_ko="준비 중")
    open_call = make_call(title_ko="접수 중")
    client.force_login(make_user(role="applicant", organization=make_organization()))
    items = client.get("/api/v1/calls").json()["items"]
    assert [c["id"] for c in items] == [open_call.pk]
    assert client.post("/api/v1/calls", data=json.dumps({}), content_type="application/json").status_code == 422


def test_api_create_and_open(client, make_program, make_user):
    pm = make_user(role="program_manager")
    client.force_login(pm)
    now = timezone.now()
    created = client.post("/api/v1/calls", data=json.dumps({
        "program": make_program().pk, "reference": "API-1", "title_ko": "API 공고", "track": "regional_only",
        "opens_at": now.isoformat(), "closes_at": (now + dt.timedelta(days=10)).isoformat()}),
        content_type="application/json")
    assert created.status_code == 201
    cid = created.json()["id"]
    assert created.json()["open_problems"] == []
    client.put(f"/api/v1/calls/{cid}/criteria", data=json.dumps([
        {"kind": "creativity_plan", "weight": 50}, {"kind": "capability", "weight": 50}]), content_type="application/json")
    refused = client.post(f"/api/v1/calls/{cid}/open")
    assert refused.status_code == 422 and refused.json()["code"] == "call_ripple_criteria_missing"


def test_program_list_shows_envelopes_and_calls(client, make_program, make_call, make_user):
    program = make_program(name_ko="AI 팩토리 확산", budget_krw=250_000_000_000)
    program.sub_programs.create(code="AIF-1", name_ko="AI 팩토리 구축", budget_krw=175_000_000_000)
    call = make_call(program=program, track="max_ai_factory")
    client.force_login(make_user(role="council_member"))
    body = client.get("/calls/programs/").content.decode()
    assert "AI 팩토리 확산" in body and "2,500억원" in body and "1,750억원" in body and call.reference in body


def test_call_builder_26_digit_budget_is_a_field_error(client, make_program, make_user):
    client.force_login(make_user(role="program_manager"))
    program = make_program()
    response = client.post("/calls/new/", {
        "program": program.pk, "reference": "C-26", "track": "general", "title_ko": "큰 금액 공고",
        "opens_at": "2026-03-01T09:00", "closes_at": "2099-12-31T18:00", "budget_krw": "1" * 26,
        "evaluation_format": "written", "scoring_mode": "absolute", "aggregation": "trimmed_mean", "panel_size": "5"})
    assert response.status_code == 200
    assert "9,223,372,036,854,775,807원 이하로 입력하십시오." in response.content.decode()
    assert not Call.objects.filter(reference="C-26").exists()
