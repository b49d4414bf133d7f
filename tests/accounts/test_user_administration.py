"""Administration in the application (issue 14): an administrator invites users (a set-password link by
e-mail), gives them a role and an organisation, deactivates and reactivates accounts, each audited; nobody
else may; and the Django admin speaks Korean in the project's font."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from doyak.accounts.models import User
from doyak.accounts.services import user_active_set, user_invite, user_role_set
from doyak.core.errors import AccessDenied, ValidationFailed
from doyak.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "violet-harbour-lantern-42"


def _signs_in(client, username: str) -> bool:
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    return response.status_code == 302


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user(role="administrator", username="admin")
    client.force_login(admin)
    return client, admin


def test_administrator_invites_a_user_who_sets_a_password_from_the_link(admin_client, make_organization,
                                                                         django_capture_on_commit_callbacks):
    # given an administrator and an organisation
    client, admin = admin_client
    org = make_organization(name="가람소재")
    # when she invites an applicant of that organisation
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/users/", {"email": "Kim@Example.kr", "display_name": "김연구",
                                                    "role": "applicant", "organization": org.pk})
    # then the account exists without a password, the invitation is audited and an e-mail carries the link
    assert response.status_code == 302
    invited = User.objects.get(username="kim@example.kr")
    assert (invited.email, invited.role, invited.organization_id, invited.has_usable_password()) == (
        "kim@example.kr", "applicant", org.pk, False)
    event = AuditEvent.objects.get(action="user.invite")
    assert (event.actor_id, event.object_id) == (admin.pk, str(invited.pk))
    assert event.changes == {"email": "kim@example.kr", "role": "applicant", "organization": org.pk}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["kim@example.kr"]
    assert "김연구 님, admin 님이 doyak에 신청자(으)로 초대했습니다." in mail.outbox[0].body and "Dear 김연구" in mail.outbox[0].body
    link = re.findall(r"https?://[^/\s]+(/accounts/password/reset/[^/\s]+/[^/\s]+/)", mail.outbox[0].body)[0]
    # and when the invited person opens it and sets a password, she can sign in
    client.logout()
    form_url = client.get(link)["Location"]
    done = client.post(form_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert done.status_code == 302
    assert _signs_in(client, "kim@example.kr")


def test_invite_refuses_an_existing_address_and_an_applicant_without_organization(admin_client, make_user):
    client, admin = admin_client
    make_user(username="lee@example.kr")
    taken = client.post("/accounts/users/", {"email": "LEE@example.kr", "display_name": "이", "role": "auditor"})
    orphan = client.post("/accounts/users/", {"email": "park@example.kr", "display_name": "박", "role": "applicant"})
    assert taken.status_code == 422 and "이미 있습니다" in taken.content.decode()
    assert orphan.status_code == 422 and not User.objects.filter(username="park@example.kr").exists()
    assert not AuditEvent.objects.filter(action="user.invite").exists()


def test_administrator_sets_role_and_organization_and_deactivates(admin_client, make_user, make_organization):
    # given a program manager's account
    client, admin = admin_client
    person = make_user(role="program_manager", username="pm", password=PASSWORD)
    org = make_organization()
    # when the administrator makes her an applicant of an organisation, then deactivates, then reactivates
    client.post(f"/accounts/users/{person.pk}/", {"role": "applicant", "organization": org.pk})
    client.post(f"/accounts/users/{person.pk}/active/off/")
    person.refresh_from_db()
    # then each change is stored and audited, and a deactivated account cannot sign in
    assert (person.role, person.organization_id, person.is_active) == ("applicant", org.pk, False)
    client.logout()
    assert not _signs_in(client, "pm")
    client.force_login(admin)
    client.post(f"/accounts/users/{person.pk}/active/on/")
    person.refresh_from_db()
    assert person.is_active
    actions = list(AuditEvent.objects.filter(object_id=str(person.pk)).order_by("seq").values_list("action", "changes"))
    assert actions == [("user.role_set", {"role": ["program_manager", "applicant"], "organization": [None, org.pk]}),
                       ("user.deactivate", {"is_active": False}), ("user.reactivate", {"is_active": True})]


def test_administrator_may_not_lock_herself_out(admin_client):
    client, admin = admin_client
    with pytest.raises(ValidationFailed):
        user_active_set(actor=admin, user_id=admin.pk, active=False)
    with pytest.raises(ValidationFailed):
        user_role_set(actor=admin, user_id=admin.pk, role="auditor", organization_id=None)
    admin.refresh_from_db()
    assert admin.is_active and admin.role == "administrator"


@pytest.mark.parametrize("role", ["program_manager", "auditor", "applicant", "evaluator"])
def test_only_administrators_manage_users_and_nothing_changes(client, make_user, make_organization, role):
    # given a user who is not an administrator, and another account
    actor = make_user(role=role, organization=make_organization() if role == "applicant" else None)
    other = make_user(role="evaluator", username="other")
    client.force_login(actor)
    # when she opens the pages or posts to them
    responses = [client.get("/accounts/users/"), client.get(f"/accounts/users/{other.pk}/"),
                 client.post("/accounts/users/", {"email": "x@example.kr", "display_name": "x", "role": "auditor"}),
                 client.post(f"/accounts/users/{other.pk}/", {"role": "administrator"}),
                 client.post(f"/accounts/users/{other.pk}/active/off/")]
    # then every answer is 403 and nothing changed
    assert [r.status_code for r in responses] == [403] * 5
    other.refresh_from_db()
    assert (other.role, other.is_active) == ("evaluator", True)
    assert not User.objects.filter(username="x@example.kr").exists()
    with pytest.raises(AccessDenied):
        user_invite(actor=actor, email="y@example.kr", display_name="y", role="auditor", organization_id=None,
                    base_url="http://testserver/")
    assert not AuditEvent.objects.filter(action__startswith="user.").exists()


def test_users_page_lists_and_filters_in_korean(admin_client, make_user):
    client, admin = admin_client
    make_user(role="auditor", username="audit1", display_name="감사관 최")
    body = client.get("/accounts/users/", {"role": "auditor"}).content.decode()
    assert "감사관 최" in body and "감사자" in body and "사용자 초대" in body
    assert client.get("/accounts/users/", {"q": "a\x00b"}).status_code == 400
    assert 'href="/accounts/users/"' in client.get("/").content.decode()  # the menu has the entry


def test_django_admin_is_korean_in_the_project_font(client, make_user):
    client.force_login(make_user(role="administrator", username="root", is_staff=True, is_superuser=True))
    body = client.get("/admin/").content.decode()
    assert "doyak 관리" in body and "기준 정보와 기록" in body
    assert "pretendardvariable-dynamic-subset.css" in body and "doyak/admin.css" in body
    sections = re.findall(r'class="section"[^>]*>([^<]+)</a>', body)
    assert {"계정", "공고", "제안서", "로그인 잠금", "백그라운드 작업"} <= set(sections)
    assert all(not re.search(r"[A-Za-z]{3}", name) for name in sections), sections
    assert "Django administration" not in body
