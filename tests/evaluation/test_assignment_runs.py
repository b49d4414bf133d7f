"""The background assignment: progress, stored assignments, idempotent re-runs, infeasibility, manual changes."""

from __future__ import annotations

import pytest

from doyak.core.errors import Conflict
from doyak.core.models import AuditEvent
from doyak.evaluation.models import Assignment, AssignmentRun, DeclaredConflict
from doyak.evaluation.services import assignment_add, assignment_run_execute, assignment_withdraw


def _pairs(panel):
    return sorted(Assignment.objects.filter(panel=panel).exclude(status="withdrawn")
                  .values_list("proposal__reference", "profile__name", "source"))


def test_panel_moves_submitted_proposals_under_review(review_setup):
    assert {p.status for p in review_setup["panel"].proposals.all()} == {"under_review"}
    assert review_setup["panel"].per_proposal == 3


def test_run_assigns_k_per_proposal_with_two_economic_experts(review_setup, run_assignment):
    # when the PM runs the assignment
    panel = review_setup["panel"]
    run = run_assignment(actor=review_setup["pm"], panel=panel)
    # then it finished with every proposal holding 3 evaluators, both economic experts on each
    assert (run.status, run.progress, run.proposal_count, run.evaluator_count, run.assigned_count) == (
        "done", 100, 3, 8, 9)
    experts = {p.pk for p in review_setup["profiles"][6:]}
    for proposal in review_setup["proposals"]:
        chosen = Assignment.objects.filter(panel=panel, proposal=proposal)
        assert chosen.count() == 3
        assert {a.profile_id for a in chosen} & experts == experts
    # and the battery expert sits on the battery proposal (the best affinity)
    battery = review_setup["proposals"][0]
    assert Assignment.objects.filter(proposal=battery, profile=review_setup["profiles"][0]).exists()
    assert run.min_proposal_affinity > 0
    assert AuditEvent.objects.filter(action="assignment_run.done", object_id=str(run.pk)).count() == 1


def test_rerunning_a_run_replaces_its_assignments_and_keeps_manual_ones(review_setup, run_assignment):
    # given a finished run
    panel = review_setup["panel"]
    run = run_assignment(actor=review_setup["pm"], panel=panel)
    before = _pairs(panel)
    ids_before = set(Assignment.objects.filter(panel=panel).values_list("id", flat=True))
    # when the same run executes again (a worker retry)
    again = assignment_run_execute(run_id=run.pk)
    # then the result is the same pairs, stored anew, all from that run
    assert again.status == "done"
    assert _pairs(panel) == before
    assert set(Assignment.objects.filter(panel=panel).values_list("run_id", flat=True)) == {run.pk}
    assert ids_before.isdisjoint(Assignment.objects.filter(panel=panel).values_list("id", flat=True))
    # and given a manual assignment, a new run keeps it and does not assign that evaluator twice
    proposal = review_setup["proposals"][0]
    spare = next(p for p in review_setup["profiles"][:6]
                 if not Assignment.objects.filter(panel=panel, proposal=proposal, profile=p).exists())
    manual = assignment_add(actor=review_setup["pm"], panel_id=panel.pk, proposal_id=proposal.pk, profile_id=spare.pk)
    second = run_assignment(actor=review_setup["pm"], panel=panel)
    assert second.status == "done"
    assert Assignment.objects.filter(pk=manual.pk, source="manual", status="assigned").exists()
    assert Assignment.objects.filter(panel=panel, proposal=proposal, profile=spare).count() == 1
    assert Assignment.objects.filter(panel=panel, proposal=proposal, source="auto").count() == 3


def test_infeasible_run_fails_with_the_reasons(review_setup, run_assignment):
    # given every economic expert is unavailable (inactive)
    for profile in review_setup["profiles"][6:]:
        profile.active = False
        profile.save()
    run = run_assignment(actor=review_setup["pm"], panel=review_setup["panel"])
    assert run.status == "failed"
    assert run.progress == 100
    assert run.problems  # the engine's explanation, one line each
    assert Assignment.objects.filter(panel=review_setup["panel"]).count() == 0


def test_second_start_while_running_is_refused(review_setup):
    from doyak.evaluation.services import assignment_run_start

    assignment_run_start(actor=review_setup["pm"], panel_id=review_setup["panel"].pk)  # stays queued (no commit)
    with pytest.raises(Conflict) as exc:
        assignment_run_start(actor=review_setup["pm"], panel_id=review_setup["panel"].pk)
    assert exc.value.code == "assignment_run_active"
    assert AssignmentRun.objects.count() == 1


