"""The proposal workflow, declared as data in one place.

draft → submitted → withdrawn | under review → evaluated (passed) | not selected (below the cut-off);
evaluated → selected | not selected.

Each transition names its source states, its target, the roles that may trigger it and its **owner**: the
person acting on the proposal's page (``Owner.PERSON``) or the one service that decides it — publishing a
panel's results decides pass or fail, answering an appeal may lift a failed proposal over the cut-off, and
only the approval of a portfolio scenario selects. ``proposal_transition`` (services) is the only code that
applies them, and it refuses a transition asked for by anyone but its owner.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from doyak.accounts.enums import MINISTRY_ROLES, Role

from .enums import ProposalStatus as S


class Owner(models.TextChoices):
    """Who fires a transition."""

    PERSON = "person", _("a person on the proposal's page")
    EVALUATION_PUBLICATION = "evaluation_publication", _("the publication of the evaluation results")
    APPEAL_ANSWER = "appeal_answer", _("the answer to an appeal")
    PORTFOLIO_APPROVAL = "portfolio_approval", _("the approval of a portfolio scenario")


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise
    source: frozenset[str]
    target: str
    roles: frozenset[str]
    owner: str = Owner.PERSON
    before_deadline: bool = False  # only while the call accepts proposals
    validates: bool = False  # every rule must pass (submission checks included)
    stamps: str | None = None  # the timestamp field set to now
    email: str | None = None  # e-mail template sent to the applicant on commit
    button_class: str = ""

    @property
    def manual(self) -> bool:
        """Offered as a button (and an API call) on the proposal itself."""
        return self.owner == Owner.PERSON


APPLICANT = frozenset({Role.APPLICANT})
# Who approves a portfolio scenario, and so selects: the one place this is said (portfolio.rules reads it).
APPROVERS = frozenset({Role.ADMINISTRATOR})

TRANSITIONS: dict[str, Transition] = {t.name: t for t in [
    Transition("submit", _("Submit"), frozenset({S.DRAFT}), S.SUBMITTED, APPLICANT,
               before_deadline=True, validates=True, stamps="submitted_at", email="submitted"),
    Transition("withdraw", _("Withdraw"), frozenset({S.SUBMITTED}), S.WITHDRAWN, APPLICANT,
               before_deadline=True, button_class="secondary"),
    Transition("start_review", _("Start review"), frozenset({S.SUBMITTED}), S.UNDER_REVIEW, MINISTRY_ROLES),
    Transition("pass_evaluation", _("Pass the evaluation"), frozenset({S.UNDER_REVIEW}), S.EVALUATED, MINISTRY_ROLES,
               owner=Owner.EVALUATION_PUBLICATION, email="evaluated"),
    Transition("fail_evaluation", _("Fail the evaluation"), frozenset({S.UNDER_REVIEW}), S.NOT_SELECTED, MINISTRY_ROLES,
               owner=Owner.EVALUATION_PUBLICATION, stamps="decided_at", email="evaluated"),
    Transition("reinstate", _("Reinstate after an upheld appeal"), frozenset({S.NOT_SELECTED}), S.EVALUATED,
               MINISTRY_ROLES, owner=Owner.APPEAL_ANSWER, email="reinstated"),
    Transition("select", _("Select"), frozenset({S.EVALUATED}), S.SELECTED, APPROVERS,
               owner=Owner.PORTFOLIO_APPROVAL, stamps="decided_at", email="decided"),
    Transition("reject", _("Not select"), frozenset({S.EVALUATED}), S.NOT_SELECTED, APPROVERS,
               owner=Owner.PORTFOLIO_APPROVAL, stamps="decided_at", email="decided"),
]}


def transitions_from(status: str, *, manual: bool | None = None) -> list[Transition]:
    """Transitions out of ``status``; ``manual=True`` keeps only those a person fires on the proposal."""
    return [t for t in TRANSITIONS.values() if status in t.source and (manual is None or t.manual == manual)]
