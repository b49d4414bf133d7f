"""The execution tests: agreements concluded through the selection chain (tests/finance factories) and a small
evaluator pool of their own (economic experts from an evaluation institute: no conflict with the projects)."""

import itertools

import pytest
from tests.finance.conftest import add_txn, at, make_agreement, make_call, make_program, make_proposal  # noqa: F401

_n = itertools.count(1)


@pytest.fixture
def pool(make_organization, make_researcher, make_user):
    """pool(n=4): ``n`` evaluator profiles with sign-ins, all economic experts, from one outside institute."""
    from doyak.evaluation.models import EvaluatorProfile

    def make(n: int = 4, *, organization=None):
        org = organization or make_organization(name=f"평가원{next(_n)}")
        profiles = []
        for _ in range(n):
            researcher = make_researcher(organization=org, department=f"평가{next(_n)}실")
            user = make_user(role="evaluator", researcher=researcher)
            profiles.append(EvaluatorProfile.objects.create(researcher=researcher, user=user, name=researcher.name,
                                                            keywords=["정산과제"], is_economic_expert=True))
        return profiles

    return make


@pytest.fixture
def lead_applicant(make_user):
    """An applicant of the agreement's lead institution: its representative in the application."""

    def make(agreement):
        return make_user(role="applicant", organization=agreement.proposal.lead_organization)

    return make
