"""Tests of the proposal validation rules (National R&D Innovation Act budget and eligibility)."""

import ast
import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from doyak.engine import proposal_rules
from doyak.engine.errors import EngineError
from doyak.engine.proposal_rules import (
    ActiveProjects,
    BudgetItem,
    BudgetLine,
    Institution,
    Penalty,
    ProposalRulePolicy,
    RegionScope,
    ResearcherLoad,
    Rule,
    Violation,
    allowance_cap_check,
    equipment_plan_check,
    gov_share_check,
    indirect_base,
    indirect_rate_check,
    own_cash_share_check,
    penalty_window_start,
    proposal_validate,
    regional_eligibility_check,
    researcher_time_check,
    selection_penalty_check,
    simultaneous_projects_check,
    subcontract_cap_check,
)

POLICY = ProposalRulePolicy()
TODAY = datetime.date(2026, 6, 15)


def _line(institution_id: str, category: str, *, gov: int = 0, cash: int = 0, in_kind: int = 0) -> BudgetLine:
    return BudgetLine(
        year=2026, institution_id=institution_id, category=category, gov=gov, cash=cash, in_kind=in_kind
    )


def _institution(
    institution_id: str = "INST1",
    *,
    org_type: str = "sme",
    role: str = "lead",
    rate: Decimal | None = None,
    region: str | None = None,
) -> Institution:
    return Institution(
        id=institution_id,
        name=f"{institution_id} 주식회사",
        org_type=org_type,
        role=role,
        notified_indirect_rate=rate,
        region_code=region,
    )


def _load(
    month: str, this: str, other: str, *, researcher_id: str = "R001", is_gri: bool = False
) -> ResearcherLoad:
    return ResearcherLoad(
        researcher_id=researcher_id,
        name="김연구",
        month=month,
        this_project_percent=Decimal(this),
        other_projects_percent=Decimal(other),
        is_gri=is_gri,
    )


def _rules_and_fields(violations: list[Violation]) -> list[tuple[str, str]]:
    return [(violation.rule, violation.field) for violation in violations]


# ---------------------------------------------------------------------------- gov_share


def test_gov_share_at_limit_passes() -> None:
    # given an SME asking exactly 75% from the government
    lines = [_line("INST1", "personnel", gov=75_000_000, cash=25_000_000)]

    # when
    violations = gov_share_check(lines=lines, institutions=[_institution()], policy=POLICY)

    # then
    assert violations == []


def test_gov_share_one_won_over_fails() -> None:
    # given an SME asking one won more than 75%
    lines = [_line("INST1", "personnel", gov=75_000_001, cash=25_000_000)]

    # when
    violations = gov_share_check(lines=lines, institutions=[_institution()], policy=POLICY)

    # then
    assert _rules_and_fields(violations) == [("gov_share", "budget[2026][INST1].gov")]
    assert (violations[0].limit, violations[0].actual, violations[0].severity) == ("75.0%", "75.1%", "error")
    assert violations[0].source == POLICY.sources[Rule.GOV_SHARE]


_TYPE_SOURCES = ProposalRulePolicy(
    sources_by_org_type={
        Rule.GOV_SHARE: {"sme": "SME share record", "large": "large share record"},
        Rule.OWN_CASH_SHARE: {"sme": "SME cash record", "large": "large cash record"},
        Rule.INDIRECT_RATE: {"sme": "for-profit rate record", "university": "university rate record"},
    }
)


def test_gov_share_violation_of_a_large_company_cites_the_large_company_source() -> None:
    # given a large company one won over 50% beside an SME one won over 75%
    institutions = [_institution("BIG", org_type="large"), _institution("SME1", org_type="sme", role="participant")]
    lines = [
        _line("BIG", "personnel", gov=50_000_001, cash=50_000_000),
        _line("SME1", "personnel", gov=75_000_001, cash=25_000_000),
    ]

    # when
    violations = gov_share_check(lines=lines, institutions=institutions, policy=_TYPE_SOURCES)

    # then each cites the record of its own type
    assert [(v.field, v.source) for v in violations] == [
        ("budget[2026][BIG].gov", "large share record"),
        ("budget[2026][SME1].gov", "SME share record"),
    ]


