"""The regulation liaison opens the at-risk queue, records the exemption granted for a project whose field
demonstration is near, and the project turns on track (issue 11). Screenshots in Korean and English, desktop
and mobile."""

import datetime as dt

import pytest
from tests.proposals import conftest as _proposal_factories

from .conftest import screenshot

make_program = _proposal_factories.make_program
make_call = _proposal_factories.make_call
make_proposal = _proposal_factories.make_proposal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_liaison_records_a_granted_exemption_and_the_project_turns_on_track(logged_in_page, live_server, make_user,
                                                                             make_organization, make_call,
                                                                             make_proposal):
    from django.utils import timezone

    from doyak.regulation.services import dependency_create, milestone_add, regulation_daily

    # given a regulation-free project whose field demonstration is 40 days away without the exemption
    today = timezone.localdate()
    liaison = make_user(role="regulation_liaison", display_name="정도윤")
    lead = make_organization(name="(주)누리모빌리티", org_type="sme", region_code="26")
    proposal = make_proposal(call=make_call(track="regulation_free"), lead=lead, status="submitted",
                             title_ko="자율주행 셔틀 도심 실증")
    dep = dependency_create(actor=liaison, proposal_id=proposal.pk, regulation="자율주행자동차법 시행규칙",
                            route="demonstration_exemption", ministry="국토교통부", law="자율주행자동차법")
    milestone_add(actor=liaison, dependency_id=dep.pk, kind="field_demonstration", title="도심 셔틀 현장 실증",
                  due_on=today + dt.timedelta(days=40))
    regulation_daily(actor=liaison)
    # when the liaison opens the at-risk queue
    page = logged_in_page(liaison)
    page.goto(f"{live_server.url}/regulation/workspace/")
    queue = page.get_by_test_id("at-risk-queue")
    assert "자율주행자동차법 시행규칙" in queue.inner_text() and "위험" in queue.inner_text()
    screenshot(page, "regulation-queue-ko-desktop")
    # and records the exemption granted today
    queue.get_by_role("link", name="자율주행자동차법 시행규칙").click()
    assert page.get_by_test_id("dependency-status").inner_text() == "위험"
    form = page.get_by_test_id("record-form")
    form.get_by_label("승인일").fill(today.isoformat())
    form.get_by_role("button", name="저장").click()
    # then the project is on track, the exemption runs the policy's two years, and the queue is empty
    assert page.get_by_test_id("dependency-status").inner_text() == "정상"
    expiry = today.replace(year=today.year + 2) if (today.month, today.day) != (2, 29) else today.replace(
        year=today.year + 2, day=28)
    assert expiry.isoformat() in page.get_by_test_id("dependency-dates").inner_text()
    screenshot(page, "regulation-dependency-ko-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "regulation-dependency-ko-mobile")
    page.goto(f"{live_server.url}/regulation/workspace/")
    assert "위험하거나 차단된 항목이 없습니다." in page.get_by_test_id("at-risk-queue").inner_text()
    english = logged_in_page(liaison, lang="en")
    english.goto(f"{live_server.url}/regulation/dependencies/{dep.pk}/")
    assert english.get_by_test_id("dependency-status").inner_text() == "On track"
    screenshot(english, "regulation-dependency-en-desktop")
    english.set_viewport_size({"width": 390, "height": 844})
    english.goto(f"{live_server.url}/regulation/workspace/")
    screenshot(english, "regulation-queue-en-mobile")
