"""Agreement versions compared field by field, and each difference classified by the Act's change rules.

Input is two term snapshots as plain data (the shape of ``doyak.agreements.terms``) and, to classify, the
rules as policy data (:class:`ChangeRules`): which rule is major (prior approval) or minor (a notice), and the
equipment amount that must be in the plan. Nothing here imports Django.

Differences (``field`` names are stable, shown with a label by the app):

* ``lead_institution``, ``pi``, ``parties``, ``staff``, ``method``, ``goals``, ``kpis``, ``stages``,
  ``period.start_date``, ``period.end_date``: the value before and after;
* ``budget.<year>.<organization id>.<category>``: the line's government, cash, in-kind and (when not zero)
  other cash amounts;
* ``gov_funds.total`` and ``gov_funds.<year>``: government funds in total and per year;
* ``indirect.total`` and ``allowance.total``: indirect cost and research allowance in total (all sources);
* ``equipment.<year>.<organization id>.<description>``: an equipment item at or above the threshold that the
  version before did not plan.

Rules: each difference names its rule. Lead institution, PI, participants, goals and KPIs, the period and
its stages, government funds (total or a year), an increase of indirect cost or of research allowance, and
unplanned equipment are the Act's major changes; the method, non-PI staff and budget lines moved between
categories are minor, unless a derived item above (funds, indirect, allowance, equipment) makes the
request major. A decrease of indirect cost or allowance is a budget move. A request is major when any item is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MAJOR, MINOR = "major", "minor"

# The rules a difference can fall under (the app holds each one's class and source as a policy record).
RULE_LEAD_INSTITUTION = "lead_institution"
RULE_PI = "pi"
RULE_PARTIES = "parties"
RULE_GOALS = "goals"
RULE_PERIOD = "period"
RULE_GOV_FUNDS_TOTAL = "gov_funds_total"
RULE_GOV_FUNDS_YEARLY = "gov_funds_yearly"
RULE_INDIRECT_INCREASE = "indirect_increase"
RULE_ALLOWANCE_INCREASE = "allowance_increase"
RULE_EQUIPMENT_UNPLANNED = "equipment_unplanned"
RULE_METHOD = "method"
RULE_STAFF = "staff"
RULE_BUDGET_TRANSFER = "budget_transfer"
RULES: tuple[str, ...] = (
    RULE_LEAD_INSTITUTION, RULE_PI, RULE_PARTIES, RULE_GOALS, RULE_PERIOD, RULE_GOV_FUNDS_TOTAL,
    RULE_GOV_FUNDS_YEARLY, RULE_INDIRECT_INCREASE, RULE_ALLOWANCE_INCREASE, RULE_EQUIPMENT_UNPLANNED,
    RULE_METHOD, RULE_STAFF, RULE_BUDGET_TRANSFER,
)

INDIRECT, ALLOWANCE, EQUIPMENT = "indirect", "allowance", "equipment"


class ChangeRulesError(ValueError):
    code = "change_rules_invalid"


@dataclass(frozen=True, kw_only=True)
class ChangeRules:
    """``classes``: rule → ``major`` or ``minor`` (every rule of ``RULES``); ``equipment_threshold_krw``: an
    item at or above it must be in the plan."""

    classes: Mapping[str, str]
    equipment_threshold_krw: int

    def __post_init__(self) -> None:
        missing = [r for r in RULES if self.classes.get(r) not in (MAJOR, MINOR)]
        if missing:
            raise ChangeRulesError(f"no class (major or minor) for rules {missing}")


@dataclass(frozen=True)
class Difference:
    field: str
    before: Any
    after: Any
    rule: str


@dataclass(frozen=True)
class ChangeItem:
    field: str
    before: Any
    after: Any
    change_class: str
    rule: str

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "before": self.before, "after": self.after, "class": self.change_class,
                "rule": self.rule}


def _ids(people: list[dict] | None) -> list[tuple]:
    return sorted((p["id"], p.get("role", "")) for p in people or [])


def _names(people: list[dict] | None) -> list[str]:
    return [p["name"] + (f" ({p['role']})" if p.get("role") else "") for p in
            sorted(people or [], key=lambda p: (p["id"], p.get("role", "")))]


def _line_key(line: Mapping[str, Any]) -> tuple[int, int, str]:
    return (int(line["year"]), int(line["organization_id"]), str(line["category"]))


def _amounts(line: Mapping[str, Any] | None) -> dict[str, int] | None:
    if line is None:
        return None
    amounts = {"gov_krw": int(line["gov_krw"]), "cash_krw": int(line["cash_krw"]),
               "in_kind_krw": int(line["in_kind_krw"])}
    if line.get("other_cash_krw"):  # written only when not zero (snapshots before it read alike)
        amounts["other_cash_krw"] = int(line["other_cash_krw"])
    return amounts


def _money(line: Mapping[str, Any]) -> int:
    return int(line["gov_krw"]) + int(line["cash_krw"]) + int(line.get("other_cash_krw") or 0)


def terms_differences(before: Mapping[str, Any], after: Mapping[str, Any], *,
                      equipment_threshold_krw: int | None = None) -> list[Difference]:
    """Every difference between two snapshots, in a stable order (the fields of the module docstring).
    Unplanned equipment is reported only when ``equipment_threshold_krw`` is given."""
    out: list[Difference] = []
    if before["lead_institution"]["id"] != after["lead_institution"]["id"]:
        out.append(Difference("lead_institution", before["lead_institution"]["name"],
                              after["lead_institution"]["name"], RULE_LEAD_INSTITUTION))
    if (before.get("pi") or {}).get("id") != (after.get("pi") or {}).get("id"):
        out.append(Difference("pi", (before.get("pi") or {}).get("name"), (after.get("pi") or {}).get("name"),
                              RULE_PI))
    if _ids(before["parties"]) != _ids(after["parties"]):
        out.append(Difference("parties", _names(before["parties"]), _names(after["parties"]), RULE_PARTIES))
    if _ids(before["staff"]) != _ids(after["staff"]):
        out.append(Difference("staff", _names(before["staff"]), _names(after["staff"]), RULE_STAFF))
    for name in ("start_date", "end_date"):
        if before[name] != after[name]:
            out.append(Difference(f"period.{name}", before[name], after[name], RULE_PERIOD))
    if before["stages"] != after["stages"]:
        out.append(Difference("stages", before["stages"], after["stages"], RULE_PERIOD))
    if list(before["goals"]) != list(after["goals"]):
        out.append(Difference("goals", list(before["goals"]), list(after["goals"]), RULE_GOALS))
    if list(before["kpis"]) != list(after["kpis"]):
        out.append(Difference("kpis", list(before["kpis"]), list(after["kpis"]), RULE_GOALS))
    if (before.get("method") or "") != (after.get("method") or ""):
        out.append(Difference("method", before.get("method") or "", after.get("method") or "", RULE_METHOD))
    out.extend(_budget_differences(before["budget"], after["budget"], equipment_threshold_krw))
    return out


def _budget_differences(before: list[Mapping], after: list[Mapping], threshold: int | None) -> list[Difference]:
    out: list[Difference] = []
    old = {_line_key(line): line for line in before}
    new = {_line_key(line): line for line in after}

    def total(lines, *, key=_money, category=None, year=None) -> int:
        return sum(key(line) for line in lines if (category is None or line["category"] == category)
                   and (year is None or int(line["year"]) == year))

    gov = lambda line: int(line["gov_krw"])  # noqa: E731
    if total(before, key=gov) != total(after, key=gov):
        out.append(Difference("gov_funds.total", total(before, key=gov), total(after, key=gov),
                              RULE_GOV_FUNDS_TOTAL))
    for year in sorted({k[0] for k in old} | {k[0] for k in new}):
        if total(before, key=gov, year=year) != total(after, key=gov, year=year):
            out.append(Difference(f"gov_funds.{year}", total(before, key=gov, year=year),
                                  total(after, key=gov, year=year), RULE_GOV_FUNDS_YEARLY))
    for category, rule, field in ((INDIRECT, RULE_INDIRECT_INCREASE, "indirect.total"),
                                  (ALLOWANCE, RULE_ALLOWANCE_INCREASE, "allowance.total")):
        was, now = total(before, category=category), total(after, category=category)
        if now > was:
            out.append(Difference(field, was, now, rule))
    for key in sorted(set(old) | set(new)):
        if _amounts(old.get(key)) != _amounts(new.get(key)):
            year, org, category = key
            out.append(Difference(f"budget.{year}.{org}.{category}", _amounts(old.get(key)), _amounts(new.get(key)),
                                  RULE_BUDGET_TRANSFER))
    if threshold is not None:
        planned = {(int(line["year"]), int(line["organization_id"]), str(item.get("description", "")).strip())
                   for line in before if line["category"] == EQUIPMENT for item in line.get("items") or []}
        for line in after:
            if line["category"] != EQUIPMENT:
                continue
            for item in line.get("items") or []:
                description = str(item.get("description", "")).strip()
                key3 = (int(line["year"]), int(line["organization_id"]), description)
                if int(item.get("amount_krw", 0)) >= threshold and key3 not in planned:
                    out.append(Difference(f"equipment.{key3[0]}.{key3[1]}.{description}", None,
                                          int(item["amount_krw"]), RULE_EQUIPMENT_UNPLANNED))
    return out


def changes_classify(before: Mapping[str, Any], after: Mapping[str, Any], *, rules: ChangeRules) -> list[ChangeItem]:
    """Every difference with its class (the rule's class in the policy)."""
    return [ChangeItem(d.field, d.before, d.after, rules.classes[d.rule], d.rule)
            for d in terms_differences(before, after, equipment_threshold_krw=rules.equipment_threshold_krw)]


def request_class(items: list[ChangeItem]) -> str | None:
    """A request with any major item is major (it waits whole); None when nothing differs."""
    if not items:
        return None
    return MAJOR if any(i.change_class == MAJOR for i in items) else MINOR
