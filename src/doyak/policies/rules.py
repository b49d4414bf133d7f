"""Who may read and change the versioned policy records, composed of the shared predicates."""

from __future__ import annotations

from doyak.accounts.rules import Actor, is_administrator


def can_manage_policies(user: Actor) -> bool:
    """Administrators add policy versions."""
    return is_administrator(user)
