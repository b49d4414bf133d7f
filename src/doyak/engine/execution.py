"""Pure rules of project execution: which grades an evaluation uses on a date, whether a grade or misconduct
allows a sanction, the sanction proposed from the policy table, and the report schedule of an agreement.

No Django: the execution app passes the policy values in and stores what comes out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import EngineError

FOUR_GRADES = ("excellent", "average", "poor", "extremely_poor")
TWO_GRADES = ("complete", "incomplete")

# How a panel's result comes from its members' votes (policy ``execution.panel.result_rule``).
RULE_MAJORITY_LOWER_TIE = "majority_lower_tie"  # the most frequent vote; a tie goes to the first in ``order``
RULE_LOWEST = "lowest"  # the first in ``order`` that any member gave
PANEL_RULES = (RULE_MAJORITY_LOWER_TIE, RULE_LOWEST)
# What a tie (or the rule "lowest") goes to first: the lower grade; diligent unless a majority finds otherwise;
# the project continues unless a majority decides a goal change or a stop.
GRADE_ORDER = ("extremely_poor", "poor", "average", "excellent", "incomplete", "complete")
DILIGENCE_ORDER = ("diligent", "not_diligent")
OUTCOME_ORDER = ("continue", "change_goals", "stop")


def panel_vote(votes: Sequence[str], *, rule: str, order: Sequence[str]) -> str:
    """The panel's value from its members' ``votes`` by ``rule`` (``PANEL_RULES``); ``order`` ranks the values
    a tie resolves to first."""
    if not votes:
        raise EngineError("a panel result needs at least one vote")
    unknown = sorted(set(votes) - set(order))
    if unknown:
        raise EngineError(f"votes outside the order: {unknown}")
    if rule == RULE_LOWEST:
        return min(votes, key=order.index)
    if rule != RULE_MAJORITY_LOWER_TIE:
        raise EngineError(f"unknown panel rule {rule!r}")
    counts = {v: votes.count(v) for v in set(votes)}
    top = max(counts.values())
    return min((v for v, n in counts.items() if n == top), key=order.index)


def panel_majority(flags: Sequence[bool]) -> bool:
    """True when more than half of the members say so (goal reached early)."""
    return sum(bool(f) for f in flags) * 2 > len(flags)


def grades_allowed(*, on: dt.date, switch_date: dt.date) -> tuple[str, ...]:
    """우수/보통/미흡/극히불량 for evaluations before the switch date, 완료/미완료 from it."""
    return TWO_GRADES if on >= switch_date else FOUR_GRADES


@dataclass(frozen=True)
class SanctionProposal:
    ban_min_months: int
    ban_max_months: int
    surcharge_max_krw: int


def sanction_propose(*, misused_krw: int, paid_krw: int, grade_ban_months: Sequence[int],
                     misuse_bands: Sequence[Sequence[int]], ban_max_years: int,
                     surcharge_max_multiple: int) -> SanctionProposal:
    """The ban range and the surcharge ceiling the policy table gives.

    Without misused funds (a grade the policy names) the ban is ``grade_ban_months`` (from, up to). With misused
    funds it is the band of ``misuse_bands`` (``[upper bound in won, from, up to]``, ascending; an upper bound of
    0 on the last row means "above the previous one") that holds the amount, and the surcharge is at most
    ``surcharge_max_multiple`` × the misused amount; a ban never passes ``ban_max_years``.
    """
    if misused_krw < 0 or paid_krw < 0:
        raise EngineError("amounts are never negative", code="invalid_amount")
    cap = ban_max_years * 12
    if misused_krw == 0:
        low, high = int(grade_ban_months[0]), int(grade_ban_months[1])
        surcharge = 0
    else:
        band = next((b for b in misuse_bands if int(b[0]) == 0 or misused_krw <= int(b[0])), misuse_bands[-1])
        low, high = int(band[1]), int(band[2])
        surcharge = surcharge_max_multiple * misused_krw
    high = min(high, cap)
    return SanctionProposal(ban_min_months=min(low, high), ban_max_months=high, surcharge_max_krw=surcharge)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class ScheduledReport:
    kind: str  # annual | stage | final
    period_start: dt.date
    period_end: dt.date
    due_date: dt.date


def report_schedule(*, start: dt.date, end: dt.date, stages: Sequence[Period], annual_due_days: int,
                    final_due_days: int) -> list[ScheduledReport]:
    """An annual report for each project year that ends before the project (the year from the start date's
    anniversary), a stage report for each stage but the last, and the final report over the whole period; due
    the policy's days after each period ends. A year that ends with a stage needs only the stage report."""
    if end < start:
        raise EngineError("the period ends before it starts", code="invalid_period")
    out: list[ScheduledReport] = []
    stage_ends = {s.end for s in stages[:-1]}
    for s in stages[:-1]:
        out.append(ScheduledReport("stage", s.start, s.end, s.end + dt.timedelta(days=annual_due_days)))
    year_start = start
    while True:
        try:
            next_start = year_start.replace(year=year_start.year + 1)
        except ValueError:  # 29 February
            next_start = year_start.replace(year=year_start.year + 1, day=28)
        year_end = next_start - dt.timedelta(days=1)
        if year_end >= end:
            break
        if year_end not in stage_ends:
            out.append(ScheduledReport("annual", year_start, year_end, year_end + dt.timedelta(days=annual_due_days)))
        year_start = next_start
    out.append(ScheduledReport("final", start, end, end + dt.timedelta(days=final_due_days)))
    return sorted(out, key=lambda r: (r.due_date, r.kind))


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, on the month's last day when it has fewer days."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise EngineError("unreachable", code="invalid_date")
