"""Background jobs of the KPI app (django-tasks: ``doyak db_worker`` runs them in production)."""

from __future__ import annotations

from django_tasks import task


@task()
def meeting_pack_task(pack_id: int) -> int:
    """Make one meeting pack (PDF and XLSX). Returns its progress (100 when done)."""
    from .services import meeting_pack_execute

    return meeting_pack_execute(pack_id=pack_id).progress
