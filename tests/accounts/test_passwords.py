"""Password change by the signed-in user, and reset through a link e-mailed in Korean and English."""

import re

import pytest
from django.core import mail

from doyak.accounts.models import User
from doyak.accounts.services import user_password_set
from doyak.core.errors import AccessDenied, ValidationFailed
from doyak.core.models import AuditEvent

pytestmark = pytest.mark.django_db

OLD = "correct-horse-battery"
NEW = "violet-harbour-lantern-42"


def reset_link(message) -> str:
    links = re.findall(r"https?://[^/\s]+(/accounts/password/reset/[^/\s]+/[^/\s]+/)", message.body)
    assert len(set(links)) == 1, message.body
    return links[0]


def test_password_change_signed_in_user_keeps_session(client, make_user):
    # given a signed-in user
    user = make_user(username="kim", password=OLD)
    client.force_login(user)
    # when she changes her password, giving the current one
    response = client.post("/accounts/password/change/", {
        "old_password": OLD, "new_password1": NEW, "new_password2": NEW,
    })
    # then the new one works, she is still signed in, and the change is audited without the password
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/change/done/"
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert client.get("/accounts/password/change/done/").status_code == 200
    event = AuditEvent.objects.get(action="user.password_change")
    assert (event.actor_id, event.object_id, event.changes) == (user.pk, str(user.pk), {"way": "change"})


def test_password_change_wrong_current_password_refused(client, make_user):
    # given a signed-in user
    user = make_user(username="kim", password=OLD)
    client.force_login(user)
    # when the current password given is wrong
    response = client.post("/accounts/password/change/", {
        "old_password": "not-it", "new_password1": NEW, "new_password2": NEW,
    }, HTTP_ACCEPT_LANGUAGE="ko")
    # then the form says so and nothing changed
    assert response.status_code == 200
    assert "기존 비밀번호" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(OLD)
    assert not AuditEvent.objects.filter(action="user.password_change").exists()


def test_password_change_requires_sign_in(client):
    response = client.get("/accounts/password/change/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_password_reset_link_works_once(client, make_user):
    # given a user with an e-mail address
    user = make_user(username="kim", password=OLD, email="kim@example.kr")
    # when she asks for a reset link
    response = client.post("/accounts/password/reset/", {"email": "kim@example.kr"})
    assert response["Location"] == "/accounts/password/reset/sent/"
    # then one e-mail comes, in Korean and in English, with one link
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["kim@example.kr"]
    assert message.subject == "doyak: 새 비밀번호 설정 / doyak: set a new password"
    assert "새 비밀번호를 설정하려면" in message.body
    assert "To set a new password, open this link (it works once):" in message.body
    link = reset_link(message)
    # and when she follows it and sets a new password
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"] is True
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    # then it is set and audited
    assert done["Location"] == "/accounts/password/reset/done/"
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert AuditEvent.objects.filter(action="user.password_reset", object_id=str(user.pk)).count() == 1
    # and the same link is refused the second time, in a new browser too
    client.logout()
    again = client.get(link, follow=True)
    assert again.context["validlink"] is False
    assert 'data-testid="invalid-link"' in again.content.decode()
    replay = client.post(link.rsplit("/", 2)[0] + "/set-password/", {"new_password1": OLD, "new_password2": OLD})
    assert replay.status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_password_reset_unknown_address_sends_nothing_says_same(client, make_user):
    # given no account with this address
    make_user(username="kim", email="kim@example.kr")
    # when someone asks for a link for it
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.kr"})
    # then the answer is the same as for a known address, and no e-mail goes out
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_password_reset_weak_password_refused(client, make_user):
    # given a valid link
    user = make_user(username="kim", password=OLD, email="kim@example.kr")
    client.post("/accounts/password/reset/", {"email": "kim@example.kr"})
    form_page = client.get(reset_link(mail.outbox[0]), follow=True)
    # when the new password is too short
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": "short", "new_password2": "short"})
    # then it is refused and the old password still works
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    user.refresh_from_db()
    assert user.check_password(OLD)


def test_login_page_links_to_password_reset(client):
    assert 'href="/accounts/password/reset/"' in client.get("/accounts/login/").content.decode()


def test_user_menu_links_to_password_change(client, make_user):
    client.force_login(make_user())
    assert 'href="/accounts/password/change/"' in client.get("/").content.decode()


def test_user_password_set_other_user_refused(make_user):
    # given two users
    kim = make_user(username="kim", password=OLD)
    park = make_user(username="park", password=OLD)
    # when one sets the other's password
    with pytest.raises(AccessDenied) as denied:
        user_password_set(user=park, actor=kim, password=NEW, way="change")
    # then it is refused and nothing changed
    assert denied.value.code == "password_not_yours"
    assert User.objects.get(pk=park.pk).check_password(OLD)
    assert not AuditEvent.objects.filter(action__startswith="user.password").exists()


def test_user_password_set_invalid_password_refused(make_user):
    kim = make_user(username="kim", password=OLD)
    with pytest.raises(ValidationFailed) as invalid:
        user_password_set(user=kim, actor=kim, password="1234", way="change")
    assert (invalid.value.code, invalid.value.field) == ("password_invalid", "new_password1")
    assert User.objects.get(pk=kim.pk).check_password(OLD)
