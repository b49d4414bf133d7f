"""The settlement policy from the versioned policy records (``settlement.*`` keys), and its run snapshot.

Every number comes from a policy record; ``settlement.audit_sample_seed`` (seeded by this app's
migration 0002) fixes which unflagged transactions the self-settlement sample draws, so a run is
reproducible and a resumed run samples exactly as the first attempt did.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from doyak.core.labels import policy_choices_register
from doyak.engine.self_settlement import ROUTES, SelfSettlementRoute, SelfSettlementRules
from doyak.engine.settlement_policy import SettlementPolicy, policy_from_mapping
from doyak.policies.services import policy_value, policy_values
from doyak.programs.enums import ProjectGrade

from .enums import Category, MerchantType

policy_choices_register({
    "settlement.ineligible_merchant_types": MerchantType,
    "settlement.holiday_review_categories": Category,
    "grades.sanction_grades": ProjectGrade,
})

_SHARES = ("budget_transfer_share", "allowance_share_of_personnel", "audit_sample_share")


def settlement_policy_snapshot(*, on: dt.date | None = None) -> dict[str, Any]:
    """The policy in force on ``on`` as plain JSON (shares as strings), in the engine's TOML spelling."""
    values = policy_values(prefix="settlement.", on=on)

    def table(name: str) -> dict[str, int]:
        prefix = f"settlement.{name}."
        return {key[len(prefix):]: int(value) for key, value in values.items() if key.startswith(prefix)}

    return {
        "ineligible_merchant_types": list(values["settlement.ineligible_merchant_types"]),
        "duplicate_window_minutes": int(values["settlement.duplicate_window_minutes"]),
        "budget_transfer_share": str(values["settlement.budget_transfer_share"]),
        "allowance_share_of_personnel": str(policy_value("rnd_act.allowance_max_share_of_personnel", on)),
        "holiday_review_categories": list(values["settlement.holiday_review_categories"]),
        "audit_sample_share": str(values["settlement.audit_sample_share"]),
        "seed": int(values.get("settlement.audit_sample_seed", 0)),
        "evidence_exemption": table("evidence_exemption"),
        "grace_days": table("grace_days"),
        "documents_exemption": table("documents_exemption"),
        "split_window_days": int(values.get("settlement.split_window_days", 1)),
        "equipment_plan_threshold": int(policy_value("rnd_act.equipment_plan_threshold_krw", on)),
        # not an engine key: whether the ledger carries the documents column (see ``snapshot_documents_required``)
        "documents_required": bool(values.get("settlement.documents_required", False)),
        # not an engine key either: the self-settlement routes the run judges each agreement by
        "self_settlement_routes": {name: dataclasses.asdict(getattr(self_settlement_rules_current(on=on), name))
                                   for name in ROUTES},
    }


def snapshot_self_settlement_rules(snapshot: dict[str, Any]) -> SelfSettlementRules | None:
    """The routes a run judges by; None for a run queued before they were policy (its agreements' own flag)."""
    routes = snapshot.get("self_settlement_routes")
    if not routes:
        return None
    return SelfSettlementRules(**{name: SelfSettlementRoute(
        enabled=bool(routes[name]["enabled"]), programs=tuple(routes[name]["programs"]),
        small_project_max_krw=int(routes[name]["small_project_max_krw"])) for name in ROUTES})


def snapshot_documents_required(snapshot: dict[str, Any]) -> bool:
    """Whether a run checks supporting documents: the evidence files attached become the engine's ``documents``
    (``settlement.documents_required``; off, MISSING_DOCUMENTS is never raised, as before issue #15)."""
    return bool(snapshot.get("documents_required", False))


def settlement_policy_from_snapshot(snapshot: dict[str, Any]) -> SettlementPolicy:
    data = dict(snapshot)
    data.pop("documents_required", None)
    data.pop("self_settlement_routes", None)
    for name in _SHARES:
        data[name] = Decimal(str(data[name]))
    return policy_from_mapping(data=data, source="settlement policy")


def settlement_policy_current(*, on: dt.date | None = None) -> SettlementPolicy:
    return settlement_policy_from_snapshot(settlement_policy_snapshot(on=on))


def self_settlement_rules_current(*, on: dt.date | None = None) -> SelfSettlementRules:
    """The four self-settlement routes in force (``settlement.self_settlement.<route>.*`` and
    ``settlement.small_project_max_krw``)."""
    values = policy_values(prefix="settlement.", on=on)

    def route(name: str) -> SelfSettlementRoute:
        prefix = f"settlement.self_settlement.{name}."
        return SelfSettlementRoute(
            enabled=bool(values.get(prefix + "enabled", False)),
            programs=tuple(values.get(prefix + "programs", ())),
            small_project_max_krw=int(values.get("settlement.small_project_max_krw", 0)) if name == "small_project"
            else 0,
        )

    return SelfSettlementRules(**{name: route(name) for name in ROUTES})
