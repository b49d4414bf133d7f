"""The call settings a new call starts from, read from the versioned policy records in force on a date.

The policy records (seeded in ``policies/migrations/policy_seed_0002.toml``; DOMAIN §3: a common Ministry
practice, unconfirmed): ``evaluation.drop_highest_lowest_default`` — whether the highest and lowest
evaluator totals are dropped (aggregation ``trimmed_mean``, else ``mean``) — and
``evaluation.cutoff_score_default``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from doyak.core.labels import policy_choices_register
from doyak.policies.services import policy_value
from doyak.programs.enums import Track

from .enums import Aggregation, CriterionKind

policy_choices_register({
    "evaluation.regional_ripple_mandatory_tracks": Track,
    "evaluation.required_criterion_kinds": CriterionKind,
    "evaluation.regional_ripple_criterion_kinds": CriterionKind,
})

DROP_HIGHEST_LOWEST_KEY = "evaluation.drop_highest_lowest_default"
CUTOFF_SCORE_KEY = "evaluation.cutoff_score_default"


@dataclass(frozen=True)
class CallEvaluationDefaults:
    aggregation: str
    cutoff_score: Decimal


def call_evaluation_defaults(*, on: dt.date) -> CallEvaluationDefaults:
    """The aggregation and cut-off a call governed by the policies of ``on`` gets unless it sets its own."""
    drop = bool(policy_value(DROP_HIGHEST_LOWEST_KEY, on))
    return CallEvaluationDefaults(aggregation=Aggregation.TRIMMED_MEAN if drop else Aggregation.MEAN,
                                  cutoff_score=Decimal(policy_value(CUTOFF_SCORE_KEY, on)))
