"""The plan's targets as a scenario's starting policy (``doyak select``'s POLICY.toml schema, as a dict).

Every number comes from a policy record (``policy_value``); nothing here is a target itself:

- budget: the call's budget (call scope) or the program year's envelope;
- min_score: the call's cut-off (the lowest cut-off of the year's calls for a program year);
- non-capital budget share ≥ ``portfolio.non_capital_budget_share_min``;
- large projects, from the plan's own records ``plan.fake_work.large_projects_increase.*``: projects of
  ≥ ``threshold_krw`` the program selected in ``base_year``, grown by ``share_increase`` by the deadline
  ``by`` in a straight line (this year's count = ⌈base count × (1 + increase × years since the base /
  years from the base to the deadline)⌉), less the ones already selected this year;
- M.AX tracks: humanoid field demonstrations, AI factories and manufacturing-AI lead models from
  ``plan.max.*.count`` (deadline ``plan.max.*.by`` when given);
- industrial-leap pilots ≥ ``portfolio.industrial_leap_pilot_min_count``.

Multi-year targets count what the same program already funded in earlier years: the remainder is
spread evenly over the years left to the deadline, and never asks for more projects than the scope
has eligible candidates (each note says so).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from django.utils import timezone
from django.utils.translation import gettext as _

from doyak.core.errors import NotFound
from doyak.core.money import format_won
from doyak.engine.portfolio import Proposal as EngineProposal
from doyak.engine.regions import CAPITAL, NON_CAPITAL
from doyak.policies.services import policy_value
from doyak.programs.enums import Track

from .selectors import candidate_proposals, funded_earlier, funded_in_year

NON_CAPITAL_SHARE_KEY = "portfolio.non_capital_budget_share_min"
LARGE_PLAN_KEY = "plan.fake_work.large_projects_increase"  # .threshold_krw, .base_year, .share_increase, .by
LEAP_PILOTS_KEY = "portfolio.industrial_leap_pilot_min_count"


@dataclass(frozen=True)
class _TrackTarget:
    track: str
    plan_key: str  # plan.<key>.count / plan.<key>.by
    name: Callable[[], str]


TRACK_TARGETS: tuple[_TrackTarget, ...] = (
    _TrackTarget(Track.MAX_HUMANOID, "max.humanoid_field_demos", lambda: _("Humanoid field demonstrations")),
    _TrackTarget(Track.MAX_AI_FACTORY, "max.ai_factories", lambda: _("AI factories")),
    _TrackTarget(Track.MAX_LEAD_MODEL, "max.manufacturing_ai_lead_models", lambda: _("Manufacturing-AI lead models")),
)


def _optional(key: str, on):
    try:
        return policy_value(key, on)
    except NotFound:
        return None


def _per_year(*, remaining: int, year: int, by: int | None) -> tuple[int, int]:
    """This year's share of what remains: (count, years left including this one)."""
    years_left = max(1, (by - year + 1) if by else 1)
    return math.ceil(max(0, remaining) / years_left), years_left


def scenario_policy_prefill(*, program, year: int, call=None, on=None) -> tuple[dict, list[str]]:
    """The starting policy for a scenario and one note per decision it took, in the active language."""
    on = on or timezone.localdate()
    rows = [engine for _candidate, engine in candidate_proposals(program=program, year=year, call=call)]
    notes: list[str] = []

    if call is not None:
        budget = int(call.budget_krw or program.budget_krw)
        min_score = float(call.cutoff_score)
    else:
        budget = int(program.budget_krw)
        cutoffs = [float(c) for c in program.calls.values_list("cutoff_score", flat=True)]
        min_score = min(cutoffs) if cutoffs else None
    notes.append(_("Budget %(budget)s: the %(what)s.") % {
        "budget": format_won(budget, lang=_lang()),
        "what": _("call's budget") if call is not None and call.budget_krw else _("program's budget for the year")})
    eligible = [p for p in rows if min_score is None or p.score >= min_score]
    policy: dict = {"budget": budget, "objective": "score_weighted_budget", "constraint": []}
    if min_score is not None:
        policy["min_score"] = min_score

    def count_in(match: Callable[[EngineProposal], bool]) -> int:
        return sum(1 for p in eligible if match(p))

    share = _optional(NON_CAPITAL_SHARE_KEY, on)
    if share is not None and count_in(lambda p: _is_non_capital(p.region)):
        share = float(share)
        policy["constraint"].append({"name": _("Non-capital budget share"),
                                     "group": {"region_group": NON_CAPITAL}, "budget_share_min": share})
        notes.append(_("Non-capital budget share at least %(share)s%% (policy %(key)s).")
                     % {"share": _pct(share), "key": NON_CAPITAL_SHARE_KEY})

    earlier = funded_earlier(program=program, year=year)
    _large_projects(policy, notes, program=program, year=year, on=on, count_in=count_in)

    for target in TRACK_TARGETS:
        count = _optional(f"plan.{target.plan_key}.count", on)
        if count is None:
            continue
        done = earlier.filter(call__track=target.track).count()
        _add_count(policy, notes, name=target.name(), group={"track": target.track}, target=int(count), done=done,
                   year=year, by=_optional(f"plan.{target.plan_key}.by", on),
                   available=count_in(lambda p, t=target.track: p.track == t), source=f"plan.{target.plan_key}.count")

    pilots = _optional(LEAP_PILOTS_KEY, on)
    available = count_in(lambda p: p.track == Track.INDUSTRIAL_LEAP)
    if pilots and available:
        bound = min(int(pilots), available)
        policy["constraint"].append({"name": _("Industrial-leap pilots"), "group": {"track": Track.INDUSTRIAL_LEAP},
                                     "count_min": bound})
        notes.append(_("Industrial-leap pilots: at least %(n)s (policy %(key)s).") % {"n": bound, "key": LEAP_PILOTS_KEY})
    return policy, notes


