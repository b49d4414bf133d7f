"""Aggregating evaluators' scores by a call's rule (pure Python, Decimal, no Django).

* an evaluator's total = Σ weight × score / scale_max over the criteria (a 100-point total when the
  weights add up to 100);
* a proposal's score = the evaluators' totals aggregated by the call's rule: ``mean``;
  ``trimmed_mean`` — the mean without one highest and one lowest total, when there are at least
  three totals (otherwise the plain mean); ``median``;
* spread = highest − lowest total; proposals are ranked by score (ties share a rank, the next rank
  skips: 1, 2, 2, 4), ties listed by reference.

The cut-off and the ranking compare the exact aggregated score; :func:`rounded` (two decimals) is for
display and storage only, so a trimmed mean of 69.995 fails a cut-off of 70 although it shows as 70.00.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MEAN = "mean"
TRIMMED_MEAN = "trimmed_mean"
MEDIAN = "median"
RULES = (MEAN, TRIMMED_MEAN, MEDIAN)
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class CriterionScore:
    weight: Decimal
    scale_max: int
    score: Decimal


def weighted_total(scores: Iterable[CriterionScore]) -> Decimal:
    """Σ weight × score / scale_max (exact Decimal; round only for display)."""
    total = Decimal(0)
    for s in scores:
        if s.scale_max <= 0:
            raise ValueError("scale_max must be positive")
        total += Decimal(s.weight) * Decimal(s.score) / Decimal(s.scale_max)
    return total


def aggregate(values: Sequence[Decimal], rule: str) -> Decimal | None:
    """The aggregated score of ``values`` by ``rule``; None when there is no value."""
    if rule not in RULES:
        raise ValueError(f"unknown aggregation rule {rule!r}")
    if not values:
        return None
    ordered = sorted(Decimal(v) for v in values)
    if rule == MEDIAN:
        n = len(ordered)
        mid = n // 2
        return ordered[mid] if n % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    if rule == TRIMMED_MEAN and len(ordered) >= 3:
        ordered = ordered[1:-1]
    return sum(ordered, Decimal(0)) / len(ordered)


def spread(values: Sequence[Decimal]) -> Decimal:
    return (max(values) - min(values)) if values else Decimal(0)


def rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ProposalResult:
    proposal_id: int
    reference: str
    totals: tuple[Decimal, ...]
    score: Decimal | None
    ripple_score: Decimal | None
    core_score: Decimal | None
    spread: Decimal
    spread_alert: bool
    passed: bool
    rank: int | None = None


def proposal_result(
    *, proposal_id: int, reference: str, totals: Sequence[Decimal], ripple_totals: Sequence[Decimal] = (),
    rule: str, cutoff: Decimal, spread_alert_points: Decimal, has_ripple: bool = False,
) -> ProposalResult:
    """One proposal's aggregated figures. ``ripple_totals`` are the evaluators' ripple sub-totals (same order)."""
    score = aggregate(totals, rule)
    ripple = aggregate(ripple_totals, rule) if has_ripple else None
    core = aggregate([t - r for t, r in zip(totals, ripple_totals, strict=True)], rule) if has_ripple else score
    gap = spread(totals)
    return ProposalResult(
        proposal_id=proposal_id, reference=reference, totals=tuple(totals), score=score, ripple_score=ripple,
        core_score=core, spread=gap, spread_alert=len(totals) >= 2 and gap >= spread_alert_points,
        passed=score is not None and score >= Decimal(cutoff),
    )


def rank_results(results: Iterable[ProposalResult]) -> list[ProposalResult]:
    """Results best first with competition ranks (1, 2, 2, 4); unscored proposals last without a rank."""
    scored = sorted((r for r in results if r.score is not None), key=lambda r: (-r.score, r.reference))
    unscored = sorted((r for r in results if r.score is None), key=lambda r: r.reference)
    out: list[ProposalResult] = []
    previous: Decimal | None = None
    rank = 0
    for i, r in enumerate(scored, start=1):
        value = r.score
        if value != previous:
            rank, previous = i, value
        out.append(ProposalResult(**{**r.__dict__, "rank": rank}))
    return out + unscored