def test_own_cash_violation_of_a_large_company_cites_the_large_company_source() -> None:
    # given a large company one won under 15% cash
    lines = [_line("BIG", "personnel", gov=500_000, cash=74_999, in_kind=425_001)]

    # when
    violations = own_cash_share_check(
        lines=lines, institutions=[_institution("BIG", org_type="large")], policy=_TYPE_SOURCES
    )

    # then
    assert [(v.rule, v.source) for v in violations] == [("own_cash_share", "large cash record")]


def test_indirect_violation_of_a_university_cites_the_university_source() -> None:
    # given a university without a notified rate one won over its 5% default
    lines = [_line("UNI", "materials", gov=1_000_000), _line("UNI", "indirect", gov=50_001)]

    # when
    violations = indirect_rate_check(
        lines=lines, institutions=[_institution("UNI", org_type="university")], policy=_TYPE_SOURCES
    )

    # then the university's default-rate record is cited, not the for-profit one
    assert [(v.rule, v.source) for v in violations] == [("indirect_rate", "university rate record")]


def test_indirect_violation_at_a_notified_rate_cites_the_rule_source() -> None:
    # given a university with its own notified rate of 20%, one won over it
    lines = [_line("UNI", "materials", gov=1_000_000), _line("UNI", "indirect", gov=200_001)]
    institutions = [_institution("UNI", org_type="university", rate=Decimal("0.20"))]

    # when
    violations = indirect_rate_check(lines=lines, institutions=institutions, policy=_TYPE_SOURCES)

    # then no type's default-rate record applies: the rule's own source is cited
    assert [(v.rule, v.source) for v in violations] == [("indirect_rate", POLICY.sources[Rule.INDIRECT_RATE])]


def test_gov_share_large_company_limit_is_half() -> None:
    # given a large company at 50% in one year and one won over in another institution-year
    lines = [
        _line("BIG", "materials", gov=50_000_000, in_kind=50_000_000),
        BudgetLine(
            year=2027, institution_id="BIG", category="materials", gov=50_000_001, cash=50_000_000, in_kind=0
        ),
    ]

    # when
    violations = gov_share_check(
        lines=lines, institutions=[_institution("BIG", org_type="large")], policy=POLICY
    )

    # then
    assert _rules_and_fields(violations) == [("gov_share", "budget[2027][BIG].gov")]


# ---------------------------------------------------------------------------- own_cash_share


def test_own_cash_share_at_limit_passes() -> None:
    # given an SME whose own contribution is exactly 10% cash
    lines = [_line("INST1", "personnel", gov=300_000_000, cash=10_000_000, in_kind=90_000_000)]

    # when
    violations = own_cash_share_check(lines=lines, institutions=[_institution()], policy=POLICY)

    # then
    assert violations == []


def test_own_cash_share_one_won_under_fails() -> None:
    # given an SME with one won less cash than 10% of its own contribution
    lines = [_line("INST1", "personnel", gov=300_000_000, cash=9_999_999, in_kind=90_000_001)]

    # when
    violations = own_cash_share_check(lines=lines, institutions=[_institution()], policy=POLICY)

    # then
    assert _rules_and_fields(violations) == [("own_cash_share", "budget[2026][INST1].cash")]
    assert (violations[0].limit, violations[0].actual) == ("10.0%", "9.9%")


def test_own_cash_share_early_mid_size_follows_sme_unless_set() -> None:
    # given an early mid-size company with 9.9% cash, under the default and a policy that sets 9%
    lines = [_line("EM", "personnel", gov=100_000_000, cash=9_900_000, in_kind=90_100_000)]
    institutions = [_institution("EM", org_type="early_mid_size")]
    own_policy = ProposalRulePolicy(
        own_cash_min_share_by_org_type={"sme": Decimal("0.10"), "early_mid_size": Decimal("0.09")}
    )

    # when
    default_violations = own_cash_share_check(lines=lines, institutions=institutions, policy=POLICY)
    own_violations = own_cash_share_check(lines=lines, institutions=institutions, policy=own_policy)

    # then
    assert _rules_and_fields(default_violations) == [("own_cash_share", "budget[2026][EM].cash")]
    assert own_violations == []


