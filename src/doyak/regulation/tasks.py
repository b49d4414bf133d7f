"""Background jobs of the regulation app (django-tasks: ``doyak db_worker`` runs them in production)."""

from __future__ import annotations

from django_tasks import task


@task()
def regulation_daily_task() -> dict[str, int]:
    """Refresh every dependency's status and raise each alert once per state change (daily)."""
    from doyak.accounts.rules import SYSTEM

    from .services import regulation_daily

    return regulation_daily(actor=SYSTEM)
