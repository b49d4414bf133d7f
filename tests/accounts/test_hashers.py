"""The password hash: OWASP's Argon2id cost, old Django-cost hashes accepted and re-hashed."""

import importlib

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher

from doyak.accounts import hashers


def test_new_hashes_are_argon2id_at_owasps_cost():
    hasher = hashers.DoyakArgon2PasswordHasher()
    encoded = hasher.encode("correct horse battery", hasher.salt())
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert hasher.verify("correct horse battery", encoded) and not hasher.verify("wrong", encoded)
    assert not hasher.must_update(encoded)


def test_a_hash_made_at_djangos_cost_still_verifies_and_is_rehashed():
    old = Argon2PasswordHasher().encode("correct horse battery", Argon2PasswordHasher().salt())
    hasher = hashers.DoyakArgon2PasswordHasher()
    assert hasher.verify("correct horse battery", old)
    assert hasher.must_update(old)


@pytest.mark.parametrize(("env", "expected"), [
    ({"DOYAK_ARGON2_MEMORY_KIB": "65536", "DOYAK_ARGON2_TIME_COST": "3", "DOYAK_ARGON2_PARALLELISM": "4"}, (65536, 3, 4)),
    ({"DOYAK_ARGON2_MEMORY_KIB": "1024", "DOYAK_ARGON2_TIME_COST": "1", "DOYAK_ARGON2_PARALLELISM": "0"}, (19456, 2, 1)),
    ({"DOYAK_ARGON2_MEMORY_KIB": "lots"}, (19456, 2, 1)),
])
def test_a_deployment_may_raise_the_cost_but_not_lower_it(monkeypatch, env, expected):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        module = importlib.reload(hashers)
        cls = module.DoyakArgon2PasswordHasher
        assert (cls.memory_cost, cls.time_cost, cls.parallelism) == expected
    finally:
        monkeypatch.undo()
        importlib.reload(hashers)
