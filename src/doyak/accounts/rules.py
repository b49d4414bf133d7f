"""Who may do what, as predicates on the acting user (and object)."""

from __future__ import annotations

from .enums import READ_ONLY_ROLES, ROLES_SEEING_ALL_ORGANIZATIONS, Role


def has_role(user, *roles: Role) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role in {r.value for r in roles}


def sees_all_organizations(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or user.role in ROLES_SEEING_ALL_ORGANIZATIONS
    )


def is_read_only(user) -> bool:
    return user.role in READ_ONLY_ROLES and not user.is_superuser


def can_view_audit_log(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or user.role in {Role.AUDITOR, Role.ADMINISTRATOR}
    )


def can_manage_policies(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or user.role == Role.ADMINISTRATOR
    )
