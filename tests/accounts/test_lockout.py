"""The sign-in lock-out: keyed on the account and on the client address the trusted proxy reports."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.utils import timezone

from doyak.accounts.services import api_token_create

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"
PASSWORD = "correct-horse-battery"


@pytest.fixture
def behind_proxy(settings):
    settings.DOYAK_BEHIND_PROXY = True
    settings.DOYAK_TRUSTED_PROXIES = [PROXY]
    return settings


def login(client, username, password, *, client_ip, proxy=PROXY, forwarded=None):
    return client.post(
        "/accounts/login/", {"username": username, "password": password},
        REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded or client_ip,
    )


def fail_until_locked(client, username, *, client_ip, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, username, "wrong-password", client_ip=client_ip)
    client.logout()


def test_lockout_two_users_behind_one_proxy_other_user_signs_in(client, make_user, behind_proxy):
    # given two users whose requests both arrive from the one reverse proxy, and an attacker at one address
    make_user(username="kim", password=PASSWORD)
    make_user(username="park", password=PASSWORD)
    fail_until_locked(client, "kim", client_ip="203.0.113.7", settings=behind_proxy)
    # when the other user signs in from another address behind the same proxy
    response = login(client, "park", PASSWORD, client_ip="198.51.100.20")
    # then she is signed in, and the lock was recorded against the attacker's address, not the proxy's
    assert response.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_lockout_account_locked_from_any_address(client, make_user, behind_proxy):
    # given an account whose password was guessed at from one address until it locked
    make_user(username="kim", password=PASSWORD)
    fail_until_locked(client, "kim", client_ip="203.0.113.7", settings=behind_proxy)
    # when its owner signs in with the right password from another address
    response = login(client, "kim", PASSWORD, client_ip="198.51.100.20")
    # then the account stays locked
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_address_locked_for_any_account(client, make_user, behind_proxy):
    # given an address that failed the limit on one account
    make_user(username="kim", password=PASSWORD)
    make_user(username="park", password=PASSWORD)
    fail_until_locked(client, "kim", client_ip="203.0.113.7", settings=behind_proxy)
    # when the same address tries another account, even with its password
    response = login(client, "park", PASSWORD, client_ip="203.0.113.7")
    # then it is refused
    assert response.status_code == 429


def test_lockout_forwarded_for_spoofed_by_client_ignored(client, make_user, behind_proxy):
    # given an attacker who sends his own X-Forwarded-For, which the proxy appends his real address to
    make_user(username="kim", password=PASSWORD)
    for n in range(behind_proxy.AXES_FAILURE_LIMIT):
        login(client, "kim", "wrong-password", client_ip="", forwarded=f"10.9.9.{n}, 203.0.113.7")
    # then every failure counts against the address the proxy saw
    assert list(AccessAttempt.objects.values_list("ip_address", "failures_since_start")) == [
        ("203.0.113.7", behind_proxy.AXES_FAILURE_LIMIT)
    ]


def test_lockout_forwarded_for_from_untrusted_peer_ignored(client, make_user, behind_proxy):
    # given a connection that does not come from the trusted proxy but claims an address
    make_user(username="kim", password=PASSWORD)
    # when it fails a sign-in
    login(client, "kim", "wrong-password", client_ip="203.0.113.7", proxy="192.0.2.50")
    # then the failure is recorded against the connection's own address
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["192.0.2.50"]


def test_lockout_without_proxy_setting_forwarded_for_ignored(client, make_user, settings):
    # given no reverse proxy configured
    settings.DOYAK_BEHIND_PROXY = False
    make_user(username="kim", password=PASSWORD)
    # when a failure arrives with an X-Forwarded-For header
    login(client, "kim", "wrong-password", client_ip="203.0.113.7")
    # then the header is not believed
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [PROXY]


def test_locked_account_token_refused_until_cool_off(client, make_user, behind_proxy):
    # given a user with an API token whose account is then locked by failed sign-ins
    user = make_user(username="kim", password=PASSWORD)
    _token, raw = api_token_create(user=user, name="script")
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    fail_until_locked(client, "kim", client_ip="203.0.113.7", settings=behind_proxy)
    # when the token is used while the account is locked
    locked = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")
    # then it is refused with a code that says why
    assert locked.status_code == 401
    assert locked.json()["code"] == "account_locked"
    assert locked.json()["field"] is None
    # and when the cool-off has passed, it works again
    cool_off = timedelta(hours=behind_proxy.AXES_COOLOFF_TIME)
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off - timedelta(seconds=1))
    again = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert again.status_code == 200
    assert again.json()["username"] == "kim"


def test_locked_account_other_users_token_works(client, make_user, behind_proxy):
    # given one locked account and another user's token
    make_user(username="kim", password=PASSWORD)
    other = make_user(username="park", password=PASSWORD)
    _token, raw = api_token_create(user=other, name="script")
    fail_until_locked(client, "kim", client_ip="203.0.113.7", settings=behind_proxy)
    # when the other user calls the API
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    # then she is served
    assert response.status_code == 200
