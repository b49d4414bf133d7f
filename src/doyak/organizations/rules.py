"""Object-level permissions for organisations and researchers."""

from __future__ import annotations

from doyak.accounts.enums import Role
from doyak.accounts.rules import sees_all_organizations

from .models import Organization, Researcher


def can_view_organization(user, organization: Organization) -> bool:
    if sees_all_organizations(user):
        return True
    return bool(getattr(user, "is_authenticated", False)) and user.organization_id == organization.pk


def can_change_organization(user, organization: Organization) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.role == Role.ADMINISTRATOR:
        return True
    return user.role == Role.APPLICANT and user.organization_id == organization.pk


def can_view_researcher(user, researcher: Researcher) -> bool:
    if sees_all_organizations(user):
        return True
    return bool(getattr(user, "is_authenticated", False)) and user.organization_id == researcher.organization_id
