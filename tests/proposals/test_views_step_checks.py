"""The consortium and team steps checked as you type (htmx, nothing saved), month-by-month time on save,
and the same violations shown without JavaScript after saving."""

import pytest
from django.utils import timezone

from doyak.core.models import AuditEvent
from doyak.proposals.models import ConsortiumMember, TeamMember

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year + 1
MARCH = f"{YEAR}-03"


@pytest.fixture
def team_setup(make_organization, make_user, make_call, make_proposal, make_researcher):
    """A draft (project period Jan–Dec next year) whose researcher already has 60% in March on a submitted proposal."""
    lead = make_organization(name="(주)가람소재", org_type="sme", region_code="26")
    applicant = make_user(role="applicant", organization=lead)
    proposal = make_proposal(lead=lead, call=make_call(), created_by=applicant)
    researcher = make_researcher(organization=lead, name="박책임")
    other = make_proposal(lead=make_organization(region_code="26"), status="submitted")
    TeamMember.objects.create(proposal=other, researcher=researcher, monthly_percent={MARCH: 60})
    return proposal, applicant, researcher


def _team_post(researcher, *, percent="40", **months):
    data = {"national_researcher_number": researcher.national_researcher_number, "percent": percent}
    data.update({f"month_{month}": value for month, value in months.items()})
    return data


