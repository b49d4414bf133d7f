"""The regulation tests: small hand-made projects (a proposal of a regulation-free call) and their dependencies
through the services; the selection chain only where a signed agreement is the point."""

import itertools

import pytest
from tests.finance.conftest import at, make_agreement, make_call, make_program, make_proposal  # noqa: F401

_n = itertools.count(1)


@pytest.fixture
def liaison(make_user):
    return make_user(role="regulation_liaison", email="liaison@doyak.example")


@pytest.fixture
def pm(make_user):
    return make_user(role="program_manager", email="pm@doyak.example")


@pytest.fixture
def project(make_proposal, make_call, make_organization):  # noqa: F811 - the shared factories
    """A submitted proposal of a regulation-free call (what a dependency hangs on)."""

    def make(*, lead=None):
        return make_proposal(call=make_call(track="regulation_free"), lead=lead or make_organization(),
                             status="submitted")

    return make


@pytest.fixture
def dependency(project, liaison):
    """dependency(milestone_days=…, today=…): a demonstration-exemption dependency with one field demonstration
    ``milestone_days`` after ``today`` (none when None)."""
    import datetime as dt

    from doyak.regulation.services import dependency_create, milestone_add

    def make(*, today, milestone_days=None, proposal=None, route="demonstration_exemption"):
        dep = dependency_create(actor=liaison, proposal_id=(proposal or project()).pk, regulation=f"규제{next(_n)}",
                                route=route, ministry="국토교통부", law="자율주행자동차법", today=today)
        if milestone_days is not None:
            milestone_add(actor=liaison, dependency_id=dep.pk, kind="field_demonstration", title="현장 실증",
                          due_on=today + dt.timedelta(days=milestone_days), today=today)
        dep.refresh_from_db()
        return dep

    return make
