from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from doyak.core.models import AppendOnlyModel

from .enums import Unit, ValueType


class PolicySetting(AppendOnlyModel):
    """One version of a named policy value (a limit, threshold, ratio, window or target).

    Versions are never edited: a change is a new row with a later ``version``. The value in
    force on a date is the highest version whose period covers that date.
    """

    key = models.CharField(_("key"), max_length=100, db_index=True)
    version = models.PositiveIntegerField(_("version"))
    value = models.JSONField(_("value"))
    value_type = models.CharField(_("value type"), max_length=10, choices=ValueType.choices)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, blank=True)
    label_ko = models.CharField(_("label (Korean)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    source = models.CharField(_("legal or plan source"), max_length=300)
    confirmed = models.BooleanField(
        _("confirmed"), default=True, help_text=_("False when the value could not be checked against a primary source.")
    )
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["key", "-version"]
        verbose_name = _("policy setting")
        verbose_name_plural = _("policy settings")
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="policy_key_version_unique")]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"

    @property
    def label(self) -> str:
        return self.label_en if (get_language() or "ko").startswith("en") else self.label_ko
