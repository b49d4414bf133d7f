from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from doyak.core.models import TimeStampedModel
from doyak.programs.enums import Track

from .enums import Aggregation, CallStatus, CriterionKind, EvaluationFormat, ScoringMode


class Call(TimeStampedModel):
    """A call for proposals (공고) with its eligibility and its evaluation template."""

    program = models.ForeignKey("programs.Program", verbose_name=_("program"), on_delete=models.PROTECT,
                                related_name="calls")
    sub_program = models.ForeignKey("programs.SubProgram", verbose_name=_("sub-program"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="calls")
    reference = models.CharField(_("call number"), max_length=40, unique=True)
    track = models.CharField(_("track"), max_length=24, choices=Track.choices, default=Track.GENERAL, db_index=True)
    title_ko = models.CharField(_("title (Korean)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=CallStatus.choices, default=CallStatus.DRAFT,
                              db_index=True)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    eligible_region_codes = models.JSONField(_("eligible regions"), default=list, blank=True,
                                             help_text=_("Region codes; empty means all regions."))
    eligible_org_types = models.JSONField(_("eligible organization types"), default=list, blank=True,
                                          help_text=_("Empty means all types."))
    required_documents = models.JSONField(_("required documents"), default=list, blank=True)
    budget_krw = models.BigIntegerField(_("call budget (won)"), default=0)
    max_gov_per_project_krw = models.BigIntegerField(_("maximum government funds per project (won)"), null=True,
                                                     blank=True)
    # Evaluation template
    evaluation_format = models.CharField(_("evaluation format"), max_length=16, choices=EvaluationFormat.choices,
                                         default=EvaluationFormat.WRITTEN)
    scoring_mode = models.CharField(_("scoring"), max_length=10, choices=ScoringMode.choices,
                                    default=ScoringMode.ABSOLUTE)
    # No literal defaults: a new call left without them gets the policy's (see ``save``).
    aggregation = models.CharField(_("aggregation"), max_length=16, choices=Aggregation.choices)
    cutoff_score = models.DecimalField(_("cut-off score"), max_digits=5, decimal_places=2)
    panel_size = models.PositiveSmallIntegerField(_("evaluators per proposal"), default=5)

    class Meta:
        ordering = ["-opens_at", "reference"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(condition=models.Q(budget_krw__gte=0), name="call_budget_non_negative"),
            models.CheckConstraint(condition=models.Q(max_gov_per_project_krw__isnull=True)
                                   | models.Q(max_gov_per_project_krw__gte=0), name="call_max_gov_non_negative"),
            models.CheckConstraint(condition=models.Q(cutoff_score__gte=0), name="call_cutoff_non_negative"),
        ]

    def __str__(self) -> str:
        return f"[{self.reference}] {self.title}"

    def save(self, *args, **kwargs):
        """A new call without an aggregation or a cut-off takes the policy defaults in force on its opening day."""
        if self._state.adding and (not self.aggregation or self.cutoff_score is None):
            from .policies import call_evaluation_defaults

            on = timezone.localdate(self.opens_at) if self.opens_at else timezone.localdate()
            defaults = call_evaluation_defaults(on=on)
            self.aggregation = self.aggregation or defaults.aggregation
            if self.cutoff_score is None:
                self.cutoff_score = defaults.cutoff_score
        super().save(*args, **kwargs)

    @property
    def title(self) -> str:
        if (get_language() or "ko").startswith("en") and self.title_en:
            return self.title_en
        return self.title_ko

    def is_accepting(self, at=None) -> bool:
        at = at or timezone.now()
        return self.status == CallStatus.OPEN and self.opens_at <= at < self.closes_at


class Criterion(models.Model):
    """One evaluation item of a call's template, with its weight and scale."""

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=24, choices=CriterionKind.choices)
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    weight = models.DecimalField(_("weight (points)"), max_digits=5, decimal_places=2)
    scale_max = models.PositiveSmallIntegerField(_("scale maximum"), default=100)

    class Meta:
        ordering = ["call", "order", "id"]
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "ko").startswith("en") and self.name_en:
            return self.name_en
        return self.name_ko