def large_projects_target(*, base_count: int, increase, year: int, base_year: int, by: int) -> int:
    """The plan's count of large projects for ``year``: the base year's count grown by ``increase`` in a
    straight line to the deadline ``by`` (the whole increase from then on), rounded up; exact arithmetic."""
    if year <= base_year:
        return base_count
    progress = Fraction(1) if by <= base_year else min(Fraction(1), Fraction(year - base_year, by - base_year))
    return math.ceil(base_count * (1 + Fraction(str(increase)) * progress))


def _large_projects(policy: dict, notes: list[str], *, program, year: int, on, count_in) -> None:
    threshold = _optional(f"{LARGE_PLAN_KEY}.threshold_krw", on)
    base_year = _optional(f"{LARGE_PLAN_KEY}.base_year", on)
    increase = _optional(f"{LARGE_PLAN_KEY}.share_increase", on)
    by = _optional(f"{LARGE_PLAN_KEY}.by", on)
    if threshold is None or base_year is None or increase is None or by is None or year <= int(base_year):
        return
    threshold, base_year, by = int(threshold), int(base_year), int(by)
    name = _("Large projects")
    base_count = funded_in_year(program=program, year=base_year).filter(gov_total_krw__gte=threshold).count()
    source = _("%(base_count)s projects of %(threshold)s or more in %(base_year)s, +%(increase)s%% by %(by)s") % {
        "base_count": base_count, "threshold": format_won(threshold, lang=_lang()), "base_year": base_year,
        "increase": _pct(float(increase)), "by": by}
    if base_count == 0:
        notes.append(_("%(name)s: no target (%(source)s).") % {"name": name, "source": source})
        return
    available = count_in(lambda p: p.cost >= threshold)
    if not available:
        return
    target = large_projects_target(base_count=base_count, increase=increase, year=year, base_year=base_year, by=by)
    done = funded_in_year(program=program, year=year).filter(gov_total_krw__gte=threshold).count()
    this_year = max(0, target - done)
    bound = min(this_year, available)
    note = _("%(name)s: %(target)s in %(year)s (%(source)s); %(done)s already selected this year: at least "
             "%(this_year)s") % {"name": name, "target": target, "year": year, "source": source, "done": done,
                                 "this_year": this_year}
    if bound < this_year:
        note += _(", capped at the %(n)s eligible candidates") % {"n": available}
    notes.append(note + ".")
    if bound > 0:
        policy["constraint"].append({"name": name, "group": {"cost_min": threshold}, "count_min": bound})


def _add_count(policy: dict, notes: list[str], *, name: str, group: dict, target: int, done: int, year: int,
               by: int | None, available: int, source: str) -> None:
    if not available:
        return
    remaining = max(0, target - done)
    this_year, years_left = _per_year(remaining=remaining, year=year, by=int(by) if by else None)
    bound = min(this_year, available)
    note = _("%(name)s: target %(target)s (%(source)s); %(done)s funded in earlier years; %(remaining)s remain "
             "over %(years)s year(s): at least %(this_year)s this year") % {
        "name": name, "target": target, "source": source, "done": done, "remaining": remaining,
        "years": years_left, "this_year": this_year}
    if bound < this_year:
        note += _(", capped at the %(n)s eligible candidates") % {"n": available}
    notes.append(note + ".")
    if bound > 0:
        policy["constraint"].append({"name": name, "group": group, "count_min": bound})


def _is_non_capital(code: str) -> bool:
    from doyak.engine.regions import region_group_of

    return region_group_of(code) != CAPITAL


def _pct(share: float) -> str:
    return f"{share * 100:.2f}".rstrip("0").rstrip(".")


def _lang() -> str:
    from django.utils.translation import get_language

    return get_language() or "ko"
