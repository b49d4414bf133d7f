from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from doyak.core.models import TimeStampedModel


class Program(TimeStampedModel):
    """A ministry R&D program (사업) for one fiscal year, with its budget envelope in won."""

    code = models.CharField(_("code"), max_length=20)
    year = models.PositiveSmallIntegerField(_("fiscal year"))
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    pillar = models.CharField(_("plan pillar"), max_length=20, blank=True)
    budget_krw = models.BigIntegerField(_("budget (won)"))
    description = models.TextField(_("description"), blank=True)
    simultaneous_limit_enabled = models.BooleanField(
        _("simultaneous-project limit (3/5 rule) applies"), null=True, blank=True,
        help_text=_("Empty: the policy setting rnd_act.simultaneous_projects_enabled decides."),
    )

    class Meta:
        ordering = ["-year", "code"]
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        constraints = [models.UniqueConstraint(fields=["code", "year"], name="program_code_year_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"

    @property
    def name(self) -> str:
        if (get_language() or "ko").startswith("en") and self.name_en:
            return self.name_en
        return self.name_ko


class SubProgram(TimeStampedModel):
    """A sub-program (내역사업) with its own share of the program's yearly envelope."""

    program = models.ForeignKey(Program, verbose_name=_("program"), on_delete=models.CASCADE, related_name="sub_programs")
    code = models.CharField(_("code"), max_length=20)
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    budget_krw = models.BigIntegerField(_("budget (won)"))

    class Meta:
        ordering = ["program", "code"]
        verbose_name = _("sub-program")
        verbose_name_plural = _("sub-programs")
        constraints = [models.UniqueConstraint(fields=["program", "code"], name="subprogram_code_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "ko").startswith("en") and self.name_en:
            return self.name_en
        return self.name_ko
