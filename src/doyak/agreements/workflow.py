"""The change-request workflow (협약변경), declared as data in one place.

draft → (submit) → applied when every difference is a notice (minor: it takes effect on submission), or
submitted when any is major (the request waits whole); returned → (submit) again; submitted → (approve)
approved | (return) returned | (reject) rejected; approved → (apply) applied on the request's effective date.

Approval is the program manager's decision (stored, audited); the new frozen version is made when the request
takes effect: at once when its effective date is the decision day or earlier, otherwise by the daily job
(``changes_apply_due``, run by ``doyak agreements_activate``) on that date. Until then the approved request
keeps the agreement's next change waiting (it is still open).

Each transition names who fires it: ``PROPOSER`` (the lead institution's representative, or the program
manager, on the request's page), ``MANAGER`` (the program manager deciding) or ``SYSTEM`` (the daily job, or
the decision itself when it takes effect at once). ``change_transition`` (services) is the only code that
applies them, and it checks the permission before the state.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .enums import ChangeStatus as S


class Owner(models.TextChoices):
    PROPOSER = "proposer", _("the lead institution or the program manager")
    MANAGER = "manager", _("the program manager")
    SYSTEM = "system", _("the daily job")


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise
    source: frozenset[str]
    owner: str
    needs_note: bool = False  # comments required (returned, rejected)
    button_class: str = ""


TRANSITIONS: dict[str, Transition] = {t.name: t for t in [
    Transition("submit", _("Submit"), frozenset({S.DRAFT, S.RETURNED}), Owner.PROPOSER),
    Transition("approve", _("Approve"), frozenset({S.SUBMITTED}), Owner.MANAGER),
    Transition("return", _("Return with comments"), frozenset({S.SUBMITTED}), Owner.MANAGER, needs_note=True,
               button_class="secondary"),
    Transition("reject", _("Reject the request"), frozenset({S.SUBMITTED}), Owner.MANAGER, needs_note=True,
               button_class="tertiary"),
    Transition("apply", _("Put in force"), frozenset({S.APPROVED}), Owner.SYSTEM),
]}

# Where a transition leads (submit is decided by the classification: applied or submitted).
TARGETS: dict[str, str] = {"approve": S.APPROVED, "return": S.RETURNED, "reject": S.REJECTED, "apply": S.APPLIED}


def transitions_from(status: str) -> list[Transition]:
    """The transitions a person may fire from ``status`` (the daily job's are not offered on a page)."""
    return [t for t in TRANSITIONS.values() if status in t.source and t.owner != Owner.SYSTEM]
