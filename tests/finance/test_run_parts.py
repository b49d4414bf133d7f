"""A partitioned settlement run: one task per project range, taken by any worker; the merged result equals
one run's, also when a worker is killed in the middle of a part and started again."""

from __future__ import annotations

import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from doyak.core.models import AuditEvent
from doyak.finance import services
from doyak.finance.models import SettlementRun, SettlementRunPart
from doyak.finance.services import settlement_run_resume, settlement_run_start
from doyak.policies.services import policy_change

from .test_services import _ledger_of_every_rule, _snapshot
from .test_worker_kill import SharedDatabase, _stop, _wait

LEASE_SECONDS = 3
WORKER = """
import os, time
import django
django.setup()
from doyak.finance import services
if os.environ.get("DOYAK_TEST_HANG_IN_PART") == "1":
    def hang(part):  # alive and heartbeating, holding the part's lease, until killed
        while True:
            time.sleep(0.1)
    services.part_started_hook = hang
from django.core.management import call_command
call_command("db_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload")
"""


def test_partitioned_run_settles_every_part_and_equals_one_run(make_agreement, add_txn, manager,
                                                               django_capture_on_commit_callbacks):
    # given five agreements and one run of them in order
    ids = [a.pk for a in _ledger_of_every_rule(make_agreement, add_txn, 5)]
    with django_capture_on_commit_callbacks(execute=True):
        single = settlement_run_start(actor=manager, agreement_ids=ids, chunk_size=5)
    # when the same agreements are settled as a partitioned run of three parts (the test backend runs each at once)
    with django_capture_on_commit_callbacks(execute=True):
        run = settlement_run_start(actor=manager, agreement_ids=ids, chunk_size=2, partitioned=True)
    run.refresh_from_db()
    # then every part is done, the run is done with them, and its results are the single run's
    parts = list(run.parts.order_by("index").values_list("index", "agreement_ids", "status", "attempts"))
    assert parts == [(0, ids[0:2], "done", 1), (1, ids[2:4], "done", 1), (2, ids[4:], "done", 1)]
    assert (run.status, run.chunks_done, run.chunks_total, run.attempts, run.partitioned) == ("done", 3, 3, 1, True)
    assert _snapshot(run) == _snapshot(single)


def test_failed_part_fails_the_run_and_a_resume_settles_only_it(make_agreement, add_txn, manager,
                                                                django_capture_on_commit_callbacks):
    # given three parts, the second of which crashes
    ids = [a.pk for a in _ledger_of_every_rule(make_agreement, add_txn, 3)]
    with django_capture_on_commit_callbacks(execute=True):
        single = settlement_run_start(actor=manager, agreement_ids=ids, chunk_size=3)

    def crash(part):
        if part.index == 1:
            raise RuntimeError("disk full")

    services.part_started_hook = crash
    try:
        with django_capture_on_commit_callbacks(execute=True):  # the test backend records the task failed
            run = settlement_run_start(actor=manager, agreement_ids=ids, chunk_size=1, partitioned=True)
    finally:
        services.part_started_hook = None
    run.refresh_from_db()
    assert (run.status, run.chunks_done, run.error) == ("failed", 2, "disk full")
    assert list(run.parts.order_by("index").values_list("status", flat=True)) == ["done", "failed", "done"]
    # when a manager resumes it
    with django_capture_on_commit_callbacks(execute=True):
        settlement_run_resume(actor=manager, run_id=run.pk)
    run.refresh_from_db()
    # then only the failed part ran again and the run equals one run
    assert list(run.parts.order_by("index").values_list("status", "attempts")) == [
        ("done", 1), ("done", 2), ("done", 1)]
    assert (run.status, run.chunks_done, run.error, run.attempts) == ("done", 3, "", 2)
    assert _snapshot(run) == _snapshot(single)


def _parts(shared: SharedDatabase, run_id: int) -> list[tuple[int, str, str]]:
    """(index, status, lease owner) of each part, as the workers wrote them."""
    if not shared.sqlite:
        return list(SettlementRunPart.objects.filter(run_id=run_id).order_by("index").values_list(
            "index", "status", "lease_owner"))
    with sqlite3.connect(shared.path, timeout=20) as db:
        return db.execute('SELECT "index", status, lease_owner FROM finance_settlementrunpart WHERE run_id = ? '
                          'ORDER BY "index"', [run_id]).fetchall()


