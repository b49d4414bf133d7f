"""The evaluation seed: the pool (from researchers plus outside experts, the demo evaluator included), then a
published panel and a panel left in review, through the app's services; idempotent."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from doyak.evaluation.models import Assignment, Decision, EvaluatorProfile, Panel, Score
from doyak.evaluation.seeding import PANEL_NAME, evaluation_seed

HANGUL = re.compile("[가-힣]")
ZERO = {"evaluator_profiles": 0, "panels": 0, "assignments": 0, "decisions": 0}


def test_seed_fills_the_pool_once(make_organization, make_researcher, make_user):
    org = make_organization()
    researchers = [make_researcher(organization=org, career_stage="senior") for _ in range(12)]
    make_user(role="evaluator", username="evaluator", researcher=researchers[0])
    first = evaluation_seed(scale="demo", seed=7)
    # 120 wanted: 10 outside experts, and all 12 researchers (the demo evaluator's own entry among them);
    # no "pm" login, so no panel
    assert first == {**ZERO, "evaluator_profiles": 22}
    assert EvaluatorProfile.objects.filter(user__username="evaluator", researcher=researchers[0]).count() == 1
    assert EvaluatorProfile.objects.filter(researcher=None, is_economic_expert=True).count() == 10
    assert evaluation_seed(scale="demo", seed=7) == ZERO
    assert EvaluatorProfile.objects.count() == 22
    assert not Panel.objects.exists()


@pytest.fixture
def year(make_organization, make_researcher, make_user, make_call, make_proposal):
    """A "pm" and an "evaluator" login, 24 senior researchers for the pool, two closed calls with three and
    two submitted proposals, an open call with one."""
    researchers = [make_researcher(organization=make_organization(), career_stage="senior",
                                   expertise_keywords=["이차전지", "양극재"]) for _ in range(24)]
    make_user(role="program_manager", username="pm")
    make_user(role="evaluator", username="evaluator", researcher=researchers[0])
    now = timezone.now()
    closed = {"status": "closed", "opens_at": now - dt.timedelta(days=90), "closes_at": now - dt.timedelta(days=30)}
    first, second = make_call(**closed), make_call(**closed)
    proposals = [make_proposal(call=first, status="submitted", keywords=["이차전지"]) for _ in range(3)]
    proposals += [make_proposal(call=second, status="submitted", keywords=["양극재"]) for _ in range(2)]
    make_proposal(call=make_call(), status="submitted")
    return {"first": first, "second": second, "proposals": proposals}


def test_seed_runs_a_program_years_evaluation_once(year):
    first = evaluation_seed(scale="demo", seed=7)
    assert first["panels"] == 2 and first["decisions"] == 3
    published = Panel.objects.get(call=year["first"])
    in_review = Panel.objects.get(call=year["second"])
    assert published.name == in_review.name == PANEL_NAME
    # the closed call with the most proposals: every evaluator pledged and submitted, decisions published
    assert published.stage == "published"
    assert set(published.assignments.values_list("status", flat=True)) == {"submitted"}
    assert not published.assignments.filter(pledge_signed_at=None).exists()
    assert published.runs.get().status == "done"
    decisions = list(Decision.objects.filter(panel=published).order_by("rank"))
    assert [d.rank for d in decisions] == [1, 2, 3]
    assert all(Decimal(50) <= d.score <= Decimal(95) and d.evaluator_count == 5 for d in decisions)
    assert decisions[0].score > decisions[-1].score
    assert all(len(d.comments) == 15 and all(HANGUL.search(c["comment"]) for c in d.comments) for d in decisions), \
        decisions[0].comments
    # publishing decides pass or fail, never selection; it was published before the appeal window closed
    assert {p.status for p in published.proposals.all()} <= {"evaluated", "not_selected"}
    assert published.proposals.filter(status="evaluated").exists()
    assert all(d.appeal_until < timezone.localdate() for d in decisions)
    scores = Score.objects.filter(assignment__panel=published)
    assert scores.count() == 15 * 3
    assert all(Decimal(40) <= s.score <= Decimal(98) for s in scores)
    # the next closed call stays in review; the demo evaluator has work waiting, pledge unsigned
    assert in_review.stage == "scoring"
    waiting = Assignment.objects.filter(panel=in_review, profile__user__username="evaluator")
    assert waiting.count() == 2
    assert set(waiting.values_list("status", flat=True)) == {"assigned"}
    assert not waiting.exclude(pledge_signed_at=None).exists()
    assert in_review.assignments.filter(status="submitted").exists()
    assert in_review.assignments.filter(status="assigned").count() > 2
    assert {p.status for p in in_review.proposals.all()} == {"under_review"}
    # a second run adds nothing
    counts = (Panel.objects.count(), Assignment.objects.count(), Score.objects.count(), Decision.objects.count())
    assert evaluation_seed(scale="demo", seed=7) == ZERO
    assert (Panel.objects.count(), Assignment.objects.count(), Score.objects.count(),
            Decision.objects.count()) == counts


def test_proposal_detail_links_to_its_published_decision(year, client):
    from doyak.accounts.models import User

    evaluation_seed(scale="demo", seed=7)
    client.force_login(User.objects.get(username="pm"))
    decided, in_review = year["proposals"][0], year["proposals"][3]
    body = client.get(f"/proposals/{decided.pk}/").content.decode()
    assert f'href="/evaluation/decisions/{decided.pk}/" id="proposal-decision"' in body
    assert client.get(f"/evaluation/decisions/{decided.pk}/").status_code == 200
    assert 'id="proposal-decision"' not in client.get(f"/proposals/{in_review.pk}/").content.decode()


def test_seed_scores_spread_around_the_cutoff(year):
    evaluation_seed(scale="demo", seed=7)
    totals = sorted(Decision.objects.values_list("score", flat=True))
    assert totals[-1] - totals[0] >= 10  # proposals differ
    assert len(set(Score.objects.values_list("score", flat=True))) > 5  # evaluators and criteria differ


def test_seed_national_scale_forms_one_panel(year):
    evaluation_seed(scale="national", seed=7)
    assert list(Panel.objects.values_list("call_id", "stage")) == [(year["first"].pk, "published")]
