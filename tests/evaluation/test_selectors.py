"""Reads for the panel page: the economic-expert check follows its policy record."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from doyak.evaluation.selectors import panel_overview
from doyak.policies.services import policy_change

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(review_setup, run_assignment):
    """Every proposal of the panel holds 3 evaluators, both economic experts among them."""
    run_assignment(actor=review_setup["pm"], panel=review_setup["panel"])
    return review_setup


def _require_experts(n: int) -> None:
    policy_change(actor=None, key="evaluation.min_economic_experts_per_panel", value=n,
                  effective_from=timezone.localdate() - dt.timedelta(days=1), source="test notice")


def test_panel_overview_two_experts_meet_the_seeded_minimum_of_two(assigned):
    rows = panel_overview(panel=assigned["panel"])
    assert [(r.experts, r.experts_required, r.experts_short) for r in rows] == [(2, 2, False)] * 3


def test_panel_overview_two_experts_fall_short_when_the_policy_asks_three(assigned):
    # given the policy now asks for three economic experts
    _require_experts(3)
    # when
    rows = panel_overview(panel=assigned["panel"])
    # then every proposal's two experts are short
    assert [(r.experts, r.experts_required, r.experts_short) for r in rows] == [(2, 3, True)] * 3


def test_panel_page_warns_from_the_policy_not_a_literal(assigned, client):
    client.force_login(assigned["pm"])
    url = reverse("evaluation:panel", args=[assigned["panel"].pk])
    # given the seeded minimum of two: no warning
    assert 'data-testid="experts-short"' not in client.get(url).content.decode()
    # when the policy asks for three
    _require_experts(3)
    body = client.get(url).content.decode()
    # then each proposal is flagged
    assert body.count('data-testid="experts-short"') == 3