def test_own_cash_share_university_has_no_minimum() -> None:
    # given a university contributing only in kind
    lines = [_line("UNI", "personnel", gov=100_000_000, in_kind=10_000_000)]

    # when
    violations = own_cash_share_check(
        lines=lines, institutions=[_institution("UNI", org_type="university")], policy=POLICY
    )

    # then
    assert violations == []


# ---------------------------------------------------------------------------- allowance_cap


def test_allowance_cap_at_limit_passes() -> None:
    # given an allowance of exactly 20% of personnel cost
    lines = [_line("INST1", "personnel", gov=100_000_000), _line("INST1", "allowance", gov=20_000_000)]

    # when
    violations = allowance_cap_check(lines=lines, institutions=[_institution()], policy=POLICY)

    # then
    assert violations == []


def test_allowance_cap_one_won_over_fails() -> None:
    # given an allowance one won above 20% of personnel cost
    lines = [_line("INST1", "personnel", gov=100_000_000), _line("INST1", "allowance", gov=20_000_001)]

    # when
    violations = allowance_cap_check(lines=lines, institutions=[_institution()], policy=POLICY)

    # then
    assert _rules_and_fields(violations) == [("allowance_cap", "budget[2026][INST1].allowance")]
    assert (violations[0].limit, violations[0].actual) == ("20,000,000원", "20,000,001원")


def test_allowance_cap_message_names_rule_value_and_limit_in_both_languages() -> None:
    # given an allowance one won over the limit at a named institution
    lines = [_line("INST1", "personnel", gov=100_000_000), _line("INST1", "allowance", cash=20_000_001)]

    # when
    [violation] = allowance_cap_check(lines=lines, institutions=[_institution()], policy=POLICY)

    # then
    assert violation.message_ko == (
        "연구수당 한도 초과(2026년 INST1 주식회사(INST1)): 연구수당 20,000,001원이 "
        "인건비(학생인건비 포함) 100,000,000원의 20.0%인 한도 20,000,000원을 넘습니다."
    )
    assert violation.message_en == (
        "Research allowance limit exceeded (2026, INST1 주식회사 (INST1)): allowance KRW 20,000,001 "
        "is above the limit of KRW 20,000,000, 20.0% of personnel cost incl. student personnel "
        "KRW 100,000,000."
    )


def test_allowance_cap_student_personnel_counts_only_when_policy_says() -> None:
    # given personnel 50M and student personnel 50M with an allowance of 20M
    lines = [
        _line("INST1", "personnel", gov=50_000_000),
        _line("INST1", "student_personnel", gov=50_000_000),
        _line("INST1", "allowance", gov=20_000_000),
    ]
    without_students = ProposalRulePolicy(allowance_base_includes_student_personnel=False)

    # when
    default_violations = allowance_cap_check(lines=lines, institutions=[_institution()], policy=POLICY)
    strict_violations = allowance_cap_check(
        lines=lines, institutions=[_institution()], policy=without_students
    )

    # then
    assert default_violations == []
    assert [(v.rule, v.limit, v.actual) for v in strict_violations] == [
        ("allowance_cap", "10,000,000원", "20,000,000원")
    ]


# ---------------------------------------------------------------------------- subcontract_cap


def test_subcontract_cap_at_limit_passes() -> None:
    # given subcontracting of exactly 40% of the proposal's direct cost, spread over two institutions
    lines = [
        _line("INST1", "personnel", gov=30_000_000),
        _line("INST2", "materials", gov=30_000_000),
        _line("INST1", "subcontract", gov=40_000_000),
        _line("INST1", "indirect", gov=99_000_000),
    ]

    # when
    violations = subcontract_cap_check(lines=lines, policy=POLICY)

    # then
    assert violations == []


def test_subcontract_cap_one_won_over_fails() -> None:
    # given subcontracting one won above 40% of direct cost
    lines = [
        _line("INST1", "personnel", gov=30_000_000),
        _line("INST2", "materials", gov=30_000_000),
        _line("INST1", "subcontract", gov=40_000_001),
    ]

    # when
    violations = subcontract_cap_check(lines=lines, policy=POLICY)

    # then
    assert _rules_and_fields(violations) == [("subcontract_cap", "budget[2026].subcontract")]
    assert (violations[0].limit, violations[0].actual) == ("40,000,000원", "40,000,001원")


