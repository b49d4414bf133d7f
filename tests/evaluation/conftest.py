"""Factories for the evaluation tests: pool entries, teams, panels (each test makes its own rows)."""

from __future__ import annotations

import itertools

import pytest
from tests.proposals import conftest as _proposal_factories

# the proposals app's factories, shared
make_program = _proposal_factories.make_program
make_call = _proposal_factories.make_call
make_proposal = _proposal_factories.make_proposal

_n = itertools.count(1)


@pytest.fixture
def make_profile(db):
    from doyak.evaluation.models import EvaluatorProfile

    def make(*, researcher=None, user=None, name: str | None = None, **fields) -> EvaluatorProfile:
        n = next(_n)
        return EvaluatorProfile.objects.create(
            researcher=researcher, user=user, name=name or (researcher.name if researcher else f"외부전문가{n}"),
            keywords=fields.pop("keywords", ["이차전지", "양극재"]), **fields)

    return make


@pytest.fixture
def add_team(db):
    from doyak.proposals.models import TeamMember

    def add(proposal, researcher, *, is_pi: bool = False) -> TeamMember:
        if is_pi:
            proposal.pi = researcher
            proposal.save(update_fields=["pi"])
        return TeamMember.objects.create(proposal=proposal, researcher=researcher, is_pi=is_pi)

    return add


@pytest.fixture
def pm(make_user):
    return make_user(role="program_manager")


@pytest.fixture
def review_setup(db, make_call, make_proposal, make_organization, make_researcher, make_profile, make_user, pm,
                 add_team):
    """A call with three submitted proposals (batteries, chips, robots), and a pool of eight evaluators
    (two economic experts, one of them with a sign-in) from unrelated organisations."""
    from doyak.evaluation.services import panel_create

    call = make_call(panel_size=3, aggregation="trimmed_mean")
    topics = [("전고체 배터리 양극재 개발", ["이차전지", "양극재"], ["EE0101"]),
              ("온디바이스 AI 반도체 설계", ["반도체", "NPU"], ["EB0201"]),
              ("협동로봇 제어 기술", ["협동로봇", "로봇 제어"], ["EC0301"])]
    proposals = []
    for title, keywords, codes in topics:
        lead = make_organization()
        p = make_proposal(call=call, lead=lead, status="submitted", title_ko=title, keywords=keywords,
                          technology_codes=codes)
        add_team(p, make_researcher(organization=lead, department="연구소"), is_pi=True)
        proposals.append(p)
    evaluator_user = make_user(role="evaluator")
    profiles = []
    expertise = [["이차전지", "양극재"], ["반도체", "NPU"], ["협동로봇", "로봇 제어"], ["이차전지", "전고체 배터리"],
                 ["반도체", "설계"], ["로봇", "제어"], ["경제성", "시장 분석"], ["사업화", "시장 분석"]]
    for i, keywords in enumerate(expertise):
        org = make_organization()
        researcher = make_researcher(organization=org, department="평가실")
        profiles.append(make_profile(researcher=researcher, keywords=keywords, is_economic_expert=i >= 6,
                                     user=evaluator_user if i == 6 else None, max_load=3))
    panel = panel_create(actor=pm, call_id=call.pk, data={"name": "1차 서면평가", "per_proposal": 3})
    return {"call": call, "proposals": proposals, "profiles": profiles, "panel": panel, "pm": pm,
            "evaluator_user": evaluator_user}


@pytest.fixture
def run_assignment(django_capture_on_commit_callbacks):
    """Start a run and execute the queued task (ImmediateBackend runs it on commit)."""
    from doyak.evaluation.models import AssignmentRun
    from doyak.evaluation.services import assignment_run_start

    def run(*, actor, panel, objective: str = "total") -> AssignmentRun:
        with django_capture_on_commit_callbacks(execute=True):
            started = assignment_run_start(actor=actor, panel_id=panel.pk, objective=objective)
        return AssignmentRun.objects.get(pk=started.pk)

    return run
