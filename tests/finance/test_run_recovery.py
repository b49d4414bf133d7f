"""Settlement runs hold a lease: a run whose worker died is found within the lease time and resumed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from doyak.core import runs
from doyak.core.models import AuditEvent
from doyak.core.presentation import recovery_notes
from doyak.finance import services
from doyak.finance.models import SettlementRun
from doyak.finance.services import settlement_run_execute, settlement_run_start
from doyak.policies.services import policy_value

from .test_services import _ledger_of_every_rule, _snapshot


class WorkerKilled(BaseException):
    """What a SIGKILL looks like from inside: nothing of the run's own error handling gets to run."""


def _killed_after_first_chunk(run_id: int) -> None:
    def kill(run, index):
        if index == 0:
            raise WorkerKilled

    services.chunk_committed_hook = kill
    try:
        with pytest.raises(WorkerKilled):
            settlement_run_execute(run_id=run_id)
    finally:
        services.chunk_committed_hook = None


@pytest.fixture
def five_agreements(make_agreement, add_txn):
    return [a.pk for a in _ledger_of_every_rule(make_agreement, add_txn, 5)]


def test_killed_settlement_run_is_recovered_within_the_lease_and_equals_a_clean_run(
        five_agreements, manager, django_capture_on_commit_callbacks):
    # given a clean run, and a second run whose worker is killed right after its first chunk committed
    clean = settlement_run_start(actor=manager, agreement_ids=five_agreements, chunk_size=2)
    settlement_run_execute(run_id=clean.pk)
    killed = settlement_run_start(actor=manager, agreement_ids=five_agreements, chunk_size=2)
    _killed_after_first_chunk(killed.pk)
    killed.refresh_from_db()
    lease = policy_value("operations.run_lease_seconds")
    assert (killed.status, killed.chunks_done, killed.lease_owner) == ("running", 1, runs.worker_id())
    assert (killed.lease_expires_at - killed.heartbeat_at) <= dt.timedelta(seconds=lease)
    # when the workers check while the lease still runs, nothing happens
    assert runs.runs_recover(now=killed.lease_expires_at - dt.timedelta(seconds=1)) == []
    # and when they check within the lease time of the last heartbeat, the run is recovered and resumed
    stopped = killed.heartbeat_at
    detected = stopped + dt.timedelta(seconds=lease)
    with django_capture_on_commit_callbacks(execute=True):
        recovered = runs.runs_recover(now=detected)
    killed.refresh_from_db()
    # then it finished with exactly the clean run's results and flags, nothing counted twice
    assert [(r.kind, r.pk) for r in recovered] == [("settlement_run", killed.pk)]
    assert (killed.status, killed.chunks_done, killed.attempts, killed.lease_owner) == ("done", 3, 2, "")
    assert _snapshot(killed) == _snapshot(clean)
    # and the run says what happened, audited by the system
    [note] = killed.recoveries
    assert (note["worker"], note["stopped_at"], note["detected_at"], note["resumed_by"]) == (
        runs.worker_id(), stopped.isoformat(), detected.isoformat(), runs.worker_id())
    event = AuditEvent.objects.get(action="settlement_run.recovered", object_id=str(killed.pk))
    assert (event.actor_id, event.actor_label, event.changes["worker"]) == (None, "system", runs.worker_id())


def test_a_run_whose_worker_lives_is_left_to_it(five_agreements, manager):
    # given a run held by a live worker (lease not expired)
    run = settlement_run_start(actor=manager, agreement_ids=five_agreements, chunk_size=2)
    _killed_after_first_chunk(run.pk)
    runs.leases_beat()
    # when another worker checks for dead runs, and also gets a duplicate task of the run
    runs.worker_id_set("other-host:1")
    try:
        recovered = runs.runs_recover()
        again = settlement_run_execute(run_id=run.pk)
    finally:
        runs.worker_id_set(None)
    # then it neither recovers nor settles it: the live worker keeps it
    assert recovered == []
    assert (again.status, again.chunks_done, again.attempts, again.recoveries) == ("running", 1, 1, [])