# ---------------------------------------------------------------------------- indirect_rate


def test_indirect_rate_at_limit_passes() -> None:
    # given an SME (default 10%) with indirect cost exactly 10% of its direct cost
    lines = [_line("INST1", "materials", gov=100_000_000), _line("INST1", "indirect", gov=10_000_000)]

    # when
    violations = indirect_rate_check(lines=lines, institutions=[_institution()], policy=POLICY)

    # then
    assert violations == []


def test_indirect_rate_one_won_over_fails() -> None:
    # given an SME with indirect cost one won above 10% of its direct cost
    lines = [_line("INST1", "materials", gov=100_000_000), _line("INST1", "indirect", gov=10_000_001)]

    # when
    violations = indirect_rate_check(lines=lines, institutions=[_institution()], policy=POLICY)

    # then
    assert _rules_and_fields(violations) == [("indirect_rate", "budget[2026][INST1].indirect")]
    assert (violations[0].limit, violations[0].actual) == ("10,000,000원", "10,000,001원")


def test_indirect_rate_limit_rounds_down_to_won() -> None:
    # given a notified rate of 23.45% on 1,000,001 won: 234,500.2345 won rounds down to 234,500
    institutions = [_institution("GRI1", org_type="gri", rate=Decimal("0.2345"))]
    at_limit = [_line("GRI1", "materials", gov=1_000_001), _line("GRI1", "indirect", gov=234_500)]
    over = [_line("GRI1", "materials", gov=1_000_001), _line("GRI1", "indirect", gov=234_501)]

    # when
    at_limit_violations = indirect_rate_check(lines=at_limit, institutions=institutions, policy=POLICY)
    over_violations = indirect_rate_check(lines=over, institutions=institutions, policy=POLICY)

    # then
    assert at_limit_violations == []
    assert [(v.limit, v.actual) for v in over_violations] == [("234,500원", "234,501원")]


@pytest.mark.parametrize(
    ("org_type", "expected"),
    [
        ("large", Decimal("0.10")),
        ("mid_size", Decimal("0.10")),
        ("early_mid_size", Decimal("0.10")),
        ("sme", Decimal("0.10")),
        ("public", Decimal("0.10")),
        ("university", Decimal("0.05")),
        ("gri", Decimal("0.17")),
        ("nonprofit", Decimal("0.17")),
    ],
)
def test_indirect_rate_default_by_org_type_without_notified_rate(org_type: str, expected: Decimal) -> None:
    # given an institution without a notified rate
    institution = _institution(org_type=org_type)

    # when
    rate = POLICY.indirect_rate_for(institution)

    # then
    assert rate == expected


def test_indirect_rate_notified_rate_overrides_default() -> None:
    # given a university with a notified rate of 22.5%
    institution = _institution(org_type="university", rate=Decimal("0.225"))

    # when
    rate = POLICY.indirect_rate_for(institution)

    # then
    assert rate == Decimal("0.225")


def test_indirect_rate_base_leaves_out_in_kind_and_pass_through_categories() -> None:
    # given direct cost with in-kind, subcontract, international and burden amounts
    lines = [
        _line("INST1", "personnel", gov=100, cash=20, in_kind=1_000),
        _line("INST1", "subcontract", gov=10_000),
        _line("INST1", "international", gov=20_000),
        _line("INST1", "burden", gov=30_000),
        _line("INST1", "indirect", gov=40_000),
    ]

    # when
    default_base = indirect_base(lines=lines, policy=POLICY)
    full_base = indirect_base(
        lines=lines,
        policy=ProposalRulePolicy(
            indirect_base_excluded_categories=frozenset(), indirect_base_excludes_in_kind=False
        ),
    )

    # then
    assert default_base == 120
    assert full_base == 61_120


# ---------------------------------------------------------------------------- researcher_time


def test_researcher_time_monthly_at_limit_passes() -> None:
    # given a researcher charged exactly 100% in March
    loads = [_load("2026-03", "60", "40")]

    # when
    violations = researcher_time_check(loads=loads, policy=POLICY)

    # then
    assert violations == []


