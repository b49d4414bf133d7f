"""Project execution through its services: the schedule, stop and goal change under a special evaluation,
reports and reminders, stage and final evaluations, sanctions (issue 10, deliverables 4–6)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from doyak.core.errors import AccessDenied, Conflict, ValidationFailed

pytestmark = pytest.mark.django_db


def _services():
    from doyak.execution import services

    return services


def _panel_grades(evaluation, *grades, today, **judgement):
    """Every panel member enters their own judgement (``grades``: one per member, in panel order; or the same
    ``judgement`` keywords for all)."""
    s = _services()
    members = list(evaluation.panel.select_related("profile__user"))
    for n, member in enumerate(members):
        own = {"grade": grades[n]} if grades else {}
        s.panel_grade_enter(actor=member.profile.user, evaluation_id=evaluation.pk, today=today,
                            **{**judgement, **own})


def _stop_under_evaluation(chain, agreement, applicant, *, reason="goals_met_early", goals=None):
    s = _services()
    stop = s.stop_request(actor=applicant, agreement_id=agreement.pk, reason=reason,
                          explanation="목표를 조기에 달성했습니다.", proposed_goals=goals)
    return stop, s.special_evaluation_start(actor=chain.pm, stop_request_id=stop.pk, today=dt.date(2026, 6, 30))


# ---------------------------------------------------------------------------------------------- schedule
def test_schedule_of_a_two_year_agreement_has_an_annual_and_a_final_report(chain, make_agreement):
    # given an agreement over 2026–2027, concluded (the conclusion makes its schedule)
    agreement = make_agreement(start=dt.date(2026, 1, 1), end=dt.date(2027, 12, 31))
    # then the reports are the 2026 annual report and the final one, due 60 days after each period (policy)
    rows = list(agreement.reports.order_by("due_date").values_list("kind", "period_start", "period_end", "due_date",
                                                                   "status"))
    assert rows == [("annual", dt.date(2026, 1, 1), dt.date(2026, 12, 31), dt.date(2027, 3, 1), "due"),
                    ("final", dt.date(2026, 1, 1), dt.date(2027, 12, 31), dt.date(2028, 2, 29), "due")]
    assert list(agreement.project_evaluations.values_list("kind", "status", "due_date")) == [
        ("final", "pending", dt.date(2027, 12, 31))]
    # and making it again adds nothing
    assert _services().execution_schedule_ensure(actor=chain.pm, agreement_id=agreement.pk) == []
    assert agreement.reports.count() == 2


# ---------------------------------------------------------------------------------------------- stop
def test_stop_for_goals_met_early_carries_no_penalty_and_ends_eligible_spending(
        chain, make_agreement, add_txn, lead_applicant, pool):
    from tests.finance.conftest import at

    from doyak.finance.models import Flag
    from doyak.finance.services import settlement_run_execute, settlement_run_start

    # given an active agreement with spending before and after 2026-06-30, and a request to stop it
    agreement = make_agreement()
    pool(4)
    add_txn(agreement, "BEFORE", when=at("2026-06-30", "15:00"))
    add_txn(agreement, "AFTER", when=at("2026-07-01", "09:00"))
    applicant = lead_applicant(agreement)
    stop, special = _stop_under_evaluation(chain, agreement, applicant)
    assert (stop.side, special.kind, special.status, special.panel.count()) == ("institution", "special", "panel", 3)
    # when the special evaluation decides to stop on 2026-06-30
    _panel_grades(special, outcome="stop", today=dt.date(2026, 6, 30))
    _services().evaluation_record(actor=chain.pm, evaluation_id=special.pk, outcome="stop",
                                  comments="조기 달성", today=dt.date(2026, 6, 30))
    # then the agreement is stopped without penalty, the stop recorded as diligent
    agreement.refresh_from_db()
    stop.refresh_from_db()
    special.refresh_from_db()
    assert (agreement.status, stop.status, stop.notice_date, stop.no_penalty) == (
        "stopped", "stopped", dt.date(2026, 6, 30), True)
    assert special.diligence == "diligent"
    assert agreement.sanction_cases.count() == 0
    # and the final report covers the period to the notice, the expense report is due in 3 months (policy)
    assert sorted(agreement.reports.values_list("kind", "period_end", "due_date")) == [
        ("expense", dt.date(2026, 6, 30), dt.date(2026, 9, 30)),
        ("final", dt.date(2026, 6, 30), dt.date(2026, 8, 29))]
    assert agreement.project_evaluations.get(kind="final").due_date == dt.date(2026, 8, 29)
    # and the next settlement run flags only the spending after the notice date
    run = settlement_run_execute(run_id=settlement_run_start(actor=chain.pm, agreement_ids=[agreement.pk]).pk)
    flagged = set(Flag.objects.filter(run=run, code="OUT_OF_PERIOD").values_list("transaction__txn_id", flat=True))
    assert flagged == {"AFTER"}


def test_stop_for_misconduct_is_not_without_penalty(chain, make_agreement, pool):
    # given a stop asked by the ministry for misconduct
    agreement = make_agreement()
    pool(4)
    s = _services()
    stop = s.stop_request(actor=chain.pm, agreement_id=agreement.pk, reason="misconduct", explanation="부정행위")
    special = s.special_evaluation_start(actor=chain.pm, stop_request_id=stop.pk, today=dt.date(2026, 5, 1))
    # when it is decided
    _panel_grades(special, outcome="stop", today=dt.date(2026, 5, 1))
    s.evaluation_record(actor=chain.pm, evaluation_id=special.pk, outcome="stop", today=dt.date(2026, 5, 1))
    stop.refresh_from_db()
    # then the stop carries a penalty (no "no penalty" mark) and the ministry asked for it
    assert (stop.side, stop.status, stop.no_penalty) == ("ministry", "stopped", False)


def test_goal_change_decided_by_the_special_evaluation_makes_a_new_version(chain, make_agreement, lead_applicant,
                                                                           pool):
    # given a request to change the goals
    agreement = make_agreement()
    pool(4)
    stop, special = _stop_under_evaluation(chain, agreement, lead_applicant(agreement), reason="environment_change",
                                           goals=["수정 목표 1", "수정 목표 2"])
    # when the special evaluation decides to change them
    _panel_grades(special, outcome="change_goals", today=dt.date(2026, 6, 30))
    _services().evaluation_record(actor=chain.pm, evaluation_id=special.pk, outcome="change_goals",
                                  today=dt.date(2026, 6, 30))
    # then the agreement change is applied as version 2 with the new goals; the project goes on
    agreement.refresh_from_db()
    stop.refresh_from_db()
    assert (agreement.status, agreement.version, stop.status) == ("active", 2, "goals_changed")
    assert stop.change_request.status == "applied"
    assert agreement.versions.get(number=2).terms["goals"] == ["수정 목표 1", "수정 목표 2"]


def test_stop_request_by_another_institution_is_refused_and_changes_nothing(make_agreement, make_user,
                                                                            make_organization):
    agreement = make_agreement()
    outsider = make_user(role="applicant", organization=make_organization())
    with pytest.raises(AccessDenied):
        _services().stop_request(actor=outsider, agreement_id=agreement.pk, reason="cannot_continue",
                                 explanation="x")
    assert agreement.stop_requests.count() == 0


def test_panel_excludes_evaluators_with_a_conflict(chain, make_agreement, pool, lead_applicant):
    # given a pool of four outsiders and two evaluators of the project's own lead institution
    agreement = make_agreement()
    outsiders = pool(4)
    insiders = pool(2, organization=agreement.proposal.lead_organization)
    _stop, special = _stop_under_evaluation(chain, agreement, lead_applicant(agreement))
    # then nobody of the lead institution sits on the panel
    members = set(special.panel.values_list("profile_id", flat=True))
    assert members.isdisjoint({p.pk for p in insiders})
    assert len(members) == 3
    assert members <= {p.pk for p in outsiders} | {p.pk for p in chain.profiles()}


# ---------------------------------------------------------------------------------------------- reports
def _report_data(agreement):
    return {"achievements": ["달성"] * agreement.goals.count(),
            "kpi_actuals": {str(k.pk): "3" for k in agreement.kpis.all()}, "summary": "요약"}


def test_report_review_cycle_submit_return_and_accept(chain, make_agreement, lead_applicant):
    s = _services()
    agreement = make_agreement()
    applicant = lead_applicant(agreement)
    report = agreement.reports.get(kind="final")
    # when the institution submits without the achievements it is refused
    with pytest.raises(ValidationFailed) as refused:
        s.report_transition(actor=applicant, report_id=report.pk, name="submit", data={})
    assert refused.value.code == "report_incomplete"
    # when it submits a complete report, the PM returns it with comments, it submits again and the PM accepts
    s.report_transition(actor=applicant, report_id=report.pk, name="submit", data=_report_data(agreement))
    with pytest.raises(ValidationFailed):
        s.report_transition(actor=chain.pm, report_id=report.pk, name="return", note="")
    s.report_transition(actor=chain.pm, report_id=report.pk, name="return", note="근거 보완")
    report.refresh_from_db()
    assert (report.status, report.review_note) == ("returned", "근거 보완")
    s.report_transition(actor=applicant, report_id=report.pk, name="submit", data=_report_data(agreement))
    report = s.report_transition(actor=chain.pm, report_id=report.pk, name="accept")
    # then it is accepted with the goals vs achievements of the agreement in force
    assert report.status == "accepted"
    assert report.content["goals"] == [{"goal": g, "achievement": "달성"}
                                       for g in agreement.goals.values_list("text", flat=True)]


def test_report_content_has_kpi_ripple_and_supplier_rows(chain, make_agreement, lead_applicant, make_organization):
    from decimal import Decimal

    from doyak.agreements.models import AgreementKpi
    from doyak.proposals.models import ConsortiumMember, RippleCommitment
    from doyak.regions.selectors import region_for_code_or_raise

    # given an anchor-led agreement with a supplier partner, a KPI and a ripple commitment in 울산
    agreement = make_agreement()
    proposal = agreement.proposal
    proposal.lead_organization.is_demand_anchor = True
    proposal.lead_organization.save(update_fields=["is_demand_anchor"])
    ConsortiumMember.objects.create(proposal=proposal, organization=make_organization(), role="supplier")
    kpi = AgreementKpi.objects.create(agreement=agreement, name="특허 출원", unit="건", baseline=Decimal("0"),
                                      target=Decimal("4"))
    RippleCommitment.objects.create(proposal=proposal, region=region_for_code_or_raise(code="31"),
                                    investment_krw=500_000_000, jobs=10, production_krw=1_000_000_000)
    report = agreement.reports.get(kind="final")
    # when the institution saves actuals
    report = _services().report_transition(
        actor=lead_applicant(agreement), report_id=report.pk, name="save",
        data={"kpi_actuals": {str(kpi.pk): "2.5"}, "ripple": {"31": {"investment_krw": "300,000,000", "jobs": 4}},
              "suppliers": {"sme_count": 3, "reached_krw": 1_500_000}})
    # then each KPI reads indicator → baseline → target → actual for the period, and the ripple and supplier rows
    assert report.status == "draft"
    assert report.content["kpis"] == [{"kpi_id": kpi.pk, "indicator": "특허 출원", "unit": "건", "baseline": "0",
                                       "target": "4", "target_year": None, "period_start": "2026-01-01",
                                       "period_end": "2026-12-31", "actual": "2.50"}]
    assert report.content["ripple"][0] | {} == {
        "region_code": "31", "region": report.content["ripple"][0]["region"], "planned_investment_krw": 500_000_000,
        "planned_jobs": 10, "planned_production_krw": 1_000_000_000, "investment_krw": 300_000_000, "jobs": 4,
        "production_krw": 0}
    assert report.content["suppliers"] == {"partners": 1, "total_krw": 15_000_000, "planned_krw": 0,
                                           "planned_share": "0.0", "sme_count": 3, "reached_krw": 1_500_000,
                                           "share": "10.0"}


def test_report_of_another_institution_cannot_be_written_and_nothing_changes(make_agreement, make_user,
                                                                             make_organization):
    agreement = make_agreement()
    report = agreement.reports.get(kind="final")
    outsider = make_user(role="applicant", organization=make_organization())
    with pytest.raises(AccessDenied):
        _services().report_transition(actor=outsider, report_id=report.pk, name="save", data={"summary": "x"})
    report.refresh_from_db()
    assert (report.status, report.content) == ("due", {})


def test_reminders_are_sent_once_before_the_due_date_and_once_when_overdue(make_agreement, lead_applicant):
    s = _services()
    agreement = make_agreement()
    applicant = lead_applicant(agreement)
    applicant.email = "lead@example.kr"
    applicant.save(update_fields=["email"])
    report = agreement.reports.get(kind="final")  # due 2027-03-01
    # when the job runs 10 days before (within the policy's 14), again the next day, and after the due date
    with_commit = pytest.importorskip("django.test").TestCase.captureOnCommitCallbacks
    with with_commit(execute=True):
        first = s.reports_remind(today=report.due_date - dt.timedelta(days=10))
    with with_commit(execute=True):
        again = s.reports_remind(today=report.due_date - dt.timedelta(days=9))
    with with_commit(execute=True):
        late = s.reports_remind(today=report.due_date + dt.timedelta(days=1))
    # then one reminder before, one overdue, each to the lead institution
    assert (first["before"], again["before"], late["overdue"]) == (1, 0, 1)
    assert [m.to for m in mail.outbox] == [["lead@example.kr"], ["lead@example.kr"]]
    assert "보고서" in mail.outbox[1].subject and "overdue" in mail.outbox[1].subject


# ---------------------------------------------------------------------------------------------- grades
def _final_panel(chain, agreement, pool):
    pool(4)
    final = agreement.project_evaluations.get(kind="final")
    return _services().panel_form(actor=chain.pm, evaluation_id=final.pk, today=dt.date(2026, 12, 31))


def test_grades_follow_the_policy_switch_date(chain, make_agreement, pool):
    s = _services()
    agreement = make_agreement()
    final = _final_panel(chain, agreement, pool)
    # when an evaluator enters a four-grade result after 2027-01-01 it is refused; 완료 is accepted
    member = final.panel.select_related("profile__user").first()
    with pytest.raises(ValidationFailed) as refused:
        s.panel_grade_enter(actor=member.profile.user, evaluation_id=final.pk, grade="excellent",
                            diligence="diligent", today=dt.date(2027, 1, 2))
    assert refused.value.code == "grade_invalid"
    _panel_grades(final, grade="complete", diligence="diligent", today=dt.date(2027, 1, 2))
    final = s.evaluation_record(actor=chain.pm, evaluation_id=final.pk, grade="complete", diligence="diligent",
                                today=dt.date(2027, 1, 2))
    assert (final.status, final.grade) == ("graded", "complete")
    assert agreement.sanction_cases.count() == 0


def test_goal_met_early_at_a_stage_evaluation_waives_the_final_one(chain, make_agreement, pool):
    from doyak.agreements.models import AgreementStage

    s = _services()
    agreement = make_agreement(conclude=False)
    AgreementStage.objects.filter(agreement=agreement).update(end_date=dt.date(2026, 6, 30))
    AgreementStage.objects.create(agreement=agreement, number=2, start_date=dt.date(2026, 7, 1),
                                  end_date=dt.date(2026, 12, 31))
    from doyak.agreements.services import agreements_conclude_for_call

    agreements_conclude_for_call(actor=chain.pm, call_id=agreement.proposal.call_id)
    stage = agreement.project_evaluations.get(kind="stage")
    assert list(agreement.reports.values_list("kind", flat=True).order_by("due_date")) == ["stage", "final"]
    pool(4)
    s.panel_form(actor=chain.pm, evaluation_id=stage.pk, today=dt.date(2026, 7, 10))
    _panel_grades(stage, grade="excellent", diligence="diligent", goal_met_early=True, today=dt.date(2026, 7, 10))
    s.evaluation_record(actor=chain.pm, evaluation_id=stage.pk, grade="excellent", diligence="diligent",
                        goal_met_early=True, today=dt.date(2026, 7, 10))
    assert agreement.project_evaluations.get(kind="final").status == "waived"


# ---------------------------------------------------------------------------------------------- sanctions
def test_extremely_poor_final_grade_leads_to_a_sanction_that_fails_the_next_proposal(
        chain, make_agreement, pool, lead_applicant, make_proposal, make_call):
    from doyak.proposals.validation import proposal_check

    s = _services()
    agreement = make_agreement()
    final = _final_panel(chain, agreement, pool)
    # when the final grade is 극히불량 (two of three evaluators say so)
    _panel_grades(final, "extremely_poor", "extremely_poor", "poor", diligence="not_diligent",
                  today=dt.date(2026, 12, 31))
    s.evaluation_record(actor=chain.pm, evaluation_id=final.pk, grade="extremely_poor", diligence="not_diligent",
                        today=dt.date(2026, 12, 31))
    # then a sanction is proposed from the policy table (12–36 months, no surcharge without misused funds)
    case = agreement.sanction_cases.get()
    assert (case.grounds, case.status, case.ban_min_months, case.ban_max_months, case.surcharge_max_krw) == (
        "grade", "proposed", 12, 36, 0)
    # and the PM cannot decide before the institution is heard
    with pytest.raises(Conflict):
        s.sanction_decide(actor=chain.pm, case_id=case.pk, ban_months=24, today=dt.date(2026, 12, 31))
    applicant = lead_applicant(agreement)
    s.sanction_statement_give(actor=applicant, case_id=case.pk, statement="소명합니다.")
    with pytest.raises(ValidationFailed):
        s.sanction_decide(actor=chain.pm, case_id=case.pk, ban_months=48, today=dt.date(2027, 1, 5))
    case = s.sanction_decide(actor=chain.pm, case_id=case.pk, ban_months=24, today=dt.date(2027, 1, 5))
    assert (case.status, case.sanction.kind, case.sanction.date, case.sanction.organization_id) == (
        "decided", "sanction", dt.date(2027, 1, 5), agreement.proposal.lead_organization_id)
    # and the institution's next proposal fails the penalty rule
    proposal = make_proposal(call=make_call(), lead=agreement.proposal.lead_organization)
    rules = {v.rule for v in proposal_check(proposal=proposal, on=dt.date(2027, 2, 1))}
    assert "selection_penalty" in rules


def test_misused_funds_propose_the_band_and_a_surcharge_up_to_five_times(chain, make_agreement):
    agreement = make_agreement()
    case = _services().sanction_case_open(actor=chain.pm, agreement_id=agreement.pk, misused_krw=60_000_000,
                                          today=dt.date(2026, 9, 1))
    assert (case.grounds, case.ban_min_months, case.ban_max_months, case.surcharge_max_krw) == (
        "misconduct", 36, 48, 300_000_000)


def test_one_objection_within_the_window(chain, make_agreement, lead_applicant):
    s = _services()
    agreement = make_agreement()
    case = s.sanction_case_open(actor=chain.pm, agreement_id=agreement.pk, misused_krw=5_000_000,
                                today=dt.date(2026, 9, 1))
    case = s.sanction_decide(actor=chain.pm, case_id=case.pk, ban_months=6, surcharge_krw=1_000_000,
                             today=dt.date(2026, 9, 20))
    applicant = lead_applicant(agreement)
    with pytest.raises(Conflict) as late:
        s.sanction_object(actor=applicant, case_id=case.pk, text="이의", today=dt.date(2026, 10, 11))
    assert late.value.code == "objection_window_closed"
    s.sanction_object(actor=applicant, case_id=case.pk, text="이의", today=dt.date(2026, 10, 10))
    with pytest.raises(Conflict):
        s.sanction_object(actor=applicant, case_id=case.pk, text="또 이의", today=dt.date(2026, 10, 10))
    # when the PM revokes the decision on the objection, its selection bars go
    from doyak.proposals.models import Sanction

    assert Sanction.objects.filter(organization=agreement.proposal.lead_organization).count() == 2
    case = s.sanction_objection_answer(actor=chain.pm, case_id=case.pk, answer="인용", revoke=True)
    assert case.status == "final"
    assert Sanction.objects.filter(organization=agreement.proposal.lead_organization).count() == 0


# ---------------------------------------------------------------------------------------------- panel grades
def test_panel_result_is_computed_from_each_evaluators_grade(chain, make_agreement, pool, make_user):
    from doyak.core.models import AuditEvent

    s = _services()
    agreement = make_agreement()
    final = _final_panel(chain, agreement, pool)
    day = dt.date(2026, 12, 31)
    first, second, third = [m.profile.user for m in final.panel.select_related("profile__user")]
    # given one evaluator's grade: the PM cannot confirm before all have graded
    s.panel_grade_enter(actor=first, evaluation_id=final.pk, grade="excellent", diligence="diligent",
                        comments="성과 우수", today=day)
    with pytest.raises(Conflict) as early:
        s.evaluation_record(actor=chain.pm, evaluation_id=final.pk, today=day)
    assert early.value.code == "panel_grades_missing"
    # when the second grades 보통 and the third 미흡, then re-enters 보통: 우수 1, 보통 2 → 보통
    s.panel_grade_enter(actor=second, evaluation_id=final.pk, grade="average", diligence="diligent", today=day)
    s.panel_grade_enter(actor=third, evaluation_id=final.pk, grade="poor", diligence="not_diligent", today=day)
    s.panel_grade_enter(actor=third, evaluation_id=final.pk, grade="average", diligence="diligent", today=day)
    assert s.panel_result(evaluation=final, today=day) == {
        "grade": "average", "diligence": "diligent", "outcome": "", "goal_met_early": False,
        "rule": "majority_lower_tie"}
    # a PM who gives another grade is refused; confirming records the computed one
    with pytest.raises(ValidationFailed) as differs:
        s.evaluation_record(actor=chain.pm, evaluation_id=final.pk, grade="excellent", today=day)
    assert differs.value.code == "panel_result_differs"
    final = s.evaluation_record(actor=chain.pm, evaluation_id=final.pk, comments="보통", today=day)
    assert (final.status, final.grade, final.diligence) == ("graded", "average", "diligent")
    assert AuditEvent.objects.filter(action="evaluation.grade").count() == 4
    # and the panel no longer takes grades
    with pytest.raises(Conflict):
        s.panel_grade_enter(actor=first, evaluation_id=final.pk, grade="poor", diligence="diligent", today=day)


def test_a_tie_goes_to_the_lower_grade():
    from doyak.engine import execution as engine

    order = engine.GRADE_ORDER
    assert engine.panel_vote(["excellent", "average"], rule="majority_lower_tie", order=order) == "average"
    assert engine.panel_vote(["excellent", "excellent", "poor"], rule="majority_lower_tie", order=order) == "excellent"
    assert engine.panel_vote(["excellent", "excellent", "poor"], rule="lowest", order=order) == "poor"
    assert engine.panel_vote(["stop", "continue"], rule="majority_lower_tie", order=engine.OUTCOME_ORDER) == "continue"
    assert engine.panel_majority([True, False]) is False and engine.panel_majority([True, True, False]) is True


def test_only_the_panels_evaluators_grade_and_see_the_evaluation(chain, make_agreement, pool, lead_applicant):
    from doyak.execution.selectors import evaluation_get_for_user_or_raise

    s = _services()
    agreement = make_agreement()
    final = _final_panel(chain, agreement, pool)
    outsider = pool(1)[0].user  # an evaluator of the pool, not on this panel
    member = final.panel.select_related("profile__user").first()
    before = list(final.panel.values_list("grade", flat=True))
    for actor in (outsider, chain.pm, lead_applicant(agreement)):
        with pytest.raises(AccessDenied):
            s.panel_grade_enter(actor=actor, evaluation_id=final.pk, grade="excellent", diligence="diligent",
                                today=dt.date(2026, 12, 31))
    assert list(final.panel.values_list("grade", flat=True)) == before == ["", "", ""]
    # the member sees the evaluation, the outsider does not
    assert evaluation_get_for_user_or_raise(user=member.profile.user, evaluation_id=final.pk) == final
    with pytest.raises(AccessDenied):
        evaluation_get_for_user_or_raise(user=outsider, evaluation_id=final.pk)
