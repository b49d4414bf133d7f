"""Daily jobs: scheduled twice a day they run once; a second worker finds a job another worker holds taken;
a done job is not run again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from doyak.core import runs
from doyak.core.daily import daily_jobs_schedule, daily_run_execute
from doyak.core.models import AuditEvent, DailyRun

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 5, 4)


@pytest.fixture
def worker():
    """Name this process as a worker (the lease owner) for the test, then restore it."""
    yield runs.worker_id_set
    runs.worker_id_set(None)


def test_scheduling_twice_runs_each_job_once(django_capture_on_commit_callbacks):
    # when the day's jobs are scheduled twice (cron twice, or two schedulers)
    with django_capture_on_commit_callbacks(execute=True):
        first = daily_jobs_schedule(day=DAY)
    with django_capture_on_commit_callbacks(execute=True):
        second = daily_jobs_schedule(day=DAY)
    # then each job has one row, queued by the first call only, and ran once (the test backend runs at once)
    assert [(run.job, created) for run, created in first] == [("agreements_daily", True), ("execution_daily", True)]
    assert [created for _run, created in second] == [False, False]
    assert list(DailyRun.objects.order_by("job").values_list("job", "day", "status", "attempts", "lease_owner")) == [
        ("agreements_daily", DAY, "done", 1, ""), ("execution_daily", DAY, "done", 1, "")]
    assert DailyRun.objects.get(job="agreements_daily").result == {"activated": 0, "changes_applied": 0}
    assert AuditEvent.objects.filter(action="daily_run.done").count() == 2


def test_second_worker_finds_the_job_taken(worker):
    # given worker A holding today's agreements job
    run = DailyRun.objects.create(job="agreements_daily", day=DAY)
    worker("worker-a")
    assert runs.lease_acquire(run)
    # when worker B picks the same job: taken, nothing run, A still holds it
    worker("worker-b")
    assert daily_run_execute(run_id=run.pk) == "taken"
    run.refresh_from_db()
    assert (run.status, run.attempts, run.lease_owner) == ("queued", 0, "worker-a")
    # when A runs it: done; then B again: already done, not run twice
    worker("worker-a")
    assert daily_run_execute(run_id=run.pk) == "done"
    worker("worker-b")
    assert daily_run_execute(run_id=run.pk) == "already_done"
    run.refresh_from_db()
    assert (run.status, run.attempts, run.lease_owner) == ("done", 1, "")


def test_schedule_daily_command_queues_the_day_once(django_capture_on_commit_callbacks, capsys):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("schedule_daily", "--date", "2026-05-04")
    call_command("schedule_daily", "--date", "2026-05-04")
    assert capsys.readouterr().out.splitlines() == [
        "agreements_daily 2026-05-04: queued", "execution_daily 2026-05-04: queued",
        "agreements_daily 2026-05-04: done", "execution_daily 2026-05-04: done"]
