"""Who may do what in evaluation, as predicates on the acting user (and object)."""

from __future__ import annotations

from doyak.accounts.enums import Role

MANAGER_ROLES = frozenset({Role.PROGRAM_MANAGER, Role.ADMINISTRATOR})


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def can_manage_evaluation(user) -> bool:
    """Program managers and administrators form panels, assign, publish and answer appeals."""
    return _authenticated(user) and (user.is_superuser or user.role in MANAGER_ROLES)


def can_opt_in(user) -> bool:
    """Evaluators and researchers with a sign-in join the pool themselves."""
    return _authenticated(user) and (user.role == Role.EVALUATOR or bool(getattr(user, "researcher_id", None)))


def is_own_assignment(user, assignment) -> bool:
    return _authenticated(user) and assignment.profile.user_id == user.pk


def can_view_decision(user, proposal) -> bool:
    """The consortium's applicants and the ministry side read a published decision."""
    from doyak.proposals.rules import is_consortium_member, sees_all_proposals

    if not _authenticated(user):
        return False
    if user.role == Role.APPLICANT:
        return is_consortium_member(user, proposal)
    return sees_all_proposals(user)


def can_appeal(user, proposal) -> bool:
    """Only the lead organisation's applicants appeal."""
    return (_authenticated(user) and user.role == Role.APPLICANT
            and user.organization_id == proposal.lead_organization_id)
