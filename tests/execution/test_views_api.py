"""The execution API contract and pages: reports with status and due_date, evaluations with kind and grade,
the project's execution section on the agreement page, the PM's queue; read-only roles change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_reports_and_evaluations_api_follow_the_contract(chain, make_agreement, lead_applicant):
    agreement = make_agreement()
    client = Client()
    client.force_login(lead_applicant(agreement))
    reports = client.get(f"/api/v1/agreements/{agreement.pk}/reports").json()
    assert [(r["kind"], r["status"], r["due_date"]) for r in reports] == [("final", "due", "2027-03-01")]
    assert client.get(f"/api/v1/agreements/{agreement.pk}/reports?status=accepted").json() == []
    evaluations = client.get(f"/api/v1/agreements/{agreement.pk}/evaluations").json()
    assert [(e["kind"], e["grade"], e["status"]) for e in evaluations] == [("final", None, "pending")]
    assert client.get(f"/api/v1/agreements/{agreement.pk}/evaluations?kind=special").json() == []


def test_openapi_lists_the_contract_paths():
    from doyak.config.api import api

    paths = api.get_openapi_schema()["paths"]
    assert "/api/v1/agreements/{agreement_id}/reports" in paths
    assert "/api/v1/agreements/{agreement_id}/evaluations" in paths
    assert "/api/v1/agreements" in paths  # part 1's router on the same prefix still answers


def test_institution_saves_a_report_through_the_api_and_the_auditor_cannot(chain, make_agreement, lead_applicant,
                                                                          make_user):
    agreement = make_agreement()
    report = agreement.reports.get()
    goals = agreement.goals.count()
    auditor = Client()
    auditor.force_login(make_user(role="auditor"))
    refused = auditor.put(f"/api/v1/agreements/reports/{report.pk}", {"summary": "x"},
                          content_type="application/json")
    assert refused.status_code == 403
    report.refresh_from_db()
    assert (report.status, report.content) == ("due", {})
    client = Client()
    client.force_login(lead_applicant(agreement))
    saved = client.put(f"/api/v1/agreements/reports/{report.pk}",
                       {"achievements": ["완료"] * goals, "summary": "요약", "submit": True},
                       content_type="application/json")
    assert (saved.status_code, saved.json()["status"]) == (200, "submitted")


def test_agreement_page_shows_reports_due_and_the_queue_shows_overdue(chain, make_agreement, lead_applicant):
    from doyak.execution.models import Report

    agreement = make_agreement()
    Report.objects.filter(agreement=agreement).update(due_date=dt.date(2020, 1, 1))  # a report long overdue
    client = Client()
    client.force_login(lead_applicant(agreement))
    page = client.get(f"/agreements/{agreement.pk}/").content.decode()
    assert [s in page for s in ('data-testid="execution-section"', "최종보고서", "기한 초과")] == [True] * 3
    pm = Client()
    pm.force_login(chain.pm)
    queue = pm.get("/execution/").content.decode()
    assert agreement.number in queue.split('data-testid="queue-overdue"')[1].split("</table>")[0]


def test_evaluator_grades_on_the_page_and_sees_only_their_own_seat(chain, make_agreement, pool):
    from django.urls import reverse

    from doyak.execution.services import panel_form

    # given a final evaluation's panel of three
    pool(4)
    agreement = make_agreement()
    final = panel_form(actor=chain.pm, evaluation_id=agreement.project_evaluations.get(kind="final").pk,
                       today=dt.date(2026, 12, 31))
    member, other = list(final.panel.select_related("profile__user"))[:2]
    client = Client()
    client.force_login(member.profile.user)
    # when the evaluator opens the page: their own seat only, and the grade form with the grades in force
    page = client.get(reverse("execution:evaluation", args=[final.pk]))
    assert (page.status_code, [m.pk for m in page.context["panel"]], page.context["show_grades"]) == (
        200, [member.pk], False)
    assert page.context["grade_form"] is not None
    # and saves a grade: stored on their seat only
    response = client.post(reverse("execution:evaluation_grade", args=[final.pk]),
                           {"grade": "average", "diligence": "diligent", "comments": "무난"})
    assert response.status_code == 302
    member.refresh_from_db()
    other.refresh_from_db()
    assert (member.grade, member.comments, other.grade) == ("average", "무난", "")
    # their list shows this seat, and nobody else's
    seats = client.get(reverse("execution:my_evaluations")).context["seats"]
    assert [s.pk for s in seats] == [member.pk]
