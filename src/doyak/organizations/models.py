from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from doyak.core.models import TimeStampedModel

from .enums import CareerStage, OrganizationType
from .validators import brn_format, validate_brn


class Organization(TimeStampedModel):
    """A company, university, institute or other body that applies for or carries out R&D."""

    name = models.CharField(_("name"), max_length=200, db_index=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    business_registration_number = models.CharField(
        _("business registration number"), max_length=10, unique=True, validators=[validate_brn],
        help_text=_("10 digits, no hyphens."),
    )
    org_type = models.CharField(_("organization type"), max_length=20, choices=OrganizationType.choices, db_index=True)
    corporate_group = models.CharField(_("corporate group"), max_length=100, blank=True, db_index=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="organizations"
    )
    is_demand_anchor = models.BooleanField(_("demand-anchor company"), default=False)
    indirect_cost_rate = models.DecimalField(
        _("notified indirect-cost rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    self_settlement_eligible = models.BooleanField(_("self-settlement eligible"), default=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        indexes = [models.Index(fields=["org_type", "region"], name="org_type_region_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def brn_display(self) -> str:
        return brn_format(self.business_registration_number)


class Researcher(TimeStampedModel):
    """A researcher with a national researcher number (국가연구자번호)."""

    national_researcher_number = models.CharField(_("national researcher number"), max_length=8, unique=True)
    name = models.CharField(_("name"), max_length=60, db_index=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    organization = models.ForeignKey(
        Organization, verbose_name=_("affiliation"), on_delete=models.PROTECT, related_name="researchers"
    )
    department = models.CharField(_("department"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    career_stage = models.CharField(_("career stage"), max_length=20, choices=CareerStage.choices)
    star_engineer_since = models.DateField(_("star engineer since"), null=True, blank=True)
    expertise_keywords = models.JSONField(_("expertise keywords"), default=list, blank=True)
    technology_codes = models.JSONField(_("technology classification codes"), default=list, blank=True)
    advisor = models.ForeignKey(
        "self", verbose_name=_("doctoral advisor"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="students",
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("researcher")
        verbose_name_plural = _("researchers")

    def __str__(self) -> str:
        return f"{self.name} ({self.national_researcher_number})"

    @property
    def is_star_engineer(self) -> bool:
        return self.star_engineer_since is not None
