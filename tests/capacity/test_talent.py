"""The talent growth cycle: suggestions from policy criteria, per-year counts by stage (exact numbers on a small
hand-made set), the star-engineer designation with a panel from the evaluator pool and its conflicts."""

from __future__ import annotations

import datetime as dt

import pytest

from doyak.capacity.models import NominationReviewer, StageRecord
from doyak.capacity.selectors import stage_suggestion_for, talent_stage_counts
from doyak.capacity.services import (
    career_event_add,
    career_stage_record,
    stage_suggestion_accept,
    star_decide,
    star_nominate,
    star_panel_add,
)
from doyak.core.errors import AccessDenied, Conflict, ValidationFailed
from doyak.engine.talent import CareerFacts, StageCriteria, next_stage_suggestion, whole_years

CRITERIA = StageCriteria(early_career_years_min=2, early_career_years_max=7, senior_years_min=15,
                         senior_pi_projects_min=3)
TODAY = dt.date(2026, 6, 1)


def test_whole_years_turn_on_the_anniversary():
    assert (whole_years(dt.date(2019, 6, 1), TODAY), whole_years(dt.date(2019, 6, 2), TODAY)) == (7, 6)


@pytest.mark.parametrize(("facts", "expected"), [
    (CareerFacts("1", "postdoc", doctorate_on=dt.date(2024, 6, 1)), ("early_career", "years_after_doctorate")),
    (CareerFacts("1", "postdoc", doctorate_on=dt.date(2024, 6, 2)), None),
    (CareerFacts("1", "postdoc", doctorate_on=dt.date(2026, 1, 1), first_pi_on=dt.date(2026, 3, 1)),
     ("early_career", "first_pi_project")),
    (CareerFacts("1", "early_career", doctorate_on=dt.date(2019, 6, 1)), None),           # 7 years: still early
    (CareerFacts("1", "early_career", doctorate_on=dt.date(2018, 6, 1)), ("mid_career", "years_after_doctorate")),
    (CareerFacts("1", "mid_career", doctorate_on=dt.date(2011, 6, 1), pi_projects=3), ("senior", "years_and_pi_projects")),
    (CareerFacts("1", "mid_career", doctorate_on=dt.date(2011, 6, 1), pi_projects=2), None),
    (CareerFacts("1", "senior", doctorate_on=dt.date(2000, 1, 1), pi_projects=9), None),  # star only by designation
])
def test_next_stage_suggestion_follows_the_criteria(facts, expected):
    s = next_stage_suggestion(facts, criteria=CRITERIA, as_of=TODAY)
    assert (None if s is None else (s.to_stage, s.reason)) == expected


@pytest.fixture
def talent(people, make_organization, make_researcher):
    busan = make_organization(name="부산기계연구원", org_type="gri", region_code="26")
    seoul = make_organization(name="서울대학교", org_type="university", region_code="11")
    return {"busan": busan, "seoul": seoul, "nominator": None, **{
        "a": make_researcher(organization=busan, career_stage="postdoc"),
        "b": make_researcher(organization=busan, career_stage="postdoc"),
        "c": make_researcher(organization=seoul, career_stage="early_career"),
    }}


@pytest.mark.django_db
def test_stage_counts_per_year_are_exact(people, talent):
    pm = people["pm"]
    a, b, c = talent["a"], talent["b"], talent["c"]
    career_stage_record(actor=pm, researcher_id=a.pk, stage="postdoc", since=dt.date(2024, 3, 1))
    career_stage_record(actor=pm, researcher_id=a.pk, stage="early_career", since=dt.date(2025, 9, 1))
    career_stage_record(actor=pm, researcher_id=b.pk, stage="postdoc", since=dt.date(2025, 1, 1))
    career_stage_record(actor=pm, researcher_id=c.pk, stage="early_career", since=dt.date(2024, 5, 1))
    career_stage_record(actor=pm, researcher_id=c.pk, stage="mid_career", since=dt.date(2025, 12, 31))

    rows = {(r.year, r.stage): r for r in talent_stage_counts(years=[2024, 2025])}

    assert {k: (r.people, r.transitions) for k, r in rows.items() if r.people or r.transitions} == {
        (2024, "postdoc"): (1, 0), (2024, "early_career"): (1, 0),
        (2025, "postdoc"): (1, 0), (2025, "early_career"): (1, 1), (2025, "mid_career"): (1, 1)}
    assert rows[(2025, "postdoc")].by_region_group == {"dongnam": 1}
    assert rows[(2025, "mid_career")].by_organization_type == {"university": 1}
    a.refresh_from_db()
    assert a.career_stage == "early_career"


@pytest.mark.django_db
def test_suggestion_accepted_moves_the_stage(people, talent):
    a = talent["a"]
    career_event_add(actor=people["pm"], researcher_id=a.pk, kind="doctorate", started_on=dt.date(2020, 2, 20))
    assert stage_suggestion_for(a).to_stage == "early_career"
    record = stage_suggestion_accept(actor=people["pm"], researcher_id=a.pk)
    a.refresh_from_db()
    assert (record.stage, record.source, a.career_stage) == ("early_career", "suggestion", "early_career")
    with pytest.raises(Conflict):  # early career, six years after the doctorate: nothing to suggest
        stage_suggestion_accept(actor=people["pm"], researcher_id=a.pk)


@pytest.fixture
def pool(make_organization, make_researcher):
    from doyak.evaluation.models import EvaluatorProfile

    def make(n=3, organization=None, **fields):
        out = []
        for _ in range(n):
            org = organization or make_organization(org_type="university")
            person = make_researcher(organization=org, **fields)
            out.append(EvaluatorProfile.objects.create(researcher=person, name=person.name))
        return out

    return make


