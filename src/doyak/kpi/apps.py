from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    name = "doyak.kpi"
    label = "kpi"
    verbose_name = _("KPI board")

    def ready(self) -> None:
        from django.db.models import Q

        from doyak.core.runs import RunKind, run_kind_register

        from .enums import PackStatus
        from .models import MeetingPack
        from .services import meeting_pack_requeue

        run_kind_register(RunKind(
            label="kpi.meeting_pack", model=MeetingPack, requeue=meeting_pack_requeue,
            active=Q(status=PackStatus.RUNNING), task_path="doyak.kpi.tasks.meeting_pack_task",
            task_kwarg="pack_id"))
