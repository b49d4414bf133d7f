"""Who may do what with portfolio scenarios, as predicates on the acting user."""

from __future__ import annotations

from doyak.accounts.enums import Role
from doyak.proposals.workflow import TRANSITIONS

EDITOR_ROLES = frozenset({Role.PROGRAM_MANAGER, Role.ADMINISTRATOR})
# Council members read scenarios (and compare them); they never change one.
VIEWER_ROLES = EDITOR_ROLES | {Role.COUNCIL_MEMBER}


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def can_view_scenarios(user) -> bool:
    return _authenticated(user) and (user.is_superuser or user.role in VIEWER_ROLES)


def can_edit_scenarios(user) -> bool:
    """Program managers and administrators create, edit, solve and submit scenarios."""
    return _authenticated(user) and (user.is_superuser or user.role in EDITOR_ROLES)


def can_approve_scenarios(user) -> bool:
    """Who approves a submitted scenario (and so selects): the roles of the proposals workflow's ``select``."""
    return _authenticated(user) and (user.is_superuser or user.role in TRANSITIONS["select"].roles)
