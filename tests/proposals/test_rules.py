"""Each rule of DOMAIN.md §3 at its boundary: exactly at the limit passes, one won (or one point) over fails
with the rule named, its field and its source."""

import datetime as dt

import pytest
from django.utils import timezone

from doyak.proposals.models import ConsortiumMember, Sanction, TeamMember
from doyak.proposals.validation import proposal_check

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year + 1


def rules(violations):
    return [v.rule for v in violations]


def check(proposal, lines):
    return proposal_check(proposal=proposal, budget=lines)


@pytest.fixture
def sme_proposal(make_proposal, make_organization):
    lead = make_organization(org_type="sme")
    return make_proposal(lead=lead), lead


def test_gov_share_sme_at_75_percent_passes_one_won_over_fails(sme_proposal, budget):
    proposal, lead = sme_proposal
    assert check(proposal, budget(lead, personnel=(750_000, 250_000, 0))) == []
    violations = check(proposal, budget(lead, personnel=(750_001, 250_000, 0)))
    assert rules(violations) == ["gov_share"]
    assert violations[0].field == f"budget[{YEAR}][{lead.pk}].gov"
    assert "정부지원연구개발비 비율 한도 초과" in violations[0].message_ko
    assert "Government share limit exceeded" in violations[0].message_en
    assert "rnd_act.gov_share_max.sme" in violations[0].source


def test_gov_share_mid_size_70_percent(make_proposal, make_organization, budget):
    lead = make_organization(org_type="mid_size")
    proposal = make_proposal(lead=lead)
    assert check(proposal, budget(lead, personnel=(700_000, 300_000, 0))) == []
    assert rules(check(proposal, budget(lead, personnel=(700_001, 300_000, 0)))) == ["gov_share"]


def test_own_cash_share_sme_at_10_percent_passes_one_won_under_fails(sme_proposal, budget):
    proposal, lead = sme_proposal
    assert check(proposal, budget(lead, personnel=(750_000, 25_000, 225_000))) == []
    violations = check(proposal, budget(lead, personnel=(750_000, 24_999, 225_001)))
    assert rules(violations) == ["own_cash_share"]
    assert violations[0].field == f"budget[{YEAR}][{lead.pk}].cash"


def test_own_cash_share_large_at_15_percent(make_proposal, make_organization, budget):
    lead = make_organization(org_type="large")
    proposal = make_proposal(lead=lead)
    assert check(proposal, budget(lead, personnel=(500_000, 75_000, 425_000))) == []
    assert rules(check(proposal, budget(lead, personnel=(500_000, 74_999, 425_001)))) == ["own_cash_share"]


@pytest.fixture
def university_proposal(make_proposal, make_organization):
    lead = make_organization(org_type="university", indirect_cost_rate="20.00")
    return make_proposal(lead=lead), lead


def test_allowance_at_20_percent_of_personnel_passes_one_won_over_fails(university_proposal, budget):
    proposal, lead = university_proposal
    assert check(proposal, budget(lead, personnel=(1_000_000, 0, 0), allowance=(200_000, 0, 0))) == []
    violations = check(proposal, budget(lead, personnel=(1_000_000, 0, 0), allowance=(200_001, 0, 0)))
    assert rules(violations) == ["allowance_cap"]
    assert violations[0].field == f"budget[{YEAR}][{lead.pk}].allowance"
    assert "연구수당 한도 초과" in violations[0].message_ko


def test_subcontract_at_40_percent_of_direct_passes_one_won_over_fails(university_proposal, budget):
    proposal, lead = university_proposal
    assert check(proposal, budget(lead, personnel=(600_000, 0, 0), subcontract=(400_000, 0, 0))) == []
    violations = check(proposal, budget(lead, personnel=(600_000, 0, 0), subcontract=(400_001, 0, 0)))
    assert rules(violations) == ["subcontract_cap"]
    assert violations[0].field == f"budget[{YEAR}].subcontract"


def test_indirect_at_notified_rate_passes_one_won_over_fails(university_proposal, budget):
    proposal, lead = university_proposal
    assert check(proposal, budget(lead, personnel=(1_000_000, 0, 0), indirect=(200_000, 0, 0))) == []
    violations = check(proposal, budget(lead, personnel=(1_000_000, 0, 0), indirect=(200_001, 0, 0)))
    assert rules(violations) == ["indirect_rate"]
    assert violations[0].field == f"budget[{YEAR}][{lead.pk}].indirect"


def test_indirect_for_profit_default_rate_10_percent(sme_proposal, budget):
    proposal, lead = sme_proposal
    assert check(proposal, budget(lead, personnel=(750_000, 250_000, 0), indirect=(75_000, 25_000, 0))) == []
    assert "indirect_rate" in rules(check(proposal, budget(lead, personnel=(750_000, 250_000, 0),
                                                           indirect=(75_001, 25_000, 0))))