def _worker(shared: SharedDatabase, log: Path, *, hang: bool) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WORKER],
                            env={**shared.env, "DOYAK_TEST_HANG_IN_PART": "1" if hang else "0"},
                            stdout=log.open("w"), stderr=subprocess.STDOUT)


@pytest.mark.django_db(transaction=True)
def test_partitioned_run_over_two_workers_one_killed_and_restarted_equals_one_run(
        make_agreement, add_txn, manager, tmp_path):
    # given a lease of 3 seconds, four agreements, and one run of them in order
    policy_change(actor=manager, key="operations.run_lease_seconds", value=LEASE_SECONDS,
                  effective_from=timezone.localdate(), source="test: a short lease")
    ids = [a.pk for a in _ledger_of_every_rule(make_agreement, add_txn, 4)]
    single = settlement_run_start(actor=manager, agreement_ids=ids, chunk_size=4)  # runs at once
    # and the same agreements as a partitioned run of four parts queued for database workers
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}):
        run = settlement_run_start(actor=manager, agreement_ids=ids, chunk_size=1, partitioned=True)
    shared = SharedDatabase(tmp_path)
    logs = {name: tmp_path / f"{name}.log" for name in ("first", "second", "restarted")}
    first = _worker(shared, logs["first"], hang=True)
    second = restarted = None
    host = socket.gethostname()
    try:
        # when the first worker holds a part (and hangs in it, alive)
        _wait(lambda: any(status == "running" for _, status, _ in _parts(shared, run.pk)), seconds=60,
              what="the first worker to take a part", workers=((first, logs["first"]),))
        [(held, _, owner)] = [part for part in _parts(shared, run.pk) if part[1] == "running"]
        assert owner == f"{host}:{first.pid}"
        # and a second worker settles every other part
        second = _worker(shared, logs["second"], hang=False)
        _wait(lambda: shared.run_row(run.pk)[1] == 3, seconds=60, what="the second worker to settle three parts",
              workers=((first, logs["first"]), (second, logs["second"])))
        assert shared.run_row(run.pk) == ("running", 3)
        # and the first is killed in its part, then started again
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        restarted = _worker(shared, logs["restarted"], hang=False)
        # then the part is taken over and the run finishes
        _wait(lambda: shared.run_row(run.pk)[0] == "done", seconds=60, what="the run to finish",
              workers=((second, logs["second"]), (restarted, logs["restarted"])))
    finally:
        first.kill() if first.poll() is None else None
        for process in (second, restarted):
            if process is not None:
                _stop(process)
    shared.done()
    run.refresh_from_db()
    # with the results of one run, nothing twice
    assert (run.status, run.chunks_done, run.attempts) == ("done", 4, 1)
    assert _snapshot(run) == _snapshot(single)
    results, flags = _snapshot(run)
    assert len(flags) == len(set(flags)) and len(results) == 4
    # and the killed part taken over once, by a live worker, audited by the system; the others settled once
    parts = {part.index: part for part in run.parts.all()}
    assert {index: (part.status, part.attempts) for index, part in parts.items()} == {
        index: ("done", 2 if index == held else 1) for index in range(4)}
    [note] = parts[held].recoveries
    assert note["worker"] == f"{host}:{first.pid}"
    assert note["resumed_by"] in (f"{host}:{second.pid}", f"{host}:{restarted.pid}")
    assert AuditEvent.objects.filter(action="settlement_run_part.recovered", object_id=str(parts[held].pk),
                                     actor=None, actor_label="system").count() == 1
    # and of the five task rows, only the killed worker's failed
    rows = sorted(DBTaskResult.objects.values_list("status", "exception_class_path"))
    assert rows == [("FAILED", "doyak.core.runs.WorkerLost")] + [("SUCCESSFUL", "")] * 4
    assert SettlementRun.objects.filter(pk=run.pk, partitioned=True).exists()
