"""What the finance screens compute only for display."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import get_language

from doyak.engine.settlement import FLAG_SOURCES
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


def flag_source(code: str) -> str:
    """The legal source of a flag's rule in the page's language (Korean unless English is asked for)."""
    korean, english = FLAG_SOURCES.get(code, ("", ""))
    return english if (get_language() or "ko").startswith("en") else korean
