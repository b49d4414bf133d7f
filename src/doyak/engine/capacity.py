"""The commercialisation fund's figures, on plain rows (no Django): committed, invested, the share invested in
industrial leap projects against the policy's minimum, and investment by region group.

Money is integer won. The leap share is invested-in-leap-projects / invested, rounded half-up to four decimals
(0.6667); a fund that invested nothing has no share (``None``) and neither meets nor misses the policy."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

SHARE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class InvestmentRow:
    amount_krw: int
    leap: bool               # the investment follows a project of the industrial-leap track
    region_group: str        # the investee's region group ("" if unknown)


@dataclass(frozen=True)
class FundFigures:
    committed_krw: int
    invested_krw: int
    leap_invested_krw: int
    leap_share: Decimal | None
    leap_share_min: Decimal
    meets_policy: bool | None
    by_region_group: dict[str, int] = field(default_factory=dict)


def fund_figures(*, commitments_krw: Iterable[int], investments: Iterable[InvestmentRow],
                 leap_share_min: Decimal) -> FundFigures:
    rows = list(investments)
    invested = sum(r.amount_krw for r in rows)
    leap = sum(r.amount_krw for r in rows if r.leap)
    share = (Decimal(leap) / Decimal(invested)).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP) if invested else None
    groups: dict[str, int] = {}
    for r in rows:
        groups[r.region_group] = groups.get(r.region_group, 0) + r.amount_krw
    return FundFigures(committed_krw=sum(commitments_krw), invested_krw=invested, leap_invested_krw=leap,
                       leap_share=share, leap_share_min=Decimal(leap_share_min),
                       meets_policy=None if share is None else share >= Decimal(leap_share_min),
                       by_region_group=dict(sorted(groups.items())))
