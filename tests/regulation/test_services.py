"""Regulation innovation through its services: the registry and its import, dependencies and their dates,
extensions and conversion, the daily job's alerts, the regulatory agreement before signing (issue 11)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from doyak.core.errors import AccessDenied, Conflict, ValidationFailed

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 1)


def _s():
    from doyak.regulation import services

    return services


# ---------------------------------------------------------------------------------------------- the daily job
def test_daily_job_raises_each_alert_once_and_again_on_a_state_change(dependency, make_user, liaison, pm,
                                                                     django_capture_on_commit_callbacks):
    from doyak.accounts.rules import SYSTEM
    from doyak.core.models import AuditEvent
    from doyak.regulation.models import RegulationAlert

    # given a dependency whose field demonstration is 30 days away, without an exemption, and its institution
    dep = dependency(today=TODAY, milestone_days=30)
    make_user(role="applicant", organization=dep.proposal.lead_organization, email="lab@doyak.example")
    # when the daily job runs twice on the same day
    with django_capture_on_commit_callbacks(execute=True):
        first = _s().regulation_daily(actor=SYSTEM, today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        second = _s().regulation_daily(actor=SYSTEM, today=TODAY)
    # then one alert was raised (at risk), one e-mail to the institution, the PM and the liaison, none the second time
    assert (first["alerts"], second["alerts"]) == (1, 0)
    assert list(RegulationAlert.objects.values_list("dependency_id", "status")) == [(dep.pk, "at_risk")]
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["lab@doyak.example", "liaison@doyak.example", "pm@doyak.example"]
    assert AuditEvent.objects.filter(action="regulation_dependency.alert").count() == 1
    # when the milestone passes without the exemption: blocked, alerted once more
    with django_capture_on_commit_callbacks(execute=True):
        assert _s().regulation_daily(actor=SYSTEM, today=TODAY + dt.timedelta(days=30))["alerts"] == 1
        assert _s().regulation_daily(actor=SYSTEM, today=TODAY + dt.timedelta(days=31))["alerts"] == 0
    assert list(RegulationAlert.objects.order_by("pk").values_list("status", flat=True)) == ["at_risk", "blocked"]
    assert len(mail.outbox) == 2


def test_granted_exemption_turns_the_dependency_on_track_and_a_new_risk_alerts_again(dependency, liaison, pm):
    from doyak.regulation.models import RegulationAlert

    dep = dependency(today=TODAY, milestone_days=20)
    _s().regulation_daily(actor=pm, today=TODAY)
    # when the liaison records the exemption granted today (the day before… well before the milestone)
    _s().dependency_record(actor=liaison, dependency_id=dep.pk, today=TODAY,
                           data={"applied_on": TODAY - dt.timedelta(days=60), "granted_on": TODAY,
                                 "expires_on": None})  # as the form sends an empty expiry
    dep.refresh_from_db()
    # then it is on track at once, and the exemption runs the policy's two years from the grant
    assert (dep.status, dep.expires_on) == ("on_track", dt.date(2028, 12, 1))
    assert _s().regulation_daily(actor=pm, today=TODAY)["alerts"] == 0
    # and when its expiry comes within the warning days, the expiring alert is raised once
    near = dt.date(2028, 12, 1) - dt.timedelta(days=90)
    assert _s().regulation_daily(actor=pm, today=near)["alerts"] == 1
    assert list(RegulationAlert.objects.order_by("pk").values_list("status", flat=True)) == ["at_risk", "expiring"]


def test_command_runs_the_daily_job(dependency):
    from django.core.management import call_command

    from doyak.regulation.models import RegulationAlert

    dependency(today=dt.date.today(), milestone_days=10)
    call_command("regulation_daily")  # enqueued: the test settings run tasks at once
    call_command("regulation_daily", "--now")
    assert RegulationAlert.objects.count() == 1


# ---------------------------------------------------------------------------------------------- dates, extensions
def test_extension_by_policy_period_and_count(dependency, liaison):
    dep = dependency(today=TODAY, milestone_days=400)
    _s().dependency_record(actor=liaison, dependency_id=dep.pk, today=TODAY, data={"granted_on": TODAY})
    extended = _s().dependency_extend(actor=liaison, dependency_id=dep.pk, today=TODAY)
    assert (extended.expires_on, extended.extensions_used) == (dt.date(2030, 12, 1), 1)
    with pytest.raises(Conflict) as error:
        _s().dependency_extend(actor=liaison, dependency_id=dep.pk, today=TODAY)
    assert error.value.code == "extensions_used_up"


def test_pending_law_amendment_keeps_the_exemption_from_expiring(dependency, liaison):
    dep = dependency(today=TODAY)
    _s().dependency_record(actor=liaison, dependency_id=dep.pk, today=TODAY, data={
        "granted_on": TODAY - dt.timedelta(days=700), "expires_on": TODAY + dt.timedelta(days=10)})
    dep.refresh_from_db()
    assert dep.status == "expiring"
    _s().dependency_record(actor=liaison, dependency_id=dep.pk, today=TODAY, data={"law_amendment_pending": True})
    dep.refresh_from_db()
    assert dep.status == "on_track"


def test_conversion_of_a_demonstration_exemption_to_a_temporary_permit(dependency, liaison):
    dep = dependency(today=TODAY)
    with pytest.raises(Conflict):
        _s().dependency_convert(actor=liaison, dependency_id=dep.pk, applied_on=TODAY, today=TODAY)
    _s().dependency_record(actor=liaison, dependency_id=dep.pk, today=TODAY, data={"granted_on": TODAY})
    converted = _s().dependency_convert(actor=liaison, dependency_id=dep.pk, applied_on=TODAY, today=TODAY)
    assert (converted.route, converted.converted_on, converted.applied_on) == ("temporary_permit", TODAY, TODAY)


@pytest.mark.parametrize(("data", "field"), [
    ({"applied_on": TODAY, "granted_on": TODAY - dt.timedelta(days=1)}, "granted_on"),
    ({"expires_on": TODAY}, "expires_on"),
    ({"granted_on": TODAY + dt.timedelta(days=1)}, "granted_on"),
    ({"insurance_krw": -1}, "insurance_krw"),
    ({"conditions": "a\x00b"}, "conditions"),
])
def test_dependency_record_refuses_impossible_dates_and_values(dependency, liaison, data, field):
    dep = dependency(today=TODAY)
    with pytest.raises(ValidationFailed) as error:
        _s().dependency_record(actor=liaison, dependency_id=dep.pk, today=TODAY, data=data)
    assert error.value.field == field


def test_council_cannot_record_an_exemption_and_nothing_changes(dependency, make_user):
    from doyak.core.models import AuditEvent

    dep = dependency(today=TODAY, milestone_days=20)
    events = AuditEvent.objects.count()
    with pytest.raises(AccessDenied):
        _s().dependency_record(actor=make_user(role="council_member"), dependency_id=dep.pk, today=TODAY,
                               data={"granted_on": TODAY})
    dep.refresh_from_db()
    assert (dep.granted_on, dep.status, AuditEvent.objects.count()) == (None, "at_risk", events)


def test_notes_and_contacts_are_logged_and_audited(dependency, liaison, make_user):
    from doyak.core.models import AuditEvent

    dep = dependency(today=TODAY)
    note = _s().note_log(actor=liaison, dependency_id=dep.pk, kind="contact", contact_name="김규제",
                         contact_organization="국토교통부", text="심의 일정 문의")
    assert (note.author, note.contact_name, dep.notes.count()) == (liaison, "김규제", 1)
    assert AuditEvent.objects.filter(action="regulation_note.log").count() == 1
    with pytest.raises(ValidationFailed):
        _s().note_log(actor=liaison, dependency_id=dep.pk, kind="contact", text="이름 없는 연락")
    with pytest.raises(AccessDenied):
        _s().note_log(actor=make_user(role="applicant"), dependency_id=dep.pk, text="x")
    assert dep.notes.count() == 1


# ---------------------------------------------------------------------------------------------- from the proposal
def test_proposal_regulation_grows_into_a_project_record_with_its_milestone(chain, make_call, liaison):
    from doyak.proposals.models import RegulationDependency

    call = make_call(track="regulation_free")
    proposal = chain.submitted(call, gov=100_000_000)
    origin = RegulationDependency.objects.create(proposal=proposal, regulation="전파법 시행령",
                                                 needed_by=dt.date(2027, 3, 1))
    # not selected yet: nothing to track
    assert _s().dependencies_sync(actor=liaison) == 0
    chain.selected(call, [proposal])
    assert _s().dependencies_sync(actor=liaison) == 1
    record = origin.project_record
    assert (record.proposal_id, record.regulation, record.route) == (proposal.pk, "전파법 시행령",
                                                                      "demonstration_exemption")
    assert list(record.milestones.values_list("kind", "due_on")) == [("field_demonstration", dt.date(2027, 3, 1))]
    assert _s().dependencies_sync(actor=liaison) == 0
    # the proposal keeps its own row (its form and validation read it)
    assert proposal.regulations.get() == origin


# ---------------------------------------------------------------------------------------------- signing
def test_regulation_free_agreement_is_not_signed_without_its_regulatory_agreement(chain, make_call, make_user):
    from doyak.agreements.models import Agreement
    from doyak.agreements.services import agreement_sign, agreements_conclude_for_call

    call = make_call(track="regulation_free")
    proposal = chain.submitted(call, gov=100_000_000)
    chain.selected(call, [proposal])
    agreement = Agreement.objects.get(proposal=proposal)
    applicant = make_user(role="applicant", organization=proposal.lead_organization)
    # when either side signs, or the PM concludes on paper, before the regulatory agreement: refused, no signature
    for attempt in (lambda: agreement_sign(actor=applicant, agreement_id=agreement.pk),
                    lambda: agreements_conclude_for_call(actor=chain.pm, call_id=call.pk)):
        with pytest.raises(Conflict) as error:
            attempt()
        assert error.value.code == "regulatory_agreement_required"
    agreement.refresh_from_db()
    assert (agreement.status, agreement.signatures.count()) == ("draft", 0)
    # when the PM records it, both sides sign
    _s().regulatory_agreement_record(actor=chain.pm, agreement_id=agreement.pk, number="RA-1", ministry="국토교통부",
                                     signed_on=dt.date.today())
    agreement_sign(actor=applicant, agreement_id=agreement.pk)
    agreement_sign(actor=chain.pm, agreement_id=agreement.pk)
    agreement.refresh_from_db()
    assert agreement.signatures.count() == 2 and agreement.status in ("signed", "active")


# ---------------------------------------------------------------------------------------------- the registry
def test_task_moves_through_its_statuses_only_forward(pm):
    task = _s().task_create(actor=pm, data={"code": "RT-1", "title": "t", "industry": "i", "ministry": "m",
                                            "law": "l", "change_kind": "notice"})
    _s().task_transition(actor=pm, task_id=task.pk, status="in_consultation")
    with pytest.raises(ValidationFailed):
        _s().task_transition(actor=pm, task_id=task.pk, status="resolved")  # the resolution is required
    done = _s().task_transition(actor=pm, task_id=task.pk, status="resolved", resolution="고시 개정",
                                resolved_on=TODAY)
    assert (done.status, done.resolved_on) == ("resolved", TODAY)
    with pytest.raises(Conflict):
        _s().task_transition(actor=pm, task_id=task.pk, status="identified")


HEADER = "과제번호,과제명,산업,소관부처,법령,조항,개선유형,상태,해소일\n"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp949"])
def test_import_reads_utf8_and_cp949(make_user, encoding):
    from doyak.regulation.imports import tasks_import
    from doyak.regulation.models import RegulationTask

    content = (HEADER + "RT-01,수소충전소 이격거리,에너지,산업통상부,고압가스법,별표 5,시행령 개정,해소,2026-10-01\n"
               "RT-02,배송 드론,항공,국토교통부,항공안전법,제129조,notice,협의 중,\n").encode(encoding)
    result = tasks_import(actor=make_user(role="administrator"), name="tasks.csv", content=content)
    assert result.created == 2
    assert list(RegulationTask.objects.values_list("code", "change_kind", "status", "resolved_on")) == [
        ("RT-01", "enforcement_decree", "resolved", dt.date(2026, 10, 1)), ("RT-02", "notice", "in_consultation", None)]


def test_import_is_all_or_nothing_and_names_every_bad_row(make_user):
    from doyak.proposals.imports import ImportFailed
    from doyak.regulation.imports import tasks_import
    from doyak.regulation.models import RegulationTask

    content = (HEADER + "RT-01,좋은 행,에너지,산업통상부,법,1,notice,,\n"
               "RT-02,,에너지,산업통상부,법,1,notice,,\n"
               "RT-03,유형 오류,에너지,산업통상부,법,1,repeal,,\n"
               "RT-01,중복,에너지,산업통상부,법,1,notice,,\n"
               "RT-05,날짜 없음,에너지,산업통상부,법,1,notice,해소,\n").encode()
    with pytest.raises(ImportFailed) as error:
        tasks_import(actor=make_user(role="administrator"), name="tasks.csv", content=content)
    assert [(e.row, e.line, e.field) for e in error.value.errors] == [
        (2, 3, "title"), (3, 4, "change_kind"), (4, 5, "code"), (5, 6, "resolved_on")]
    assert str(error.value.errors[0]) == "2행(파일 3번째 줄), 과제명 [title]: 필수 항목입니다."
    assert RegulationTask.objects.count() == 0


def test_import_reads_xlsx_and_only_administrators_import(make_user):
    import io

    from openpyxl import Workbook

    from doyak.regulation.imports import tasks_import
    from doyak.regulation.models import RegulationTask

    book = Workbook()
    book.active.append(["code", "title", "industry", "ministry", "law", "change_kind"])
    book.active.append(["RT-9", "자율주행", "자동차", "국토교통부", "도로교통법", "law_amendment"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(AccessDenied):
        tasks_import(actor=make_user(role="program_manager"), name="t.xlsx", content=buffer.getvalue())
    assert RegulationTask.objects.count() == 0
    assert tasks_import(actor=make_user(role="administrator"), name="t.xlsx", content=buffer.getvalue()).created == 1


# ---------------------------------------------------------------------------------------------- calendar
def test_calendar_feed_token_is_revocable(client, dependency, liaison):
    from icalendar import Calendar

    dependency(today=dt.date.today(), milestone_days=10)
    token = _s().calendar_token_issue(actor=liaison)
    response = client.get(f"/regulation/calendar/{token}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = [c for c in Calendar.from_ical(response.content).walk("VEVENT")]
    assert [e.get("dtstart").dt for e in events] == [dt.date.today() + dt.timedelta(days=10)]
    assert "현장 실증" in str(events[0].get("summary"))
    _s().calendar_token_revoke(actor=liaison)
    assert client.get(f"/regulation/calendar/{token}.ics").status_code == 404


def test_calendar_of_a_role_that_follows_no_dependency_is_empty(client, make_user):
    from icalendar import Calendar

    token = _s().calendar_token_issue(actor=make_user(role="evaluator"))
    response = client.get(f"/regulation/calendar/{token}.ics")
    assert response.status_code == 200
    assert list(Calendar.from_ical(response.content).walk("VEVENT")) == []
