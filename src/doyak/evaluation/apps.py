from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "doyak.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        from django.db.models import Q

        from doyak.core.runs import RunKind, run_kind_register

        from .enums import RunStatus
        from .models import AssignmentRun
        from .services import assignment_run_requeue

        run_kind_register(RunKind(
            label="assignment_run", model=AssignmentRun, requeue=assignment_run_requeue,
            active=Q(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]),
            task_path="doyak.evaluation.tasks.assignment_run_task"))
