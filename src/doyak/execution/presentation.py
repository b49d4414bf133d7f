"""What the execution pages compute only for display."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .enums import OWED_REPORT_STATUSES


def report_rows(reports, today: dt.date | None = None) -> list[tuple]:
    """(report, overdue) for a table."""
    today = today or timezone.localdate()
    return [(r, r.status in OWED_REPORT_STATUSES and r.due_date < today) for r in reports]
