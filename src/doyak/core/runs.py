"""Leases of background runs, and recovering the runs whose worker died.

A worker executing a run (a settlement, an evaluator assignment, a scenario solve) holds the run's lease:
``lease_owner`` names the worker, ``lease_expires_at`` says until when it holds the run. The worker renews
the lease as the run progresses (each chunk, each progress step) and, inside ``doyak db_worker``, from a
heartbeat thread every third of the lease time, so a long single step (a solve) never loses its lease
while its process lives.

Every worker also looks for runs whose lease expired: their worker stopped (killed, out of memory, the
machine went away). ``runs_recover`` records what happened on the run, marks the dead worker's task row
failed, audits the recovery with the system actor and queues the run again through its own resume path
(settlement runs skip their committed chunks; assignments and solves are re-run from the start, which
replaces rather than adds). A worker that comes back after its lease was taken finds it lost
(``LeaseLost``) before it writes anything more.

One policy number sets the timing: ``operations.run_lease_seconds`` (L). A renewal holds the run for
2L/3; the heartbeat and the check for dead runs happen every L/3; so a run whose worker died at t is
recovered by t + L at the latest, as long as one worker lives.

Each app registers its kinds of run (``run_kind_register`` in its ``AppConfig.ready``), so core imports
no domain app.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doyak.accounts.rules import SYSTEM

from .audit import audit_record
from .labels import audit_actions_register

logger = logging.getLogger(__name__)

LEASE_POLICY = "operations.run_lease_seconds"
_worker_id: str | None = None
_lease_seconds_reader: Callable[[str], Any] | None = None


class LeaseLost(Exception):  # noqa: N818 - a state, not an error of the caller
    """Another worker took this run over (our lease expired): stop without writing anything more."""


@dataclass(frozen=True)
class RunKind:
    """One kind of background run: its model, which rows are in progress, how to queue one again."""

    label: str                                   # audit action prefix, e.g. "settlement_run"
    model: type[models.Model]
    active: Q                                    # rows a worker should be holding (running, solving …)
    requeue: Callable[[Any], None]               # the kind's resume path; the row is locked, in a transaction
    task_path: str = ""                          # the django-tasks task that executes it
    task_kwarg: str = "run_id"                   # the task's keyword naming the row


_KINDS: dict[str, RunKind] = {}


RECOVERED_LABEL = gettext_lazy("Background run taken over after its worker stopped")


def run_kind_register(kind: RunKind) -> None:
    _KINDS[kind.label] = kind
    audit_actions_register({f"{kind.label}.recovered": RECOVERED_LABEL})  # emitted by run_recover below


def run_kinds() -> list[RunKind]:
    return list(_KINDS.values())


# --------------------------------------------------------------------------------------------
# Who holds a lease, and for how long
# --------------------------------------------------------------------------------------------

def worker_id() -> str:
    """This process's name as a lease owner: the db_worker's id, else host:pid."""
    return _worker_id or f"{socket.gethostname()}:{os.getpid()}"


def worker_id_set(value: str | None) -> None:
    global _worker_id
    _worker_id = value or None


def lease_seconds_reader_set(reader: Callable[[str], Any]) -> None:
    """How core reads the policy record (the policies app sets it when it is ready; core imports no app)."""
    global _lease_seconds_reader
    _lease_seconds_reader = reader


def lease_seconds() -> int:
    if _lease_seconds_reader is None:
        raise ImproperlyConfigured("doyak.policies is not installed: no reader for " + LEASE_POLICY)
    # At least 3 s, so the heartbeat (every third of the lease) stays a second or more apart.
    return max(3, int(_lease_seconds_reader(LEASE_POLICY)))


def lease_valid_for() -> dt.timedelta:
    return dt.timedelta(seconds=lease_seconds() * 2 / 3)


def check_interval_seconds() -> float:
    return lease_seconds() / 3


def lease_acquire(run: models.Model, *, now: dt.datetime | None = None) -> bool:
    """Take the run's lease if it is free, expired or already ours; False when a live worker holds it.

    A run that was recovered records here which worker resumed it, and when."""
    now = now or timezone.now()
    me = worker_id()
    model = type(run)
    taken = model.objects.filter(pk=run.pk).filter(
        Q(lease_owner="") | Q(lease_owner=me) | Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True)
    ).update(lease_owner=me, heartbeat_at=now, lease_expires_at=now + lease_valid_for())
    if not taken:
        return False
    with transaction.atomic():
        row = model.objects.select_for_update().get(pk=run.pk)
        notes = list(row.recoveries or [])
        if notes and not notes[-1].get("resumed_by"):
            notes[-1] = {**notes[-1], "resumed_by": me, "resumed_at": now.isoformat()}
            model.objects.filter(pk=run.pk).update(recoveries=notes)
    run.refresh_from_db()
    return True


def lease_renew(run: models.Model, *, now: dt.datetime | None = None, **fields: Any) -> None:
    """Renew our lease (and write ``fields`` with it); raises LeaseLost if another worker has the run."""
    now = now or timezone.now()
    if not type(run).objects.filter(pk=run.pk, lease_owner=worker_id()).update(
            heartbeat_at=now, lease_expires_at=now + lease_valid_for(), **fields):
        raise LeaseLost(f"{type(run).__name__} {run.pk}")


def lease_assert_held(locked_run: models.Model) -> None:
    """Inside the transaction that holds the run's row lock: stop if the lease is no longer ours."""
    if locked_run.lease_owner != worker_id():
        raise LeaseLost(f"{type(locked_run).__name__} {locked_run.pk}")


def lease_release(run: models.Model) -> None:
    type(run).objects.filter(pk=run.pk, lease_owner=worker_id()).update(lease_owner="", lease_expires_at=None)


