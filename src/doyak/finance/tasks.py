"""Background jobs of the finance app (django-tasks: ``doyak db_worker`` runs them in production)."""

from __future__ import annotations

from django_tasks import task


@task()
def settlement_run_task(run_id: int) -> int:
    """Settle one run chunk by chunk; a re-run skips the chunks already done. Returns chunks done."""
    from .services import settlement_run_execute

    return settlement_run_execute(run_id=run_id).chunks_done
