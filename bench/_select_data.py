"""Synthetic proposals and a feasible policy for ``bench/select.py`` (written to a temp dir).

Proposals: costs mostly ₩0.5B–₩5B (log-normal) with ~4% large ones of ₩10B–₩30B; scores ~
N(75, 8); about half in the capital area; plan tracks (DOMAIN.md §1), anchor lead, organisation
size and program. Policy: a budget funding about a quarter of the total cost, a cut-off of 70 and
``m`` constraints drawn from a list of templates (regional shares and counts, large projects,
track quotas such as 10 humanoid demos, program caps…). Their bounds are set from a reference
selection (greedy by score with bonuses for the groups the plan favours) that satisfies them all,
so the policy is feasible by construction while the plain by-score ranking breaks many of them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from doyak.engine.regions import REGION_GROUPS, region_codes_in

TRACKS = {
    "general": 0.46,
    "regional_only": 0.12,
    "ai_factory": 0.12,
    "lead_model": 0.05,
    "humanoid_demo": 0.03,
    "anchor_leap": 0.08,
    "on_device_chip": 0.07,
    "k_chemical": 0.07,
}
REGIONS = {"11": 0.20, "41": 0.23, "28": 0.06}  # capital ≈ 49%
_OTHER = ["26", "31", "48", "27", "47", "30", "36", "43", "44", "29", "46", "51", "52", "50"]
_OTHER_W = [0.05, 0.025, 0.05, 0.035, 0.045, 0.05, 0.01, 0.035, 0.05, 0.03, 0.03, 0.02, 0.025, 0.005]
ORG_SIZES = {"sme": 0.45, "mid": 0.15, "large": 0.10, "university": 0.18, "institute": 0.12}
PROGRAMS = [f"P{k:02d}" for k in range(1, 9)]
LARGE = 10_000_000_000
MIN_SCORE = 70


@dataclass(frozen=True)
class Data:
    ids: list[str]
    track: np.ndarray
    region: np.ndarray
    cost: np.ndarray
    score: np.ndarray
    anchor_led: np.ndarray
    org_size: np.ndarray
    program: np.ndarray


def proposals_generate(*, n: int, seed: int) -> Data:
    rng = np.random.default_rng(seed)
    regions = list(REGIONS) + _OTHER
    weights = np.array(list(REGIONS.values()) + _OTHER_W)
    track = rng.choice(list(TRACKS), size=n, p=np.array(list(TRACKS.values())) / sum(TRACKS.values()))
    region = rng.choice(regions, size=n, p=weights / weights.sum())
    cost = np.clip(rng.lognormal(np.log(1.5e9), 0.55, size=n), 5e8, 5e9)
    large = rng.random(n) < 0.04
    cost[large] = rng.uniform(1e10, 3e10, size=int(large.sum()))
    cost = (cost // 1000 * 1000).astype(np.int64)  # whole thousands of won
    score = np.round(np.clip(rng.normal(75, 8, size=n), 0, 100), 1)
    anchor_led = (track == "anchor_leap") | (rng.random(n) < 0.08)
    org_size = rng.choice(list(ORG_SIZES), size=n, p=np.array(list(ORG_SIZES.values())))
    program = rng.choice(PROGRAMS, size=n)
    ids = [f"R{seed:02d}-{k:06d}" for k in range(n)]
    return Data(ids, track, region, cost, score, anchor_led, org_size, program)


def _templates() -> list[tuple[str, dict, str]]:
    """(name, group, bound kind) in priority order; the first ``m`` are used."""
    t: list[tuple[str, dict, str]] = [
        ("non-capital share", {"region_group": "non_capital"}, "budget_share_min"),
        ("large projects", {"cost_min": LARGE}, "count_min"),
        ("humanoid demos", {"track": "humanoid_demo"}, "count_min"),
        ("AI factories", {"track": "ai_factory"}, "count_min"),
        ("lead models", {"track": "lead_model"}, "count_min"),
        ("anchor-led leap", {"anchor_led": True}, "count_min"),
        ("regional-only budget", {"track": "regional_only"}, "budget_min"),
        ("on-device chip cap", {"track": "on_device_chip"}, "budget_max"),
        ("capital large cap", {"region_group": "capital", "cost_min": LARGE}, "count_max"),
        ("SME share", {"org_size": "sme"}, "budget_share_min"),
        ("large-firm share cap", {"org_size": "large"}, "budget_share_max"),
    ]
    t += [(f"{g} count", {"region_group": g}, "count_min") for g in REGION_GROUPS if g != "capital"]
    t += [(f"program {p} cap", {"program": p}, "budget_max") for p in PROGRAMS]
    t += [
        (
            "K-chemical in dongnam/honam",
            {"track": "k_chemical", "region_group": ["dongnam", "honam"]},
            "count_min",
        ),
        ("non-capital AI factories", {"track": "ai_factory", "region_group": "non_capital"}, "count_min"),
        ("university count", {"org_size": "university"}, "count_min"),
        ("institute budget cap", {"org_size": "institute"}, "budget_max"),
        ("mid-size share", {"org_size": "mid"}, "budget_share_min"),
        ("small projects cap", {"cost_max": 1_000_000_000}, "count_max"),
        ("jungbu share", {"region_group": "jungbu"}, "budget_share_min"),
        ("daegyeong large", {"region_group": "daegyeong", "cost_min": 5_000_000_000}, "count_min"),
    ]
    t += [
        (f"region {code} count", {"region": code}, "count_min")
        for code in ("26", "47", "44", "46", "52", "30")
    ]
    t += [(f"program {p} count", {"program": p}, "count_min") for p in PROGRAMS]
    return t


def policy_generate(*, data: Data, m: int, seed: int) -> tuple[int, list[tuple[str, dict, str, int | float]]]:
    """Budget and ``m`` constraints ``(name, group, kind, bound)``, all met by a reference selection."""
    rng = np.random.default_rng(seed + 1)
    budget = int(data.cost.sum() // 4 // 1_000_000 * 1_000_000)
    eligible = data.score >= MIN_SCORE
    non_capital = np.isin(data.region, list(region_codes_in("non_capital")))
    bonus = (
        4.0 * non_capital
        + 8.0 * (data.cost >= LARGE)
        + 10.0 * np.isin(data.track, ["humanoid_demo", "lead_model", "ai_factory"])
        + 4.0 * data.anchor_led
        + rng.normal(0, 2, size=len(data.ids))
    )
    order = np.argsort(-(data.score + bonus), kind="stable")
    reference = np.zeros(len(data.ids), dtype=bool)
    left = budget
    for i in order:
        if eligible[i] and data.cost[i] <= left:
            reference[i] = True
            left -= int(data.cost[i])
    templates = _templates()
    if m > len(templates):
        raise SystemExit(f"at most {len(templates)} constraints are available")
    constraints = []
    total = int(data.cost[reference].sum())
    for name, group, kind in templates[:m]:
        mask = _mask(data, group)
        if kind.startswith("count"):
            value = int((reference & mask).sum())
            bound: int | float = int(value * 0.9) if kind == "count_min" else int(np.ceil(value * 1.1))
            if name == "humanoid demos":
                bound = min(10, value)  # the plan's 10 field demonstrations in 2026
        elif kind.startswith("budget_share"):
            share = int(data.cost[reference & mask].sum()) / total
            bound = round(share - 0.01, 3) if kind.endswith("min") else round(share + 0.01, 3)
            bound = min(1.0, max(0.0, bound))
        else:
            value = int(data.cost[reference & mask].sum())
            bound = value * 9 // 10 // 1_000_000 * 1_000_000 if kind.endswith("min") else -(-value * 11 // 10)
        constraints.append((name, group, kind, bound))
    return budget, constraints


def _mask(data: Data, group: dict) -> np.ndarray:
    mask = np.ones(len(data.ids), dtype=bool)
    for key, column in (("track", data.track), ("org_size", data.org_size), ("program", data.program)):
        if key in group:
            mask &= np.isin(column, _listed(group[key]))
    if "region_group" in group:
        codes = set().union(*(region_codes_in(g) for g in _listed(group["region_group"])))
        mask &= np.isin(data.region, list(codes))
    if "region" in group:
        mask &= np.isin(data.region, _listed(group["region"]))
    if "cost_min" in group:
        mask &= data.cost >= group["cost_min"]
    if "cost_max" in group:
        mask &= data.cost <= group["cost_max"]
    if "anchor_led" in group:
        mask &= data.anchor_led == group["anchor_led"]
    return mask


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def files_write(*, directory: Path, data: Data, budget: int, constraints: list) -> tuple[Path, Path]:
    proposals = directory / "proposals.csv"
    with proposals.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            ["proposal_id", "track", "region", "cost", "score", "anchor_led", "org_size", "program"]
        )
        for k in range(len(data.ids)):
            writer.writerow(
                [
                    data.ids[k],
                    data.track[k],
                    data.region[k],
                    int(data.cost[k]),
                    f"{data.score[k]:.1f}",
                    int(data.anchor_led[k]),
                    data.org_size[k],
                    data.program[k],
                ]
            )
    policy = directory / "policy.toml"
    lines = [f"budget = {budget}", f"min_score = {MIN_SCORE}", 'objective = "score_weighted_budget"', ""]
    for name, group, kind, bound in constraints:
        lines += [
            "[[constraint]]",
            f'name = "{name}"',
            f"group = {{ {_toml_inline(group)} }}",
            f"{kind} = {bound!r}",
            "",
        ]
    policy.write_text("\n".join(lines), encoding="utf-8")
    return proposals, policy


def _toml_inline(group: dict) -> str:
    def value(v: object) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return f'"{v}"'
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return str(v)

    return ", ".join(f"{k} = {value(v)}" for k, v in group.items())
