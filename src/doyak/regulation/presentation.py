"""What the regulation pages compute only for display: the timeline's one time axis (R&D milestones beside
the regulatory dates, as positions in percent of the axis) and the status badges' classes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .enums import DependencyStatus

STATUS_CLASS = {DependencyStatus.ON_TRACK: "ok", DependencyStatus.AT_RISK: "warn",
                DependencyStatus.BLOCKED: "danger", DependencyStatus.EXPIRING: "warn"}


@dataclass(frozen=True)
class Mark:
    label: str
    on: dt.date
    left: float  # percent of the axis
    kind: str  # "milestone" or "regulatory"


@dataclass(frozen=True)
class Timeline:
    start: dt.date
    end: dt.date
    today_left: float | None
    marks: list[Mark]
    exemption: tuple[float, float] | None  # left and width of the exemption's period, percent
    years: list[tuple[int, float]]


def _left(day: dt.date, start: dt.date, span: int) -> float:
    return round(100 * (day - start).days / span, 2)


def timeline(dependency, *, today: dt.date, expires_on: dt.date | None) -> Timeline:
    """One axis from the first to the last date of the dependency (and today), a month's margin either side."""
    milestones = list(dependency.milestones.all())
    regulatory = [(key, label, getattr(dependency, key)) for key, label in (
        ("applied_on", _("Applied")), ("granted_on", _("Granted")), ("effective_on", _("In effect")),
        ("expires_on", _("Expires")))]
    dates = [today] + [m.due_on for m in milestones] + [d for _k, _l, d in regulatory if d]
    start = min(dates) - dt.timedelta(days=30)
    end = max(dates) + dt.timedelta(days=30)
    span = max((end - start).days, 1)
    marks = [Mark(m.title, m.due_on, _left(m.due_on, start, span), "milestone") for m in milestones]
    marks += [Mark(str(label), day, _left(day, start, span), "regulatory") for _k, label, day in regulatory if day]
    exemption = None
    begin = dependency.effective_on or dependency.granted_on
    if begin:
        stop = min(expires_on or end, end)
        exemption = (_left(begin, start, span), max(_left(stop, start, span) - _left(begin, start, span), 0.5))
    years = [(y, left) for y in range(start.year + 1, end.year + 1)
             if (left := _left(dt.date(y, 1, 1), start, span)) <= 95]  # a label at the very end would overflow
    return Timeline(start=start, end=end, today_left=_left(today, start, span), marks=sorted(marks, key=lambda m: m.on),
                    exemption=exemption, years=years)
