"""Scenarios in words and in figures for the screens (translated; no engine English shown to people)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from doyak.core.labels import choice_label, choice_labels
from doyak.core.money import format_won, format_won_short
from doyak.engine.regions import NON_CAPITAL
from doyak.organizations.enums import OrganizationType
from doyak.programs.enums import Track
from doyak.proposals.models import Proposal
from doyak.regions.enums import RegionGroup
from doyak.regions.presentation import region_names

from .models import Scenario
from .selectors import REGION_GROUP_ORDER


def _won(value) -> str:
    return format_won(int(value), lang=get_language() or "ko")


def _pct(share: float) -> str:
    return f"{Decimal(str(round(share * 100, 4))).normalize():f}%"


def _pct_short(share: float, *, significant: bool = False) -> str:
    """58.3% (one decimal), or with ``significant`` three significant digits (32.1%, 0.00478%)."""
    value = share * 100
    if value == 0:
        return "0%"
    text = f"{value:.3g}" if significant else f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def region_group_label(value: str) -> str:
    if value == NON_CAPITAL:
        return _("Non-capital")
    try:
        return str(RegionGroup(value).label)
    except ValueError:
        return value


def _values(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def group_words(group: dict) -> str:
    parts: list[str] = []
    tracks = [str(Track(t).label) if t in Track.values else t for t in _values(group.get("track"))]
    if tracks:
        parts.append(_("track %(v)s") % {"v": " / ".join(tracks)})
    groups = [region_group_label(g) for g in _values(group.get("region_group"))]
    if groups:
        parts.append(_("region %(v)s") % {"v": " / ".join(groups)})
    if group.get("region"):
        parts.append(_("province %(v)s") % {"v": ", ".join(region_names(_values(group["region"])))})
    if group.get("cost_min") is not None:
        parts.append(_("funds ≥ %(v)s") % {"v": _won(group["cost_min"])})
    if group.get("cost_max") is not None:
        parts.append(_("funds ≤ %(v)s") % {"v": _won(group["cost_max"])})
    if group.get("anchor_led") is not None:
        parts.append(_("anchor-led") if group["anchor_led"] else _("not anchor-led"))
    if group.get("org_size"):
        parts.append(_("organization type %(v)s") % {"v": ", ".join(choice_labels(OrganizationType,
                                                                                   _values(group["org_size"])))})
    if group.get("program"):
        parts.append(_("program %(v)s") % {"v": ", ".join(_values(group["program"]))})
    return "; ".join(parts) if parts else _("all proposals")


def bound_words(kind: str, value) -> str:
    if kind == "count_min":
        return _("at least %(n)s projects") % {"n": f"{int(value):,}"}
    if kind == "count_max":
        return _("at most %(n)s projects") % {"n": f"{int(value):,}"}
    if kind == "budget_min":
        return _("budget at least %(v)s") % {"v": _won(value)}
    if kind == "budget_max":
        return _("budget at most %(v)s") % {"v": _won(value)}
    if kind == "budget_share_min":
        return _("budget share at least %(v)s") % {"v": _pct(float(value))}
    if kind == "budget_share_max":
        return _("budget share at most %(v)s") % {"v": _pct(float(value))}
    return kind


BOUND_KINDS = ("count_min", "count_max", "budget_min", "budget_max", "budget_share_min", "budget_share_max")


def constraint_rows(policy: dict) -> list[dict]:
    return [{"name": c.get("name", ""), "group": group_words(c.get("group", {})),
             "bounds": [bound_words(k, c[k]) for k in BOUND_KINDS if c.get(k) is not None]}
            for c in policy.get("constraint", [])]


def conflict_words(scenario: Scenario) -> list[str]:
    """The irreducible conflict of an infeasible policy, one line per constraint."""
    by_name = {c.get("name"): c for c in scenario.policy.get("constraint", [])}
    lines: list[str] = []
    for name, kind in scenario.error.get("conflicting_bounds", []):
        if name == "budget":
            lines.append(_("the budget of %(v)s") % {"v": _won(scenario.policy.get("budget", 0))})
        elif name == "min_score":
            lines.append(_("the cut-off score of %(v)s") % {"v": scenario.policy.get("min_score")})
        elif name in by_name and kind:
            lines.append(_("“%(name)s”: %(bound)s") % {"name": name, "bound": bound_words(kind, by_name[name][kind])})
    return lines


def error_words(scenario: Scenario) -> str:
    code = scenario.error.get("code")
    if code == "portfolio_infeasible":
        return _("No selection meets every constraint. These cannot all hold together:")
    if code == "portfolio_not_proven":
        return _("The solver found no selection proven optimal in time; loosen the policy or try again.")
    if code == "portfolio_no_candidates":
        return _("No proposal of this scope has passed evaluation and waits for selection.")
    return scenario.error.get("message", "")


@dataclass
class CompareColumn:
    scenario: Scenario
    result: dict
    prices: dict[str, dict] = field(default_factory=dict)


def compare_table(scenarios: list[Scenario]) -> dict:
    """Rows for the compare page: figures, budget by 5극3특 group (bar widths in % of the largest), prices."""
    columns = [CompareColumn(s, s.result or {}) for s in scenarios]
    largest = max((int(v) for c in columns for v in c.result.get("budget_by_group", {}).values()), default=0) or 1
    groups = []
    for g in REGION_GROUP_ORDER:
        cells = []
        for c in columns:
            amount = c.result.get("budget_by_group", {}).get(g)
            count = c.result.get("count_by_group", {}).get(g)
            used = c.result.get("budget_used") or 0
            cells.append({"amount": amount, "count": count,
                          "width": round(100 * int(amount) / largest, 1) if amount else 0,
                          "share": _pct_short(int(amount) / used) if amount is not None and used else "—"})
        groups.append({"key": g, "label": region_group_label(g), "cells": cells})
    names: list[str] = []
    for c in columns:
        for row in c.result.get("constraints", []):
            c.prices[row["name"]] = row
            if row["name"] not in names:
                names.append(row["name"])
    prices = []
    for name in names:
        label = {"budget": _("Budget"), "min_score": _("Cut-off score")}.get(name, name)
        prices.append({"name": label, "cells": [_price_cell(c.prices.get(name)) for c in columns]})
    return {"columns": columns, "groups": groups, "prices": prices}


def _price_cell(row: dict | None) -> dict | None:
    if row is None:
        return None
    share = row.get("price_share")
    return {"binding": row.get("binding"), "share": None if share is None else _pct_short(share, significant=True),
            "proven": row.get("price") is not None}


def selection_reason(selection) -> str:
    """The sentence an applicant reads about the portfolio's decision on a proposal that passed evaluation."""
    budget = format_won_short(int(selection.scenario.policy.get("budget", 0)), lang=get_language() or "ko")
    if selection.selected:
        return _("Selected within the budget of %(budget)s.") % {"budget": budget}
    names = [n for n in selection.because if n not in ("budget", "min_score")]
    if names:
        return (_("Passed the evaluation, but not selected: within the budget of %(budget)s, funding it would break "
                  "the selection policy %(names)s.") % {"budget": budget, "names": ", ".join(f"“{n}”" for n in names)})
    if selection.budget_bound:
        return (_("Passed the evaluation, but it does not fit the budget of %(budget)s alongside the proposals "
                  "selected.") % {"budget": budget})
    return (_("Passed the evaluation, but within the budget of %(budget)s the funds achieve more with the "
              "proposals selected.") % {"budget": budget})


