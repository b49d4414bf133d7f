"""A new call's aggregation and cut-off come from the policy records in force on its opening day."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from doyak.calls.forms import CallForm
from doyak.calls.models import Call
from doyak.calls.policies import call_evaluation_defaults
from doyak.calls.services import call_create
from doyak.policies.services import policy_change

pytestmark = pytest.mark.django_db

CHANGE_DAY = dt.date(2027, 3, 1)


def _data(program, *, opens_on: dt.date, **extra):
    opens_at = timezone.make_aware(dt.datetime.combine(opens_on, dt.time(9)))
    return {"program": program.pk, "reference": extra.pop("reference", "2027-GEN-01"), "title_ko": "공고",
            "opens_at": opens_at, "closes_at": opens_at + dt.timedelta(days=30), **extra}


@pytest.fixture
def changed_defaults():
    """From CHANGE_DAY the Ministry keeps every score (plain mean) and sets a 75-point cut-off."""
    for key, value in (("evaluation.drop_highest_lowest_default", False), ("evaluation.cutoff_score_default", "75")):
        policy_change(actor=None, key=key, value=value, effective_from=CHANGE_DAY, source="test notice")


def test_seeded_defaults_drop_highest_and_lowest_with_a_70_cut_off():
    # given the seeded records; when read
    defaults = call_evaluation_defaults(on=dt.date(2026, 6, 1))
    # then
    assert (defaults.aggregation, defaults.cutoff_score) == ("trimmed_mean", Decimal("70"))


def test_call_create_takes_the_defaults_in_force_on_its_opening_day(changed_defaults, make_program, make_user):
    pm = make_user(role="program_manager")
    program = make_program()
    # when one call opens the day before the change and one on the day
    before = call_create(actor=pm, data=_data(program, opens_on=CHANGE_DAY - dt.timedelta(days=1), reference="B"))
    on_day = call_create(actor=pm, data=_data(program, opens_on=CHANGE_DAY, reference="D"))
    # then each has the policy of its own opening day, also once read back
    before.refresh_from_db()
    on_day.refresh_from_db()
    assert (before.aggregation, before.cutoff_score) == ("trimmed_mean", Decimal("70.00"))
    assert (on_day.aggregation, on_day.cutoff_score) == ("mean", Decimal("75.00"))


def test_call_create_keeps_the_settings_it_is_given(changed_defaults, make_program, make_user):
    pm = make_user(role="program_manager")
    call = call_create(actor=pm, data=_data(make_program(), opens_on=CHANGE_DAY, aggregation="median",
                                            cutoff_score="60"))
    call.refresh_from_db()
    assert (call.aggregation, call.cutoff_score) == ("median", Decimal("60.00"))


def test_api_call_without_settings_takes_the_policy_defaults(changed_defaults, client, make_program, make_user):
    client.force_login(make_user(role="program_manager"))
    opens_at = timezone.make_aware(dt.datetime.combine(CHANGE_DAY, dt.time(9)))
    # when a call is posted without aggregation or cut-off
    created = client.post("/api/v1/calls", data=json.dumps({
        "program": make_program().pk, "reference": "API-D", "title_ko": "API 공고",
        "opens_at": opens_at.isoformat(), "closes_at": (opens_at + dt.timedelta(days=10)).isoformat()}),
        content_type="application/json")
    # then
    assert created.status_code == 201
    assert (created.json()["aggregation"], Decimal(created.json()["cutoff_score"])) == ("mean", Decimal("75"))
    assert Call.objects.get(reference="API-D").aggregation == "mean"


def test_factory_call_without_settings_takes_the_policy_defaults(make_call):
    # given a call saved directly (seeding, fixtures) without aggregation or cut-off
    call = make_call()
    call.refresh_from_db()
    # then it has the seeded policy's defaults
    assert (call.aggregation, call.cutoff_score) == ("trimmed_mean", Decimal("70.00"))


def test_call_builder_form_starts_from_the_policy_aggregation():
    # given today's policy keeps every score
    policy_change(actor=None, key="evaluation.drop_highest_lowest_default", value=False,
                  effective_from=timezone.localdate() - dt.timedelta(days=1), source="test notice")
    # when the builder's form is shown for a new call
    form = CallForm()
    # then the aggregation offered first is the plain mean
    assert form.fields["aggregation"].initial == "mean"
