"""The report workflow, declared as data in one place.

due → (save) draft → (submit) submitted → (accept) accepted | (return) returned → (save, submit) again. Each
transition names who fires it: ``INSTITUTION`` (the lead institution's applicants) or ``MANAGER`` (the program
manager reviewing). ``report_transition`` (services) is the only code that applies them, permission first.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .enums import ReportStatus as S


class Owner(models.TextChoices):
    INSTITUTION = "institution", _("the lead institution")
    MANAGER = "manager", _("the program manager")


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise
    source: frozenset[str]
    target: str
    owner: str
    needs_note: bool = False
    button_class: str = ""


_OWED = frozenset({S.DUE, S.DRAFT, S.RETURNED})

TRANSITIONS: dict[str, Transition] = {t.name: t for t in [
    Transition("save", _("Save draft"), _OWED, S.DRAFT, Owner.INSTITUTION, button_class="secondary"),
    Transition("submit", _("Submit"), _OWED, S.SUBMITTED, Owner.INSTITUTION),
    Transition("accept", _("Accept the report"), frozenset({S.SUBMITTED}), S.ACCEPTED, Owner.MANAGER),
    Transition("return", _("Return with comments"), frozenset({S.SUBMITTED}), S.RETURNED, Owner.MANAGER,
               needs_note=True, button_class="secondary"),
]}


def transitions_from(status: str, owner: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.source and t.owner == owner]
