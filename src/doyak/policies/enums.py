from django.db import models
from django.utils.translation import gettext_lazy as _


class ValueType(models.TextChoices):
    INTEGER = "int", _("Whole number")
    DECIMAL = "decimal", _("Decimal")
    BOOLEAN = "bool", _("Yes/no")
    TEXT = "text", _("Text")
    LIST = "list", _("List")


class Unit(models.TextChoices):
    KRW = "krw", _("won")
    SHARE = "share", _("share (0–1)")
    PERCENT = "percent", _("percent")
    COUNT = "count", _("count")
    DAYS = "days", _("days")
    MONTHS = "months", _("months")
    YEARS = "years", _("years")
    MINUTES = "minutes", _("minutes")
    SECONDS = "seconds", _("seconds")
    POINTS = "points", _("points")
    FLAG = "flag", _("on/off")
    NONE = "", _("none")
