"""Shared fixtures: small factories per app. No shared pre-filled database: each test makes its rows."""

from __future__ import annotations

import itertools
import os

import pytest

_counter = itertools.count(1)


@pytest.fixture
def make_organization(db):
    from doyak.organizations.models import Organization
    from doyak.organizations.validators import brn_check_digit
    from doyak.regions.selectors import region_for_code_or_raise

    def make(*, name: str | None = None, org_type: str = "sme", region_code: str = "11", region=None,
             **fields) -> Organization:
        n = next(_counter)
        first_nine = f"{100 + n % 800:03d}81{n:04d}"
        return Organization.objects.create(
            name=name or f"(주)테스트{n}",
            business_registration_number=first_nine + str(brn_check_digit(first_nine)),
            org_type=org_type,
            region=region or region_for_code_or_raise(code=region_code),
            **fields,
        )

    return make


@pytest.fixture
def make_researcher(db):
    from doyak.organizations.models import Researcher

    def make(*, organization, name: str | None = None, career_stage: str = "senior", **fields) -> Researcher:
        n = next(_counter)
        return Researcher.objects.create(
            national_researcher_number=f"{10_000_000 + n}", name=name or f"연구자{n}",
            organization=organization, career_stage=career_stage, **fields,
        )

    return make


@pytest.fixture
def make_user(db):
    from doyak.accounts.models import User

    def make(*, role: str = "applicant", organization=None, username: str | None = None,
             password: str = "correct-horse-battery", **fields) -> User:
        n = next(_counter)
        user = User(username=username or f"{role}{n}", role=role, organization=organization, **fields)
        user.set_password(password)
        user.save()
        return user

    return make


@pytest.fixture
def api_client():
    from django.test import Client

    return Client()


REFERENCE_APPS = ("regions", "policies")


@pytest.fixture(scope="session")
def _reference_snapshot(django_db_setup, django_db_blocker):
    """The migrations' reference data (regions, policy records), serialized once after the test database is made."""
    from django.apps import apps
    from django.core import serializers

    with django_db_blocker.unblock():
        objects = [obj for label in REFERENCE_APPS for model in apps.get_app_config(label).get_models()
                   for obj in model._default_manager.order_by("pk")]
        return serializers.serialize("json", objects)


def _transactional(request) -> bool:
    return _transactional_item(request.node, request.fixturenames)


def _transactional_item(item, fixturenames) -> bool:
    marker = item.get_closest_marker("django_db")
    return "live_server" in fixturenames or "transactional_db" in fixturenames or (
        marker is not None and marker.kwargs.get("transaction", False)
    )


_audit_triggers_to_restore: list = []


@pytest.fixture(autouse=True)
def _audit_triggers_aside_for_flush(request):
    """A transactional test ends with Django's flush (TRUNCATE on PostgreSQL, DELETE on SQLite), which the audit
    table's append-only triggers refuse: the suite acts as the database owner and sets them aside for the flush
    only (tests/db_owner.py). This fixture depends on the test database, so its teardown runs just before the
    flush; ``pytest_fixture_post_finalizer`` below puts the triggers back just after it."""
    if not _transactional(request):
        yield
        return
    from tests.db_owner import audit_triggers_off

    request.getfixturevalue("transactional_db")
    blocker = request.getfixturevalue("django_db_blocker")
    yield
    restore = audit_triggers_off()

    def restore_unblocked() -> None:
        with blocker.unblock():
            restore()

    _audit_triggers_to_restore.append(restore_unblocked)


def pytest_fixture_post_finalizer(fixturedef, request):
    if fixturedef.argname == "_django_db_helper":
        while _audit_triggers_to_restore:
            _audit_triggers_to_restore.pop()()


@pytest.fixture(autouse=True)
def _reference_data_back(request):
    """Transactional tests (the browser tests) empty every table when they end; put the reference data
    back before the next one, whatever ran before (Django's serialized rollback proved unreliable here
    once non-transactional tests had run first)."""
    if not _transactional(request):
        return
    snapshot = request.getfixturevalue("_reference_snapshot")
    request.getfixturevalue("transactional_db")
    from django.core import serializers
    from django.db import transaction

    from doyak.regions.models import Region

    if not Region.objects.exists():
        with transaction.atomic():
            for obj in serializers.deserialize("json", snapshot):
                obj.save()


@pytest.fixture
def chain(db, make_organization, make_researcher, make_user, make_proposal):
    """The selection chain through the services (tests/chain.py)."""
    from tests.chain import Chain

    return Chain(make_organization=make_organization, make_researcher=make_researcher, make_user=make_user,
                 make_proposal=make_proposal)


_DATABASE_FIXTURES = frozenset({"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback",
                                "live_server"})


# The longest tests, longest first (their share of the SQLite run, on 2 cores): run first, so that the two xdist
# workers (fed one test at a time, ``--maxschedchunk 1`` in pyproject.toml) end together instead of one waiting
# for the other's last long test.
LONGEST_FIRST = (
    "tests/config/test_schemathesis.py",        # every API operation fuzzed as three roles
    "tests/browser/test_every_page.py",          # every page of every role
    "tests/test_permission_matrix.py",           # every route and operation × every role
    "tests/demo/test_seeding.py",
    "tests/core/test_query_counts.py",
    "tests/browser/",
    "tests/engine/test_settlement_stream.py",
    "tests/finance/test_worker_kill.py",
    "tests/finance/test_run_parts.py",
    "tests/engine/test_portfolio.py",
)


def _longest_first(item) -> tuple[int, int]:
    """Within pytest-django's groups (database tests, then transactional ones, which empty the tables when they
    end, then the rest: a worker runs its tests in this order), the longest first."""
    fixturenames = getattr(item, "fixturenames", ())
    uses_database = item.get_closest_marker("django_db") is not None or "db" in fixturenames
    group = 1 if _transactional_item(item, fixturenames) else 0 if uses_database else 2
    rank = next((rank for rank, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix)),
                len(LONGEST_FIRST))
    return group, rank


def pytest_collection_modifyitems(config, items):
    """Run the longest tests first (``LONGEST_FIRST``). With DOYAK_TEST_DATABASE_ONLY=1 (the PostgreSQL run of
    ``make test``), keep only the tests that reach the database. pytest-django refuses database access to any
    other test, so they behave the same whatever the database is; they already ran on SQLite, and running them
    twice tested nothing more."""
    items.sort(key=_longest_first)  # stable: the rest keep pytest's order
    if os.environ.get("DOYAK_TEST_DATABASE_ONLY") != "1":
        return
    keep, drop = [], []
    for item in items:
        uses_database = item.get_closest_marker("django_db") is not None or bool(
            _DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ())))
        (keep if uses_database else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
