"""Each conflict rule on its own, through the database → engine conversion (``conflicts_find``)."""

from __future__ import annotations

import datetime as dt

import pytest

from doyak.evaluation.conflicts import conflicts_find
from doyak.evaluation.models import DeclaredConflict
from doyak.evaluation.selectors import conflict_rows
from doyak.proposals.models import ConsortiumMember, Sanction

TODAY = dt.date(2026, 5, 15)


@pytest.fixture
def scene(make_proposal, make_organization, make_researcher, add_team):
    """A proposal led by org A (PI in 'AI연구센터'), one participant org B; an unrelated org C."""
    lead = make_organization(corporate_group="")
    partner = make_organization()
    other = make_organization()
    proposal = make_proposal(lead=lead, status="submitted")
    ConsortiumMember.objects.create(proposal=proposal, organization=partner, role="participant")
    pi = make_researcher(organization=lead, department="AI연구센터")
    member = make_researcher(organization=partner, department="연구소")
    add_team(proposal, pi, is_pi=True)
    add_team(proposal, member)
    return {"proposal": proposal, "lead": lead, "partner": partner, "other": other, "pi": pi, "member": member}


def _codes(proposal, profile, as_of=TODAY) -> list[str]:
    return [c.reason_code for c in conflicts_find(proposal_ids=[proposal.pk], profiles=[profile], as_of=as_of)]


def test_unrelated_evaluator_has_no_conflict(scene, make_researcher, make_profile):
    profile = make_profile(researcher=make_researcher(organization=scene["other"]))
    assert _codes(scene["proposal"], profile) == []


def test_researcher_of_the_proposal_conflicts(scene, make_profile):
    # given the participant's researcher (other department, other organisation than the PI) in the pool
    profile = make_profile(researcher=scene["member"])
    # then: own researcher and same organisation (the participant)
    assert _codes(scene["proposal"], profile) == ["own_researcher", "same_organization"]


def test_same_organization_as_a_consortium_member(scene, make_researcher, make_profile):
    profile = make_profile(researcher=make_researcher(organization=scene["partner"], department="생산팀"))
    assert _codes(scene["proposal"], profile) == ["same_organization"]


def test_outside_expert_of_a_consortium_organization(scene, make_profile):
    profile = make_profile(organization=scene["partner"])
    assert _codes(scene["proposal"], profile) == ["same_organization"]


def test_same_corporate_group(scene, make_organization, make_researcher, make_profile):
    # given the partner and another firm in the same group
    scene["partner"].corporate_group = "한빛"
    scene["partner"].save()
    sister = make_organization(corporate_group="한빛")
    profile = make_profile(researcher=make_researcher(organization=sister))
    rows = conflict_rows(conflicts_find(proposal_ids=[scene["proposal"].pk], profiles=[profile], as_of=TODAY),
                         lang="ko")
    assert [(r.code, r.reason) for r in rows] == [("same_corporate_group", "동일 기업집단: 한빛")]


def test_same_lowest_department_as_the_pi(scene, make_researcher, make_profile):
    # given one evaluator in the PI's department and one in another department of the lead
    same = make_profile(researcher=make_researcher(organization=scene["lead"], department="AI연구센터"))
    other = make_profile(researcher=make_researcher(organization=scene["lead"], department="경영지원팀"))
    assert _codes(scene["proposal"], same) == ["same_department", "same_organization"]
    assert _codes(scene["proposal"], other) == ["same_organization"]


def test_co_research_within_the_window(scene, chain, make_call, make_researcher, make_profile, add_team):
    # given the evaluator and the PI on a selected project that ended exactly three years ago
    evaluator = make_researcher(organization=scene["other"])
    call = make_call()
    past = chain.submitted(call, lead=scene["other"], gov=100_000_000, start_date=dt.date(2021, 1, 1),
                           end_date=dt.date(2023, 5, 15))
    add_team(past, evaluator)
    add_team(past, scene["pi"])
    chain.selected(call, [past])
    profile = make_profile(researcher=evaluator)
    rows = conflict_rows(conflicts_find(proposal_ids=[scene["proposal"].pk], profiles=[profile], as_of=TODAY),
                         lang="en")
    assert [(r.code, r.reason) for r in rows] == [("co_research", f"recent joint research: {past.reference}")]
    # and one day later it no longer counts
    assert _codes(scene["proposal"], profile, as_of=TODAY + dt.timedelta(days=1)) == []


