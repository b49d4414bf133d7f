"""Object-level permissions for organisations and researchers, composed of the shared predicates."""

from __future__ import annotations

from doyak.accounts.rules import Actor, belongs_to, is_administrator, is_applicant_of, sees_all_organizations
from doyak.core.labels import audit_objects_register

from .models import Organization, Researcher


def can_view_organization(user: Actor, organization: Organization) -> bool:
    return sees_all_organizations(user) or belongs_to(user, organization.pk)


def can_change_organization(user: Actor, organization: Organization) -> bool:
    """Administrators, and the organisation's own applicants."""
    return is_administrator(user) or is_applicant_of(user, organization.pk)


def can_view_researcher(user: Actor, researcher: Researcher) -> bool:
    return sees_all_organizations(user) or belongs_to(user, researcher.organization_id)


audit_objects_register({"organizations.organization": ("organizations:detail", "organization_id", can_view_organization)})