# --------------------------------------------------------------------------------------------
# The proposals a scenario selects and leaves out, each with its reason (what the approver reads)
# --------------------------------------------------------------------------------------------

OBJECTIVE_LABELS = {
    "score_weighted_budget": gettext_lazy("Score × budget (fund high scores, weighted by their funds)"),
    "total_score": gettext_lazy("Total score (fund as many good proposals as possible)"),
}


def objective_label(code: str) -> str:
    return choice_label(OBJECTIVE_LABELS, code)


def _names(names: list[str]) -> str:
    return ", ".join(f"“{n}”" for n in names)


def line_reason(*, selected: bool, score: float, min_score, because: list[str], budget: bool) -> str:
    """Why one proposal is in or out of a scenario, in one sentence (the engine's explanation, in words)."""
    if selected:
        if because:
            return _("Selected because the constraint %(names)s requires it.") % {"names": _names(because)}
        return _("Selected on its score within the budget.")
    if min_score is not None and score < float(min_score):
        return _("Below the cut-off score of %(score)s.") % {"score": f"{float(min_score):g}"}
    if because:
        return _("Not selected: funding it would break the constraint %(names)s.") % {"names": _names(because)}
    if budget:
        return _("Not selected: it does not fit the remaining budget alongside the selected proposals.")
    return _("Not selected: the budget achieves more with the selected proposals.")


@dataclass
class ScenarioLine:
    pk: int
    reference: str
    title: str
    organization: str
    region: str
    score: float
    cost: int
    selected: bool
    reason: str


def _solved_on(scenario: Scenario) -> str:
    return f"{timezone.localtime(scenario.solved_at):%Y-%m-%d}" if scenario.solved_at else "-"


def unrecorded_selected_reason(scenario: Scenario) -> str:
    """A selected proposal's reason in a scenario solved before doyak kept why each selected one was chosen."""
    return _("Reason not recorded: solved on %(date)s, before doyak kept why each selected proposal was "
             "chosen.") % {"date": _solved_on(scenario)}