def test_team_check_exactly_100_percent_in_a_month_passes(client, team_setup):
    proposal, applicant, researcher = team_setup
    client.force_login(applicant)
    response = client.post(f"/proposals/{proposal.pk}/team/check/", _team_post(researcher, percent="40"),
                           HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="team-check"' in body and "data-rule=" not in body
    assert 'class="dy-ok"' in body
    assert "박책임" in body  # the typed number is recognised next to its field
    assert TeamMember.objects.filter(proposal=proposal).count() == 0


def test_team_check_101_percent_in_a_month_names_field_rule_and_source(client, team_setup):
    proposal, applicant, researcher = team_setup
    client.force_login(applicant)
    number = researcher.national_researcher_number
    response = client.post(f"/proposals/{proposal.pk}/team/check/",
                           _team_post(researcher, percent="40", **{MARCH: "41"}), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-rule="researcher_time"') == 1
    assert f'data-field="researchers[{number}][{MARCH}].percent"' in body
    assert "연구자 참여율 초과" in body and "합계 101.0%(이 과제 41.0%, 다른 과제 60.0%)" in body
    assert "rnd_act.researcher_time_monthly_max_percent" in body  # the cited source
    # the March cell is marked in place, the others are cleared
    assert f'<div id="month-note-{MARCH}" class="dy-month-note" hx-swap-oob="true"><span class="dy-error">' in body
    assert f'<div id="month-note-{YEAR}-04" class="dy-month-note" hx-swap-oob="true"></div>' in body
    assert f'href="#id_month_{MARCH}"' in body
    assert TeamMember.objects.filter(proposal=proposal).count() == 0
    assert not AuditEvent.objects.filter(action="proposal.team_add").exists()


def test_team_check_in_english(client, team_setup):
    proposal, applicant, researcher = team_setup
    client.force_login(applicant)
    client.cookies["django_language"] = "en"
    response = client.post(f"/proposals/{proposal.pk}/team/check/",
                           _team_post(researcher, percent="40", **{MARCH: "41"}), HTTP_ACCEPT_LANGUAGE="en")
    assert "Researcher time over the limit" in response.content.decode()


def test_team_check_unknown_researcher_number_is_named(client, team_setup):
    proposal, applicant, _researcher = team_setup
    client.force_login(applicant)
    response = client.post(f"/proposals/{proposal.pk}/team/check/", {"national_researcher_number": "99999999"})
    assert ('<div id="researcher-note" class="dy-field-note" hx-swap-oob="true" aria-live="polite">'
            '<span class="dy-error">이 국가연구자번호의 연구자가 없습니다.</span></div>') in response.content.decode()


def test_team_add_saves_month_by_month_values(client, team_setup):
    proposal, applicant, researcher = team_setup
    client.force_login(applicant)
    response = client.post(f"/proposals/{proposal.pk}/parts/team/add/",
                           _team_post(researcher, percent="30", **{MARCH: "40", f"{YEAR}-12": "12.5"}))
    assert response.status_code == 302
    member = TeamMember.objects.get(proposal=proposal)
    assert len(member.monthly_percent) == 12
    assert member.monthly_percent[f"{YEAR}-01"] == 30
    assert member.monthly_percent[MARCH] == 40
    assert member.monthly_percent[f"{YEAR}-12"] == "12.5"
    # without JavaScript the step page shows the saved team's check (60% + 40% = 100% in March: no violation)
    page = client.get(f"/proposals/{proposal.pk}/edit/team/").content.decode()
    assert '<li class="error"' not in page and 'class="dy-ok"' in page
    assert '<td class="num">12.5–40%' in page


def test_team_add_over_limit_saves_draft_and_page_shows_violation(client, team_setup):
    proposal, applicant, researcher = team_setup
    client.force_login(applicant)
    client.post(f"/proposals/{proposal.pk}/parts/team/add/", _team_post(researcher, percent="30", **{MARCH: "41"}))
    page = client.get(f"/proposals/{proposal.pk}/edit/team/").content.decode()
    number = researcher.national_researcher_number
    assert f'data-field="researchers[{number}][{MARCH}].percent"' in page
    assert f'<tr id="researcher-{number}" class="dy-row-error">' in page


def test_team_add_needs_every_month_or_one_value(client, team_setup):
    proposal, applicant, researcher = team_setup
    client.force_login(applicant)
    response = client.post(f"/proposals/{proposal.pk}/parts/team/add/", _team_post(researcher, percent="", **{MARCH: "10"}))
    assert response.status_code == 422
    assert TeamMember.objects.filter(proposal=proposal).count() == 0


def test_team_add_refuses_month_over_100(client, team_setup):
    proposal, applicant, researcher = team_setup
    client.force_login(applicant)
    response = client.post(f"/proposals/{proposal.pk}/parts/team/add/", _team_post(researcher, **{MARCH: "101"}))
    assert response.status_code == 422
    assert TeamMember.objects.filter(proposal=proposal).count() == 0


def test_consortium_check_regional_call_with_capital_lead_fails(client, make_organization, make_user, make_call,
                                                                 make_proposal):
    lead = make_organization(name="(주)서울소재", region_code="11")
    applicant = make_user(role="applicant", organization=lead)
    call = make_call(track="regional_only", eligible_region_codes=["26", "27"])
    proposal = make_proposal(lead=lead, call=call, created_by=applicant)
    partner = make_organization(name="(주)부산부품", region_code="26")
    client.force_login(applicant)
    response = client.post(f"/proposals/{proposal.pk}/consortium/check/",
                           {"business_registration_number": partner.business_registration_number, "role": "participant"},
                           HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("data-rule=") == 1
    assert f'data-rule="regional_eligibility" data-field="institutions[{lead.pk}].region"' in body
    assert "지역 신청자격 미충족" in body and "track.regional_only.eligible_region_groups" in body
    assert f'href="#member-{lead.pk}"' in body
    assert "(주)부산부품" in body  # the typed partner is recognised
    assert list(ConsortiumMember.objects.filter(proposal=proposal).values_list("organization_id", flat=True)) == [lead.pk]
    # and the step page, without JavaScript, shows the same violation against the lead's row
    page = client.get(f"/proposals/{proposal.pk}/edit/consortium/").content.decode()
    assert f'<tr id="member-{lead.pk}" class="dy-row-error">' in page and "지역 신청자격 미충족" in page


def test_consortium_check_typed_member_with_sanction_is_named_next_to_field(client, make_organization, make_user,
                                                                            make_call, make_proposal):
    from doyak.proposals.models import Sanction

    lead = make_organization(region_code="26")
    applicant = make_user(role="applicant", organization=lead)
    proposal = make_proposal(lead=lead, call=make_call(), created_by=applicant)
    barred = make_organization(name="(주)제재기업")
    Sanction.objects.create(organization=barred, kind="sanction", date=timezone.localdate())
    client.force_login(applicant)
    response = client.post(f"/proposals/{proposal.pk}/consortium/check/",
                           {"business_registration_number": barred.business_registration_number, "role": "participant"})
    body = response.content.decode()
    assert f'data-rule="selection_penalty" data-field="institutions[{barred.pk}]"' in body
    assert 'href="#id_business_registration_number"' in body
    assert ConsortiumMember.objects.filter(proposal=proposal).count() == 1


def test_step_checks_refuse_other_organizations(client, team_setup, make_user, make_organization):
    proposal, _applicant, researcher = team_setup
    stranger = make_user(role="applicant", organization=make_organization())
    client.force_login(stranger)
    assert client.post(f"/proposals/{proposal.pk}/team/check/", _team_post(researcher)).status_code in (403, 404)
    assert client.post(f"/proposals/{proposal.pk}/consortium/check/", {}).status_code in (403, 404)
