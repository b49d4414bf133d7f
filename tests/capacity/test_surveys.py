"""Demand surveys: the PM sees demand per topic; investors see only their own answers; a topic carried into a
call keeps the link."""

from __future__ import annotations

import pytest

from doyak.capacity.models import DemandResponse
from doyak.capacity.selectors import survey_topics_for_user
from doyak.capacity.services import demand_state, survey_close, topic_carry_into_call
from doyak.core.errors import AccessDenied, Conflict, ValidationFailed


def _answer(user, topic, amount, kind="invest", stage="early"):
    return demand_state(actor=user, topic_id=topic.pk, kind=kind, amount_krw=amount, stage=stage,
                        condition="시제품 검증 후", comment="관심 있음")


@pytest.mark.django_db
def test_pm_sees_sum_count_and_who_per_topic(people, open_survey):
    survey = open_survey()
    first, second = survey.topics.order_by("id")
    _answer(people["investor_a"], first, 2_000_000_000)
    _answer(people["investor_b"], first, 500_000_000)
    _answer(people["anchor"], first, 300_000_000, kind="purchase", stage="commercial")
    _answer(people["investor_a"], first, 1_200_000_000)  # restated: replaces the earlier answer

    rows = survey_topics_for_user(user=people["pm"], survey=survey)

    assert [(r.topic.pk, r.total_krw, r.count) for r in rows] == [(first.pk, 2_000_000_000, 3), (second.pk, 0, 0)]
    assert [(x.organization.name, x.amount_krw) for x in rows[0].responses] == [
        ("가나벤처스", 1_200_000_000), ("다라인베스트", 500_000_000), ("앵커전자", 300_000_000)]


@pytest.mark.django_db
def test_investor_sees_only_own_answer_and_no_sums(people, open_survey):
    survey = open_survey()
    topic = survey.topics.order_by("id").first()
    _answer(people["investor_a"], topic, 2_000_000_000)
    _answer(people["investor_b"], topic, 500_000_000)

    rows = survey_topics_for_user(user=people["investor_b"], survey=survey)

    assert [(r.total_krw, r.count) for r in rows] == [(None, None), (None, None)]
    assert [(x.organization_id, x.amount_krw) for x in rows[0].responses] == [(people["firm_b"].pk, 500_000_000)]


@pytest.mark.django_db
def test_plain_applicant_may_not_answer_and_nothing_changes(people, open_survey):
    topic = open_survey().topics.first()
    with pytest.raises(AccessDenied):
        _answer(people["applicant"], topic, 1)
    with pytest.raises(AccessDenied):
        _answer(people["pm"], topic, 1)
    assert DemandResponse.objects.count() == 0


@pytest.mark.django_db
def test_closed_survey_takes_no_answer(people, open_survey):
    survey = open_survey()
    survey_close(actor=people["pm"], survey_id=survey.pk)
    with pytest.raises(Conflict):
        _answer(people["investor_a"], survey.topics.first(), 1)
    assert DemandResponse.objects.count() == 0


@pytest.mark.django_db
def test_topic_carried_into_call_keeps_link_and_only_once(people, open_survey, make_call, make_program):
    survey = open_survey()
    topic = survey.topics.first()
    other_program_call = make_call(program=make_program())
    with pytest.raises(ValidationFailed):
        topic_carry_into_call(actor=people["pm"], topic_id=topic.pk, call_id=other_program_call.pk)
    call = make_call(program=survey.program, status="draft")

    topic_carry_into_call(actor=people["pm"], topic_id=topic.pk, call_id=call.pk)

    topic.refresh_from_db()
    assert (topic.call_id, list(call.demand_topics.values_list("pk", flat=True))) == (call.pk, [topic.pk])
    with pytest.raises(Conflict):
        topic_carry_into_call(actor=people["pm"], topic_id=topic.pk, call_id=call.pk)


@pytest.mark.django_db
def test_api_investor_reads_only_own_amounts(client, people, open_survey):
    survey = open_survey()
    topic = survey.topics.order_by("id").first()
    _answer(people["investor_a"], topic, 2_000_000_000)
    _answer(people["investor_b"], topic, 500_000_000)

    client.force_login(people["investor_a"])
    body = client.get("/api/v1/capacity/surveys").json()

    assert body["count"] == 1
    first = body["items"][0]["topics"][0]
    assert (first["demand_total_krw"], first["demand_count"]) == (None, None)
    assert [(r["organization_id"], r["amount_krw"]) for r in first["responses"]] == [(people["firm_a"].pk, 2_000_000_000)]
    client.force_login(people["pm"])
    first = client.get("/api/v1/capacity/surveys").json()["items"][0]["topics"][0]
    assert (first["demand_total_krw"], first["demand_count"]) == (2_500_000_000, 2)


@pytest.mark.django_db
def test_api_denied_demand_write_changes_nothing(client, people, open_survey):
    topic = open_survey().topics.first()
    _answer(people["investor_a"], topic, 2_000_000_000)
    client.force_login(people["applicant"])
    response = client.post(f"/api/v1/capacity/topics/{topic.pk}/demand",
                           {"kind": "invest", "amount_krw": 1, "stage": "seed"}, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (403, "survey_answer_forbidden")
    assert list(DemandResponse.objects.values_list("organization_id", "amount_krw")) == [
        (people["firm_a"].pk, 2_000_000_000)]
