"""The execution screens walked by their owners: the institution submits a stage report, the PM (in English)
returns it with comments, the institution resubmits, the PM accepts; then one evaluator of the stage panel
enters their grade. Screenshots in Korean and English."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.finance.conftest import make_agreement, make_call, make_program, make_proposal  # noqa: F401

from .conftest import screenshot

pytestmark = [pytest.mark.browser]


def test_report_returned_resubmitted_accepted_and_an_evaluator_grades_the_stage(
        logged_in_page, live_server, make_user, make_organization, make_researcher, make_agreement,  # noqa: F811
        chain):
    from doyak.agreements.models import AgreementStage
    from doyak.agreements.services import agreements_conclude_for_call
    from doyak.evaluation.models import EvaluatorProfile
    from doyak.execution.models import PanelMember, Report
    from doyak.execution.services import panel_form

    # given a two-stage agreement of (주)가람소재, concluded (its schedule has a stage report), and a pool of
    # three outside evaluators
    lead = make_organization(name="(주)가람소재", region_code="26")
    agreement = make_agreement(lead=lead, conclude=False)
    AgreementStage.objects.filter(agreement=agreement).update(end_date=dt.date(2026, 6, 30))
    AgreementStage.objects.create(agreement=agreement, number=2, start_date=dt.date(2026, 7, 1),
                                  end_date=dt.date(2026, 12, 31))
    agreements_conclude_for_call(actor=chain.pm, call_id=agreement.proposal.call_id)
    institute = make_organization(name="한국평가연구원")
    evaluators = []
    for name in ("정하늘", "오세진", "한지민"):
        researcher = make_researcher(organization=institute, name=name, department=f"{name} 평가실")
        user = make_user(role="evaluator", researcher=researcher, display_name=name)
        EvaluatorProfile.objects.create(researcher=researcher, user=user, name=name, keywords=["정산과제"],
                                        is_economic_expert=True)
        evaluators.append(user)
    report = Report.objects.get(agreement=agreement, kind="stage")
    institution = make_user(role="applicant", organization=lead, display_name="이서연")
    pm = make_user(role="program_manager", display_name="김지훈")
    url = f"{live_server.url}/execution/reports/{report.pk}/"

    # when the institution writes and submits the stage report
    page = logged_in_page(institution)
    page.goto(url)
    page.locator("#achievement_0").fill("시제품 1차 제작 완료")
    page.locator("#summary").fill("1단계 목표를 달성했습니다.")
    page.get_by_test_id("report-submit").click()
    assert page.get_by_test_id("report-status").inner_text() == "제출됨"
    # and the PM, in English, returns it with comments
    manager = logged_in_page(pm, lang="en")
    manager.goto(url)
    manager.locator("#id_note").fill("Attach the test results.")
    screenshot(manager, "execution-1a-report-review-pm-en")
    manager.get_by_test_id("report-return").click()
    assert manager.get_by_test_id("report-status").inner_text() == "Returned with comments"
    # then the institution sees the comments, completes the report and submits again (a new sign-in: the
    # page factory signs one user in at a time)
    page = logged_in_page(institution)
    page.goto(url)
    assert page.get_by_text("Attach the test results.").count() == 1
    page.locator("#summary").fill("1단계 목표를 달성했습니다. 시험성적서를 첨부합니다.")
    screenshot(page, "execution-1-report-returned-institution-ko")
    page.get_by_test_id("report-submit").click()
    # and the PM accepts it
    manager = logged_in_page(pm, lang="en")
    manager.goto(url)
    manager.get_by_test_id("report-accept").click()
    assert manager.get_by_test_id("report-status").inner_text() == "Accepted"
    screenshot(manager, "execution-2-report-accepted-pm-en")
    report.refresh_from_db()
    assert (report.status, report.content["summary"]) == ("accepted", "1단계 목표를 달성했습니다. 시험성적서를 첨부합니다.")

    # when the PM forms the stage panel and one of its evaluators enters a grade from their list
    stage = agreement.project_evaluations.get(kind="stage")
    panel_form(actor=chain.pm, evaluation_id=stage.pk)
    seat = PanelMember.objects.select_related("profile__user").filter(evaluation=stage).first()
    grader = logged_in_page(seat.profile.user)
    grader.goto(f"{live_server.url}/execution/evaluations/mine/")
    grader.get_by_test_id("my-evaluations").get_by_role("link").click()
    grader.locator("#id_grade").select_option("excellent")
    grader.locator("#id_diligence").select_option("diligent")
    grader.get_by_label("평가 의견").fill("1단계 목표를 충실히 달성함")
    grader.get_by_test_id("save-grade").click()
    # then their seat holds the grade, and they see only their own seat
    assert grader.get_by_test_id("own-graded").is_visible()
    assert grader.get_by_test_id("panel").get_by_role("row").count() == 2  # the header and their own seat
    screenshot(grader, "execution-3-stage-grade-evaluator-ko")
    seat.refresh_from_db()
    assert (seat.grade, seat.diligence, seat.comments) == ("excellent", "diligent", "1단계 목표를 충실히 달성함")
    # and the PM, in English, sees one of three graded
    manager = logged_in_page(pm, lang="en")
    manager.goto(f"{live_server.url}/execution/evaluations/{stage.pk}/")
    assert manager.get_by_test_id("graded-count").inner_text() == "1 of 3 evaluators have entered their grade."
    screenshot(manager, "execution-4-stage-panel-pm-en")
