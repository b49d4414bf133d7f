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


def test_evaluator_grades_through_the_api_and_only_the_ministry_reads_members_grades(chain, make_agreement, pool,
                                                                                     lead_applicant):
    from doyak.core.models import AuditEvent
    from doyak.execution.services import panel_form

    # given a final evaluation's panel of three, and another agreement's evaluation
    pool(4)
    agreement, other_agreement = make_agreement(), make_agreement()
    final = panel_form(actor=chain.pm, evaluation_id=agreement.project_evaluations.get(kind="final").pk,
                       today=dt.date(2026, 12, 31))
    member, other = list(final.panel.select_related("profile__user"))[:2]
    url = f"/api/v1/agreements/{agreement.pk}/evaluations/{final.pk}/grade"
    body = {"grade": "average", "diligence": "diligent", "comments": "무난"}
    events = AuditEvent.objects.count()
    # when the institution, the PM and the evaluator under another agreement's id try: refused, nothing changed
    refused = []
    for user in (lead_applicant(agreement), chain.pm):
        client = Client()
        client.force_login(user)
        refused.append(client.post(url, body, content_type="application/json").status_code)
    seat = Client()
    seat.force_login(member.profile.user)
    refused.append(seat.post(f"/api/v1/agreements/{other_agreement.pk}/evaluations/{final.pk}/grade", body,
                             content_type="application/json").status_code)
    member.refresh_from_db()
    assert (refused, member.graded_at, AuditEvent.objects.count()) == ([403, 403, 404], None, events)
    # when the seat's evaluator grades: their seat only
    graded = seat.post(url, body, content_type="application/json")
    assert graded.status_code == 200
    assert {k: graded.json()[k] for k in ("id", "evaluation_id", "agreement_id", "kind", "grade", "diligence",
                                          "comments")} == {
        "id": member.pk, "evaluation_id": final.pk, "agreement_id": agreement.pk, "kind": "final",
        "grade": "average", "diligence": "diligent", "comments": "무난"}
    other.refresh_from_db()
    assert other.graded_at is None
    # and their seats list it, the other member's lists only theirs
    mine = seat.get("/api/v1/execution/evaluations/mine").json()
    assert [(s["id"], s["grade"], s["status"]) for s in mine["items"]] == [(member.pk, "average", "panel")]
    theirs = Client()
    theirs.force_login(other.profile.user)
    assert [s["id"] for s in theirs.get("/api/v1/execution/evaluations/mine").json()["items"]] == [other.pk]
    # then the PM reads every member's grade; the institution reads none
    pm = Client()
    pm.force_login(chain.pm)
    members = pm.get(f"/api/v1/agreements/{agreement.pk}/evaluations?kind=final").json()[0]["members"]
    assert sorted((m["id"], m["grade"]) for m in members) == sorted(
        [(m.pk, "average" if m.pk == member.pk else None) for m in final.panel.all()])
    institution = Client()
    institution.force_login(lead_applicant(agreement))
    assert institution.get(f"/api/v1/agreements/{agreement.pk}/evaluations?kind=final").json()[0]["members"] is None


def test_menu_shows_my_project_evaluations_to_evaluators_only(make_user):
    from django.urls import reverse

    url = reverse("execution:my_evaluations")
    # given an evaluator and a program manager
    evaluator, pm = Client(), Client()
    evaluator.force_login(make_user(role="evaluator"))
    pm.force_login(make_user(role="program_manager"))
    # when each opens their own seats' page; then only the evaluator's menu has the entry, marked current
    assert f'<a href="{url}" aria-current="page">내 과제 평가</a>' in evaluator.get(url).content.decode()
    assert url not in pm.get("/").content.decode()
    # and it reads English in English
    evaluator.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert f'<a href="{url}">My project evaluations</a>' in evaluator.get("/").content.decode()


def _text_areas(page: str) -> dict[str, str]:
    """Each text area's id and its classes."""
    import re

    tags = [dict(re.findall(r'([\w-]+)="([^"]*)"', tag)) for tag in re.findall(r"<textarea[^>]*>", page)]
    return {tag["id"]: tag.get("class", "") for tag in tags}


def test_report_page_text_areas_are_krds_text_areas(chain, make_agreement, lead_applicant):
    from django.urls import reverse

    # given a report the institution writes and the PM reviews
    agreement = make_agreement()
    report = agreement.reports.get()
    client = Client()
    client.force_login(lead_applicant(agreement))
    goals = agreement.goals.count()
    # when the institution opens it: each goal's achievement and the summary are KRDS text areas (the renderer's)
    page = client.get(reverse("execution:report", args=[report.pk])).content.decode()
    assert _text_areas(page) == {**{f"achievement_{i}": "krds-input dy-cell-textarea" for i in range(goals)},
                                 "summary": "krds-input"}
    # and the PM's comments box on a submitted report is one too, in a KRDS field group
    client.put(f"/api/v1/agreements/reports/{report.pk}", {"achievements": ["완료"] * goals, "submit": True},
               content_type="application/json")
    pm = Client()
    pm.force_login(chain.pm)
    review = pm.get(reverse("execution:report", args=[report.pk])).content.decode()
    assert _text_areas(review) == {"id_note": "krds-input"}
    assert '<div class="dy-field">\n<label for="id_note">' in review
