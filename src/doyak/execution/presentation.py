"""What the execution pages compute only for display."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .enums import OWED_REPORT_STATUSES, Diligence, Grade, PanelRule, SpecialOutcome


def report_rows(reports, today: dt.date | None = None) -> list[tuple]:
    """(report, overdue) for a table."""
    today = today or timezone.localdate()
    return [(r, r.status in OWED_REPORT_STATUSES and r.due_date < today) for r in reports]




def computed_result(result: dict | None) -> dict | None:
    """The panel's computed result (``services.panel_result``) with labels for the page."""
    if result is None:
        return None
    def label(choices, value):
        return str(choices(value).label) if value in choices.values else ""

    return {**result, "grade_label": label(Grade, result["grade"]),
            "diligence_label": label(Diligence, result["diligence"]),
            "outcome_label": label(SpecialOutcome, result["outcome"]),
            "rule_label": label(PanelRule, result["rule"]) or result["rule"]}
