"""Who may see and change calls."""

from __future__ import annotations

from doyak.accounts.enums import Role

from .enums import CallStatus

CALL_MANAGER_ROLES = frozenset({Role.PROGRAM_MANAGER, Role.ADMINISTRATOR})


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def can_manage_calls(user) -> bool:
    """Program managers and administrators build, open and close calls."""
    return _authenticated(user) and (user.is_superuser or user.role in CALL_MANAGER_ROLES)


def can_view_call(user, call) -> bool:
    """Everyone signed in sees published calls; drafts only the people who build them."""
    if not _authenticated(user):
        return False
    return call.status != CallStatus.DRAFT or can_manage_calls(user) or user.role in {
        Role.COUNCIL_MEMBER, Role.AUDITOR}
