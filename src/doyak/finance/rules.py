"""Who may do what in the finance app, as predicates on the acting user (and object)."""

from __future__ import annotations

from doyak.accounts.enums import Role
from doyak.accounts.rules import is_read_only, sees_all_organizations

from .enums import AgreementStatus, FlagStatus
from .models import Agreement, Flag


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_manager(user) -> bool:
    """Program managers and administrators run settlements, decide on explanations and close."""
    return _authenticated(user) and (user.is_superuser or user.role in {Role.PROGRAM_MANAGER, Role.ADMINISTRATOR})


def agreement_organization_ids(agreement: Agreement) -> set[int]:
    """The lead institution and every consortium member of the agreement's proposal."""
    proposal = agreement.proposal
    ids = {proposal.lead_organization_id}
    ids.update(proposal.members.values_list("organization_id", flat=True))
    return ids


def is_institution_of(user, agreement: Agreement) -> bool:
    return (_authenticated(user) and user.role == Role.APPLICANT and user.organization_id is not None
            and user.organization_id in agreement_organization_ids(agreement))


def can_view_dashboard(user) -> bool:
    return _authenticated(user) and (sees_all_organizations(user) and (is_manager(user) or user.role == Role.AUDITOR))


def can_view_agreement(user, agreement: Agreement) -> bool:
    if not _authenticated(user):
        return False
    if sees_all_organizations(user):
        return True
    return is_institution_of(user, agreement)


def can_enter_transactions(user, agreement: Agreement) -> bool:
    if agreement.status in (AgreementStatus.DRAFT, AgreementStatus.CLOSED) or not _authenticated(user) or is_read_only(user):
        return False
    return is_institution_of(user, agreement) or (user.is_superuser or user.role == Role.ADMINISTRATOR)


def can_explain_flag(user, flag: Flag) -> bool:
    return (flag.status == FlagStatus.OPEN and flag.agreement.status != AgreementStatus.CLOSED
            and is_institution_of(user, flag.agreement))


def can_decide_flag(user, flag: Flag) -> bool:
    return flag.status == FlagStatus.EXPLAINED and flag.agreement.status != AgreementStatus.CLOSED and is_manager(user)


def can_close_settlement(user, agreement: Agreement) -> bool:
    return is_manager(user) and agreement.status != AgreementStatus.CLOSED and agreement.current_run_id is not None
