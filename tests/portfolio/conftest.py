"""Factories for the portfolio tests: proposals that passed (or failed) evaluation, through the services."""

from __future__ import annotations

import pytest
from tests.proposals import conftest as _proposal_factories

make_program = _proposal_factories.make_program
make_call = _proposal_factories.make_call
make_proposal = _proposal_factories.make_proposal


@pytest.fixture
def make_scored(chain):
    """``make_scored(call, gov=…, score=…, region="26", anchor=False)``: a submitted proposal evaluated on a panel
    of its own and published (``chain.scored``)."""
    return chain.scored


@pytest.fixture
def pm(chain):
    return chain.pm


@pytest.fixture
def admin(chain):
    return chain.admin


@pytest.fixture
def council(make_user):
    return make_user(role="council_member")
