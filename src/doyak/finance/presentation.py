"""What the finance screens compute only for display."""

from __future__ import annotations

from collections.abc import Mapping

from doyak.engine.settlement_policy import SettlementPolicy

from .enums import Category


def what_if_threshold_rows(*, policy: SettlementPolicy, exemptions: Mapping[str, int],
                           typed: Mapping[str, str]) -> list[dict]:
    """Per cost category: the small-amount evidence exemption in force, what was typed, and the threshold the
    what-if run uses (the typed one, or the current one when left empty)."""
    rows = []
    for value, label in Category.choices:
        current = policy.exemption_for(value)
        proposed = exemptions.get(value)
        rows.append({"category": value, "label": label, "current": current, "typed": typed.get(f"exemption_{value}", ""),
                     "proposed": proposed, "changed": proposed is not None and proposed != current})
    return rows
