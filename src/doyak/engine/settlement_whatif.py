"""Policy what-if on the actual ledger: "raise the small-amount exemption to ₩X", "extend
self-settlement to these projects".

Both the actual policy and the changed one are run through the same engine, so every figure
(checked transactions, evidence documents, flags, clawback) is computed the same way; see
:class:`~doyak.engine.settlement.SettlementTotals` for what each figure counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType

import polars as pl

from doyak.engine.settlement import Ledger, SettlementResult, SettlementTotals, ledger_settle
from doyak.engine.settlement_policy import CATEGORIES, PolicyError, SettlementPolicy


@dataclass(frozen=True, kw_only=True)
class WhatIfScenario:
    """The change to try. ``evidence_exemption``: category → new threshold in won;
    ``self_settlement_project_ids``: projects that would settle on the report."""

    evidence_exemption: Mapping[str, int] = field(default_factory=dict)
    self_settlement_project_ids: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for category, value in self.evidence_exemption.items():
            if category not in CATEGORIES:
                raise PolicyError(f"what-if: unknown category {category!r}", code="invalid_what_if")
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise PolicyError(
                    f"what-if: exemption for {category} must be a non-negative integer (won), got {value!r}",
                    code="invalid_what_if",
                )
        object.__setattr__(self, "evidence_exemption", MappingProxyType(dict(self.evidence_exemption)))
        object.__setattr__(self, "self_settlement_project_ids", frozenset(self.self_settlement_project_ids))


@dataclass(frozen=True, kw_only=True)
class WhatIfResult:
    """Before (actual policy) and after (scenario) figures on the same ledger."""

    scenario: WhatIfScenario
    before: SettlementTotals
    after: SettlementTotals

    @property
    def transactions_removed_from_checked(self) -> int:
        return self.before.checked_transactions - self.after.checked_transactions

    @property
    def evidence_documents_removed(self) -> int:
        return self.before.evidence_documents - self.after.evidence_documents

    @property
    def transactions_no_longer_needing_evidence(self) -> int:
        return self.after.evidence_exempt - self.before.evidence_exempt

    @property
    def spend_moved_to_sampled(self) -> int:
        return self.after.sampled_spend - self.before.sampled_spend

    @property
    def spend_removed_from_checked(self) -> int:
        return self.before.checked_spend - self.after.checked_spend

    def rows(self) -> list[tuple[str, int, int, int]]:
        """(figure, before, after, after − before) for every figure, in declaration order."""
        return [
            (item.name, getattr(self.before, item.name), getattr(self.after, item.name))
            + (getattr(self.after, item.name) - getattr(self.before, item.name),)
            for item in fields(SettlementTotals)
        ]


def scenario_policy(*, policy: SettlementPolicy, scenario: WhatIfScenario) -> SettlementPolicy:
    """The policy with the scenario's exemptions applied."""
    if not scenario.evidence_exemption:
        return policy
    return policy.with_exemptions(exemptions=scenario.evidence_exemption)


def scenario_ledger(*, ledger: Ledger, scenario: WhatIfScenario) -> Ledger:
    """The ledger with the scenario's projects switched to self-settlement."""
    if not scenario.self_settlement_project_ids:
        return ledger
    ids = pl.Series(sorted(scenario.self_settlement_project_ids), dtype=pl.String)
    unknown = ids.filter(~ids.is_in(ledger.projects["project_id"].implode()))
    if unknown.len():
        raise PolicyError(f"what-if: unknown project {unknown[0]!r}", code="unknown_project")
    projects = ledger.projects.with_columns(
        self_settlement=pl.col("self_settlement") | pl.col("project_id").is_in(ids.implode())
    )
    return Ledger(transactions=ledger.transactions, projects=projects, budgets=ledger.budgets)


def settlement_what_if(
    *,
    ledger: Ledger,
    policy: SettlementPolicy,
    scenario: WhatIfScenario,
    baseline: SettlementResult | None = None,
) -> WhatIfResult:
    """Settle the ledger under the actual policy (or reuse ``baseline``) and under the scenario."""
    before = baseline if baseline is not None else ledger_settle(ledger=ledger, policy=policy)
    after = ledger_settle(
        ledger=scenario_ledger(ledger=ledger, scenario=scenario),
        policy=scenario_policy(policy=policy, scenario=scenario),
    )
    return WhatIfResult(scenario=scenario, before=before.totals, after=after.totals)