def test_manual_assignment_of_a_conflicted_evaluator_is_refused_with_the_reason(review_setup, make_researcher,
                                                                              make_profile):
    # given an evaluator from the lead organisation of the first proposal
    proposal = review_setup["proposals"][0]
    insider = make_profile(researcher=make_researcher(organization=proposal.lead_organization, department="영업팀"),
                           name="내부자")
    # when the PM assigns them by hand
    with pytest.raises(Conflict) as exc:
        assignment_add(actor=review_setup["pm"], panel_id=review_setup["panel"].pk, proposal_id=proposal.pk,
                       profile_id=insider.pk)
    # then it is refused, naming the reason, and nothing is stored
    assert exc.value.code == "assignment_conflict"
    assert "동일 기관" in exc.value.message
    assert not Assignment.objects.filter(profile=insider).exists()


def test_manual_add_and_withdraw(review_setup, run_assignment):
    panel = review_setup["panel"]
    run_assignment(actor=review_setup["pm"], panel=panel)
    proposal = review_setup["proposals"][0]
    off = Assignment.objects.filter(panel=panel, proposal=proposal).exclude(
        profile__in=review_setup["profiles"][6:]).first()
    spare = next(p for p in review_setup["profiles"][:6]
                 if not Assignment.objects.filter(panel=panel, proposal=proposal, profile=p).exists())
    assignment_withdraw(actor=review_setup["pm"], assignment_id=off.pk)
    added = assignment_add(actor=review_setup["pm"], panel_id=panel.pk, proposal_id=proposal.pk, profile_id=spare.pk)
    assert (added.source, added.status) == ("manual", "assigned")
    assert Assignment.objects.filter(panel=panel, proposal=proposal).exclude(status="withdrawn").count() == 3
    # a declared conflict later ends the open assignment
    from doyak.evaluation.services import conflict_declare

    conflict_declare(actor=review_setup["pm"], profile_id=spare.pk, proposal_id=proposal.pk, kind="challenged",
                     reason="경쟁사 자문")
    added.refresh_from_db()
    assert added.status == "withdrawn"
    assert DeclaredConflict.objects.filter(profile=spare, proposal=proposal, kind="challenged").count() == 1


def test_assignment_run_whose_worker_died_is_run_again_with_the_same_pairs(review_setup, run_assignment,
                                                                          django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    from doyak.core import runs
    from doyak.evaluation import services

    # given a clean run's pairs, and a second run whose worker took it, reported progress and died
    panel = review_setup["panel"]
    run_assignment(actor=review_setup["pm"], panel=panel)
    clean = _pairs(panel)
    run = services.assignment_run_start(actor=review_setup["pm"], panel_id=panel.pk)  # queued, not executed
    runs.worker_id_set("dead-host:7")
    try:
        assert runs.lease_acquire(run)
        services._progress(run.pk, 10, "Loaded", status="running")
    finally:
        runs.worker_id_set(None)
    run.refresh_from_db()
    # when a live worker checks once the lease expired
    with django_capture_on_commit_callbacks(execute=True):
        recovered = runs.runs_recover(now=run.lease_expires_at + dt.timedelta(seconds=1))
    run.refresh_from_db()
    # then the run was done again from the start: the same pairs, all from it, nothing twice
    assert [(r.kind, r.pk) for r in recovered] == [("assignment_run", run.pk)]
    assert (run.status, run.progress, run.lease_owner) == ("done", 100, "")
    assert _pairs(panel) == clean
    assert set(Assignment.objects.filter(panel=panel).values_list("run_id", flat=True)) == {run.pk}
    [note] = run.recoveries
    assert (note["worker"], note["resumed_by"]) == ("dead-host:7", runs.worker_id())
    assert AuditEvent.objects.filter(action="assignment_run.recovered", object_id=str(run.pk),
                                     actor_label="system").count() == 1
    assert run.finished_at <= timezone.now()


def test_two_live_workers_that_saw_the_same_dead_run_recover_it_once(review_setup):
    import datetime as dt

    from doyak.core import runs
    from doyak.evaluation import services
    from doyak.evaluation.models import AssignmentRun

    # given a run whose worker took it and died, seen stale by two live workers before either took its lock
    run = services.assignment_run_start(actor=review_setup["pm"], panel_id=review_setup["panel"].pk)
    runs.worker_id_set("dead-host:7")
    try:
        assert runs.lease_acquire(run)
    finally:
        runs.worker_id_set(None)
    run.refresh_from_db()
    later = run.lease_expires_at + dt.timedelta(seconds=1)
    kind = next(k for k in runs.run_kinds() if k.model is AssignmentRun)
    # when each recovers it in turn (the second waited on the first's lock)
    first = runs._recover_one(kind=kind, pk=run.pk, now=later, owner="dead-host:7")
    second = runs._recover_one(kind=kind, pk=run.pk, now=later, owner="dead-host:7")
    run.refresh_from_db()
    # then it was queued again once: one recovery note, one audit event
    assert (first is not None, second) == (True, None)
    assert [note["worker"] for note in run.recoveries] == ["dead-host:7"]
    assert AuditEvent.objects.filter(action="assignment_run.recovered", object_id=str(run.pk)).count() == 1
