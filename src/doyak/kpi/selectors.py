"""Reading indicators and computing each one's state on a date: actual, trajectory, status, forecast, splits
and the records behind the number (``engine.kpi`` does the arithmetic)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from doyak.accounts.enums import Role
from doyak.accounts.rules import Actor
from doyak.core.errors import NotFound
from doyak.core.home import HomeCard, HomeContent
from doyak.engine import kpi as engine
from doyak.policies.services import policy_value

from .measures import MEASURES, NOT_RECORDED_LABELS
from .models import Indicator

YEARS_SHOWN_MAX = 15


@dataclass(frozen=True)
class YearRow:
    year: int
    target: Decimal | None
    expected: Decimal | None
    actual: Decimal | None
    status: str


@dataclass
class IndicatorState:
    indicator: Indicator
    as_of: dt.date
    actual: Decimal | None
    target: Decimal | None
    deadline: int | None
    baseline: Decimal | None
    expected: Decimal | None
    status: str
    forecast: Decimal | None = None
    forecast_basis: str = ""
    no_data_reason: str = ""
    record_kind: str = ""
    years: list[YearRow] = field(default_factory=list)
    records: list[engine.KpiRecord] = field(default_factory=list)
    by_region_group: dict[str, Decimal | None] = field(default_factory=dict)
    by_program: dict[str, Decimal | None] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.indicator.key


def indicator_list_current(*, on: dt.date | None = None) -> list[Indicator]:
    """The latest version in force on ``on`` of every indicator, ordered by pillar then key."""
    on = on or timezone.localdate()
    current: dict[str, Indicator] = {}
    for indicator in Indicator.objects.filter(effective_from__lte=on).order_by("key", "-version"):
        current.setdefault(indicator.key, indicator)
    pillars = ["max", "regional", "competitiveness", "regulation", "capacity", "fake_work"]
    return sorted(current.values(), key=lambda i: (pillars.index(i.pillar) if i.pillar in pillars else 99, i.key))


def indicator_get_or_raise(*, key: str, on: dt.date | None = None) -> Indicator:
    on = on or timezone.localdate()
    indicator = Indicator.objects.filter(key=key, effective_from__lte=on).order_by("-version").first()
    if indicator is None:
        raise NotFound(_("No indicator %(key)s.") % {"key": key[:100]}, code="indicator_not_found", field="key")
    return indicator


def indicator_history(*, key: str) -> list[Indicator]:
    return list(Indicator.objects.filter(key=key).select_related("created_by").order_by("-version"))


def _trajectory(indicator: Indicator, baseline: Decimal | None) -> engine.Trajectory:
    points = {int(year): Decimal(str(value)) for year, value in (indicator.trajectory or {}).items()}
    return engine.Trajectory(points=points, baseline=baseline, baseline_year=indicator.baseline_year,
                             relative=indicator.relative)


def _rounded(value: Decimal | None, unit: str) -> Decimal | None:
    """Where a trajectory stands part-way through a year: won to the won, other units to two places."""
    if value is None:
        return None
    return value.quantize(Decimal(1) if unit == "krw" else Decimal("0.01"), rounding=ROUND_HALF_UP)


def _year_fraction(day: dt.date) -> Decimal:
    days = 366 if calendar.isleap(day.year) else 365
    return Decimal(day.timetuple().tm_yday) / days


def indicator_state(*, indicator: Indicator, as_of: dt.date | None = None, detail: bool = True,
                    records: bool | None = None) -> IndicatorState:
    """The indicator on ``as_of``: the actual for that year (everything up to it when cumulative), the target
    and deadline, the status against the trajectory where it stands that day, the forecast; with ``detail``
    the yearly series and (unless ``records`` is False: the board's cards show only yearly figures) the splits
    and the records behind the actual."""
    as_of = as_of or timezone.localdate()
    records_wanted = detail if records is None else (detail and records)
    measurement = MEASURES[indicator.selector](params=indicator.selector_params or {}, as_of=as_of,
                                               records=records_wanted)
    how, cumulative = indicator.aggregate, indicator.cumulative
    if measurement is None:
        traj = _trajectory(indicator, indicator.baseline)
        reason = str(NOT_RECORDED_LABELS.get((indicator.selector_params or {}).get("records", ""),
                                             _("doyak does not keep these records yet.")))
        years = [YearRow(y, traj.target_for(y), None, None, engine.NO_DATA) for y in sorted(traj.points)] if detail else []
        return IndicatorState(indicator=indicator, as_of=as_of, actual=None, target=traj.final(),
                              deadline=traj.deadline, baseline=indicator.baseline, expected=None,
                              status=engine.NO_DATA, no_data_reason=reason, years=years)
    records = engine.dedupe(measurement.records)
    # every year's figure from one pass over the records (or the tallies the database made)
    tallies = measurement.tallies if measurement.tallies is not None else engine.tally(records)

    def actual_in(y: int) -> Decimal | None:
        return engine.actual_tallied(tallies, how=how, cumulative=cumulative, year=y)

    baseline = indicator.baseline
    if baseline is None and indicator.baseline_year:
        baseline = actual_in(indicator.baseline_year)
    traj = _trajectory(indicator, baseline)
    tolerances = {"behind_tolerance": policy_value("kpi.status.behind_tolerance", as_of),
                  "at_risk_tolerance": policy_value("kpi.status.at_risk_tolerance", as_of)}

    reason = ""
    if indicator.relative and not baseline:
        # "+30% against the base year" means nothing without base-year records
        reason = _("No record in the base year %(year)s: the targets are relative to it.") % {
            "year": indicator.baseline_year}

    def judged(year: int, value: Decimal | None) -> tuple[Decimal | None, str]:
        if reason:
            return None, engine.NO_DATA
        if year > as_of.year:
            return _rounded(traj.expected(year), indicator.unit), engine.NO_DATA
        fraction = _year_fraction(as_of) if year == as_of.year else Decimal(1)
        expected = _rounded(traj.expected(year, fraction), indicator.unit)
        return expected, engine.status(value, expected, increasing=indicator.increasing, **tolerances)

    year = as_of.year
    value = actual_in(year)
    status_year = min(year, traj.deadline) if traj.deadline else year
    expected, status = judged(status_year, actual_in(status_year))
    if traj.points and year < min(traj.points):
        expected, status = baseline, engine.status(value, baseline, increasing=indicator.increasing, **tolerances)
    if reason:
        expected, status = None, engine.NO_DATA
    # no record counts yet: the measure says why (the targets stay; only the relative case has none)
    empty = measurement.empty_reason if (value is None and status == engine.NO_DATA and not reason) else ""
    state = IndicatorState(indicator=indicator, as_of=as_of, actual=value, target=traj.final() if not reason else None,
                           deadline=traj.deadline, baseline=baseline, expected=expected, status=status,
                           record_kind=measurement.record_kind, no_data_reason=reason or empty)
    if measurement.planned is not None and traj.deadline:
        planned = engine.dedupe(records + [r for r in measurement.planned if r.year <= traj.deadline])
        state.forecast = engine.actual(planned, how=how, cumulative=cumulative, year=traj.deadline)
        state.forecast_basis = measurement.forecast_basis
    if detail:
        first = min([*traj.points, *([indicator.baseline_year] if indicator.baseline_year else []), year])
        last = max([*traj.points, year])
        for y in range(max(first, last - YEARS_SHOWN_MAX + 1), last + 1):
            y_value = actual_in(y) if y <= year else None
            y_expected, y_status = judged(y, y_value)
            state.years.append(YearRow(y, None if reason else traj.target_for(y), y_expected, y_value, y_status))
    if detail and records_wanted:
        behind = engine.in_year(records, year, cumulative=cumulative)
        state.records = behind
        state.by_region_group = engine.split(behind, by="region_group", how=how)
        state.by_program = engine.split(behind, by="program", how=how)
    return state


def board(*, as_of: dt.date | None = None, detail: bool = False, records: bool | None = None) -> list[IndicatorState]:
    """Every current indicator's state; ``records=False`` with ``detail`` gives the yearly series without the
    records behind each number (what the board's cards, the IATI export and the meeting pack show)."""
    as_of = as_of or timezone.localdate()
    return [indicator_state(indicator=i, as_of=as_of, detail=detail, records=records)
            for i in indicator_list_current(on=as_of)]


HOME_ROLES = frozenset({Role.COUNCIL_MEMBER, Role.PROGRAM_MANAGER, Role.ADMINISTRATOR})


def home_content(*, user: Actor, lang: str) -> HomeContent:
    """The council's home shows the board's cards: each indicator's actual against its target and its status."""
    from django.urls import reverse

    from .presentation import figure, status_label

    if getattr(user, "role", "") not in HOME_ROLES:
        return HomeContent()
    from django.conf import settings
    from django.core.cache import cache

    # the same cards for everyone who sees them: computed at most once a KPI_HOME_CACHE_SECONDS per language
    # and process (the board itself, /kpi/, is always computed afresh)
    seconds = getattr(settings, "KPI_HOME_CACHE_SECONDS", 0)
    key = f"kpi:home:{timezone.localdate().isoformat()}:{lang}"
    if seconds and (cached := cache.get(key)) is not None:
        return cached
    cards = []
    for state in board():
        target = figure(state.target, state.indicator.unit, lang=lang)
        cards.append(HomeCard(
            label=state.indicator.label, value=figure(state.actual, state.indicator.unit, lang=lang),
            sub=f"{status_label(state.status)} · {_('target')} {target}"
                + (f" ({state.deadline})" if state.deadline else ""),
            url=reverse("kpi:indicator", args=[state.key])))
    content = HomeContent(cards=tuple(cards))
    if seconds:
        cache.set(key, content, seconds)
    return content