def test_researcher_time_monthly_one_point_over_fails() -> None:
    # given a researcher charged 101% in March and 100% in April
    loads = [_load("2026-03", "60", "41"), _load("2026-04", "60", "40")]

    # when
    violations = researcher_time_check(loads=loads, policy=POLICY)

    # then
    assert _rules_and_fields(violations) == [("researcher_time", "researchers[R001][2026-03].percent")]
    assert (violations[0].limit, violations[0].actual) == ("100.0%", "101.0%")


def _gri_year(*, months: int, percent: str, extra_point_in: str | None = None) -> list[ResearcherLoad]:
    """A government-institute researcher charged ``percent`` (this project) in the first ``months`` of 2026."""
    loads = []
    for month in range(1, months + 1):
        key = f"2026-{month:02d}"
        this = Decimal(percent) + (1 if key == extra_point_in else 0)
        loads.append(_load(key, str(this), "0", is_gri=True))
    return loads


def test_researcher_time_gri_calendar_year_at_limit_passes() -> None:
    # given a government-institute researcher at 260% in each of six months: 1,560 points = 12 × 130%
    loads = _gri_year(months=6, percent="260")

    # when
    violations = researcher_time_check(loads=loads, policy=POLICY)

    # then the six months without participation count as 0%: exactly the yearly 130%
    assert violations == []


def test_researcher_time_gri_calendar_year_one_point_over_fails() -> None:
    # given the same year with one point more in March: 1,561 points over twelve months
    loads = _gri_year(months=6, percent="260", extra_point_in="2026-03")

    # when
    violations = researcher_time_check(loads=loads, policy=POLICY)

    # then
    assert _rules_and_fields(violations) == [("researcher_time", "researchers[R001][2026].percent")]
    assert (violations[0].limit, violations[0].actual) == ("130.0%", "130.1%")
    assert "1561.0%" in violations[0].message_en
    assert "over the calendar year 2026" in violations[0].message_en


def test_researcher_time_gri_is_not_averaged_over_the_months_supplied() -> None:
    # given two months at 150% and 151% (an average of 150.5% over the months supplied)
    loads = [_load("2026-03", "100", "50", is_gri=True), _load("2026-04", "100", "51", is_gri=True)]

    # when
    violations = researcher_time_check(loads=loads, policy=POLICY)

    # then over the calendar year it is 301 / 12 ≈ 25.1%: no violation
    assert violations == []


def test_researcher_time_gri_counts_other_projects_in_months_outside_this_one() -> None:
    # given 1,000 points on other projects in Jan–May and 561 on both in June–December
    loads = [_load(f"2026-{m:02d}", "0", "200", is_gri=True) for m in range(1, 6)]
    loads += [_load(f"2026-{m:02d}", "80", "0", is_gri=True) for m in range(6, 13)]
    loads[-1] = _load("2026-12", "81", "0", is_gri=True)

    # when
    violations = researcher_time_check(loads=loads, policy=POLICY)

    # then 1,000 + 561 = 1,561 points over twelve months is above 130%
    assert [(v.field, v.actual) for v in violations] == [("researchers[R001][2026].percent", "130.1%")]


def test_researcher_time_gri_violation_cites_the_gri_source() -> None:
    # given a policy whose yearly limit for institutes has its own source
    policy = ProposalRulePolicy(sources_by_org_type={Rule.RESEARCHER_TIME: {"gri": "GRI yearly record"}})

    # when a government-institute researcher and another researcher both break their limits
    violations = researcher_time_check(
        loads=[*_gri_year(months=6, percent="261"), _load("2026-03", "60", "41", researcher_id="R002")],
        policy=policy,
    )

    # then each cites the record of its own limit
    assert [(v.field, v.source) for v in violations] == [
        ("researchers[R002][2026-03].percent", POLICY.sources[Rule.RESEARCHER_TIME]),
        ("researchers[R001][2026].percent", "GRI yearly record"),
    ]


# ---------------------------------------------------------------------------- equipment_plan


def _equipment(total: int, *items: tuple[str, int]) -> list[BudgetLine]:
    return [BudgetLine(year=2026, institution_id="INST1", category="equipment", gov=total, cash=0, in_kind=0,
                       items=tuple(BudgetItem(description=d, amount=a) for d, a in items))]


