"""Who may do what with portfolio scenarios, composed of the shared predicates (doyak.accounts.rules)."""

from __future__ import annotations

from doyak.accounts.enums import Role
from doyak.accounts.rules import Actor, is_ministry, is_signed_in, is_system
from doyak.core.labels import audit_objects_register
from doyak.proposals.workflow import TRANSITIONS


def can_view_scenarios(user: Actor) -> bool:
    """The ministry side and council members (who compare scenarios and never change one)."""
    return is_ministry(user) or (is_signed_in(user) and user.role == Role.COUNCIL_MEMBER)


def can_edit_scenarios(user: Actor) -> bool:
    """The ministry side creates, edits, solves and submits scenarios."""
    return is_ministry(user)


def can_approve_scenarios(user: Actor) -> bool:
    """Who approves a submitted scenario (and so selects): the roles of the proposals workflow's ``select``."""
    return is_signed_in(user) and (user.is_superuser or is_system(user) or user.role in TRANSITIONS["select"].roles)


audit_objects_register({"portfolio.scenario": ("portfolio:detail", "scenario_id", lambda user, _obj: can_view_scenarios(user))})
