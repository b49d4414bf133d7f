"""The password hash: Argon2id at a cost chosen for a server that signs in many people at once.

Django's default Argon2 (100 MiB, 2 passes, 8 lanes) costs about 0.3 s of CPU per sign-in; two hundred people
signing in within a minute then take a two-core server for themselves. doyak uses OWASP's recommended
configuration (Password Storage Cheat Sheet: Argon2id, 19 MiB, 2 iterations, 1 lane; about 35 ms) unless the
deployment asks for more with DOYAK_ARGON2_MEMORY_KIB / DOYAK_ARGON2_TIME_COST / DOYAK_ARGON2_PARALLELISM.
A stored hash made with other parameters is re-hashed at the next successful sign-in (Django's ``must_update``).
"""

from __future__ import annotations

import os

from django.contrib.auth.hashers import Argon2PasswordHasher


def _env_int(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name, "").strip()
    return max(minimum, int(raw)) if raw.isascii() and raw.isdigit() else default


class DoyakArgon2PasswordHasher(Argon2PasswordHasher):
    algorithm = "argon2"  # the same stored format as Django's: hashes move both ways
    memory_cost = _env_int("DOYAK_ARGON2_MEMORY_KIB", 19_456, 19_456)
    time_cost = _env_int("DOYAK_ARGON2_TIME_COST", 2, 2)
    parallelism = _env_int("DOYAK_ARGON2_PARALLELISM", 1, 1)
