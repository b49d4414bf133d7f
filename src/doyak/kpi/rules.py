"""Who may do what on the KPI board, composed of the shared predicates (doyak.accounts.rules).

The board, each indicator and the records behind its number (public fields only) are for everyone signed in;
an administrator adds indicators and new versions of them, as with every other policy number; council members
and administrators make and download the council's meeting pack."""

from __future__ import annotations

from doyak.accounts.enums import Role
from doyak.accounts.rules import (
    Actor,
    can_manage_policies,
    has_role,
    is_administrator,
    is_signed_in,
    reads_as_ministry,
)


def can_view_board(user: Actor) -> bool:
    return is_signed_in(user)


def can_manage_indicators(user: Actor) -> bool:
    return can_manage_policies(user)


def can_open_agreements(user: Actor) -> bool:
    """The board links a record to its agreement's ledger for those who read every ledger."""
    return reads_as_ministry(user)


def can_make_meeting_pack(user: Actor) -> bool:
    """The council's meeting pack: for its members and the administrators."""
    return has_role(user, Role.COUNCIL_MEMBER) or is_administrator(user)
