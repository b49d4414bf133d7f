"""The change-request workflow (협약변경), declared as data in one place.

draft → (submit) → applied when every difference is a notice (minor), or submitted when any is major (the
request waits whole); returned → (submit) again; submitted → (approve) applied | (return) returned | (reject)
rejected. Approval makes the new version at once, so ``approved`` is the moment before ``applied``.

Each transition names who fires it: ``PROPOSER`` (the lead institution's representative, or the program
manager, on the request's page) or ``MANAGER`` (the program manager deciding). ``change_transition``
(services) is the only code that applies them, and it checks the permission before the state.
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
]}

# Where a decision leads (submit is decided by the classification: applied or submitted).
TARGETS: dict[str, str] = {"approve": S.APPLIED, "return": S.RETURNED, "reject": S.REJECTED}


def transitions_from(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.source]
