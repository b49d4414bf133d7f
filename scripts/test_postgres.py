"""Run pytest against PostgreSQL.

Uses DOYAK_TEST_DATABASE_URL when it is set; otherwise starts a throw-away PostgreSQL server with
the ``pgserver`` package (a real server from PyPI), runs the tests, and stops it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from urllib.parse import quote


def main(argv: list[str]) -> int:
    env = dict(os.environ)
    if env.get("DOYAK_TEST_DATABASE_URL"):
        return subprocess.call([sys.executable, "-m", "pytest", *argv], env=env)
    import pgserver

    data_dir = tempfile.mkdtemp(prefix="doyak-pg-")
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    try:
        # a throw-away server: nothing it writes must survive a crash, so it need not wait for the disk
        for setting in ("fsync", "synchronous_commit", "full_page_writes"):
            server.psql(f"ALTER SYSTEM SET {setting} = off;")
        server.psql("SELECT pg_reload_conf();")
        env["DOYAK_TEST_DATABASE_URL"] = f"postgres://postgres@{quote(data_dir, safe='')}/postgres"
        print(f"PostgreSQL test server in {data_dir}", flush=True)
        return subprocess.call([sys.executable, "-m", "pytest", *argv], env=env)
    finally:
        server.cleanup()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
