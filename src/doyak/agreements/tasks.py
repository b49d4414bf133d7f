"""Background jobs of the agreements app (django-tasks: ``doyak db_worker`` runs them; ``doyak
schedule_daily`` queues the daily one)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task


def agreements_daily_work(day: dt.date) -> dict[str, int]:
    from doyak.accounts.rules import SYSTEM

    from .services import agreements_daily

    return agreements_daily(actor=SYSTEM, today=day)


@task()
def agreements_daily_task(run_id: int) -> str:
    """Agreements whose start has come become active; approved changes whose date has come take effect."""
    from doyak.core.daily import daily_run_execute

    return daily_run_execute(run_id=run_id)
