"""The records the KPI board counts from the regulation registry, registered with kpi.measures (the indicator
``regulation.innovation_tasks`` is seeded as ``not_recorded`` with ``records = "regulation_tasks"``): one record per
regulation innovation task resolved by the day of the board, in the year it was resolved."""

from __future__ import annotations

import datetime as dt

from doyak.engine.kpi import KpiRecord
from doyak.kpi.measures import Measurement, records_register


def regulation_tasks(*, as_of: dt.date) -> Measurement:
    from .enums import TaskStatus
    from .models import RegulationTask

    qs = RegulationTask.objects.filter(status=TaskStatus.RESOLVED, resolved_on__lte=as_of).order_by("resolved_on", "pk")
    return Measurement(record_kind="regulation_task", records=[
        KpiRecord(ref=f"regulation_task:{task.pk}", dedup_key=f"regulation_task:{task.pk}", year=task.resolved_on.year,
                  label=f"{task.code} {task.title}", organization=task.ministry) for task in qs])


records_register("regulation_tasks", regulation_tasks)
