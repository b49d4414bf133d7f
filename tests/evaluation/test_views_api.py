"""Screens and API: PM pages render, the run's progress fragment, API rules and stable error codes."""

from __future__ import annotations

import json

from django.urls import reverse

from doyak.evaluation.models import Assignment, EvaluatorProfile


def test_pm_screens_render(review_setup, run_assignment, client):
    run = run_assignment(actor=review_setup["pm"], panel=review_setup["panel"])
    client.force_login(review_setup["pm"])
    panel, call, proposal = review_setup["panel"], review_setup["call"], review_setup["proposals"][0]
    assert client.get(reverse("evaluation:home")).url == reverse("evaluation:calls")
    for url in [reverse("evaluation:calls"), reverse("evaluation:call", args=[call.pk]),
                reverse("evaluation:panel", args=[panel.pk]), reverse("evaluation:results", args=[panel.pk]),
                reverse("evaluation:pool"), reverse("evaluation:pool_add"), reverse("evaluation:appeals"),
                reverse("evaluation:conflicts", args=[proposal.pk])]:
        assert client.get(url).status_code == 200, url
    fragment = client.get(reverse("evaluation:run_progress", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert "100" in fragment.content.decode()
    assert "hx-trigger" not in fragment.content.decode()  # finished: no more polling


def test_evaluator_cannot_open_pm_screens(review_setup, client):
    client.force_login(review_setup["evaluator_user"])
    assert client.get(reverse("evaluation:home")).url == reverse("evaluation:assignments")
    assert client.get(reverse("evaluation:panel", args=[review_setup["panel"].pk])).status_code == 403
    assert client.get(reverse("evaluation:pool")).status_code == 403


def test_evaluator_opts_in_through_the_profile_page(client, make_user, make_organization, make_researcher):
    researcher = make_researcher(organization=make_organization(), expertise_keywords=["수소"],
                                 technology_codes=["EI0101"])
    user = make_user(role="evaluator", researcher=researcher)
    client.force_login(user)
    response = client.post(reverse("evaluation:profile"), {
        "keywords": "수소, 연료전지", "technology_codes": "ei0101", "expertise_text": "수소 저장",
        "is_economic_expert": "", "max_load": "4", "available_from": "", "available_to": "", "active": "on"})
    assert response.status_code == 302
    profile = EvaluatorProfile.objects.get(user=user)
    assert (profile.researcher_id, profile.keywords, profile.technology_codes, profile.max_load) == (
        researcher.pk, ["수소", "연료전지"], ["EI0101"], 4)


def test_api_run_and_progress(review_setup, client, django_capture_on_commit_callbacks):
    client.force_login(review_setup["pm"])
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"/api/v1/evaluation/panels/{review_setup['panel'].pk}/runs",
                              data=json.dumps({"objective": "fair"}), content_type="application/json")
    assert started.status_code == 202
    run_id = started.json()["id"]
    progress = client.get(f"/api/v1/evaluation/runs/{run_id}").json()
    assert (progress["status"], progress["progress"], progress["assigned_count"]) == ("done", 100, 9)
    results = client.get(f"/api/v1/evaluation/panels/{review_setup['panel'].pk}/results").json()
    assert (results["rule"], results["submitted"], results["expected"]) == ("trimmed_mean", 0, 9)


def test_api_evaluator_sees_own_assignments_and_conflict_code(review_setup, run_assignment, client):
    run_assignment(actor=review_setup["pm"], panel=review_setup["panel"])
    user = review_setup["evaluator_user"]
    client.force_login(user)
    mine = client.get("/api/v1/evaluation/assignments").json()["items"]
    assert len(mine) == Assignment.objects.filter(profile__user=user).count() == 3
    assert client.get(f"/api/v1/evaluation/runs/{review_setup['panel'].runs.first().pk}").json()["code"] == (
        "evaluation_forbidden")
    proposal = review_setup["proposals"][0]
    from doyak.evaluation.models import DeclaredConflict

    DeclaredConflict.objects.create(profile=user.evaluator_profile, proposal=proposal, kind="declared")
    denied = client.post(f"/api/v1/evaluation/assignments/{proposal.pk}/pledge")
    assert (denied.status_code, denied.json()["code"]) == (403, "evaluator_conflicted")
    assert not Assignment.objects.filter(profile__user=user).exclude(pledge_signed_at=None).exists()


def test_api_conflicts_of_a_proposal(review_setup, client, make_researcher, make_profile):
    proposal = review_setup["proposals"][1]
    insider = make_profile(researcher=make_researcher(organization=proposal.lead_organization, department="연구소"))
    client.force_login(review_setup["pm"])
    rows = client.get(f"/api/v1/evaluation/proposals/{proposal.pk}/conflicts").json()["items"]
    assert sorted((r["profile_id"], r["code"]) for r in rows) == [
        (insider.pk, "same_department"), (insider.pk, "same_organization")]
