from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgreementsConfig(AppConfig):
    name = "doyak.agreements"
    label = "agreements"
    verbose_name = _("Agreements")

    def ready(self) -> None:
        from doyak.core.daily import DailyJob, daily_job_register

        from .tasks import agreements_daily_work

        daily_job_register(DailyJob(name="agreements_daily", task_path="doyak.agreements.tasks.agreements_daily_task",
                                    work=agreements_daily_work))