def test_gov_share_of_a_large_company_cites_the_large_company_record(make_proposal, make_organization, budget):
    # given a large company one won over its 50% government share
    lead = make_organization(org_type="large")
    proposal = make_proposal(lead=lead)
    # when
    violations = check(proposal, budget(lead, personnel=(500_001, 500_000, 0)))
    # then the large-company record is cited, not the SME one
    assert rules(violations) == ["gov_share"]
    assert "[rnd_act.gov_share_max.large v1]" in violations[0].source
    assert "sme" not in violations[0].source


def test_own_cash_of_a_mid_size_company_cites_the_mid_size_record(make_proposal, make_organization, budget):
    # given a mid-size company one won under its 13% cash share
    lead = make_organization(org_type="mid_size")
    proposal = make_proposal(lead=lead)
    # when
    violations = check(proposal, budget(lead, personnel=(700_000, 38_999, 261_001)))
    # then
    assert rules(violations) == ["own_cash_share"]
    assert "[rnd_act.own_cash_min_share.mid_size v1]" in violations[0].source


def test_indirect_of_a_university_without_a_rate_cites_the_university_record(make_proposal, make_organization,
                                                                             budget):
    # given a university without a notified rate one won over its 5% default
    lead = make_organization(org_type="university")
    proposal = make_proposal(lead=lead)
    assert check(proposal, budget(lead, personnel=(1_000_000, 0, 0), indirect=(50_000, 0, 0))) == []
    # when
    violations = check(proposal, budget(lead, personnel=(1_000_000, 0, 0), indirect=(50_001, 0, 0)))
    # then the university record is cited, not the for-profit one
    assert rules(violations) == ["indirect_rate"]
    assert "[rnd_act.indirect_rate_default.university v1]" in violations[0].source
    assert "for_profit" not in violations[0].source


@pytest.fixture
def gri_researcher_with_other_project(make_proposal, make_organization, make_researcher):
    """A government-institute researcher charged 200% a month on another project in January to May."""
    org = make_organization(org_type="gri")
    researcher = make_researcher(organization=org)
    other = make_proposal(lead=org, status="submitted")
    TeamMember.objects.create(proposal=other, researcher=researcher,
                              monthly_percent={f"{YEAR}-{m:02d}": 200 for m in range(1, 6)})
    return make_proposal(lead=org), researcher


@pytest.mark.parametrize(("december", "expected"), [(80, []), (81, ["researcher_time"])])
def test_researcher_time_gri_is_over_the_calendar_year_with_other_months(gri_researcher_with_other_project,
                                                                        december, expected):
    # given this proposal charges the researcher 80% from June to November and 80% or 81% in December
    proposal, researcher = gri_researcher_with_other_project
    months = {f"{YEAR}-{m:02d}": 80 for m in range(6, 12)} | {f"{YEAR}-12": december}
    TeamMember.objects.create(proposal=proposal, researcher=researcher, is_pi=True, monthly_percent=months)
    # when
    violations = proposal_check(proposal=proposal)
    # then 1,000 + 560 = 1,560 points over twelve months is exactly 130%; one point more fails and cites the
    # government institutes' yearly record
    assert rules(violations) == expected
    if expected:
        assert violations[0].field == f"researchers[{researcher.national_researcher_number}][{YEAR}].percent"
        assert violations[0].actual == "130.1%"
        assert "[rnd_act.researcher_time_gri_yearly_max_percent v1]" in violations[0].source


def _equipment_line(org, total: int, *items: tuple[str, int]):
    from doyak.engine.proposal_rules import BudgetItem, BudgetLine

    return [BudgetLine(year=YEAR, institution_id=str(org.pk), category="equipment", gov=total, cash=total, in_kind=0,
                       items=tuple(BudgetItem(description=d, amount=a) for d, a in items))]


def test_equipment_at_the_policy_threshold_must_be_listed(sme_proposal):
    # given ₩30M of equipment (half own cash) with nothing listed, or with ₩1 of it listed
    proposal, lead = sme_proposal
    unlisted = check(proposal, _equipment_line(lead, 15_000_000))
    one_won_listed = check(proposal, _equipment_line(lead, 15_000_000, ("전자현미경", 1)))
    # then the first names the line and cites the threshold's record; the second leaves ₩29,999,999 unlisted
    assert rules(unlisted) == ["equipment_plan"]
    assert unlisted[0].field == f"budget[{YEAR}][{lead.pk}].equipment"
    assert "연구장비 개별 기재 필요" in unlisted[0].message_ko
    assert "[rnd_act.equipment_plan_threshold_krw v1]" in unlisted[0].source
    assert one_won_listed == []


