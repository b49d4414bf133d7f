import pytest

pytestmark = pytest.mark.django_db


def test_login_success_redirects_home(client, make_user):
    make_user(username="kim", password="correct-horse-battery")
    response = client.post("/accounts/login/", {"username": "kim", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_login_locked_after_repeated_failures(client, make_user, settings):
    # given the failure limit from settings
    make_user(username="lee", password="correct-horse-battery")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "lee", "password": "wrong"})
    # when the right password comes after that
    response = client.post("/accounts/login/", {"username": "lee", "password": "correct-horse-battery"})
    # then the account is locked for now
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_pages_require_login(client):
    response = client.get("/organizations/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
