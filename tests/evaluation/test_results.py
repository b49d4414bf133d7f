"""Results by the call's rule, publication through the proposals workflow, anonymised comments, appeals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from doyak.calls.models import Criterion
from doyak.core.errors import AccessDenied, Conflict
from doyak.evaluation.models import Appeal, Assignment, Decision
from doyak.evaluation.selectors import panel_results
from doyak.evaluation.services import (
    appeal_answer,
    appeal_file,
    decisions_publish,
    pledge_sign,
    scores_save,
)
from doyak.proposals.models import ConsortiumMember


@pytest.fixture
def scored(review_setup, run_assignment, make_user):
    """Every assignment submitted; each evaluator gives all criteria the same score (so the total = that score)."""
    panel = review_setup["panel"]
    run_assignment(actor=review_setup["pm"], panel=panel)
    plan = {0: [Decimal("90"), Decimal("60"), Decimal("85")],   # trimmed mean 85, spread 30
            1: [Decimal("70"), Decimal("72"), Decimal("71")],   # 71
            2: [Decimal("50"), Decimal("65"), Decimal("60")]}   # 60
    for index, proposal in enumerate(review_setup["proposals"]):
        criteria = list(Criterion.objects.filter(call=proposal.call))
        for a, total in zip(Assignment.objects.filter(panel=panel, proposal=proposal).order_by("id"), plan[index],
                            strict=True):
            profile = a.profile
            if profile.user is None:
                profile.user = make_user(role="evaluator")
                profile.save()
            pledge_sign(actor=profile.user, proposal_id=proposal.pk)
            scores_save(actor=profile.user, proposal_id=proposal.pk, submit=True, entries=[
                {"criterion_id": c.pk, "score": str(total), "comment": f"{c.name_ko} 의견 {total}"} for c in criteria])
    return review_setup


def test_results_trimmed_mean_rank_cutoff_and_spread(scored):
    results = panel_results(panel=scored["panel"])
    got = [(r.reference, r.rank, r.score, r.passed, r.spread, r.spread_alert) for r in results.rows]
    refs = [p.reference for p in scored["proposals"]]
    assert got == [(refs[0], 1, Decimal("85"), True, Decimal("30"), True),
                   (refs[1], 2, Decimal("71"), True, Decimal("2"), False),
                   (refs[2], 3, Decimal("60"), False, Decimal("15"), False)]
    assert (results.submitted, results.expected) == (9, 9)


@pytest.mark.parametrize("rule, expected", [
    ("mean", [Decimal("235") / 3, Decimal("71"), Decimal("175") / 3]),
    ("median", [Decimal("85"), Decimal("71"), Decimal("60")]),
])
def test_results_follow_the_calls_rule(scored, rule, expected):
    from doyak.evaluation.models import Panel

    type(scored["call"]).objects.filter(pk=scored["call"].pk).update(aggregation=rule)
    results = panel_results(panel=Panel.objects.get(pk=scored["panel"].pk))
    assert [r.score for r in results.rows] == expected


def test_results_page_shows_the_ranking(scored, client):
    client.force_login(scored["pm"])
    page = client.get(reverse("evaluation:results", args=[scored["panel"].pk]))
    assert page.status_code == 200
    rows = page.context["results"].rows
    assert [r.rank for r in rows] == [1, 2, 3]
    body = page.content.decode()
    assert "85.00" in body
    # each ranked row names its proposal by title and links to it
    for row, proposal in page.context["ranked"]:
        assert proposal.pk == row.proposal_id
        assert f'href="{reverse("proposals:detail", args=[proposal.pk])}">{proposal.title_ko}</a>' in body


def test_publish_refused_while_evaluations_are_open(review_setup, run_assignment):
    run_assignment(actor=review_setup["pm"], panel=review_setup["panel"])
    with pytest.raises(Conflict) as exc:
        decisions_publish(actor=review_setup["pm"], panel_id=review_setup["panel"].pk)
    assert exc.value.code == "evaluation_incomplete"
    assert Decision.objects.count() == 0


def test_publish_decides_pass_or_fail_never_selects_and_anonymises_comments(scored, django_capture_on_commit_callbacks):
    for p, email in zip(scored["proposals"], ("a@example.kr", "b@example.kr", "c@example.kr"), strict=True):
        p.created_by = type(scored["pm"]).objects.create(username=email, email=email, role="applicant",
                                                         organization=p.lead_organization)
        p.save(update_fields=["created_by"])
    with django_capture_on_commit_callbacks(execute=True):
        decisions = decisions_publish(actor=scored["pm"], panel_id=scored["panel"].pk)
    statuses = [p.status for p in (type(p).objects.get(pk=p.pk) for p in scored["proposals"])]
    # the two over the cut-off passed and wait for the portfolio; the third is not selected
    assert statuses == ["evaluated", "evaluated", "not_selected"]
    # each applicant gets the result notice with the appeal right
    end = decisions[0].appeal_until.isoformat()
    assert [m.to for m in mail.outbox] == [["a@example.kr"], ["b@example.kr"], ["c@example.kr"]]
    assert all(end in m.body for m in mail.outbox)
    assert "평가를 통과했습니다" in mail.outbox[0].body
    assert "기준 점수에 미달" in mail.outbox[2].body
    assert [(d.rank, d.score, d.passed) for d in decisions] == [(1, Decimal("85.00"), True),
                                                                (2, Decimal("71.00"), True),
                                                                (3, Decimal("60.00"), False)]
    comments = decisions[0].comments
    assert {c["evaluator"] for c in comments} == {1, 2, 3}
    assert len(comments) == 9
    names = {a.profile.name for a in Assignment.objects.filter(proposal=scored["proposals"][0])}
    assert not any(name in str(comments) for name in names)
    scored["panel"].refresh_from_db()
    assert scored["panel"].stage == "published"


@pytest.fixture
def published(scored, make_user):
    decisions_publish(actor=scored["pm"], panel_id=scored["panel"].pk)
    proposal = scored["proposals"][2]
    applicant = make_user(role="applicant", organization=proposal.lead_organization)
    decision = Decision.objects.get(proposal=proposal)
    return {**scored, "proposal": proposal, "applicant": applicant, "decision": decision}


def test_applicant_sees_anonymised_comments(published, client):
    client.force_login(published["applicant"])
    page = client.get(reverse("evaluation:decision", args=[published["proposal"].pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "평가위원 1" in text and "평가위원 3" in text
    for a in Assignment.objects.filter(proposal=published["proposal"]):
        assert a.profile.name not in text


def test_appeal_on_day_ten_is_accepted(published):
    day10 = published["decision"].published_at + dt.timedelta(days=10)
    appeal = appeal_file(actor=published["applicant"], proposal_id=published["proposal"].pk, text="점수 재검토 요청",
                         now=day10)
    assert appeal.status == "filed"
    assert appeal.answer_due_on == timezone.localdate(day10) + dt.timedelta(days=30)


def test_appeal_on_day_eleven_is_refused(published):
    day11 = published["decision"].published_at + dt.timedelta(days=11)
    with pytest.raises(Conflict) as exc:
        appeal_file(actor=published["applicant"], proposal_id=published["proposal"].pk, text="늦은 이의", now=day11)
    assert exc.value.code == "appeal_window_closed"
    assert Appeal.objects.count() == 0


def test_appeal_only_once_and_only_by_the_lead(published, make_user, make_organization):
    appeal_file(actor=published["applicant"], proposal_id=published["proposal"].pk, text="첫 이의")
    with pytest.raises(Conflict) as exc:
        appeal_file(actor=published["applicant"], proposal_id=published["proposal"].pk, text="두 번째")
    assert exc.value.code == "appeal_already_filed"
    partner = make_organization()
    ConsortiumMember.objects.create(proposal=published["proposal"], organization=partner, role="participant")
    with pytest.raises(AccessDenied):
        appeal_file(actor=make_user(role="applicant", organization=partner), proposal_id=published["proposal"].pk,
                    text="참여기관 이의")
    assert Appeal.objects.count() == 1


def test_pm_answers_an_appeal(published):
    appeal = appeal_file(actor=published["applicant"], proposal_id=published["proposal"].pk, text="재검토 요청")
    answered = appeal_answer(actor=published["pm"], appeal_id=appeal.pk, status="rejected", answer="평가 절차 적정")
    assert (answered.status, answered.answer) == ("rejected", "평가 절차 적정")
    with pytest.raises(Conflict):
        appeal_answer(actor=published["pm"], appeal_id=appeal.pk, status="accepted", answer="다시")
