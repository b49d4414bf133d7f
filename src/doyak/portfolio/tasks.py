"""Background jobs of the portfolio app (django-tasks: ``doyak db_worker`` runs them in production)."""

from __future__ import annotations

from django_tasks import task


@task()
def scenario_solve_task(scenario_id: int) -> str:
    """Solve one scenario; the result (or the reason there is none) is written to the ``Scenario``."""
    from .services import scenario_solve_execute

    return scenario_solve_execute(scenario_id=scenario_id).status
