"""Tests of conflict-of-interest computation: one rule at a time, windows at their boundaries."""

from __future__ import annotations

from datetime import date

import pytest

from doyak.engine.conflicts import (
    AdvisorRelation,
    Conflict,
    ConflictInputError,
    Declaration,
    EvaluatorProfile,
    Organization,
    Participation,
    ProposalParties,
    Sanction,
    conflicts_compute,
    years_before,
)

AS_OF = date(2026, 6, 11)
PROPOSAL = ProposalParties(
    proposal_id="P1",
    lead_organization_id="ORG-LEAD",
    pi_person_id="pi",
    pi_department_id="DEPT-BATTERY",
    participant_organization_ids=("ORG-PART",),
    researcher_person_ids=("r1",),
)


def _codes(evaluator: EvaluatorProfile, **records) -> list[tuple[str, str, str]]:
    found = conflicts_compute(
        proposals=[PROPOSAL],
        evaluators=[evaluator],
        as_of=AS_OF,
        co_research_years=3,
        sanction_years=3,
        **records,
    )
    return [(c.proposal_id, c.evaluator_id, c.reason_code) for c in found]


def test_conflicts_compute_unrelated_evaluator_has_none():
    assert _codes(EvaluatorProfile("E1", "x", "ORG-OTHER", "D")) == []


def test_conflicts_compute_own_researcher():
    # given the evaluator is a researcher of the proposal / then own_researcher
    assert _codes(EvaluatorProfile("E1", "r1", "ORG-OTHER")) == [("P1", "E1", "own_researcher")]


def test_conflicts_compute_same_organization_as_participant_with_korean_reason():
    # given the evaluator works at a participating organisation
    found = conflicts_compute(
        proposals=[PROPOSAL],
        evaluators=[EvaluatorProfile("E1", "x", "ORG-PART")],
        as_of=AS_OF,
        co_research_years=3,
        sanction_years=3,
    )
    # then one conflict, with Korean and English reasons
    assert found == [
        Conflict("P1", "E1", "same_organization", "동일 기관: ORG-PART", "same organization: ORG-PART")
    ]


def test_conflicts_compute_same_corporate_group():
    # given the evaluator's organisation and the lead belong to the same group
    orgs = [Organization("ORG-LEAD", "GROUP-A"), Organization("ORG-SISTER", "GROUP-A")]
    assert _codes(EvaluatorProfile("E1", "x", "ORG-SISTER"), organizations=orgs) == [
        ("P1", "E1", "same_corporate_group")
    ]


def test_conflicts_compute_same_department_as_pi_also_same_organization():
    # given the evaluator sits in the PI's department at the lead organisation
    assert _codes(EvaluatorProfile("E1", "x", "ORG-LEAD", "DEPT-BATTERY")) == [
        ("P1", "E1", "same_department"),
        ("P1", "E1", "same_organization"),
    ]


def test_conflicts_compute_other_department_same_org_is_only_same_organization():
    assert _codes(EvaluatorProfile("E1", "x", "ORG-LEAD", "DEPT-OTHER")) == [
        ("P1", "E1", "same_organization")
    ]


def test_conflicts_compute_advisor_student_either_direction():
    # given the evaluator advised r1, and (separately) the PI advised the evaluator
    as_advisor = _codes(EvaluatorProfile("E1", "x"), advisor_relations=[AdvisorRelation("x", "r1")])
    as_student = _codes(EvaluatorProfile("E1", "x"), advisor_relations=[AdvisorRelation("pi", "x")])
    # then both are conflicts
    assert as_advisor == [("P1", "E1", "advisor_student")]
    assert as_student == [("P1", "E1", "advisor_student")]


def _co_research(ends_on: date | None, *, window: int = 3) -> list[tuple[str, str, str]]:
    parts = [
        Participation("PRJ", "x", date(2015, 1, 1), ends_on),
        Participation("PRJ", "r1", date(2016, 1, 1), None),
    ]
    found = conflicts_compute(
        proposals=[PROPOSAL],
        evaluators=[EvaluatorProfile("E1", "x")],
        as_of=AS_OF,
        co_research_years=window,
        sanction_years=3,
        participations=parts,
    )
    return [(c.proposal_id, c.evaluator_id, c.reason_code) for c in found]


def test_conflicts_compute_co_research_ending_exactly_three_years_ago_conflicts():
    assert _co_research(date(2023, 6, 11)) == [("P1", "E1", "co_research")]


def test_conflicts_compute_co_research_ending_three_years_and_a_day_ago_does_not():
    assert _co_research(date(2023, 6, 10)) == []


def test_conflicts_compute_co_research_window_is_a_parameter():
    # given the same 2023-06-10 end, with a 5-year window it conflicts
    assert _co_research(date(2023, 6, 10), window=5) == [("P1", "E1", "co_research")]


def test_conflicts_compute_co_research_without_overlap_does_not_conflict():
    # given x left the project before r1 joined
    parts = [
        Participation("PRJ", "x", date(2024, 1, 1), date(2024, 12, 31)),
        Participation("PRJ", "r1", date(2025, 1, 1), None),
    ]
    assert _codes(EvaluatorProfile("E1", "x"), participations=parts) == []


def test_conflicts_compute_sanction_ending_exactly_three_years_ago_conflicts():
    sanction = Sanction("x", date(2021, 1, 1), date(2023, 6, 11))
    assert _codes(EvaluatorProfile("E1", "x"), sanctions=[sanction]) == [("P1", "E1", "sanctioned")]


def test_conflicts_compute_sanction_ending_three_years_and_a_day_ago_does_not():
    sanction = Sanction("x", date(2021, 1, 1), date(2023, 6, 10))
    assert _codes(EvaluatorProfile("E1", "x"), sanctions=[sanction]) == []


def test_conflicts_compute_sanction_starting_after_as_of_does_not():
    sanction = Sanction("x", date(2026, 6, 12), None)
    assert _codes(EvaluatorProfile("E1", "x"), sanctions=[sanction]) == []


@pytest.mark.parametrize(
    ("kind", "reason"),
    [("declared", "이해충돌 신고: 가족"), ("challenged", "기피 신청: 가족"), ("recused", "회피 신청: 가족")],
)
def test_conflicts_compute_declarations_pass_through(kind, reason):
    found = conflicts_compute(
        proposals=[PROPOSAL],
        evaluators=[EvaluatorProfile("E1", "x")],
        as_of=AS_OF,
        co_research_years=3,
        sanction_years=3,
        declarations=[Declaration("P1", "E1", kind, "가족")],
    )
    assert [(c.reason_code, c.reason) for c in found] == [(kind, reason)]


def test_conflicts_compute_negative_window_rejected():
    with pytest.raises(ConflictInputError) as info:
        conflicts_compute(proposals=[], evaluators=[], as_of=AS_OF, co_research_years=-1, sanction_years=3)
    assert info.value.code == "conflict_invalid_input"


def test_years_before_leap_day_maps_to_28_february():
    assert years_before(date(2024, 2, 29), 3) == date(2021, 2, 28)
