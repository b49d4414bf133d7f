"""Writes for accounts: tokens and users. Each is atomic and audited."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doyak.core.audit import audit_record
from doyak.core.errors import AccessDenied, Conflict, DoyakError, NotFound, ValidationFailed
from doyak.core.labels import audit_actions_register
from doyak.organizations.models import Organization

from .enums import Role
from .models import ApiToken, User, token_hash
from .rules import Actor, can_manage_users
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
    "user.invite": gettext_lazy("User invited"),
    "user.role_set": gettext_lazy("Role and organization set"),
    "user.deactivate": gettext_lazy("Account deactivated"),
    "user.reactivate": gettext_lazy("Account reactivated"),
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


# --------------------------------------------------------------------------------------------
# Administration: invitations, roles and organisations, deactivation (each audited)
# --------------------------------------------------------------------------------------------

# Roles that act for one organisation and need one; the others may have one (an evaluator's affiliation).
ROLES_NEEDING_ORGANIZATION = frozenset({Role.APPLICANT})


def _manage_or_raise(actor: Actor) -> None:
    if not can_manage_users(actor):
        raise AccessDenied(_("Only administrators manage user accounts."), code="users_forbidden")


def _role_and_organization_check(*, role: str, organization_id: int | None) -> None:
    if role not in Role.values:
        raise ValidationFailed(_("Choose a role from the list."), code="role_invalid", field="role")
    if role in ROLES_NEEDING_ORGANIZATION and organization_id is None:
        raise ValidationFailed(_("An applicant belongs to an organization: choose one."),
                               code="organization_required", field="organization")
    if organization_id is not None and not Organization.objects.filter(pk=organization_id).exists():
        raise ValidationFailed(_("No such organization."), code="organization_invalid", field="organization")


def invitation_link(*, user: User, base_url: str) -> str:
    """The set-password link of an invitation: Django's password-reset token, valid once and for
    PASSWORD_RESET_TIMEOUT, on the page where a forgotten password is set again."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return base_url.rstrip("/") + reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})


def _invitation_send(*, user: User, base_url: str, invited_by: str) -> None:
    context = {"user": user, "link": invitation_link(user=user, base_url=base_url), "invited_by": invited_by}
    subject = render_to_string("accounts/invitation_subject.txt", context).strip()
    body = render_to_string("accounts/invitation_email.txt", context)
    send_mail(subject, body, None, [user.email])


@transaction.atomic
def user_invite(*, actor: Actor, email: str, display_name: str, role: str, organization_id: int | None,
                base_url: str) -> User:
    """A new account for ``email`` with no password yet; an e-mail with a set-password link goes out when the
    transaction commits. The e-mail address is the username."""
    _manage_or_raise(actor)
    email = User.objects.normalize_email(email.strip()).lower()
    if not email or "@" not in email:
        raise ValidationFailed(_("Enter an e-mail address."), code="email_invalid", field="email")
    if User.objects.filter(Q(username__iexact=email) | Q(email__iexact=email)).exists():
        raise Conflict(_("An account with this e-mail address exists already."), code="user_exists", field="email")
    _role_and_organization_check(role=role, organization_id=organization_id)
    user = User(username=email, email=email, display_name=display_name.strip(), role=role,
                organization_id=organization_id, is_active=True)
    user.set_unusable_password()
    user.save()
    audit_record(actor=actor, action="user.invite", obj=user,
                 changes={"email": email, "role": role, "organization": organization_id})
    invited_by = str(actor)
    transaction.on_commit(lambda: _invitation_send(user=user, base_url=base_url, invited_by=invited_by))
    return user


def _managed_user_or_raise(*, actor: Actor, user_id: int) -> User:
    _manage_or_raise(actor)
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound(_("User not found."), code="user_not_found")
    return user


@transaction.atomic
def user_role_set(*, actor: Actor, user_id: int, role: str, organization_id: int | None) -> User:
    """Give the user a role and an organisation (none: ``None``)."""
    user = _managed_user_or_raise(actor=actor, user_id=user_id)
    _role_and_organization_check(role=role, organization_id=organization_id)
    if user.pk == actor.pk and role != user.role:
        raise ValidationFailed(_("You may not change your own role; ask another administrator."),
                               code="own_role", field="role")
    before = {"role": user.role, "organization": user.organization_id}
    after = {"role": role, "organization": organization_id}
    if before != after:
        user.role, user.organization_id = role, organization_id
        user.save(update_fields=["role", "organization"])
        audit_record(actor=actor, action="user.role_set", obj=user,
                     changes={key: [before[key], after[key]] for key in before if before[key] != after[key]})
    return user


@transaction.atomic
def user_active_set(*, actor: Actor, user_id: int, active: bool) -> User:
    """Deactivate (the person can no longer sign in, and their API tokens stop working) or reactivate."""
    user = _managed_user_or_raise(actor=actor, user_id=user_id)
    if user.pk == actor.pk and not active:
        raise ValidationFailed(_("You may not deactivate your own account."), code="own_account", field="active")
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_record(actor=actor, action="user.reactivate" if active else "user.deactivate", obj=user,
                     changes={"is_active": active})
    return user
