"""Who may see and change proposals.

Applicants see their organisation's proposals (as lead or consortium member) and change only those their
organisation leads; program managers and administrators see every submitted proposal and move it through
review; council members and auditors read. Drafts stay with the applicant.
"""

from __future__ import annotations

from doyak.accounts.enums import Role

from .enums import ProposalStatus

MINISTRY_ROLES = frozenset({Role.PROGRAM_MANAGER, Role.ADMINISTRATOR})
READERS = MINISTRY_ROLES | {Role.COUNCIL_MEMBER, Role.AUDITOR}


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def sees_all_proposals(user) -> bool:
    return _authenticated(user) and (user.is_superuser or user.role in READERS)


def is_ministry(user) -> bool:
    return _authenticated(user) and (user.is_superuser or user.role in MINISTRY_ROLES)


def is_consortium_member(user, proposal) -> bool:
    if not (_authenticated(user) and user.organization_id):
        return False
    if proposal.lead_organization_id == user.organization_id:
        return True
    return proposal.members.filter(organization_id=user.organization_id).exists()


def can_view_proposal(user, proposal) -> bool:
    if not _authenticated(user):
        return False
    if user.role == Role.APPLICANT:
        return is_consortium_member(user, proposal)
    return sees_all_proposals(user) and proposal.status != ProposalStatus.DRAFT


def can_edit_proposal(user, proposal) -> bool:
    """The lead organisation's applicants change a draft (the deadline is the service's check)."""
    return (_authenticated(user) and user.role == Role.APPLICANT and proposal.status == ProposalStatus.DRAFT
            and user.organization_id == proposal.lead_organization_id)


def can_trigger(user, proposal, transition) -> bool:
    """Whether ``user`` holds a role that fires ``transition`` on ``proposal`` (whatever its state: the state
    is checked after permission, so that a refusal reveals nothing about another organisation's proposal)."""
    if not _authenticated(user):
        return False
    if user.role == Role.APPLICANT:
        return Role.APPLICANT in transition.roles and user.organization_id == proposal.lead_organization_id
    return user.role in transition.roles or (user.is_superuser and bool(transition.roles & MINISTRY_ROLES))


def can_create_proposal(user) -> bool:
    return _authenticated(user) and user.role == Role.APPLICANT and bool(user.organization_id)


def can_import(user) -> bool:
    return is_ministry(user)


def can_record_sanction(user) -> bool:
    return is_ministry(user)