def test_equipment_threshold_is_read_from_its_policy_record(sme_proposal):
    from doyak.policies.services import policy_change

    # given the threshold raised to ₩50M
    policy_change(actor=None, key="rnd_act.equipment_plan_threshold_krw", value=50_000_000,
                  effective_from=timezone.localdate() - dt.timedelta(days=1), source="test notice")
    proposal, lead = sme_proposal
    # then ₩49,999,999 unlisted passes and ₩50M fails
    assert check(proposal, _equipment_line(lead, 24_999_999, ("저울", 1))) == []
    assert rules(check(proposal, _equipment_line(lead, 25_000_000))) == ["equipment_plan"]


@pytest.fixture
def researcher_with_other_project(make_proposal, make_organization, make_researcher):
    org = make_organization(org_type="university")
    researcher = make_researcher(organization=org)
    other = make_proposal(lead=org, status="submitted")
    TeamMember.objects.create(proposal=other, researcher=researcher, monthly_percent={f"{YEAR}-03": 60})
    proposal = make_proposal(lead=org)
    return proposal, researcher


@pytest.mark.parametrize(("percent", "expected"), [(40, []), (41, ["researcher_time"])])
def test_researcher_time_across_projects_at_100_percent(researcher_with_other_project, percent, expected):
    proposal, researcher = researcher_with_other_project
    TeamMember.objects.create(proposal=proposal, researcher=researcher, is_pi=True,
                              monthly_percent={f"{YEAR}-03": percent})
    violations = proposal_check(proposal=proposal)
    assert rules(violations) == expected
    if expected:
        assert violations[0].field == f"researchers[{researcher.national_researcher_number}][{YEAR}-03].percent"


def test_researcher_time_ignores_drafts_and_withdrawn(make_proposal, make_organization, make_researcher):
    org = make_organization(org_type="university")
    researcher = make_researcher(organization=org)
    for status in ("draft", "withdrawn", "not_selected"):
        TeamMember.objects.create(proposal=make_proposal(lead=org, status=status), researcher=researcher,
                                  monthly_percent={f"{YEAR}-03": 90})
    proposal = make_proposal(lead=org)
    TeamMember.objects.create(proposal=proposal, researcher=researcher, monthly_percent={f"{YEAR}-03": 100})
    assert proposal_check(proposal=proposal) == []


@pytest.fixture
def busy_researcher(make_proposal, make_organization, make_researcher, make_program, make_call, chain):
    org = make_organization(org_type="university")
    researcher = make_researcher(organization=org)
    program = make_program(simultaneous_limit_enabled=True)
    proposal = make_proposal(lead=org, call=make_call(program=program))

    def running(count: int, *, as_pi: int = 0):
        """``count`` more projects of the researcher, selected through the chain (one call)."""
        call = make_call()
        others = [chain.submitted(call, lead=org, gov=100_000_000) for _ in range(count)]
        for i, other in enumerate(others):
            TeamMember.objects.create(proposal=other, researcher=researcher, is_pi=i < as_pi)
        chain.selected(call, others)

    return proposal, researcher, running


def test_simultaneous_projects_five_passes_six_fails(busy_researcher):
    proposal, researcher, running = busy_researcher
    TeamMember.objects.create(proposal=proposal, researcher=researcher)
    running(4)
    assert proposal_check(proposal=proposal) == []
    running(1)
    violations = proposal_check(proposal=proposal)
    assert rules(violations) == ["simultaneous_projects"]
    assert violations[0].field.endswith(".active_projects")


def test_simultaneous_projects_as_pi_three_passes_four_fails(busy_researcher):
    proposal, researcher, running = busy_researcher
    TeamMember.objects.create(proposal=proposal, researcher=researcher, is_pi=True)
    running(2, as_pi=2)
    assert proposal_check(proposal=proposal) == []
    running(1, as_pi=1)
    assert [v.field.rsplit(".", 1)[1] for v in proposal_check(proposal=proposal)] == ["active_projects_as_pi"]


def test_simultaneous_projects_off_by_policy_default(make_proposal, make_organization, make_researcher, make_call,
                                                    chain):
    # rnd_act.simultaneous_projects_enabled is off (abolished for the Ministry's programs in 2022)
    org = make_organization(org_type="university")
    researcher = make_researcher(organization=org)
    proposal = make_proposal(lead=org)
    TeamMember.objects.create(proposal=proposal, researcher=researcher)
    call = make_call()
    others = [chain.submitted(call, lead=org, gov=100_000_000) for _ in range(6)]
    for other in others:
        TeamMember.objects.create(proposal=other, researcher=researcher)
    chain.selected(call, others)
    assert proposal_check(proposal=proposal) == []


def _three_years_ago(today):
    return today.replace(year=today.year - 3)


