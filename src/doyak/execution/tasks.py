"""Background jobs of the execution app (django-tasks: ``doyak db_worker`` runs them; ``doyak
schedule_daily`` queues the daily one)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task


def execution_daily_work(day: dt.date) -> dict[str, int]:
    from doyak.accounts.rules import SYSTEM

    from .services import execution_daily

    return execution_daily(actor=SYSTEM, today=day)


@task()
def execution_daily_task(run_id: int) -> str:
    """Report schedules for new agreements, then reminders before the due date and when overdue."""
    from doyak.core.daily import daily_run_execute

    return daily_run_execute(run_id=run_id)
