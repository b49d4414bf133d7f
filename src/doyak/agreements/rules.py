"""Who may do what with agreements, composed of the shared predicates (doyak.accounts.rules).

The ministry side and the read-only roles (council, auditor) read every agreement; an institution reads
those it is a party to (the lead, a participant or a subcontractor, or a consortium member of the proposal).
The lead institution's applicants sign and propose changes; the program manager signs for the ministry and
decides on change requests. The read-only roles change nothing.
"""

from __future__ import annotations

from doyak.accounts.rules import (
    Actor,
    is_applicant_of,
    is_ministry,
    is_read_only,
    is_signed_in,
    reads_as_ministry,
)
from doyak.core.labels import audit_objects_register

from .enums import IN_FORCE, AgreementStatus, ChangeStatus


def can_manage_agreements(user: Actor) -> bool:
    """The ministry side concludes, signs for the ministry and decides on changes."""
    return is_ministry(user)


def reads_all_agreements(user: Actor) -> bool:
    return reads_as_ministry(user)


def agreement_organization_ids(agreement) -> set[int]:
    """The agreement's parties and every consortium member of its proposal."""
    proposal = agreement.proposal
    ids = {proposal.lead_organization_id}
    ids.update(proposal.members.values_list("organization_id", flat=True))
    ids.update(agreement.parties.values_list("organization_id", flat=True))
    return ids


def lead_organization_id(agreement) -> int:
    """The lead institution in force (a change may have replaced the proposal's)."""
    lead = agreement.parties.filter(role="lead").values_list("organization_id", flat=True).first()
    return lead or agreement.proposal.lead_organization_id


def is_institution_of(user: Actor, agreement) -> bool:
    return (is_signed_in(user) and user.organization_id is not None
            and any(is_applicant_of(user, org) for org in agreement_organization_ids(agreement)))


def is_lead_applicant_of(user: Actor, agreement) -> bool:
    """An applicant of the lead institution: its representative in the application."""
    return is_applicant_of(user, lead_organization_id(agreement))


def can_view_agreement(user: Actor, agreement) -> bool:
    return reads_all_agreements(user) or is_institution_of(user, agreement)


def can_sign_as_institution(user: Actor, agreement) -> bool:
    return agreement.status == AgreementStatus.DRAFT and is_lead_applicant_of(user, agreement)


def can_sign_as_manager(user: Actor, agreement) -> bool:
    return agreement.status == AgreementStatus.DRAFT and can_manage_agreements(user)


def can_propose_change(user: Actor, agreement) -> bool:
    """The lead institution or the program manager, on an agreement in force."""
    if agreement.status not in IN_FORCE or is_read_only(user):
        return False
    return is_lead_applicant_of(user, agreement) or can_manage_agreements(user)


def can_view_change(user: Actor, change) -> bool:
    if not can_view_agreement(user, change.agreement):
        return False
    # a draft stays with the side that writes it: the lead institution and the ministry side
    return change.status != ChangeStatus.DRAFT or can_edit_change(user, change) or reads_all_agreements(user)


def can_edit_change(user: Actor, change) -> bool:
    return (change.status in (ChangeStatus.DRAFT, ChangeStatus.RETURNED)
            and can_propose_change(user, change.agreement))


audit_objects_register({
    "agreements.agreement": ("agreements:detail", "agreement_id", can_view_agreement),
    "agreements.changerequest": ("agreements:change", "change_id", can_view_change),
})
