"""Who may see and change proposals, composed of the shared predicates (doyak.accounts.rules).

Applicants see their organisation's proposals (as lead or consortium member) and change only those their
organisation leads; the ministry side sees every submitted proposal and moves it through review; council
members and auditors read; the regulation liaison reads submitted proposals that depend on a regulation.
Drafts stay with the applicant.
"""

from __future__ import annotations

from doyak.accounts.rules import (
    Actor,
    is_applicant,
    is_applicant_of,
    is_consortium_member,
    is_liaison,
    is_ministry,
    is_signed_in,
    is_system,
    reads_as_ministry,
)
from doyak.core.labels import audit_objects_register

from .enums import ProposalStatus


def sees_all_proposals(user: Actor) -> bool:
    """Reads every organisation's submitted proposals (never their drafts)."""
    return reads_as_ministry(user)


def can_view_proposal(user: Actor, proposal) -> bool:
    if not is_signed_in(user):
        return False
    if is_consortium_member(user, proposal) and is_applicant(user):
        return True
    if proposal.status == ProposalStatus.DRAFT:
        return False  # drafts stay with the applicant
    if sees_all_proposals(user):
        return True
    return is_liaison(user) and proposal.regulations.exists()


def can_view_history(user: Actor, proposal) -> bool:
    """The proposal's audit history: the ministry side and the read-only roles, on the UI and the API alike."""
    return reads_as_ministry(user) and can_view_proposal(user, proposal)


def can_edit_proposal(user: Actor, proposal) -> bool:
    """The lead organisation's applicants change a draft (the deadline is the service's check)."""
    return proposal.status == ProposalStatus.DRAFT and is_applicant_of(user, proposal.lead_organization_id)


def can_trigger(user: Actor, proposal, transition) -> bool:
    """Whether ``user`` holds a role that fires ``transition`` on ``proposal`` (whatever its state: the state
    is checked after permission, so that a refusal reveals nothing about another organisation's proposal)."""
    from doyak.accounts.enums import MINISTRY_ROLES, Role

    if not is_signed_in(user):
        return False
    if is_applicant(user):
        return Role.APPLICANT in transition.roles and is_applicant_of(user, proposal.lead_organization_id)
    if user.is_superuser or is_system(user):
        return bool(transition.roles & MINISTRY_ROLES)
    return user.role in transition.roles


def can_create_proposal(user: Actor) -> bool:
    return is_applicant(user) and bool(user.organization_id)


def can_import(user: Actor) -> bool:
    return is_ministry(user)


def can_record_sanction(user: Actor) -> bool:
    return is_ministry(user)


audit_objects_register({"proposals.proposal": ("proposals:detail", "proposal_id", can_view_proposal)})
