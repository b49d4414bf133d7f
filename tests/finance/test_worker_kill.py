"""A real ``doyak db_worker`` killed with SIGKILL in the middle of a settlement run: another live worker
finds the run within the lease time and finishes it, equal to a clean run, nothing counted twice.

The workers are subprocesses on the test database: on PostgreSQL the same database; on SQLite, whose test
database lives in this process's memory, a file copy of it (sqlite3's backup API) that is copied back
once the workers are done."""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

import doyak
from doyak.core.models import AuditEvent
from doyak.finance.models import SettlementRun
from doyak.finance.services import settlement_run_start
from doyak.policies.services import policy_change

from .test_services import _ledger_of_every_rule, _snapshot

pytestmark = pytest.mark.django_db(transaction=True)

LEASE_SECONDS = 3
HANG_AFTER_CHUNK = 1  # the first worker stops making progress there (alive, heartbeating) until it is killed
WORKER = """
import os, time
import django
django.setup()
from doyak.finance import services
hang_after = int(os.environ["DOYAK_TEST_HANG_AFTER_CHUNK"])
def hang(run, index):
    while index == hang_after:
        time.sleep(0.1)
if hang_after >= 0:
    services.chunk_committed_hook = hang
from django.core.management import call_command
call_command("db_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload")
"""


class SharedDatabase:
    """The test database as a worker subprocess reaches it."""

    def __init__(self, tmp_path: Path) -> None:
        self.sqlite = connection.vendor == "sqlite"
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "doyak.config.settings.test",
               "DOYAK_TEST_TASKS_BACKEND": "database",
               "PYTHONPATH": os.pathsep.join([str(Path(doyak.__file__).parents[1]), os.environ.get("PYTHONPATH", "")])}
        if self.sqlite:
            self.path = tmp_path / "shared.sqlite3"
            connection.ensure_connection()
            copy = sqlite3.connect(self.path)
            connection.connection.backup(copy)
            copy.execute("PRAGMA journal_mode=WAL")
            copy.close()
            env["DOYAK_TEST_DATABASE_URL"] = f"sqlite:///{self.path}"
        else:
            url = urlsplit(os.environ["DOYAK_TEST_DATABASE_URL"])
            env["DOYAK_TEST_DATABASE_URL"] = urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))
        self.env = env

    def run_row(self, run_id: int) -> tuple[str, int]:
        if not self.sqlite:
            return tuple(SettlementRun.objects.filter(pk=run_id).values_list("status", "chunks_done").get())
        with sqlite3.connect(self.path, timeout=20) as db:
            return db.execute("SELECT status, chunks_done FROM finance_settlementrun WHERE id = ?", [run_id]).fetchone()

    def worker(self, log: Path, *, hang_after_chunk: int = -1) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", WORKER],
                                env={**self.env, "DOYAK_TEST_HANG_AFTER_CHUNK": str(hang_after_chunk)},
                                stdout=log.open("w"), stderr=subprocess.STDOUT)

    def done(self) -> None:
        if self.sqlite:  # bring the workers' writes back into the test database
            copy = sqlite3.connect(self.path)
            copy.backup(connection.connection)
            copy.close()


def _wait(condition, *, seconds: float, what: str, workers: tuple[tuple[subprocess.Popen, Path], ...]) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        for process, log in workers:
            if process.poll() is not None:
                raise AssertionError(f"a worker exited ({process.returncode}): {log.read_text()[-3000:]}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.05)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_settlement_worker_killed_mid_run_is_resumed_by_a_live_worker(make_agreement, add_txn, manager, tmp_path):
    # given a lease of 3 seconds, six agreements settled one per chunk, and a clean run of them
    policy_change(actor=manager, key="operations.run_lease_seconds", value=LEASE_SECONDS,
                  effective_from=timezone.localdate(), source="test: a short lease")
    ids = [a.pk for a in _ledger_of_every_rule(make_agreement, add_txn, 6)]
    clean = settlement_run_start(actor=manager, agreement_ids=ids, chunk_size=1)  # runs at once (immediate backend)
    clean.refresh_from_db()
    assert clean.status == "done"
    # and the same run queued for the database worker
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}):
        run = settlement_run_start(actor=manager, agreement_ids=ids, chunk_size=1)
    shared = SharedDatabase(tmp_path)
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = shared.worker(first_log, hang_after_chunk=HANG_AFTER_CHUNK)
    second = None
    try:
        # when a worker has settled two of the six chunks
        _wait(lambda: shared.run_row(run.pk)[1] >= 2, seconds=60, what="the first worker to settle two chunks",
              workers=((first, first_log),))
        # and a second worker is up
        second = shared.worker(second_log)
        _wait(lambda: "Starting worker" in second_log.read_text(), seconds=60, what="the second worker to start",
              workers=((first, first_log), (second, second_log)))
        # and the first is killed
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = timezone.now()
        assert shared.run_row(run.pk) == ("running", 2)
        # then the second worker finishes the run
        _wait(lambda: shared.run_row(run.pk)[0] == "done", seconds=60, what="the run to finish",
              workers=((second, second_log),))
    finally:
        first.kill() if first.poll() is None else None
        if second is not None:
            _stop(second)
    shared.done()
    run.refresh_from_db()
    host = socket.gethostname()
    # with results equal to the clean run's, nothing twice
    assert (run.status, run.chunks_done, run.attempts) == ("done", 6, 2)
    results, flags = _snapshot(run)
    assert (results, flags) == _snapshot(clean)
    assert len(flags) == len(set(flags))
    # and the recovery seen within the lease time of the kill, the worker named, audited by the system
    [note] = run.recoveries
    assert (note["worker"], note["resumed_by"]) == (f"{host}:{first.pid}", f"{host}:{second.pid}")
    detected = dt.datetime.fromisoformat(note["detected_at"])
    print(f"recovery seen {(detected - killed_at).total_seconds():.2f} s after the kill (lease {LEASE_SECONDS} s)")
    # the bound is the lease; one second more for the check's own queries on a loaded machine
    assert (detected - killed_at).total_seconds() <= LEASE_SECONDS + 1
    assert AuditEvent.objects.filter(action="settlement_run.recovered", object_id=str(run.pk),
                                     actor=None, actor_label="system").count() == 1
    # and the killed worker's task row failed, the new one succeeded
    rows = list(DBTaskResult.objects.order_by("enqueued_at").values_list("status", "worker_ids", "exception_class_path"))
    assert rows == [("FAILED", [f"{host}:{first.pid}"], "doyak.core.runs.WorkerLost"),
                    ("SUCCESSFUL", [f"{host}:{second.pid}"], "")]
