from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExecutionConfig(AppConfig):
    name = "doyak.execution"
    label = "execution"
    verbose_name = _("Project execution")

    def ready(self) -> None:
        from doyak.core.daily import DailyJob, daily_job_register

        from .tasks import execution_daily_work

        daily_job_register(DailyJob(name="execution_daily", task_path="doyak.execution.tasks.execution_daily_task",
                                    work=execution_daily_work))
