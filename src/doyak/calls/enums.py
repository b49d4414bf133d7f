from django.db import models
from django.utils.translation import gettext_lazy as _


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Aggregation(models.TextChoices):
    MEAN = "mean", _("Mean")
    TRIMMED_MEAN = "trimmed_mean", _("Mean without the highest and lowest")
    MEDIAN = "median", _("Median")


class ScoringMode(models.TextChoices):
    ABSOLUTE = "absolute", _("Absolute")
    RELATIVE = "relative", _("Relative")


class EvaluationFormat(models.TextChoices):
    WRITTEN = "written", _("Written")
    PRESENTATION = "presentation", _("Presentation")
    ON_SITE = "on_site", _("On-site")
    TWO_STAGE = "two_stage", _("Two-stage")
    BLIND = "blind", _("Blind")


class CriterionKind(models.TextChoices):
    """Required items of the standard guideline, optional items, and the plan's regional ripple items."""

    CREATIVITY_PLAN = "creativity_plan", _("Creativity and plan quality")
    CAPABILITY = "capability", _("Capability")
    IMPACT = "impact", _("Impact")
    PROGRAM_FIT = "program_fit", _("Fit to the program")
    DIFFERENTIATION = "differentiation", _("Differentiation")
    EQUIPMENT_PLAN = "equipment_plan", _("Equipment plan")
    COLLABORATION = "collaboration", _("Collaboration")
    RIPPLE_INVESTMENT = "ripple_investment", _("Regional ripple: investment")
    RIPPLE_EMPLOYMENT = "ripple_employment", _("Regional ripple: employment")
    RIPPLE_PRODUCTION = "ripple_production", _("Regional ripple: production")
    OTHER = "other", _("Other")


REQUIRED_CRITERION_KINDS = frozenset({CriterionKind.CREATIVITY_PLAN, CriterionKind.CAPABILITY})
RIPPLE_CRITERION_KINDS = frozenset(
    {CriterionKind.RIPPLE_INVESTMENT, CriterionKind.RIPPLE_EMPLOYMENT, CriterionKind.RIPPLE_PRODUCTION}
)
