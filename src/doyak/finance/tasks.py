"""Background jobs of the finance app (django-tasks: ``doyak db_worker`` runs them in production)."""

from __future__ import annotations

from django_tasks import task


@task()
def settlement_run_task(run_id: int) -> int:
    """Settle one run chunk by chunk; a re-run skips the chunks already done. Returns chunks done."""
    from .services import settlement_run_execute

    return settlement_run_execute(run_id=run_id).chunks_done


@task()
def settlement_part_task(part_id: int) -> str:
    """Settle one part (project range) of a partitioned run; any worker, any order. Returns its status."""
    from .services import settlement_part_execute

    return settlement_part_execute(part_id=part_id).status