def test_equipment_line_below_threshold_needs_no_list() -> None:
    # given ₩29,999,999 of equipment and nothing listed
    violations = equipment_plan_check(lines=_equipment(29_999_999), institutions=[_institution()], policy=POLICY)
    # then nothing unlisted can reach ₩30M
    assert violations == []


def test_equipment_line_at_threshold_without_list_fails_naming_the_line() -> None:
    # given ₩30,000,000 of equipment and nothing listed
    violations = equipment_plan_check(lines=_equipment(30_000_000), institutions=[_institution()], policy=POLICY)
    # then the line is named
    assert _rules_and_fields(violations) == [("equipment_plan", "budget[2026][INST1].equipment")]
    assert (violations[0].limit, violations[0].actual) == ("< 30,000,000원", "30,000,000원")
    assert violations[0].source == POLICY.sources[Rule.EQUIPMENT_PLAN]
    assert "item by item" in violations[0].message_en


def test_equipment_unlisted_rest_at_threshold_fails_one_won_less_passes() -> None:
    # given an ₩80M line listing a ₩50M analyser (₩30M unlisted) or a ₩50,000,001 one (₩29,999,999 unlisted)
    short = _equipment(80_000_000, ("X-ray diffractometer", 50_000_000))
    listed = _equipment(80_000_000, ("X-ray diffractometer", 50_000_001))
    # when
    short_violations = equipment_plan_check(lines=short, institutions=[_institution()], policy=POLICY)
    listed_violations = equipment_plan_check(lines=listed, institutions=[_institution()], policy=POLICY)
    # then
    assert [(v.field, v.actual) for v in short_violations] == [("budget[2026][INST1].equipment", "30,000,000원")]
    assert listed_violations == []


def test_equipment_items_above_the_line_fail() -> None:
    # given items adding up to one won more than the line
    lines = _equipment(60_000_000, ("press", 30_000_000), ("furnace", 30_000_001))
    # when
    violations = equipment_plan_check(lines=lines, institutions=[_institution()], policy=POLICY)
    # then
    assert [(v.field, v.limit, v.actual) for v in violations] == [
        ("budget[2026][INST1].equipment", "60,000,000원", "60,000,001원")]


def test_equipment_threshold_comes_from_the_policy() -> None:
    # given a ₩50M threshold
    policy = ProposalRulePolicy(equipment_plan_threshold_krw=50_000_000)
    # then ₩49,999,999 unlisted passes
    assert equipment_plan_check(lines=_equipment(49_999_999), institutions=[_institution()], policy=policy) == []


def test_budget_item_without_description_raises() -> None:
    with pytest.raises(EngineError) as info:
        BudgetItem(description=" ", amount=30_000_000)
    assert info.value.code == "invalid_item"


# ---------------------------------------------------------------------------- simultaneous_projects


def test_simultaneous_projects_at_limit_passes() -> None:
    # given a researcher on 5 projects, 3 as PI, this proposal included
    records = [ActiveProjects(researcher_id="R001", name="김연구", total_active=5, as_pi=3)]

    # when
    violations = simultaneous_projects_check(active_projects=records, policy=POLICY)

    # then
    assert violations == []


def test_simultaneous_projects_one_over_fails() -> None:
    # given a researcher on 6 projects, 4 as PI
    records = [ActiveProjects(researcher_id="R001", name="김연구", total_active=6, as_pi=4)]

    # when
    violations = simultaneous_projects_check(active_projects=records, policy=POLICY)

    # then
    assert _rules_and_fields(violations) == [
        ("simultaneous_projects", "researchers[R001].active_projects"),
        ("simultaneous_projects", "researchers[R001].active_projects_as_pi"),
    ]
    assert [(v.limit, v.actual) for v in violations] == [("5", "6"), ("3", "4")]


def test_simultaneous_projects_switched_off_reports_nothing() -> None:
    # given a program that abolished 3책5공 and a researcher on 9 projects, 7 as PI
    records = [ActiveProjects(researcher_id="R001", name="김연구", total_active=9, as_pi=7)]

    # when
    violations = simultaneous_projects_check(
        active_projects=records, policy=ProposalRulePolicy(simultaneous_limit_enabled=False)
    )

    # then
    assert violations == []


# ---------------------------------------------------------------------------- selection_penalty