def leases_beat(*, now: dt.datetime | None = None) -> int:
    """The heartbeat: renew every lease this process holds. Returns how many."""
    now = now or timezone.now()
    until = now + lease_valid_for()
    return sum(kind.model.objects.filter(lease_owner=worker_id()).update(heartbeat_at=now, lease_expires_at=until)
               for kind in run_kinds())


# --------------------------------------------------------------------------------------------
# Recovering runs whose worker died
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Recovery:
    kind: str
    pk: int
    worker: str
    stopped_at: dt.datetime | None


def runs_recover(*, now: dt.datetime | None = None) -> list[Recovery]:
    """Queue again every run whose worker's lease expired; fail the dead workers' task rows."""
    now = now or timezone.now()
    recovered: list[Recovery] = []
    for kind in run_kinds():
        stale = (kind.model.objects.filter(kind.active).exclude(lease_owner="")
                 .filter(lease_expires_at__lt=now).values_list("pk", "lease_owner"))
        for pk, owner in list(stale):
            done = _recover_one(kind=kind, pk=pk, now=now, owner=owner)
            if done is not None:
                recovered.append(done)
    recovered.extend(_orphaned_tasks_fail(now=now))
    return recovered


def _recover_one(*, kind: RunKind, pk: int, now: dt.datetime, lost_task_id: str = "",
                 owner: str | None = None) -> Recovery | None:
    """Queue the run again, once: ``owner`` is the dead worker seen holding it, ``lost_task_id`` the task row seen
    running; when another live worker, which saw the same before either took the lock, has recovered it first,
    the run no longer has that owner or that task row is no longer running, and nothing is recorded twice."""
    with transaction.atomic():
        run = kind.model.objects.select_for_update().filter(kind.active, pk=pk).first()
        if run is None:
            return None
        if run.lease_owner and run.lease_expires_at and run.lease_expires_at >= now:
            return None  # its worker renewed meanwhile
        if owner is not None and run.lease_owner != owner:
            return None
        if lost_task_id and not _task_row_running(lost_task_id):
            return None
        stopped_at = run.heartbeat_at
        note = {"worker": run.lease_owner, "stopped_at": stopped_at.isoformat() if stopped_at else None,
                "detected_at": now.isoformat(), "detected_by": worker_id()}
        run.recoveries = [*(run.recoveries or []), note]
        run.lease_owner, run.lease_expires_at = "", None
        run.save(update_fields=["recoveries", "lease_owner", "lease_expires_at"])
        task_ids = {tid for tid in (getattr(run, "task_id", ""), lost_task_id) if tid}
        _task_rows_fail(task_ids=task_ids, now=now)
        audit_record(actor=SYSTEM, action=f"{kind.label}.recovered", obj=run, changes=note)
        kind.requeue(run)
    logger.warning("recovered %s %s (worker %s stopped at %s)", kind.label, pk, note["worker"], stopped_at)
    return Recovery(kind=kind.label, pk=pk, worker=note["worker"], stopped_at=stopped_at)


def _task_rows_fail(*, task_ids: set[str], now: dt.datetime) -> int:
    """Mark the dead worker's task rows failed (django-tasks' database backend leaves them RUNNING)."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    if not task_ids:
        return 0
    return DBTaskResult.objects.filter(pk__in=sorted(task_ids), status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED, finished_at=now, exception_class_path="doyak.core.runs.WorkerLost",
        traceback=_("The worker stopped while running this task; the run was queued again."))


def _task_row_running(task_id: str) -> bool:
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING).exists()


def _orphaned_tasks_fail(*, now: dt.datetime) -> list[Recovery]:
    """Task rows RUNNING for longer than a lease under a worker that holds no live lease: their worker died
    (possibly before it took the run's lease). Fail them, and queue again a run they leave unfinished."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    kinds = {kind.task_path: kind for kind in run_kinds() if kind.task_path}
    live = set()
    for kind in run_kinds():
        live.update(kind.model.objects.filter(lease_expires_at__gte=now).values_list("lease_owner", flat=True))
    cutoff = now - dt.timedelta(seconds=lease_seconds())
    recovered: list[Recovery] = []
    for row in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, task_path__in=sorted(kinds),
                                           started_at__lt=cutoff):
        if row.worker_ids and row.worker_ids[-1] in live:
            continue
        kind = kinds[row.task_path]
        pk = (row.args_kwargs.get("kwargs") or {}).get(kind.task_kwarg)
        run = kind.model.objects.filter(kind.active, pk=pk).first() if pk is not None else None
        if run is not None and not (run.lease_expires_at and run.lease_expires_at >= now):
            done = _recover_one(kind=kind, pk=run.pk, now=now, lost_task_id=str(row.pk))
            if done is not None:
                recovered.append(done)
                continue
        _task_rows_fail(task_ids={str(row.pk)}, now=now)
    return recovered


# --------------------------------------------------------------------------------------------
# Inside a worker process: the heartbeat and the check, every third of the lease
# --------------------------------------------------------------------------------------------

def watch_once() -> tuple[int, int]:
    """One heartbeat and one check for dead runs. Returns (leases renewed, runs recovered)."""
    try:
        return leases_beat(), len(runs_recover())
    finally:
        close_old_connections()


class Watcher(threading.Thread):
    """The worker process's heartbeat thread (daemon: it dies with the process, as a lease should)."""

    def __init__(self) -> None:
        super().__init__(name="doyak-run-watcher", daemon=True)
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                watch_once()
                interval = check_interval_seconds()
            except Exception:  # a database hiccup must not kill the heartbeat; try again soon
                logger.exception("run watcher failed")
                interval = 1.0
            self.stopping.wait(interval)
