from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    name = "doyak.portfolio"
    label = "portfolio"
    verbose_name = _("Portfolio")

    def ready(self) -> None:
        from django.db.models import Q

        from doyak.core.runs import RunKind, run_kind_register

        from .enums import ScenarioStatus
        from .models import Scenario
        from .services import scenario_solve_requeue

        run_kind_register(RunKind(
            label="portfolio.scenario_solve", model=Scenario, requeue=scenario_solve_requeue,
            active=Q(status=ScenarioStatus.SOLVING),
            task_path="doyak.portfolio.tasks.scenario_solve_task", task_kwarg="scenario_id"))
