"""Indicators of the plan's targets as versioned data: what is counted (a selector chosen by name from the
registry in ``measures``), how (unit, aggregate, cumulative, the de-duplication key), from where (baseline) and
to where (the target per year to the deadline). Versions are never edited; the latest in force is used."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from doyak.core.models import AppendOnlyModel, BackgroundRun

from .enums import Aggregate, IndicatorUnit, PackStatus


class Indicator(AppendOnlyModel):
    key = models.CharField(_("key"), max_length=100, db_index=True,
                           help_text=_("The plan target's key, e.g. max.ai_factories."))
    version = models.PositiveIntegerField(_("version"))
    label_ko = models.CharField(_("label (Korean)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    pillar = models.CharField(_("plan pillar"), max_length=20)
    unit = models.CharField(_("unit"), max_length=10, choices=IndicatorUnit.choices)
    aggregate = models.CharField(_("aggregate"), max_length=10, choices=Aggregate.choices)
    cumulative = models.BooleanField(_("cumulative"), help_text=_("Counts everything up to a year, not only that year's."))
    increasing = models.BooleanField(_("higher is better"), default=True)
    dedup_key = models.CharField(_("de-duplication key"), max_length=100,
                                 help_text=_("What makes two records one thing, so it is counted once."))
    selector = models.CharField(_("selector"), max_length=60, help_text=_("The registered function that computes the actual."))
    selector_params = models.JSONField(_("selector parameters"), default=dict, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=20, decimal_places=2, null=True, blank=True,
                                   help_text=_("Empty with a baseline year: computed from that year's records."))
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    relative = models.BooleanField(_("targets relative to the baseline"), default=False)
    # {"2026": "100", "2027": "200", …}: the target of each year up to the deadline (the last year)
    trajectory = models.JSONField(_("target per year"))
    target_policy = models.CharField(_("plan target policy"), max_length=100, blank=True,
                                     help_text=_("The policy record holding the plan's own figure, when it has one."))
    source = models.CharField(_("source"), max_length=300)
    note = models.TextField(_("note"), blank=True)
    effective_from = models.DateField(_("effective from"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("created by"))

    class Meta:
        ordering = ["key", "-version"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="kpi_indicator_key_version_unique")]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"

    @property
    def label(self) -> str:
        return self.label_en if (get_language() or "ko").startswith("en") else self.label_ko


class MeetingPack(BackgroundRun):
    """The council's meeting pack for one date: the board as a Korean PDF and an XLSX, made by a background job
    (``kpi.tasks.meeting_pack_task``) that writes its progress here; the files are kept on the row."""

    as_of = models.DateField(_("board on"))
    status = models.CharField(_("status"), max_length=8, choices=PackStatus.choices, default=PackStatus.QUEUED,
                              db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    pdf = models.BinaryField(_("PDF"), blank=True, default=b"")
    xlsx = models.BinaryField(_("XLSX"), blank=True, default=b"")
    task_id = models.CharField(_("task id"), max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("meeting pack")
        verbose_name_plural = _("meeting packs")

    def __str__(self) -> str:
        return f"{self.as_of:%Y-%m-%d} #{self.pk} ({self.status})"
