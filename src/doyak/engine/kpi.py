"""The KPI board's arithmetic on plain records: de-duplication, the actual, the yearly series, the expected
value on a trajectory, the status against it, the forecast and the splits. No Django here.

A record is one thing the indicator counts (a verified asset, an agreement, a proposal), with the year it
counts in, its value (1 for a count, won for a sum, days for a mean) and the key that makes two records one
(an asset linked to two projects arrives twice and counts once)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ON_TRACK, BEHIND, AT_RISK, NO_DATA = "on_track", "behind", "at_risk", "no_data"
STATUSES = (ON_TRACK, BEHIND, AT_RISK, NO_DATA)
AGGREGATES = ("count", "sum", "mean")


@dataclass(frozen=True)
class KpiRecord:
    ref: str                  # "asset:12", "agreement:5": what the drill-down opens
    dedup_key: str
    year: int
    value: Decimal = Decimal(1)
    label: str = ""
    organization: str = ""
    region_group: str = ""
    program: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Trajectory:
    """Targets per year (absolute, or multiples of the baseline when ``relative``) to the ``deadline``."""

    points: Mapping[int, Decimal]
    baseline: Decimal | None = None
    baseline_year: int | None = None
    relative: bool = False

    def target_for(self, year: int) -> Decimal | None:
        value = self.points.get(year)
        if value is None:
            return None
        if self.relative:
            return None if self.baseline is None else self.baseline * value
        return value

    @property
    def deadline(self) -> int | None:
        return max(self.points) if self.points else None

    def final(self) -> Decimal | None:
        return self.target_for(self.deadline) if self.deadline is not None else None

    def expected(self, year: int, fraction: Decimal = Decimal(1)) -> Decimal | None:
        """Where the trajectory stands ``fraction`` of the way through ``year``: straight between the previous
        year's point (or the baseline) and this year's."""
        target = self.target_for(year)
        if target is None:
            return None
        earlier = [y for y in self.points if y < year]
        if earlier:
            start = self.target_for(max(earlier))
        elif self.baseline is not None and (self.baseline_year is None or self.baseline_year < year):
            start = self.baseline
        else:
            start = target
        if start is None:
            return None
        return start + (target - start) * fraction


def dedupe(records: Iterable[KpiRecord]) -> list[KpiRecord]:
    """The first record of each de-duplication key (records come ordered oldest first)."""
    seen: set[str] = set()
    out = []
    for record in records:
        if record.dedup_key not in seen:
            seen.add(record.dedup_key)
            out.append(record)
    return out


def aggregate(records: Sequence[KpiRecord], how: str) -> Decimal | None:
    if how not in AGGREGATES:
        raise ValueError(how)
    if how == "count":
        return Decimal(len(records))
    if how == "sum":
        return sum((r.value for r in records), Decimal(0))
    if not records:
        return None
    return (sum((r.value for r in records), Decimal(0)) / len(records)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def in_year(records: Sequence[KpiRecord], year: int, *, cumulative: bool) -> list[KpiRecord]:
    return [r for r in records if (r.year <= year if cumulative else r.year == year)]


def actual(records: Sequence[KpiRecord], *, how: str, cumulative: bool, year: int) -> Decimal | None:
    """The indicator's value for ``year``: everything up to it when cumulative, that year's records otherwise."""
    return aggregate(in_year(records, year, cumulative=cumulative), how)


@dataclass(frozen=True)
class YearTally:
    """What one year's records add up to: how many and their values' total (a count, sum or mean follows)."""

    count: int
    total: Decimal


def tally(records: Iterable[KpiRecord]) -> dict[int, YearTally]:
    """Records (already de-duplicated) folded into one tally per year, in one pass."""
    counts: dict[int, int] = {}
    totals: dict[int, Decimal] = {}
    for record in records:
        counts[record.year] = counts.get(record.year, 0) + 1
        totals[record.year] = totals.get(record.year, Decimal(0)) + record.value
    return {year: YearTally(counts[year], totals[year]) for year in sorted(counts)}


def actual_tallied(tallies: Mapping[int, YearTally], *, how: str, cumulative: bool, year: int) -> Decimal | None:
    """``actual`` from yearly tallies: the same figure, without going through the records again."""
    if how not in AGGREGATES:
        raise ValueError(how)
    rows = [t for y, t in tallies.items() if (y <= year if cumulative else y == year)]
    count = sum(t.count for t in rows)
    total = sum((t.total for t in rows), Decimal(0))
    if how == "count":
        return Decimal(count)
    if how == "sum":
        return total
    if not count:
        return None
    return (total / count).quantize(Decimal("0.1"), ROUND_HALF_UP)


def series(records: Sequence[KpiRecord], *, how: str, cumulative: bool, years: Iterable[int]) -> dict[int, Decimal | None]:
    return {year: actual(records, how=how, cumulative=cumulative, year=year) for year in years}


def status(value: Decimal | None, expected: Decimal | None, *, increasing: bool, behind_tolerance: Decimal,
           at_risk_tolerance: Decimal) -> str:
    """On track when the actual reaches the expected value less ``behind_tolerance`` of it; behind when it
    reaches it less ``at_risk_tolerance``; at risk below. For an indicator that should fall (days, documents)
    the same shares are read above the expected value. No value or no expected value: no data."""
    if value is None or expected is None:
        return NO_DATA
    if increasing:
        if expected <= 0 or value >= expected * (1 - behind_tolerance):
            return ON_TRACK
        return BEHIND if value >= expected * (1 - at_risk_tolerance) else AT_RISK
    if value <= expected * (1 + behind_tolerance):
        return ON_TRACK
    return BEHIND if value <= expected * (1 + at_risk_tolerance) else AT_RISK


def split(records: Sequence[KpiRecord], *, by: str, how: str) -> dict[str, Decimal | None]:
    """The actual per ``region_group`` or ``program`` (each group de-duplicated on its own)."""
    groups: dict[str, list[KpiRecord]] = {}
    for record in records:
        groups.setdefault(getattr(record, by), []).append(record)
    return {key: aggregate(rows, how) for key, rows in sorted(groups.items())}
