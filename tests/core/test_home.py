import pytest

from doyak.accounts.enums import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_home_renders_for_each_role_in_korean(client, make_user, make_organization, role):
    org = make_organization() if role == "applicant" else None
    client.force_login(make_user(role=role, organization=org))
    response = client.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ko">' in body
    assert "환영합니다" in body


def test_home_in_english_after_switch(client, make_user):
    client.force_login(make_user(role="program_manager"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body
    assert "Welcome" in body


def test_council_home_shows_plan_targets(client, make_user):
    client.force_login(make_user(role="council_member"))
    body = client.get("/").content.decode()
    assert "AI 팩토리 구축" in body
    assert "500" in body


def test_audit_page_forbidden_for_applicant(client, make_user, make_organization):
    client.force_login(make_user(role="applicant", organization=make_organization()))
    assert client.get("/audit/").status_code == 403


def test_audit_page_for_auditor(client, make_user):
    client.force_login(make_user(role="auditor"))
    assert client.get("/audit/").status_code == 200


def test_home_korean_even_when_browser_prefers_english(client, make_user):
    client.force_login(make_user(role="program_manager"))
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="ko">' in body
