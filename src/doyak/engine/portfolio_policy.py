"""A portfolio policy as data: check the ``doyak select`` policy schema and build the engine's ``Policy``.

Pure engine (no Django). The schema is POLICY.toml's, read as a dict (the CLI reads TOML; the in-app
scenarios store the same schema as JSON): ``budget``, ``min_score``, ``objective`` and
``[[constraint]]`` tables, each with a ``name``, a ``group`` inline table and one or more bounds.
Every error names the key (``policy: constraint[2].group.region``); constraints are counted from 1.
"""

from __future__ import annotations

import difflib
import math
from typing import Any

from doyak.engine.portfolio import (
    BOUND_KINDS,
    OBJECTIVES,
    RESERVED_NAMES,
    Group,
    GroupConstraint,
    Policy,
    PortfolioInvalid,
)
from doyak.engine.regions import PROVINCE_NAMES, REGION_GROUP_NAMES

POLICY_KEYS = ("budget", "min_score", "objective", "constraint")
CONSTRAINT_KEYS = ("name", "group", *BOUND_KINDS)
GROUP_KEYS = ("track", "region_group", "region", "cost_min", "cost_max", "anchor_led", "org_size", "program")
_LIST_KEYS = ("track", "region_group", "region", "org_size", "program")


class PortfolioPolicyInvalid(PortfolioInvalid):
    """A policy that does not follow the schema; the message names the key."""

    code = "policy_invalid"


def policy_parse(data: dict[str, Any], *, where: str = "policy") -> Policy:
    """Check a policy already read (POLICY.toml's schema as a dict) and build the engine's ``Policy``;
    raises ``PortfolioPolicyInvalid`` naming the key, ``where`` prefixing every message."""
    if not isinstance(data, dict):
        raise PortfolioPolicyInvalid(f"{where}: must be a table")
    _only_keys(data, POLICY_KEYS, f"{where}: ")
    if "budget" not in data:
        raise PortfolioPolicyInvalid(f"{where}: budget: missing")
    budget = _whole(data["budget"], f"{where}: budget")
    min_score = data.get("min_score")
    if min_score is not None and (not _number(min_score) or not math.isfinite(min_score)):
        raise PortfolioPolicyInvalid(f"{where}: min_score: must be a number, got {min_score!r}")
    objective = data.get("objective", "score_weighted_budget")
    if objective not in OBJECTIVES:
        raise PortfolioPolicyInvalid(f"{where}: objective: must be one of {', '.join(OBJECTIVES)}, got {objective!r}")
    raw = data.get("constraint", [])
    if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
        raise PortfolioPolicyInvalid(f"{where}: constraint: must be an array of tables ([[constraint]])")
    names: dict[str, int] = {}
    constraints = [_constraint(c, f"{where}: constraint[{k}]", names, k) for k, c in enumerate(raw, start=1)]
    try:
        return Policy(
            budget=budget,
            min_score=None if min_score is None else float(min_score),
            objective=objective,
            constraints=tuple(constraints),
        )
    except PortfolioInvalid as error:  # pragma: no cover - every rule is checked above with its key
        raise PortfolioPolicyInvalid(f"{where}: {error}") from None


def _constraint(data: dict[str, Any], where: str, names: dict[str, int], k: int) -> GroupConstraint:
    _only_keys(data, CONSTRAINT_KEYS, f"{where}.")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise PortfolioPolicyInvalid(f"{where}.name: missing or empty")
    if name in RESERVED_NAMES:
        raise PortfolioPolicyInvalid(f"{where}.name: {name!r} is reserved for the top-level setting")
    if name in names:
        raise PortfolioPolicyInvalid(f"{where}.name: duplicate {name!r} (also constraint[{names[name]}])")
    names[name] = k
    group_data = data.get("group", {})
    if not isinstance(group_data, dict):
        raise PortfolioPolicyInvalid(f'{where}.group: must be a table, e.g. group = {{ region_group = "non_capital" }}')
    group = _group(group_data, f"{where}.group")
    bounds: dict[str, int | float] = {}
    for kind in BOUND_KINDS:
        if kind not in data:
            continue
        value = data[kind]
        if kind.startswith("budget_share"):
            if not _number(value) or not 0 <= value <= 1:
                raise PortfolioPolicyInvalid(f"{where}.{kind}: must be a share from 0 to 1, got {value!r}")
            bounds[kind] = float(value)
        else:
            bounds[kind] = _whole(value, f"{where}.{kind}")
    if not bounds:
        raise PortfolioPolicyInvalid(f"{where}: no bound (give one of {', '.join(BOUND_KINDS)})")
    for low, high in (
        ("count_min", "count_max"),
        ("budget_min", "budget_max"),
        ("budget_share_min", "budget_share_max"),
    ):
        if low in bounds and high in bounds and bounds[low] > bounds[high]:
            raise PortfolioPolicyInvalid(f"{where}: {low} ({bounds[low]!r}) is greater than {high} ({bounds[high]!r})")
    return GroupConstraint(name=name, group=group, **bounds)  # type: ignore[arg-type]


def _group(data: dict[str, Any], where: str) -> Group:
    _only_keys(data, GROUP_KEYS, f"{where}.")
    values: dict[str, Any] = {}
    for key in _LIST_KEYS:
        if key not in data:
            continue
        value = data[key]
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items or not all(isinstance(v, str) and v for v in items):
            raise PortfolioPolicyInvalid(f"{where}.{key}: must be a string or a non-empty list of strings")
        for item in items:
            if key == "region_group" and item not in REGION_GROUP_NAMES:
                raise PortfolioPolicyInvalid(
                    f"{where}.region_group: unknown region group {item!r}"
                    f" (one of {', '.join(sorted(REGION_GROUP_NAMES))})"
                )
            if key == "region" and item not in PROVINCE_NAMES:
                raise PortfolioPolicyInvalid(f"{where}.region: unknown province code {item!r}")
        values[key] = frozenset(items)
    for key in ("cost_min", "cost_max"):
        if key in data:
            values[key] = _whole(data[key], f"{where}.{key}")
    if "cost_min" in values and "cost_max" in values and values["cost_min"] > values["cost_max"]:
        raise PortfolioPolicyInvalid(
            f"{where}: cost_min ({values['cost_min']}) is greater than cost_max ({values['cost_max']})"
        )
    if "anchor_led" in data:
        if not isinstance(data["anchor_led"], bool):
            raise PortfolioPolicyInvalid(f"{where}.anchor_led: must be true or false, got {data['anchor_led']!r}")
        values["anchor_led"] = data["anchor_led"]
    return Group(**values)


def _only_keys(data: dict[str, Any], allowed: tuple[str, ...], prefix: str) -> None:
    for key in data:
        if key not in allowed:
            raise PortfolioPolicyInvalid(f"{prefix}{key}: unknown key{suggestion(key, allowed)}")


def suggestion(word: str, choices: tuple[str, ...]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``choices``, or nothing."""
    close = difflib.get_close_matches(word, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _whole(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PortfolioPolicyInvalid(f"{where}: must be a whole number, got {value!r}")
    if value < 0:
        raise PortfolioPolicyInvalid(f"{where}: must not be negative, got {value!r}")
    return value


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
