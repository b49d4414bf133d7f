"""Innovation capacity records: demand surveys, the commercialisation fund, the talent growth cycle, joint labs
and specialised graduate schools. Thin models; the rules are in services and rules."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from doyak.core.models import TimeStampedModel

from .enums import (
    CareerEventKind,
    DemandKind,
    ExitKind,
    Instrument,
    InvestmentStage,
    NominationStatus,
    StageSource,
    SurveyStatus,
    TalentStage,
)


# ---------------------------------------------------------------------------------------------- demand surveys
class Survey(TimeStampedModel):
    """A demand survey (수요조사) on a program year's candidate topics, opened by a program manager."""

    program = models.ForeignKey("programs.Program", verbose_name=_("program"), on_delete=models.PROTECT,
                                related_name="demand_surveys")
    title = models.CharField(pgettext_lazy("survey", "title"), max_length=200)
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(_("status"), max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.OPEN,
                              db_index=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["-closes_on", "-id"]
        verbose_name = _("demand survey")
        verbose_name_plural = _("demand surveys")

    def __str__(self) -> str:
        return self.title


class SurveyTopic(models.Model):
    """A candidate topic; carried into a call, it keeps the link (``call``)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(pgettext_lazy("survey", "title"), max_length=200)
    technology_codes = models.JSONField(_("technology classification codes"), default=list, blank=True)
    expected_budget_krw = models.BigIntegerField(_("expected budget (won)"), default=0)
    call = models.ForeignKey("calls.Call", verbose_name=_("call"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="demand_topics")
    carried_at = models.DateTimeField(_("carried into the call at"), null=True, blank=True)

    class Meta:
        ordering = ["survey", "id"]
        verbose_name = _("survey topic")
        verbose_name_plural = _("survey topics")
        constraints = [models.CheckConstraint(condition=models.Q(expected_budget_krw__gte=0),
                                              name="capacity_topic_budget_non_negative")]

    def __str__(self) -> str:
        return self.title


class DemandResponse(TimeStampedModel):
    """One organisation's stated interest in a topic: how much it would invest or buy, at which stage, on what
    condition. Private to that organisation and the ministry side."""

    topic = models.ForeignKey(SurveyTopic, on_delete=models.CASCADE, related_name="responses")
    organization = models.ForeignKey("organizations.Organization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="demand_responses")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("respondent"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("interest"), max_length=10, choices=DemandKind.choices)
    amount_krw = models.BigIntegerField(_("amount (won)"))
    stage = models.CharField(_("stage"), max_length=12, choices=InvestmentStage.choices)
    condition = models.CharField(_("condition"), max_length=500, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["topic", "organization__name", "id"]
        verbose_name = _("demand response")
        verbose_name_plural = _("demand responses")
        constraints = [
            models.UniqueConstraint(fields=["topic", "organization"], name="capacity_response_unique"),
            models.CheckConstraint(condition=models.Q(amount_krw__gte=0), name="capacity_response_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.topic_id} {self.organization_id}"
