"""Insert overhead of the audit trail's hash chain, on SQLite and on PostgreSQL.

    .venv/bin/python bench/audit.py [--calls 10000] [--only sqlite|postgresql]

Each database gets ``--calls`` ``audit_record`` calls (lock, read the last event, hash, insert) and as many
baseline inserts of the same row without the chain (what ``audit_record`` did before: one INSERT), each in
its own transaction as a service would, interleaved in rounds so that both see the same table size. Prints
microseconds per call, calls per second and the ratio to the baseline. PostgreSQL comes from ``pgserver``
(or DOYAK_DATABASE_URL); SQLite is a file in a temporary folder, with doyak's settings (WAL, BEGIN IMMEDIATE).
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds a script named like the standard library's ``select``: keep this folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for bench._pg

import argparse  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 5
CHANGES = {"title": ["2026년 소재부품 기술개발 과제", "2026년 소재·부품 기술개발 과제"], "gov_krw": [450_000_000, 480_000_000]}


def _run(calls: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from doyak.accounts.rules import SYSTEM
    from doyak.core.audit import audit_record
    from doyak.core.models import AuditEvent
    from doyak.regions.models import Region

    obj = Region.objects.order_by("pk").first()
    per_round = calls // ROUNDS

    def baseline(seq: int) -> None:
        with transaction.atomic():
            AuditEvent.objects.create(seq=seq, at=timezone.now(), actor=None, actor_label="system",
                                      action="bench.baseline", object_type=obj._meta.label_lower,
                                      object_id=str(obj.pk), object_repr=str(obj)[:200], changes=CHANGES)

    def chained() -> None:
        with transaction.atomic():
            audit_record(actor=SYSTEM, action="bench.chained", obj=obj, changes=CHANGES)

    for _ in range(20):  # warm-up: connections, statement caches
        chained()
    seconds = {"baseline": 0.0, "chained": 0.0}
    for _ in range(ROUNDS):
        start_seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() + 1
        start = time.perf_counter()
        for i in range(per_round):
            baseline(start_seq + i)
        seconds["baseline"] += time.perf_counter() - start
        start = time.perf_counter()
        for _ in range(per_round):
            chained()
        seconds["chained"] += time.perf_counter() - start
    n = per_round * ROUNDS
    from django.db import connection

    print(f"{connection.vendor}: {n:,} calls each")
    for label, total in seconds.items():
        print(f"  {label:<9} {total:7.2f} s  {total / n * 1e6:8.0f} µs/call  {n / total:8,.0f} calls/s")
    print(f"  ratio chained / baseline: {seconds['chained'] / seconds['baseline']:.2f}")


def _child(vendor: str, calls: int) -> None:
    # this tree's doyak, also for the ``doyak migrate`` subprocesses (the virtual environment may hold another)
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH")) if p)
    if vendor == "postgresql":
        from bench._pg import django_on_postgres

        with tempfile.TemporaryDirectory(prefix="doyak-bench-audit-pg-") as data_dir, django_on_postgres(data_dir):
            _run(calls)
        return
    with tempfile.TemporaryDirectory(prefix="doyak-bench-audit-") as folder:
        env = dict(os.environ, DOYAK_DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3", DOYAK_HTTPS="0",
                   DOYAK_LOG_LEVEL="WARNING")
        subprocess.run([str(ROOT / ".venv" / "bin" / "doyak"), "migrate", "--noinput", "-v", "0"], env=env, check=True)
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doyak.config.settings")
        import django

        django.setup()
        _run(calls)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--child", choices=("sqlite", "postgresql"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.calls)
        return 0
    for vendor in [args.only] if args.only else ["sqlite", "postgresql"]:
        # one process per database: Django is set up once per process
        subprocess.run([sys.executable, __file__, "--child", vendor, "--calls", str(args.calls)], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