def test_a_worker_that_lost_its_lease_writes_nothing_more(five_agreements, manager):
    # given a run whose lease expired and was taken over by another worker
    run = settlement_run_start(actor=manager, agreement_ids=five_agreements, chunk_size=2)
    _killed_after_first_chunk(run.pk)
    SettlementRun.objects.filter(pk=run.pk).update(lease_owner="other-host:2",
                                                   lease_expires_at=timezone.now() + dt.timedelta(minutes=1))
    # when the first worker comes back and settles the next chunk
    run.refresh_from_db()
    policy = services.settlement_policy_from_snapshot(run.policy_snapshot)
    with pytest.raises(runs.LeaseLost):
        services._chunk_settle(run_id=run.pk, index=1, agreement_ids=run.agreement_ids[2:4], policy=policy)
    # then nothing was written
    run.refresh_from_db()
    assert (run.chunks_done, run.results.count(), run.lease_owner) == (1, 2, "other-host:2")


def test_orphaned_task_row_of_a_dead_worker_is_failed_and_its_run_queued_again(
        five_agreements, manager, django_capture_on_commit_callbacks):
    # given a task row left RUNNING by a worker that died before it took the run's lease
    run = settlement_run_start(actor=manager, agreement_ids=five_agreements, chunk_size=2)
    lease = policy_value("operations.run_lease_seconds")
    long_ago = timezone.now() - dt.timedelta(seconds=lease + 1)
    row = DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING, started_at=long_ago, run_after=long_ago, backend_name="default",
        task_path="doyak.finance.tasks.settlement_run_task", worker_ids=["dead-host:9"],
        args_kwargs={"args": [], "kwargs": {"run_id": run.pk}})
    SettlementRun.objects.filter(pk=run.pk).update(task_id=str(row.pk))
    # when a worker checks
    with django_capture_on_commit_callbacks(execute=True):
        recovered = runs.runs_recover()
    # then the task row failed, and the run was queued again and finished
    row.refresh_from_db()
    run.refresh_from_db()
    assert [(r.kind, r.pk) for r in recovered] == [("settlement_run", run.pk)]
    assert (row.status, row.exception_class_path) == ("FAILED", "doyak.core.runs.WorkerLost")
    assert (run.status, run.chunks_done) == ("done", 3)


def test_the_run_page_says_what_happened_in_korean(five_agreements, manager, client,
                                                   django_capture_on_commit_callbacks):
    # given a run recovered after its worker was killed
    run = settlement_run_start(actor=manager, agreement_ids=five_agreements, chunk_size=2)
    _killed_after_first_chunk(run.pk)
    run.refresh_from_db()
    stopped = dt.datetime(2026, 3, 2, 5, 2, 7, tzinfo=dt.UTC)  # 14:02:07 in Seoul
    SettlementRun.objects.filter(pk=run.pk).update(lease_owner="host-a:11", heartbeat_at=stopped,
                                                   lease_expires_at=stopped + dt.timedelta(seconds=20))
    with django_capture_on_commit_callbacks(execute=True):
        runs.runs_recover(now=stopped + dt.timedelta(seconds=30))
    run.refresh_from_db()
    # when the manager opens the run page
    client.force_login(manager)
    page = client.get(f"/finance/runs/{run.pk}/", headers={"accept-language": "ko"}).content.decode()
    # then it says which worker stopped when, and who resumed it (Seoul time)
    [note] = recovery_notes(run)
    assert note.startswith("작업자 host-a:11이(가) 14:02:07에 멈췄고 14:02:37에 감지되었습니다. 작업자 ")
    assert note.endswith("에 이어서 실행했습니다.")
    assert note in page


@pytest.mark.parametrize(("status", "resumable"), [("failed", True), ("running", True), ("queued", False),
                                                   ("done", False)])
def test_may_resume_is_the_rule_the_resume_service_applies(status, resumable):
    from doyak.finance.models import SettlementRun

    assert SettlementRun(status=status).may_resume is resumable