def test_selection_penalty_exactly_window_years_before_today_counts() -> None:
    # given a sanction dated exactly 3 years before today
    penalties = [Penalty(kind="sanction", date=datetime.date(2023, 6, 15), institution_id="INST2")]

    # when
    violations = selection_penalty_check(
        penalties=penalties, institutions=[_institution("INST2")], today=TODAY, policy=POLICY
    )

    # then
    assert _rules_and_fields(violations) == [("selection_penalty", "institutions[INST2]")]
    assert (violations[0].limit, violations[0].actual) == ("2023-06-15 이전", "2023-06-15")


def test_selection_penalty_one_day_before_window_passes() -> None:
    # given a sanction and an abandonment one day older than the window
    penalties = [
        Penalty(kind="sanction", date=datetime.date(2023, 6, 14), institution_id="INST2"),
        Penalty(kind="abandonment", date=datetime.date(2023, 6, 14), researcher_id="R001"),
    ]

    # when
    violations = selection_penalty_check(
        penalties=penalties, institutions=[_institution("INST2")], today=TODAY, policy=POLICY
    )

    # then
    assert violations == []


def test_selection_penalty_unpaid_surcharge_always_counts() -> None:
    # given an unpaid surcharge from 2010 and one without a date
    penalties = [
        Penalty(kind="unpaid_surcharge", date=datetime.date(2010, 1, 1), researcher_id="R001"),
        Penalty(kind="unpaid_surcharge", date=None, institution_id="INST2"),
    ]

    # when
    violations = selection_penalty_check(
        penalties=penalties, institutions=[_institution("INST2")], today=TODAY, policy=POLICY
    )

    # then
    assert _rules_and_fields(violations) == [
        ("selection_penalty", "institutions[INST2]"),
        ("selection_penalty", "researchers[R001]"),
    ]


def test_selection_penalty_window_start_on_leap_day_falls_back_to_28th() -> None:
    # given today is 29 February
    today = datetime.date(2028, 2, 29)

    # when
    start = penalty_window_start(today=today, years=3)

    # then
    assert start == datetime.date(2025, 2, 28)


# ---------------------------------------------------------------------------- regional_eligibility


def test_regional_eligibility_lead_in_call_region_passes() -> None:
    # given a lead in 부산 (26) and a participant in 서울 (11), for a 동남권 call checking the lead only
    institutions = [
        _institution("INST1", region="26"),
        _institution("INST2", role="participant", region="11"),
    ]

    # when
    violations = regional_eligibility_check(
        institutions=institutions, call_regions={"26", "31", "48"}, policy=POLICY
    )

    # then
    assert violations == []


def test_regional_eligibility_lead_outside_call_regions_fails() -> None:
    # given a lead in 서울 (11) for a 동남권 call
    institutions = [_institution("INST1", region="11")]

    # when
    violations = regional_eligibility_check(
        institutions=institutions, call_regions={"26", "31", "48"}, policy=POLICY
    )

    # then
    assert _rules_and_fields(violations) == [("regional_eligibility", "institutions[INST1].region")]
    assert (violations[0].limit, violations[0].actual) == ("26, 31, 48", "11")


def test_regional_eligibility_all_scope_checks_every_institution() -> None:
    # given a participant in 서울 and one without a region code, under a call that checks everyone
    institutions = [
        _institution("INST1", region="26"),
        _institution("INST2", role="participant", region="11"),
        _institution("INST3", role="subcontractor"),
    ]
    policy = ProposalRulePolicy(region_scope=RegionScope.ALL)

    # when
    violations = regional_eligibility_check(institutions=institutions, call_regions={"26"}, policy=policy)

    # then
    assert _rules_and_fields(violations) == [
        ("regional_eligibility", "institutions[INST2].region"),
        ("regional_eligibility", "institutions[INST3].region"),
    ]


def test_regional_eligibility_open_call_reports_nothing() -> None:
    # given a call without regions
    institutions = [_institution("INST1", region="11")]

    # when
    violations = regional_eligibility_check(institutions=institutions, call_regions=set(), policy=POLICY)

    # then
    assert violations == []


# ---------------------------------------------------------------------------- proposal_validate


