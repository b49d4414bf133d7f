from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .enums import RegionGroup


class Region(models.Model):
    """A province-level unit for a period. Codes are reused across periods; rows never move.

    Records point at the row valid when they were made, so an organisation registered in
    광주광역시 before the 2026-07-01 merger keeps that region.
    """

    code = models.CharField(_("code"), max_length=2, db_index=True)
    name_ko = models.CharField(_("name (Korean)"), max_length=40)
    name_en = models.CharField(_("name (English)"), max_length=60)
    group = models.CharField(_("5극3특 group"), max_length=16, choices=RegionGroup.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    successor = models.ForeignKey(
        "self", verbose_name=_("successor"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["code", "valid_from"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [models.UniqueConstraint(fields=["code", "valid_from"], name="region_code_period_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "ko").startswith("en") else self.name_ko

    @property
    def is_capital(self) -> bool:
        return self.group == RegionGroup.CAPITAL
