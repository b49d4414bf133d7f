from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "doyak.finance"
    label = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        from django.db.models import Q

        from doyak.core.runs import RunKind, run_kind_register

        from .enums import RunStatus
        from .models import SettlementRun, SettlementRunPart
        from .services import settlement_part_requeue, settlement_run_requeue

        run_kind_register(RunKind(
            label="settlement_run", model=SettlementRun, requeue=settlement_run_requeue,
            active=Q(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]),
            task_path="doyak.finance.tasks.settlement_run_task"))
        run_kind_register(RunKind(
            label="settlement_run_part", model=SettlementRunPart, requeue=settlement_part_requeue,
            active=Q(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]),
            task_path="doyak.finance.tasks.settlement_part_task", task_kwarg="part_id"))
