import pytest

from doyak.accounts.models import ApiToken
from doyak.accounts.services import api_token_create, api_token_revoke
from doyak.core.errors import AccessDenied

pytestmark = pytest.mark.django_db


def test_token_authenticates_api_request(client, make_user, make_organization):
    user = make_user(role="applicant", organization=make_organization())
    _token, raw = api_token_create(user=user, name="script")
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert response.json()["username"] == user.username


def test_token_in_x_api_key_header(client, make_user):
    user = make_user(role="program_manager")
    _token, raw = api_token_create(user=user, name="script")
    assert client.get("/api/v1/me", HTTP_X_API_KEY=raw).json()["role"] == "program_manager"


def test_revoked_token_is_refused(client, make_user):
    user = make_user(role="program_manager")
    token, raw = api_token_create(user=user, name="script")
    api_token_revoke(user=user, token_id=token.pk)
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_token_stored_only_as_hash(make_user):
    user = make_user()
    token, raw = api_token_create(user=user, name="x")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.key_hash, stored.key_prefix)
    assert len(stored.key_hash) == 64


def test_revoke_other_users_token_denied(make_user):
    owner, other = make_user(), make_user()
    token, _raw = api_token_create(user=owner, name="x")
    with pytest.raises(AccessDenied):
        api_token_revoke(user=other, token_id=token.pk)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_create_and_revoke_through_api(client, make_user):
    user = make_user(role="evaluator")
    client.force_login(user)
    created = client.post("/api/v1/tokens", data={"name": "laptop"}, content_type="application/json")
    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith("dyk_")
    revoked = client.delete(f"/api/v1/tokens/{created.json()['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    client.logout()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
