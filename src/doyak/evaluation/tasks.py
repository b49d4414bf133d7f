"""Background jobs of the evaluation app (django-tasks: ``doyak db_worker`` runs them in production)."""

from __future__ import annotations

from django_tasks import task


@task()
def assignment_run_task(run_id: int) -> int:
    """Run one evaluator assignment; progress and outcome are written to the ``AssignmentRun``."""
    from .services import assignment_run_execute

    run = assignment_run_execute(run_id=run_id)
    return run.assigned_count