def test_co_research_on_a_project_not_selected_does_not_count(scene, chain, make_call, make_researcher,
                                                              make_profile, add_team):
    evaluator = make_researcher(organization=scene["other"])
    call = make_call()
    rejected = chain.submitted(call, lead=scene["other"], gov=100_000_000, start_date=dt.date(2025, 1, 1),
                               end_date=dt.date(2026, 12, 31))
    add_team(rejected, evaluator)
    add_team(rejected, scene["pi"])
    chain.evaluate(call, {rejected: 50})  # below the cut-off: not selected
    rejected.refresh_from_db()
    assert rejected.status == "not_selected"
    assert _codes(scene["proposal"], make_profile(researcher=evaluator)) == []


@pytest.mark.parametrize("evaluator_is_advisor", [True, False])
def test_advisor_and_student_either_way(scene, make_researcher, make_profile, evaluator_is_advisor):
    evaluator = make_researcher(organization=scene["other"])
    if evaluator_is_advisor:
        scene["member"].advisor = evaluator
        scene["member"].save()
    else:
        evaluator.advisor = scene["pi"]
        evaluator.save()
    assert _codes(scene["proposal"], make_profile(researcher=evaluator)) == ["advisor_student"]


def test_sanctioned_in_the_last_three_years(scene, make_researcher, make_profile):
    # given a sanction decided exactly three years ago, and an older one for another evaluator
    recent = make_researcher(organization=scene["other"])
    old = make_researcher(organization=scene["other"])
    Sanction.objects.create(researcher=recent, kind="sanction", date=dt.date(2023, 5, 15))
    Sanction.objects.create(researcher=old, kind="sanction", date=dt.date(2023, 5, 14))
    assert _codes(scene["proposal"], make_profile(researcher=recent)) == ["sanctioned"]
    assert _codes(scene["proposal"], make_profile(researcher=old)) == []


def test_abandonment_is_not_an_evaluator_sanction(scene, make_researcher, make_profile):
    researcher = make_researcher(organization=scene["other"])
    Sanction.objects.create(researcher=researcher, kind="abandonment", date=dt.date(2025, 1, 1))
    assert _codes(scene["proposal"], make_profile(researcher=researcher)) == []


@pytest.mark.parametrize("kind, reason", [("declared", "이해충돌 신고: 주식 보유"),
                                          ("challenged", "기피 신청: 경쟁사 자문"),
                                          ("recused", "회피 신청: 공동 특허")])
def test_declared_challenged_and_recused(scene, make_researcher, make_profile, kind, reason):
    profile = make_profile(researcher=make_researcher(organization=scene["other"]))
    DeclaredConflict.objects.create(profile=profile, proposal=scene["proposal"], kind=kind,
                                    reason=reason.split(": ")[1])
    rows = conflict_rows(conflicts_find(proposal_ids=[scene["proposal"].pk], profiles=[profile], as_of=TODAY),
                         lang="ko")
    assert [(r.code, r.reason) for r in rows] == [(kind, reason)]


def test_window_comes_from_policy(scene, make_researcher, make_profile, db):
    from doyak.policies.services import policy_change

    researcher = make_researcher(organization=scene["other"])
    Sanction.objects.create(researcher=researcher, kind="sanction", date=dt.date(2022, 5, 15))
    profile = make_profile(researcher=researcher)
    assert _codes(scene["proposal"], profile) == []
    policy_change(actor=None, key="evaluation.conflict_window_years", value=4, effective_from=dt.date(2026, 1, 1),
                  source="test")
    assert _codes(scene["proposal"], profile) == ["sanctioned"]
