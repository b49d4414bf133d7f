"""The benchmarks' database: DOYAK_DATABASE_URL when set, otherwise a local PostgreSQL from ``pgserver``."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def django_on_postgres(data_dir: str) -> Iterator[dict[str, str]]:
    """Start (or reuse) PostgreSQL, migrate, set Django up in this process; yields the environment used."""
    env = dict(os.environ, DOYAK_HTTPS="0", DOYAK_ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
               DOYAK_LOG_LEVEL="WARNING")
    server = None
    if not env.get("DOYAK_DATABASE_URL"):
        import pgserver

        data_dir = str(Path(data_dir).resolve())  # the URL's host is the socket's folder: a relative one is no host

        Path(data_dir).mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(data_dir, cleanup_mode="stop")
        env["DOYAK_DATABASE_URL"] = f"postgres://postgres@{quote(data_dir, safe='')}/postgres"
        print(f"PostgreSQL (pgserver) in {data_dir}")
    try:
        subprocess.run([str(ROOT / ".venv" / "bin" / "doyak"), "migrate", "--noinput", "-v", "0"], env=env, check=True)
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "doyak.config.settings")
        import django

        django.setup()
        yield env
    finally:
        if server is not None:
            server.cleanup()


def measure(fn, n: int) -> list[float]:
    """Milliseconds of ``n`` calls ``fn(i)``, after five warm-up calls."""
    for i in range(5):
        fn(i)
    times = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(label: str, times: list[float]) -> float:
    """Print p50, p95 and max of ``times``; returns the p95 (nearest rank)."""
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    print(f"  {label:<44} n={len(times):>3}  p50 {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms  "
          f"max {max(times):7.1f} ms")
    return p95
