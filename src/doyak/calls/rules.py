"""Who may see and change calls, composed of the shared predicates (doyak.accounts.rules)."""

from __future__ import annotations

from doyak.accounts.rules import Actor, is_ministry, is_read_only, is_signed_in
from doyak.core.labels import audit_objects_register

from .enums import CallStatus


def can_manage_calls(user: Actor) -> bool:
    """The ministry side builds, opens and closes calls."""
    return is_ministry(user)


def can_view_draft_calls(user: Actor) -> bool:
    """Drafts: the people who build them and the read-only roles."""
    return is_ministry(user) or is_read_only(user)


def can_view_call(user: Actor, call) -> bool:
    """Everyone signed in sees published calls; drafts only the people who build them and the readers."""
    return is_signed_in(user) and (call.status != CallStatus.DRAFT or can_view_draft_calls(user))


audit_objects_register({"calls.call": ("calls:detail", "call_id", can_view_call)})