@pytest.fixture
def nomination(people, make_user, talent, make_researcher):
    senior = make_researcher(organization=talent["busan"], career_stage="senior", department="로봇연구실")
    nominator = make_user(role="applicant", organization=talent["busan"])
    return star_nominate(actor=nominator, researcher_id=senior.pk, reason="협동로봇 양산 기술 주도")


@pytest.mark.django_db
def test_conflicted_reviewer_is_refused_with_the_reason(people, talent, nomination, pool, make_researcher):
    colleague = pool(1, organization=talent["busan"])[0]
    with pytest.raises(Conflict) as refused:
        star_panel_add(actor=people["pm"], nomination_id=nomination.pk, profile_id=colleague.pk)
    assert refused.value.code == "reviewer_conflict"
    assert "동일 기관" in refused.value.message
    advisor = pool(1)[0]
    nomination.researcher.advisor = advisor.researcher
    nomination.researcher.save()
    with pytest.raises(Conflict) as refused:
        star_panel_add(actor=people["pm"], nomination_id=nomination.pk, profile_id=advisor.pk)
    assert "사제 관계" in refused.value.message
    assert NominationReviewer.objects.count() == 0


@pytest.mark.django_db
def test_designation_needs_the_panel_then_dates_the_star(people, nomination, pool):
    pm = people["pm"]
    reviewers = pool(3)
    star_panel_add(actor=pm, nomination_id=nomination.pk, profile_id=reviewers[0].pk)
    with pytest.raises(ValidationFailed):
        star_decide(actor=pm, nomination_id=nomination.pk, designate=True, on=dt.date(2026, 5, 1))
    for r in reviewers[1:]:
        star_panel_add(actor=pm, nomination_id=nomination.pk, profile_id=r.pk)

    star_decide(actor=pm, nomination_id=nomination.pk, designate=True, on=dt.date(2026, 5, 1))

    nomination.refresh_from_db()
    nominee = nomination.researcher
    nominee.refresh_from_db()
    assert (nomination.status, nominee.star_engineer_since) == ("designated", dt.date(2026, 5, 1))
    assert list(StageRecord.objects.filter(researcher=nominee).values_list("stage", "source")) == [
        ("star_engineer", "designation")]
    with pytest.raises(Conflict):
        star_decide(actor=pm, nomination_id=nomination.pk, designate=False, note="x")


@pytest.mark.django_db
def test_only_own_institution_nominates_and_only_allowed_stages(people, talent, make_user):
    other = make_user(role="applicant", organization=talent["seoul"])
    with pytest.raises(AccessDenied):
        star_nominate(actor=other, researcher_id=talent["a"].pk, reason="x")
    own = make_user(role="applicant", organization=talent["busan"])
    with pytest.raises(ValidationFailed) as refused:
        star_nominate(actor=own, researcher_id=talent["a"].pk, reason="x")  # a postdoc
    assert refused.value.code == "nominee_stage_invalid"


@pytest.mark.django_db
def test_api_talent_stages_counts_for_readers_only(client, people, talent):
    career_stage_record(actor=people["pm"], researcher_id=talent["a"].pk, stage="postdoc", since=dt.date(2025, 3, 1))
    client.force_login(people["auditor"])
    body = client.get("/api/v1/talent/stages?year_from=2025&year_to=2025").json()
    assert body["count"] == 5
    assert [(r["year"], r["stage"], r["people"]) for r in body["items"] if r["people"]] == [(2025, "postdoc", 1)]
    client.force_login(people["investor_a"])
    assert client.get("/api/v1/talent/stages").status_code == 403


@pytest.fixture
def opinion_panel(people, nomination, pool, make_user):
    """Two panel members with their own sign-ins (evaluator profiles linked to users)."""
    from doyak.capacity.services import star_panel_add

    members = []
    for profile in pool(2):
        profile.user = make_user(role="evaluator")
        profile.save(update_fields=["user"])
        star_panel_add(actor=people["pm"], nomination_id=nomination.pk, profile_id=profile.pk)
        members.append(profile.user)
    return members


@pytest.mark.django_db
def test_panel_member_opinion_shown_to_pm_not_to_other_member(client, people, nomination, opinion_panel):
    first, second = opinion_panel
    client.force_login(first)
    assert f"/capacity/talent/nominations/{nomination.pk}/" in client.get("/capacity/").content.decode()
    client.post(f"/capacity/talent/nominations/{nomination.pk}/opinion/",
                {"recommends": "no", "comment": "양산 실적 근거 부족"})
    client.force_login(second)
    page = client.get(f"/capacity/talent/nominations/{nomination.pk}/").content.decode()
    assert "양산 실적 근거 부족" not in page and "비추천" not in page
    client.force_login(people["pm"])
    page = client.get(f"/capacity/talent/nominations/{nomination.pk}/").content.decode()
    assert "양산 실적 근거 부족" in page and "비추천" in page and "의견 없음" in page  # the second: none yet


@pytest.mark.django_db
def test_opinion_refused_to_non_members_and_nothing_changes(client, people, nomination, opinion_panel, make_user):
    from doyak.capacity.models import NominationReviewer

    for user in (people["pm"], make_user(role="evaluator")):
        client.force_login(user)
        response = client.post(f"/capacity/talent/nominations/{nomination.pk}/opinion/", {"recommends": "yes"})
        assert response.status_code == 403
    assert list(NominationReviewer.objects.values_list("recommends", "comment", "opined_at")) == [
        (None, "", None), (None, "", None)]
