"""What the board computes only for display: figures as Koreans read them, status labels and symbols (never
colour alone), chart series for ECharts, the records' links."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from doyak.core.money import format_won_short
from doyak.regions.enums import RegionGroup

from .enums import IndicatorUnit, Status

# A symbol per status, so the status reads without colour (and a CSS class for the colour beside it).
STATUS_SYMBOLS = {Status.ON_TRACK: "●", Status.BEHIND: "▲", Status.AT_RISK: "■", Status.NO_DATA: "○"}
STATUS_CLASSES = {Status.ON_TRACK: "ok", Status.BEHIND: "warn", Status.AT_RISK: "danger", Status.NO_DATA: ""}


# The de-duplication keys the seeded indicators name (data), as people read them; others are shown as entered.
DEDUP_LABELS = {
    "agreement number": pgettext_lazy("kpi", "agreement number"),
    "agreement and request number": gettext_lazy("agreement and request number"), "company and site": gettext_lazy("company and site"),
    "fund commitment": gettext_lazy("fund commitment"), "graduate school": gettext_lazy("graduate school"),
    "joint lab": gettext_lazy("joint lab"), "model name": gettext_lazy("model name"),
    "proposal number": gettext_lazy("proposal number"), "regulation task": gettext_lazy("regulation task"),
    "site, robot and start date": gettext_lazy("site, robot and start date"),
}


def dedup_label(key: str) -> str:
    return str(DEDUP_LABELS.get(key, key))


def status_label(status: str) -> str:
    return str(Status(status).label)


def figure(value: Decimal | None, unit: str, *, lang: str) -> str:
    if value is None:
        return "-"
    if unit == IndicatorUnit.KRW:
        return format_won_short(int(value), lang=lang)
    number = f"{value:,.1f}" if value != value.to_integral_value() else f"{int(value):,}"
    count = 1 if value == 1 else 2  # "1 item", "1.5 items", "2 items"
    if unit == IndicatorUnit.DAYS:
        return ngettext("%(n)s day", "%(n)s days", count) % {"n": number}
    if unit == IndicatorUnit.PERCENT:
        return f"{number}%"
    if unit == IndicatorUnit.ITEMS:
        return ngettext("%(n)s item", "%(n)s items", count) % {"n": number}
    return number


def _plain(value: Decimal | None) -> float | None:
    # for the chart only (display): the figures themselves stay Decimal
    return None if value is None else float(value)


def chart_data(state, *, lang: str, small: bool = False) -> dict:
    """ECharts input: years, the actual and the trajectory (targets), labelled; read by static kpi/board.js."""
    rows = state.years
    return {
        "small": small, "unit": state.indicator.unit,
        "years": [str(r.year) for r in rows],
        "actualName": _("Actual"), "targetName": _("Trajectory (target)"),
        "actual": [_plain(r.actual) for r in rows],
        "target": [_plain(r.target) for r in rows],
        "krw": state.indicator.unit == IndicatorUnit.KRW, "lang": lang,
    }


def record_url(ref: str) -> str:
    kind, _sep, pk = ref.partition(":")
    names = {"asset": "max:detail", "agreement": "finance:ledger", "proposal": "proposals:detail",
             "change": "agreements:change", "regulation_task": "regulation:task", "settlement_run": "finance:run"}
    # the joint-lab and graduate-school registries are lists: the record opens the list it is a row of; a fund
    # commitment opens nothing here (its fund's page is for the ministry side and the fund's own investors)
    lists = {"joint_lab": "capacity:joint_labs", "graduate_school": "capacity:graduate_schools"}
    if kind in lists:
        return reverse(lists[kind])
    return reverse(names[kind], args=[int(pk)]) if kind in names else ""


def group_label(value: str) -> str:
    return str(RegionGroup(value).label) if value in RegionGroup.values else (value or _("Unknown"))
