"""The proposal workflow, declared as data in one place.

draft → submitted → withdrawn | under review → selected | not selected.

Each transition names its source states, target, the roles that may trigger it, whether the call must
still accept proposals, whether every rule must pass, the timestamp it sets and the e-mail it sends.
``proposal_transition`` (services) is the only code that applies them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from doyak.accounts.enums import Role

from .enums import ProposalStatus as S


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise
    source: frozenset[str]
    target: str
    roles: frozenset[str]
    before_deadline: bool = False  # only while the call accepts proposals
    validates: bool = False  # every rule must pass (submission checks included)
    stamps: str | None = None  # the timestamp field set to now
    email: str | None = None  # e-mail template sent to the applicant on commit
    button_class: str = ""


APPLICANT = frozenset({Role.APPLICANT})
MINISTRY = frozenset({Role.PROGRAM_MANAGER, Role.ADMINISTRATOR})

TRANSITIONS: dict[str, Transition] = {t.name: t for t in [
    Transition("submit", _("Submit"), frozenset({S.DRAFT}), S.SUBMITTED, APPLICANT,
               before_deadline=True, validates=True, stamps="submitted_at", email="submitted"),
    Transition("withdraw", _("Withdraw"), frozenset({S.SUBMITTED}), S.WITHDRAWN, APPLICANT,
               before_deadline=True, button_class="secondary"),
    Transition("start_review", _("Start review"), frozenset({S.SUBMITTED}), S.UNDER_REVIEW, MINISTRY),
    Transition("select", _("Select"), frozenset({S.UNDER_REVIEW}), S.SELECTED, MINISTRY,
               stamps="decided_at", email="decided"),
    Transition("reject", _("Not select"), frozenset({S.UNDER_REVIEW}), S.NOT_SELECTED, MINISTRY,
               stamps="decided_at", email="decided", button_class="secondary"),
]}


def transitions_from(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.source]