@pytest.mark.parametrize("kind", ["sanction", "abandonment"])
def test_penalty_on_window_start_bars_day_before_does_not(sme_proposal, kind):
    proposal, lead = sme_proposal
    today = timezone.localdate()
    start = _three_years_ago(today)
    sanction = Sanction.objects.create(organization=lead, kind=kind, date=start - dt.timedelta(days=1))
    assert proposal_check(proposal=proposal) == []
    sanction.date = start
    sanction.save()
    violations = proposal_check(proposal=proposal)
    assert rules(violations) == ["selection_penalty"]
    assert violations[0].field == f"institutions[{lead.pk}]"
    assert "선정 제외 사유" in violations[0].message_ko


def test_unpaid_surcharge_bars_until_settled(sme_proposal, make_researcher):
    proposal, lead = sme_proposal
    researcher = make_researcher(organization=lead)
    TeamMember.objects.create(proposal=proposal, researcher=researcher, is_pi=True)
    sanction = Sanction.objects.create(researcher=researcher, kind="unpaid_surcharge", date=dt.date(2015, 1, 1))
    violations = proposal_check(proposal=proposal)
    assert rules(violations) == ["selection_penalty"]
    assert violations[0].field == f"researchers[{researcher.national_researcher_number}]"
    sanction.settled_on = timezone.localdate()
    sanction.save()
    assert proposal_check(proposal=proposal) == []


def test_regional_only_call_lead_outside_regions_fails(make_proposal, make_organization, make_call):
    call = make_call(track="regional_only", eligible_region_codes=["26", "27"])
    inside = make_proposal(call=call, lead=make_organization(region_code="26"))
    outside_lead = make_organization(region_code="11")
    outside = make_proposal(call=call, lead=outside_lead)
    assert proposal_check(proposal=inside) == []
    violations = proposal_check(proposal=outside)
    assert rules(violations) == ["regional_eligibility"]
    assert violations[0].field == f"institutions[{outside_lead.pk}].region"


def test_regional_only_scope_lead_ignores_participants(make_proposal, make_organization, make_call):
    call = make_call(track="regional_only", eligible_region_codes=["26"])
    proposal = make_proposal(call=call, lead=make_organization(region_code="26"))
    ConsortiumMember.objects.create(proposal=proposal, organization=make_organization(region_code="11"),
                                    role="participant")
    assert proposal_check(proposal=proposal) == []


def test_large_scale_track_minimum_gov_from_policy(make_proposal, make_organization, make_call, budget):
    lead = make_organization(org_type="university")
    proposal = make_proposal(call=make_call(track="large_scale"), lead=lead)
    assert check(proposal, budget(lead, personnel=(10_000_000_000, 0, 0))) == []
    violations = check(proposal, budget(lead, personnel=(9_999_999_999, 0, 0)))
    assert rules(violations) == ["track_large_scale_min_gov"]
    assert "track.large_scale.min_gov_total_krw" in violations[0].source


def test_industrial_leap_needs_anchor_lead_and_supplier(make_proposal, make_organization, make_call):
    call = make_call(track="industrial_leap")
    proposal = make_proposal(call=call, lead=make_organization(org_type="large"))
    assert rules(proposal_check(proposal=proposal)) == ["track_demand_anchor_lead", "track_supplier_partners"]
    anchored = make_proposal(call=call, lead=make_organization(org_type="large", is_demand_anchor=True))
    ConsortiumMember.objects.create(proposal=anchored, organization=make_organization(), role="supplier")
    assert proposal_check(proposal=anchored) == []


def test_joint_lab_and_regulation_free_tracks(make_proposal, make_organization, make_call):
    lab = make_proposal(call=make_call(track="joint_lab"), lead=make_organization(org_type="gri"))
    assert rules(proposal_check(proposal=lab)) == ["track_joint_lab_members"]
    ConsortiumMember.objects.create(proposal=lab, organization=make_organization(org_type="sme"), role="participant")
    assert proposal_check(proposal=lab) == []
    free = make_proposal(call=make_call(track="regulation_free"))
    assert rules(proposal_check(proposal=free)) == ["track_regulation_required"]
    free.regulations.create(regulation="자율주행자동차 규칙 제3조")
    assert proposal_check(proposal=free) == []


def test_english_message_when_active_language_is_english(sme_proposal, budget):
    from django.utils import translation

    from doyak.proposals.validation import violation_for_display

    proposal, lead = sme_proposal
    violation = check(proposal, budget(lead, personnel=(750_001, 250_000, 0)))[0]
    with translation.override("en"):
        assert violation_for_display(violation)["message"].startswith("Government share limit exceeded")
    with translation.override("ko"):
        assert violation_for_display(violation)["message"].startswith("정부지원연구개발비")
