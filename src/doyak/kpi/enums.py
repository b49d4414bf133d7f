from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from doyak.engine import kpi as engine


class IndicatorUnit(models.TextChoices):
    COUNT = "count", _("count")
    KRW = "krw", _("won")
    DAYS = "days", _("days")
    ITEMS = "items", pgettext_lazy("kpi unit", "items")
    PERCENT = "percent", pgettext_lazy("kpi unit", "per cent")


class Aggregate(models.TextChoices):
    COUNT = "count", _("Count of records")
    SUM = "sum", _("Sum of values")
    MEAN = "mean", _("Mean of values")


class Status(models.TextChoices):
    ON_TRACK = engine.ON_TRACK, pgettext_lazy("kpi status", "On track")
    BEHIND = engine.BEHIND, pgettext_lazy("kpi status", "Behind")
    AT_RISK = engine.AT_RISK, pgettext_lazy("kpi status", "At risk")
    NO_DATA = engine.NO_DATA, pgettext_lazy("kpi status", "No data")


class PackStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
