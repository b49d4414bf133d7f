"""``doyak db_worker``: django-tasks' database worker, with the runs' heartbeat and recovery.

Why here and not a self-re-enqueuing task or a cron job alone: a reaper task can itself be on the worker
that dies, and a cron job runs only where someone installed it. Every worker process already lives as
long as the work it could resume, so each one, from a daemon thread, renews the leases of the runs it
executes and recovers the runs of dead workers, every third of ``operations.run_lease_seconds``; it also
does so once at start-up. With one live worker, a dead worker's run is resumed within the lease time.
``doyak runs_recover`` does one such check (for a cron job or a deployment script).
"""

from __future__ import annotations

import logging

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from doyak.core import runs

logger = logging.getLogger(__name__)


class Command(DatabaseWorkerCommand):
    help = "Run a database background worker that renews its runs' leases and resumes the runs of dead workers"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=None)  # host:pid, so the run page can say which worker it was

    def handle(self, *args, worker_id: str | None = None, **options) -> None:
        worker_id = worker_id or runs.worker_id()
        runs.worker_id_set(worker_id)
        try:
            recovered = runs.runs_recover()
        except Exception:  # the watcher tries again; a worker must start even if the check fails once
            logger.exception("recovering runs at start-up failed")
        else:
            for item in recovered:
                logger.warning("queued %s %s again: worker %s stopped", item.kind, item.pk, item.worker)
        runs.Watcher().start()
        super().handle(*args, worker_id=worker_id, **options)
