"""The evaluation template a new call starts from. A starting point for the program manager, not a rule:
the weights are edited per call; what a call must contain is checked against policy at ``call_open``."""

from __future__ import annotations

from decimal import Decimal

from .enums import CriterionKind

# (kind, Korean name, English name, weight in points)
DEFAULT_CRITERIA = [
    (CriterionKind.CREATIVITY_PLAN, "연구개발 목표·내용의 창의성 및 계획의 적절성", "Creativity and plan quality", Decimal("40")),
    (CriterionKind.CAPABILITY, "연구개발 수행 역량", "Capability", Decimal("30")),
    (CriterionKind.IMPACT, "기대효과 (기술적·경제적·사회적)", "Impact (technical, economic, social)", Decimal("30")),
]
RIPPLE_CRITERIA = [
    (CriterionKind.RIPPLE_INVESTMENT, "지역 파급효과: 지역 투자", "Regional ripple: investment in the region", Decimal("10")),
    (CriterionKind.RIPPLE_EMPLOYMENT, "지역 파급효과: 지역 고용", "Regional ripple: jobs in the region", Decimal("10")),
    (CriterionKind.RIPPLE_PRODUCTION, "지역 파급효과: 지역 생산", "Regional ripple: production in the region", Decimal("10")),
]
# With the ripple items the impact weight makes room for them (30 → 0 is too much; 40/30/0 + 3×10).
RIPPLE_DEFAULT_CRITERIA = [
    (CriterionKind.CREATIVITY_PLAN, DEFAULT_CRITERIA[0][1], DEFAULT_CRITERIA[0][2], Decimal("40")),
    (CriterionKind.CAPABILITY, DEFAULT_CRITERIA[1][1], DEFAULT_CRITERIA[1][2], Decimal("30")),
    *RIPPLE_CRITERIA,
]
