"""Who may do what on the KPI board, composed of the shared predicates (doyak.accounts.rules).

The board, each indicator and the records behind its number (public fields only) are for everyone signed in;
an administrator adds indicators and new versions of them, as with every other policy number."""

from __future__ import annotations

from doyak.accounts.rules import Actor, can_manage_policies, is_signed_in, reads_as_ministry


def can_view_board(user: Actor) -> bool:
    return is_signed_in(user)


def can_manage_indicators(user: Actor) -> bool:
    return can_manage_policies(user)


def can_open_agreements(user: Actor) -> bool:
    """The board links a record to its agreement's ledger for those who read every ledger."""
    return reads_as_ministry(user)
