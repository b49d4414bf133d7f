"""Models of the portfolio app: selection scenarios for a call or a whole program year."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from doyak.core.models import LeasedRun, TimeStampedModel

from .enums import SUBMITTED_STATUSES, ScenarioScope, ScenarioStatus


class Scenario(LeasedRun, TimeStampedModel):
    """One portfolio selection scenario (선정 시나리오).

    ``policy`` follows ``doyak select``'s POLICY.toml schema as JSON (budget, min_score, objective,
    constraint list); ``result`` is what the engine returned, stored exactly (money in integer won).
    """

    name = models.CharField(_("name"), max_length=120)
    scope = models.CharField(_("scope"), max_length=14, choices=ScenarioScope.choices)
    program = models.ForeignKey("programs.Program", verbose_name=_("program"), on_delete=models.PROTECT,
                                related_name="portfolio_scenarios")
    year = models.PositiveSmallIntegerField(_("fiscal year"))
    call = models.ForeignKey("calls.Call", verbose_name=_("call"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="portfolio_scenarios")
    # "call:<id>" or "program:<id>:<year>": one key to make "one submitted scenario per scope" a constraint.
    scope_key = models.CharField(max_length=40, db_index=True, editable=False)
    policy = models.JSONField(_("policy"), default=dict)
    prefill_notes = models.JSONField(_("how the policy was pre-filled"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ScenarioStatus.choices,
                              default=ScenarioStatus.DRAFT, db_index=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    explanation_md = models.TextField(_("explanation (Markdown)"), blank=True)
    error = models.JSONField(_("last solve error"), default=dict, blank=True)
    solved_at = models.DateTimeField(_("solved at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("portfolio scenario")
        verbose_name_plural = _("portfolio scenarios")
        constraints = [
            models.UniqueConstraint(
                fields=["scope_key"], condition=models.Q(status__in=sorted(SUBMITTED_STATUSES)),
                name="scenario_one_submitted_per_scope",
            ),
            models.CheckConstraint(
                condition=(models.Q(scope=ScenarioScope.CALL, call__isnull=False)
                           | models.Q(scope=ScenarioScope.PROGRAM_YEAR, call__isnull=True)),
                name="scenario_scope_matches_call",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def scope_key_for(*, program_id: int, year: int, call_id: int | None) -> str:
        return f"call:{call_id}" if call_id else f"program:{program_id}:{year}"


class Selection(models.Model):
    """The selection decision of one proposal, made by the approval of a portfolio scenario (선정 결과).

    ``because`` names the scenario constraints whose removal would change the proposal's outcome (the
    engine's explanation); ``budget_bound`` says that the budget alone also decides it. The sentence shown
    to the applicant is made from them in ``presentation.selection_reason``.
    """

    proposal = models.OneToOneField("proposals.Proposal", verbose_name=_("proposal"), on_delete=models.PROTECT,
                                    related_name="portfolio_selection")
    scenario = models.ForeignKey(Scenario, verbose_name=_("scenario"), on_delete=models.PROTECT,
                                 related_name="selections")
    selected = models.BooleanField(_("selected"))
    because = models.JSONField(_("deciding constraints"), default=list, blank=True)
    budget_bound = models.BooleanField(_("decided by the budget"), default=False)
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        ordering = ["scenario", "-selected", "proposal"]
        verbose_name = _("selection decision")
        verbose_name_plural = _("selection decisions")

    def __str__(self) -> str:
        return f"{self.proposal_id}: {'selected' if self.selected else 'not selected'}"

    @property
    def reason(self) -> str:
        """Why, in the current language (for the applicant's notice and e-mail)."""
        from .presentation import selection_reason

        return selection_reason(self)
