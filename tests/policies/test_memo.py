"""During a request the policies in force on a date are read once; a change within the request is seen."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from doyak.policies.memo import memo, memo_end, memo_start
from doyak.policies.services import policy_change, policy_record, policy_value

pytestmark = pytest.mark.django_db

DAY = dt.date(2027, 3, 2)
KEYS = ["rnd_act.gov_share_max.sme", "rnd_act.indirect_rate_default.university", "rnd_act.equipment_plan_threshold_krw",
        "settlement.evidence_exemption.default"]


@pytest.fixture
def in_request():
    """What Django's request_started / request_finished receivers do (sending the signals themselves would also
    close the test's database connection on PostgreSQL)."""
    memo_start()
    yield
    memo_end()


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


def test_outside_a_request_every_read_asks_the_database():
    assert memo() is None
    assert _queries(lambda: [policy_value(k, DAY) for k in KEYS]) == len(KEYS)


def test_in_a_request_the_policies_of_a_date_are_read_once(in_request):
    assert _queries(lambda: [policy_value(k, DAY) for k in KEYS]) == 1
    assert _queries(lambda: [policy_record(key=k, on=DAY) for k in KEYS]) == 0
    assert _queries(lambda: policy_value(KEYS[0], DAY + dt.timedelta(days=1))) == 1  # another date: its own read
    assert [policy_value(k, DAY) for k in KEYS] == [policy_value(k, DAY) for k in KEYS]


def test_a_change_within_the_request_is_read_afterwards(in_request, make_user):
    key = "settlement.evidence_exemption.default"
    assert policy_value(key, DAY) == 0
    policy_change(actor=make_user(role="administrator"), key=key, value=300_000, effective_from=dt.date(2027, 1, 1),
                  source="산업통상부 고시 2026-12")
    assert policy_value(key, DAY) == 300_000


def test_a_request_starts_and_ends_the_memory(client, make_user):
    from django.core.signals import request_finished, request_started

    assert memo_start in request_started._live_receivers(None)[0]
    assert memo_end in request_finished._live_receivers(None)[0]
    client.force_login(make_user(role="program_manager"))
    assert client.get("/policies/").status_code == 200
    assert memo() is None  # forgotten at the end of the request