def _validate(**overrides: object) -> list[Violation]:
    arguments: dict[str, object] = {
        "lines": [
            _line("INST1", "personnel", gov=75_000_000, cash=25_000_000),
            _line("INST1", "allowance", gov=0),
        ],
        "institutions": [_institution("INST1", region="26")],
        "loads": [_load("2026-03", "50", "50")],
        "active_projects": [ActiveProjects(researcher_id="R001", name="김연구", total_active=5, as_pi=3)],
        "penalties": [],
        "today": TODAY,
        "call_regions": {"26"},
        "policy": POLICY,
    }
    arguments.update(overrides)
    return proposal_validate(**arguments)  # type: ignore[arg-type]


def test_proposal_validate_clean_proposal_has_no_violations() -> None:
    # given / when
    violations = _validate()

    # then
    assert violations == []


def test_proposal_validate_reports_every_rule_in_rule_order() -> None:
    # given a proposal that breaks every rule once
    lines = [
        _line("INST1", "personnel", gov=90_000_000, cash=999_999, in_kind=9_000_001),
        _line("INST1", "allowance", gov=30_000_000),
        _line("INST1", "subcontract", gov=200_000_000),
        _line("INST1", "indirect", gov=50_000_000),
    ]
    penalties = [Penalty(kind="abandonment", date=datetime.date(2025, 1, 1), researcher_id="R001")]

    # when
    violations = _validate(
        lines=lines,
        institutions=[_institution("INST1", region="11")],
        loads=[_load("2026-03", "60", "41")],
        active_projects=[ActiveProjects(researcher_id="R001", name="김연구", total_active=6, as_pi=3)],
        penalties=penalties,
    )

    # then
    assert _rules_and_fields(violations) == [
        ("gov_share", "budget[2026][INST1].gov"),
        ("own_cash_share", "budget[2026][INST1].cash"),
        ("allowance_cap", "budget[2026][INST1].allowance"),
        ("subcontract_cap", "budget[2026].subcontract"),
        ("indirect_rate", "budget[2026][INST1].indirect"),
        ("researcher_time", "researchers[R001][2026-03].percent"),
        ("simultaneous_projects", "researchers[R001].active_projects"),
        ("selection_penalty", "researchers[R001]"),
        ("regional_eligibility", "institutions[INST1].region"),
    ]


def test_proposal_validate_warning_rules_are_reported_as_warnings() -> None:
    # given a policy that downgrades the researcher time rule to a warning
    policy = ProposalRulePolicy(warning_rules=frozenset({Rule.RESEARCHER_TIME}))

    # when
    violations = _validate(loads=[_load("2026-03", "60", "41")], policy=policy)

    # then
    assert [(v.rule, v.severity) for v in violations] == [("researcher_time", "warning")]


# ---------------------------------------------------------------------------- input errors


def test_budget_line_unknown_category_raises() -> None:
    # given / when / then
    with pytest.raises(EngineError) as caught:
        _line("INST1", "coffee", gov=1)
    assert caught.value.code == "unknown_category"


def test_budget_line_negative_amount_raises() -> None:
    # given / when / then
    with pytest.raises(EngineError) as caught:
        _line("INST1", "materials", gov=-1)
    assert caught.value.code == "invalid_amount"


def test_budget_line_unknown_institution_raises() -> None:
    # given a line of an institution that is not in the proposal
    lines = [_line("GHOST", "materials", gov=1)]

    # when / then
    with pytest.raises(EngineError) as caught:
        gov_share_check(lines=lines, institutions=[_institution()], policy=POLICY)
    assert caught.value.code == "unknown_institution"


def test_researcher_load_duplicate_month_raises() -> None:
    # given two loads of one researcher for one month
    loads = [_load("2026-03", "10", "0"), _load("2026-03", "20", "0")]

    # when / then
    with pytest.raises(EngineError) as caught:
        researcher_time_check(loads=loads, policy=POLICY)
    assert caught.value.code == "duplicate_load"


def test_proposal_rules_module_does_not_import_django() -> None:
    # given the module's source
    tree = ast.parse(Path(proposal_rules.__file__).read_text(encoding="utf-8"))

    # when
    imported = {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}

    # then
    assert not any(name.split(".")[0] == "django" for name in imported)