def scenario_lines(scenario: Scenario) -> dict:
    """The proposals the solve chose from, selected first then not selected, each by score (highest first),
    with title, lead organization, province name, score, funds and reason. Scores and funds are those the
    scenario was solved with.

    Scenarios solved before doyak stored the reasons keep no reason to show, and their reasons are not
    recomputed: the stored solution keeps each candidate's cost and score only, not the regions and other
    attributes its constraints read at the time (which may have changed since), so a recomputation could
    explain a different problem. Their lines say so instead (``note`` when even the candidates were not kept)."""
    result = scenario.result or {}
    solved = {int(pk): (int(cost), float(score)) for pk, cost, score in result.get("candidates", [])}
    if not solved:
        note = (_("The proposals and their reasons were not recorded: this scenario was solved on %(date)s, "
                  "before doyak kept them.") % {"date": _solved_on(scenario)}) if result.get("selected_ids") else ""
        return {"selected": [], "not_selected": [], "note": note}
    funded_recorded = "funded_reasons" in result
    chosen = set(result.get("selected_ids", []))
    reasons = result.get("reasons", {})
    funded_reasons = result.get("funded_reasons", {})
    min_score = scenario.policy.get("min_score")
    proposals = {p.pk: p for p in Proposal.objects.filter(pk__in=list(solved))
                 .select_related("lead_organization__region")}
    lines = []
    for pk, (cost, score) in solved.items():
        p = proposals.get(pk)
        selected = pk in chosen
        why = reasons.get(str(pk), {})
        lines.append(ScenarioLine(
            pk=pk, reference=p.reference if p else "", title=p.title if p else _("(deleted proposal)"),
            organization=p.lead_organization.name if p else "", region=p.lead_organization.region.name if p else "",
            score=score, cost=cost, selected=selected,
            reason=unrecorded_selected_reason(scenario) if selected and not funded_recorded else line_reason(
                selected=selected, score=score, min_score=min_score,
                because=funded_reasons.get(str(pk), []) if selected else why.get("because", []),
                budget=bool(why.get("budget")))))
    lines.sort(key=lambda line: (-line.score, line.reference))
    return {"selected": [x for x in lines if x.selected], "not_selected": [x for x in lines if not x.selected],
            "note": ""}


def explanation_summary(scenario: Scenario) -> list[str]:
    """The explanation's summary in sentences of the active language (the Markdown stays for ``doyak select``)."""
    r = scenario.result or {}
    if not r:
        return []
    budget = r.get("budget") or 0
    used = r.get("budget_used") or 0
    lines = [
        _("Objective: %(objective)s.") % {"objective": objective_label(scenario.policy.get("objective", ""))},
        _("%(funded)s of the %(eligible)s proposals above the cut-off are selected (%(all)s in all).")
        % {"funded": f"{r.get('funded_count', 0):,}", "eligible": f"{r.get('eligible_count', 0):,}",
           "all": f"{r.get('candidate_count', 0):,}"},
        _("%(used)s of the budget of %(budget)s is used (%(share)s).")
        % {"used": _won(used), "budget": _won(budget), "share": _pct_short(used / budget) if budget else "—"},
    ]
    rows = r.get("constraints", [])
    binding = [_constraint_name(c["name"]) for c in rows if c.get("binding")]
    if binding:
        lines.append(_("At their limit: %(names)s.") % {"names": ", ".join(binding)})
    costly = sorted((c for c in rows if c.get("price")), key=lambda c: -c["price"])[:3]
    if costly:
        lines.append(_("Costliest constraints: %(names)s.") % {"names": ", ".join(
            f"{_constraint_name(c['name'])} ({_pct_short(c['price_share'], significant=True)})"
            if c.get("price_share") is not None else _constraint_name(c["name"]) for c in costly)})
    return lines


def _constraint_name(name: str) -> str:
    return {"budget": _("Budget"), "min_score": _("Cut-off score")}.get(name, f"“{name}”")


def compare_differences(scenarios: list[Scenario]) -> list[dict]:
    """Proposals selected by some of the compared scenarios but not by all: title, organization and, per
    scenario, whether it selects it (``None``: the scenario did not choose among it or is not solved)."""
    solved_sets = [({int(c[0]) for c in (s.result or {}).get("candidates", [])},
                    set((s.result or {}).get("selected_ids", []))) for s in scenarios]
    anywhere = set().union(*(chosen for _pool, chosen in solved_sets)) if solved_sets else set()
    differing = [pk for pk in anywhere
                 if len({(pk in chosen) if pk in pool else None for pool, chosen in solved_sets}) > 1]
    # one query whether or not anything differs (an empty ``pk__in`` would skip it): the page's query count
    # stays the same for any number of proposals
    proposals = {p.pk: p for p in Proposal.objects.filter(pk__in=differing or [0])
                 .select_related("lead_organization__region")}
    rows = []
    for pk in differing:
        p = proposals.get(pk)
        rows.append({"pk": pk, "title": p.title if p else _("(deleted proposal)"),
                     "reference": p.reference if p else "",
                     "organization": p.lead_organization.name if p else "",
                     "region": p.lead_organization.region.name if p else "",
                     "cells": [(pk in chosen) if pk in pool else None for pool, chosen in solved_sets]})
    rows.sort(key=lambda row: (row["reference"], row["pk"]))
    return rows
