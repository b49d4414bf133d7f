"""The benchmarks' database: DOYAK_DATABASE_URL when set, otherwise a local PostgreSQL from ``pgserver``."""

from __future__ import annotations

import os
import subprocess
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
