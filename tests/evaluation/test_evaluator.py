"""The evaluator: only their own assignments, pledge first, scores, submission locks; 403 changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from doyak.calls.models import Criterion
from doyak.core.errors import AccessDenied, Conflict, ValidationFailed
from doyak.core.models import AuditEvent
from doyak.evaluation.models import Assignment, DeclaredConflict, Score
from doyak.evaluation.services import pledge_sign, scores_save


@pytest.fixture
def assigned(review_setup, run_assignment):
    """The signed-in economic expert's assignment to the first proposal."""
    run_assignment(actor=review_setup["pm"], panel=review_setup["panel"])
    user = review_setup["evaluator_user"]
    proposal = review_setup["proposals"][0]
    assignment = Assignment.objects.get(profile__user=user, proposal=proposal)
    return {**review_setup, "user": user, "proposal": proposal, "assignment": assignment,
            "criteria": list(Criterion.objects.filter(call=proposal.call).order_by("order"))}


def _snapshot():
    return (list(Assignment.objects.order_by("id").values_list("id", "status", "pledge_signed_at", "submitted_at")),
            list(Score.objects.order_by("id").values_list("id", "score", "comment")), AuditEvent.objects.count())


def test_evaluator_sees_only_their_own_assignments(assigned, client):
    client.force_login(assigned["user"])
    response = client.get(reverse("evaluation:assignments"))
    assert response.status_code == 200
    shown = [a.proposal.reference for a in response.context["assignments"]]
    assert shown == sorted(p.reference for p in assigned["proposals"])  # the expert sits on all three panels
    assert Assignment.objects.exclude(profile__user=assigned["user"]).exists()


def test_unassigned_evaluator_gets_403_and_nothing_changes(assigned, client, make_user, make_profile):
    # given another evaluator in the pool, not assigned to the proposal
    other = make_user(role="evaluator")
    make_profile(user=other)
    before = _snapshot()
    client.force_login(other)
    # when they open the proposal or try to sign the pledge
    page = client.get(reverse("evaluation:review", args=[assigned["proposal"].pk]))
    post = client.post(reverse("evaluation:review", args=[assigned["proposal"].pk]), {"action": "pledge",
                                                                                        "pledge": "yes"})
    # then 403 both times and nothing changed
    assert (page.status_code, post.status_code) == (403, 403)
    assert _snapshot() == before


def test_conflicted_evaluator_cannot_open_the_proposal(assigned, client):
    # given the assigned evaluator later declares a conflict (recorded by the PM)
    DeclaredConflict.objects.create(profile=assigned["assignment"].profile, proposal=assigned["proposal"],
                                    kind="declared", reason="가족 관계")
    before = _snapshot()
    client.force_login(assigned["user"])
    # when they open the proposal or post scores
    page = client.get(reverse("evaluation:review", args=[assigned["proposal"].pk]))
    post = client.post(reverse("evaluation:review", args=[assigned["proposal"].pk]),
                       {"action": "submit", f"score-{assigned['criteria'][0].pk}": "90"})
    # then 403 with the reason, nothing changed
    assert (page.status_code, post.status_code) == (403, 403)
    assert "이해충돌 신고: 가족 관계" in page.content.decode()
    assert _snapshot() == before
    with pytest.raises(AccessDenied) as exc:
        pledge_sign(actor=assigned["user"], proposal_id=assigned["proposal"].pk)
    assert exc.value.code == "evaluator_conflicted"


def test_proposal_details_need_the_pledge(assigned, client):
    client.force_login(assigned["user"])
    url = reverse("evaluation:review", args=[assigned["proposal"].pk])
    before = client.get(url)
    assert before.status_code == 200
    assert "lines" not in before.context  # no score sheet, no abstract
    with pytest.raises(AccessDenied) as exc:
        scores_save(actor=assigned["user"], proposal_id=assigned["proposal"].pk, entries=[])
    assert exc.value.code == "pledge_required"
    # when the evaluator signs
    response = client.post(url, {"action": "pledge", "pledge": "yes"})
    assert response.status_code == 302
    assigned["assignment"].refresh_from_db()
    assert assigned["assignment"].pledge_signed_at is not None
    assert AuditEvent.objects.filter(action="assignment.pledge", object_id=str(assigned["assignment"].pk)).count() == 1
    assert len(client.get(url).context["lines"]) == 3


def test_draft_then_submit_locks_the_scores(assigned):
    user, proposal, (c1, c2, c3) = assigned["user"], assigned["proposal"], assigned["criteria"]
    pledge_sign(actor=user, proposal_id=proposal.pk)
    # a draft may leave criteria empty
    scores_save(actor=user, proposal_id=proposal.pk, entries=[{"criterion_id": c1.pk, "score": "80", "comment": "좋음"}])
    # submitting needs every criterion
    with pytest.raises(ValidationFailed) as exc:
        scores_save(actor=user, proposal_id=proposal.pk, entries=[], submit=True)
    assert exc.value.code == "scores_incomplete"
    # out of range is refused
    with pytest.raises(ValidationFailed) as exc:
        scores_save(actor=user, proposal_id=proposal.pk, entries=[{"criterion_id": c2.pk, "score": "101"}])
    assert exc.value.code == "score_out_of_range"
    a = scores_save(actor=user, proposal_id=proposal.pk, submit=True, entries=[
        {"criterion_id": c2.pk, "score": "70", "comment": ""}, {"criterion_id": c3.pk, "score": "90.5", "comment": ""}])
    assert a.status == "submitted"
    assert sorted(Score.objects.filter(assignment=a).values_list("score", flat=True)) == [
        Decimal("70"), Decimal("80"), Decimal("90.5")]
    with pytest.raises(Conflict) as exc:
        scores_save(actor=user, proposal_id=proposal.pk, entries=[{"criterion_id": c1.pk, "score": "10"}])
    assert exc.value.code == "scores_locked"
    assert Score.objects.get(assignment=a, criterion=c1).score == Decimal("80")


def test_score_form_through_the_page(assigned, client):
    user, proposal, criteria = assigned["user"], assigned["proposal"], assigned["criteria"]
    pledge_sign(actor=user, proposal_id=proposal.pk)
    client.force_login(user)
    url = reverse("evaluation:review", args=[proposal.pk])
    data = {"action": "submit"}
    for c, v in zip(criteria, ["80", "70", "90"], strict=True):
        data[f"score-{c.pk}"] = v
        data[f"comment-{c.pk}"] = f"의견 {v}"
    assert client.post(url, data).status_code == 302
    page = client.get(url)
    assert page.context["locked"] is True
    # 40×0.8 + 30×0.7 + 30×0.9
    assert page.context["total"] == Decimal("80")


def test_recusal_withdraws_the_assignment(assigned, client):
    client.force_login(assigned["user"])
    response = client.post(reverse("evaluation:recuse", args=[assigned["proposal"].pk]), {"reason": "공동 특허"})
    assert response.status_code == 302
    assigned["assignment"].refresh_from_db()
    assert assigned["assignment"].status == "withdrawn"
    assert DeclaredConflict.objects.filter(kind="recused", reason="공동 특허").count() == 1
    assert client.get(reverse("evaluation:review", args=[assigned["proposal"].pk])).status_code == 403
