"""Who may do what in the finance app, composed of the shared predicates (doyak.accounts.rules).

Ledgers, transactions and evidence are read by the ministry side, the read-only roles and the agreement's
institutions; the regulation liaison, investors and evaluators see none of them.
"""

from __future__ import annotations

from doyak.accounts.enums import Role
from doyak.accounts.rules import (
    Actor,
    is_administrator,
    is_ministry,
    is_read_only,
    is_signed_in,
    reads_as_ministry,
)
from doyak.agreements.enums import AgreementStatus
from doyak.agreements.models import Agreement
from doyak.agreements.rules import can_view_agreement, is_institution_of
from doyak.core.labels import audit_objects_register

from .enums import FlagStatus
from .models import Flag


def can_manage_settlement(user: Actor) -> bool:
    """The ministry side runs settlements, decides on explanations and closes."""
    return is_ministry(user)


def reads_all_ledgers(user: Actor) -> bool:
    """The ministry side and the read-only roles read every agreement's ledger."""
    return reads_as_ministry(user)


def can_view_dashboard(user: Actor) -> bool:
    return is_ministry(user) or (is_signed_in(user) and user.role == Role.AUDITOR and not user.is_superuser)


def can_enter_transactions(user: Actor, agreement: Agreement) -> bool:
    if agreement.status in (AgreementStatus.DRAFT, AgreementStatus.SIGNED, AgreementStatus.CLOSED) or is_read_only(user):
        return False
    return is_institution_of(user, agreement) or is_administrator(user)


def can_explain_flag(user: Actor, flag: Flag) -> bool:
    return (flag.status == FlagStatus.OPEN and flag.agreement.status != AgreementStatus.CLOSED
            and is_institution_of(user, flag.agreement))


def can_decide_flag(user: Actor, flag: Flag) -> bool:
    return (flag.status == FlagStatus.EXPLAINED and flag.agreement.status != AgreementStatus.CLOSED
            and can_manage_settlement(user))


def can_close_settlement(user: Actor, agreement: Agreement) -> bool:
    return (can_manage_settlement(user) and agreement.status != AgreementStatus.CLOSED
            and agreement.current_run_id is not None)


# events recorded before the agreement moved to its own app name it finance.agreement: the ledger is its page here
audit_objects_register({"finance.agreement": ("finance:ledger", "agreement_id", can_view_agreement)})
