"""Who may do what in evaluation, composed of the shared predicates (doyak.accounts.rules)."""

from __future__ import annotations

from doyak.accounts.enums import Role
from doyak.accounts.rules import (
    Actor,
    is_applicant,
    is_applicant_of,
    is_consortium_member,
    is_ministry,
    is_signed_in,
    reads_as_ministry,
)


def can_manage_evaluation(user: Actor) -> bool:
    """The ministry side forms panels, assigns, publishes and answers appeals."""
    return is_ministry(user)


def can_opt_in(user: Actor) -> bool:
    """Evaluators and researchers with a sign-in join the pool themselves."""
    return is_signed_in(user) and user.pk is not None and (
        user.role == Role.EVALUATOR or bool(getattr(user, "researcher_id", None)))


def is_own_assignment(user: Actor, assignment) -> bool:
    return is_signed_in(user) and user.pk is not None and assignment.profile.user_id == user.pk


def can_view_decision(user: Actor, proposal) -> bool:
    """The consortium's applicants and the ministry side (read-only roles too) read a published decision."""
    if is_applicant(user):
        return is_consortium_member(user, proposal)
    return reads_as_ministry(user)


def can_appeal(user: Actor, proposal) -> bool:
    """Only the lead organisation's applicants appeal."""
    return is_applicant_of(user, proposal.lead_organization_id)
