"""Daily jobs: each app registers its job (``daily_job_register`` in its ``AppConfig.ready``: a name and the
django-tasks task that runs it); ``doyak schedule_daily`` (from cron, once a day or more often) queues every
job of the day once; ``doyak db_worker`` runs the tasks.

A job's day is one ``DailyRun`` row, unique by job and day: scheduling again finds the row and queues
nothing. The task holds the row's lease (``core.runs``) while it works, so a second worker that picks the
same row (a task queued by hand, a retry) finds it taken and does nothing, and a row already done is not
run again. A worker that dies mid-job loses its lease; the watcher of any live worker queues the job again
(each job is registered as a kind of run). Core imports no domain app: the jobs are given as callables.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

from doyak.accounts.rules import SYSTEM

from . import runs
from .audit import audit_record
from .labels import audit_actions_register
from .models import DailyRun

logger = logging.getLogger(__name__)

S = DailyRun.Status

audit_actions_register({
    "daily_run.done": gettext_lazy("Daily job done"),
    "daily_run.failed": gettext_lazy("Daily job failed"),
})


@dataclass(frozen=True)
class DailyJob:
    name: str
    task_path: str  # a django-tasks task taking ``run_id``
    work: Callable[[dt.date], dict[str, Any]]  # what the job does on a day; returns its counts


_JOBS: dict[str, DailyJob] = {}


def daily_job_register(job: DailyJob) -> None:
    _JOBS[job.name] = job
    runs.run_kind_register(runs.RunKind(
        label=f"daily_run.{job.name}", model=DailyRun, active=Q(job=job.name, status=S.RUNNING),
        requeue=daily_run_requeue, task_path=job.task_path))


def daily_jobs() -> list[DailyJob]:
    return [_JOBS[name] for name in sorted(_JOBS)]


def _enqueue(run: DailyRun) -> None:
    result = import_string(_JOBS[run.job].task_path).enqueue(run_id=run.pk)
    DailyRun.objects.filter(pk=run.pk, task_id="").update(task_id=str(result.id)[:64])


def daily_jobs_schedule(*, day: dt.date | None = None) -> list[tuple[DailyRun, bool]]:
    """Queue every registered job for ``day`` (today in Korea by default) unless it is queued, running or done
    already (a failed one is queued again); returns each job's row and whether this call queued it."""
    day = day or timezone.localdate()
    out = []
    for job in daily_jobs():
        try:
            with transaction.atomic():
                run, created = DailyRun.objects.get_or_create(job=job.name, day=day)
                if created:
                    transaction.on_commit(lambda run=run: _enqueue(run))
        except IntegrityError:  # another scheduler made it between our read and write
            run, created = DailyRun.objects.get(job=job.name, day=day), False
        if not created and run.status == S.FAILED:
            with transaction.atomic():
                run = DailyRun.objects.select_for_update().get(pk=run.pk)
                if run.status == S.FAILED:
                    daily_run_requeue(run)
                    created = True
        out.append((run, created))
    return out


def daily_run_requeue(run: DailyRun) -> None:
    """Queue a run again (its worker died): the caller holds the row's lock."""
    run.status, run.task_id, run.lease_owner, run.lease_expires_at = S.QUEUED, "", "", None
    run.save(update_fields=["status", "task_id", "lease_owner", "lease_expires_at"])
    transaction.on_commit(lambda: _enqueue(run))


def daily_run_execute(*, run_id: int) -> str:
    """The task's body: run the job once for its day under the row's lease. Returns what happened:
    ``done`` (this call ran it), ``already_done``, ``taken`` (another worker holds it) or ``missing``."""
    run = DailyRun.objects.filter(pk=run_id).first()
    if run is None:
        return "missing"
    if run.status == S.DONE:
        return "already_done"
    if not runs.lease_acquire(run):
        logger.info("daily job %s %s is held by %s", run.job, run.day, run.lease_owner)
        return "taken"
    run.refresh_from_db()
    if run.status == S.DONE:  # finished by the worker whose lease we took as it ended
        runs.lease_release(run)
        return "already_done"
    runs.lease_renew(run, status=S.RUNNING, started_at=timezone.now(), attempts=run.attempts + 1, error="")
    try:
        result = _JOBS[run.job].work(run.day)
    except Exception as exc:
        DailyRun.objects.filter(pk=run.pk).update(status=S.FAILED, error=repr(exc)[:2000],
                                                  finished_at=timezone.now())
        runs.lease_release(run)
        audit_record(actor=SYSTEM, action="daily_run.failed", obj=run, changes={"job": run.job,
                                                                              "day": run.day.isoformat()})
        raise
    runs.lease_renew(run, status=S.DONE, result=dict(result), finished_at=timezone.now())
    runs.lease_release(run)
    audit_record(actor=SYSTEM, action="daily_run.done", obj=run,
                 changes={"job": run.job, "day": run.day.isoformat(), **dict(result)})
    return "done"
