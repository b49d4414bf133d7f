"""The shared permission predicates: who the acting user is, as the apps' ``rules.py`` compose them.

Every app's rules build on these and only these: the ministry side (``is_ministry``), the read-only roles
(``is_read_only``), the two together (``reads_as_ministry``), membership of an organisation
(``belongs_to``, ``is_applicant_of``), of a proposal's consortium (``is_consortium_member``), an evaluator's
assignment (``is_assigned_evaluator``) and the regulation liaison (``is_liaison``).

The acting user is an ``Actor``: a signed-in user, an anonymous visitor, or ``SYSTEM``, the explicit actor
of seeds, background tasks and imports (never ``None``). ``SYSTEM`` acts with the ministry side's rights,
belongs to no organisation and is recorded as "system" in the audit trail.

Imports nothing of doyak but the roles, so that core may use it (tests/test_layers.py).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from .enums import MINISTRY_ROLES, READ_ONLY_ROLES, ROLES_SEEING_ALL_ORGANIZATIONS, Role


@runtime_checkable
class Actor(Protocol):
    """What a rule reads of the acting user: ``accounts.User``, Django's ``AnonymousUser`` or ``SYSTEM``."""

    pk: Any
    is_authenticated: bool
    is_superuser: bool
    role: str
    organization_id: int | None

    def get_username(self) -> str: ...


class SystemActor:
    """The system itself (seeding, background tasks, command-line imports): acts for the ministry side."""

    pk = None
    id = None
    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False
    is_staff = False
    role = "system"
    organization_id = None
    researcher_id = None
    username = "system"

    def get_username(self) -> str:
        return "system"

    def __str__(self) -> str:
        return "system"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


def is_signed_in(user: Actor | None) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_system(user: Actor | None) -> bool:
    return user is SYSTEM


def has_role(user: Actor | None, *roles: Role) -> bool:
    return is_signed_in(user) and user.role in {r.value for r in roles}


def is_ministry(user: Actor | None) -> bool:
    """The ministry side that acts (program managers, administrators, superusers, the system)."""
    return is_signed_in(user) and (user.is_superuser or is_system(user) or user.role in MINISTRY_ROLES)


def is_administrator(user: Actor | None) -> bool:
    return is_signed_in(user) and (user.is_superuser or is_system(user) or user.role == Role.ADMINISTRATOR)


def is_read_only(user: Actor | None) -> bool:
    """Council members and auditors: they read what the ministry side reads and change nothing."""
    return is_signed_in(user) and user.role in READ_ONLY_ROLES and not user.is_superuser


def reads_as_ministry(user: Actor | None) -> bool:
    """The ministry side or a read-only role: reads every organisation's submitted records."""
    return is_ministry(user) or is_read_only(user)


def is_liaison(user: Actor | None) -> bool:
    """The regulation liaison: sees what a regulation needs (proposals' regulation dependencies), not ledgers."""
    return is_signed_in(user) and user.role == Role.REGULATION_LIAISON and not user.is_superuser


def is_applicant(user: Actor | None) -> bool:
    return is_signed_in(user) and user.role == Role.APPLICANT and not user.is_superuser


def sees_all_organizations(user: Actor | None) -> bool:
    """Reads every organisation's directory entry (the ministry side, read-only roles, the liaison)."""
    return is_signed_in(user) and (user.is_superuser or is_system(user) or user.role in ROLES_SEEING_ALL_ORGANIZATIONS)


def belongs_to(user: Actor | None, organization_id: int | None) -> bool:
    """The user works at the organisation (whatever their role)."""
    return is_signed_in(user) and organization_id is not None and user.organization_id == organization_id


def is_applicant_of(user: Actor | None, organization_id: int | None) -> bool:
    """An applicant of the organisation: changes its records."""
    return is_applicant(user) and belongs_to(user, organization_id)


def is_consortium_member(user: Actor | None, proposal) -> bool:
    """The user's organisation leads the proposal or is in its consortium (``proposal.members``)."""
    if not (is_signed_in(user) and user.organization_id):
        return False
    if proposal.lead_organization_id == user.organization_id:
        return True
    return proposal.members.filter(organization_id=user.organization_id).exists()


def is_assigned_evaluator(user: Actor | None, proposal) -> bool:
    """An evaluator assigned to the proposal on a panel (``proposal.evaluator_assignments``)."""
    return (is_signed_in(user) and user.pk is not None
            and proposal.evaluator_assignments.filter(profile__user_id=user.pk).exists())


def can_view_audit_log(user: Actor | None) -> bool:
    return is_signed_in(user) and (user.is_superuser or user.role in {Role.AUDITOR, Role.ADMINISTRATOR})


def can_manage_policies(user: Actor | None) -> bool:
    return is_administrator(user)


def can_manage_users(user: Actor | None) -> bool:
    """Invite people, give them a role and an organisation, deactivate and reactivate accounts."""
    return is_administrator(user)
