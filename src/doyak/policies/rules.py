"""Who may read and change the versioned policy records, composed of the shared predicates."""

from __future__ import annotations

from doyak.accounts.rules import Actor, is_administrator
from doyak.core.labels import audit_objects_register


def can_manage_policies(user: Actor) -> bool:
    """Administrators add policy versions."""
    return is_administrator(user)


audit_objects_register({"policies.policysetting": ("policies:detail", "key", lambda user, _obj: True, "key")})
