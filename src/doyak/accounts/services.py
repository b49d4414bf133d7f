"""Writes for accounts: tokens and users. Each is atomic and audited."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doyak.core.audit import audit_record
from doyak.core.errors import AccessDenied, DoyakError, NotFound, ValidationFailed
from doyak.core.labels import audit_actions_register

from .models import ApiToken, User, token_hash
from .selectors import account_is_locked


class AccountLocked(DoyakError):
    """The account is locked out after repeated failed sign-ins: its API tokens are refused until the cool-off."""

    code = "account_locked"
    http_status = 401


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; returns it and the raw key (shown once, never stored)."""
    raw = ApiToken.new_key()
    token = ApiToken.objects.create(user=user, name=name.strip() or "API", key_prefix=raw[:10], key_hash=token_hash(raw))
    audit_record(actor=user, action="api_token.create", obj=token, changes={"name": token.name})
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(pk=token_id).first()
    if token is None:
        raise NotFound(_("Token not found."), code="token_not_found")
    if token.user_id != user.pk and not user.is_superuser:
        raise AccessDenied(_("You may revoke only your own tokens."), code="token_not_yours")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=user, action="api_token.revoke", obj=token, changes={"revoked_at": token.revoked_at})
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user a raw key belongs to, or None for an unknown or revoked key.

    Raises AccountLocked while the account is locked out, so a stolen password cannot be worked around
    with a token and a locked user is told why."""
    if not raw or not raw.startswith(ApiToken.PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=token_hash(raw), revoked_at=None).first()
    if token is None or not token.user.is_active:
        return None
    if account_is_locked(username=token.user.get_username()):
        raise AccountLocked(
            _("This account is locked after repeated failed sign-ins; its API tokens work again after the wait."),
            code="account_locked",
        )
    token.mark_used()
    return token.user


AUDIT_ACTIONS = audit_actions_register({
    "api_token.create": gettext_lazy("API token created"),
    "api_token.revoke": gettext_lazy("API token revoked"),
    "user.password_change": gettext_lazy("Password changed"),
    "user.password_reset": gettext_lazy("Password reset"),
})

PASSWORD_SET_WAYS = ("change", "reset")


@transaction.atomic
def user_password_set(*, user: User, actor: User, password: str, way: str) -> User:
    """Give ``user`` a new password: ``change`` by the signed-in user, ``reset`` through an e-mailed link.

    The audit event says how, never what. Callers have validated the password in a form already; this
    checks it again so no other caller can set one that breaks the rules."""
    if way not in PASSWORD_SET_WAYS:
        raise ValidationFailed(_("Unknown way of setting a password."), code="password_way_unknown", field="way")
    if actor.pk != user.pk:
        raise AccessDenied(_("You may set only your own password."), code="password_not_yours")
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), code="password_invalid", field="new_password1") from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action=f"user.password_{way}", obj=user, changes={"way": way})
    return user
