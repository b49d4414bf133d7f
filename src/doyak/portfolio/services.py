"""Writes of the portfolio app. Each service is atomic, takes the acting user, checks ``rules``, writes an
audit event and raises a ``DoyakError`` subclass with a stable code. None sees the HTTP request."""

from __future__ import annotations

import logging
import statistics
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doyak.accounts.rules import SYSTEM, Actor
from doyak.calls.models import Call
from doyak.core.audit import audit_record
from doyak.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from doyak.core.labels import audit_actions_register
from doyak.core.runs import LeaseLost, lease_acquire, lease_assert_held, lease_release
from doyak.engine.portfolio import (
    BUDGET,
    RESERVED_NAMES,
    PortfolioInfeasible,
    PortfolioInvalid,
    PortfolioNotProven,
    explanation_to_markdown,
    portfolio_explain,
    portfolio_select,
)
from doyak.engine.portfolio_policy import policy_parse
from doyak.engine.regions import region_group_of
from doyak.evaluation.enums import AppealStatus
from doyak.programs.models import Program
from doyak.proposals.services import proposal_transition
from doyak.proposals.workflow import Owner

from .enums import EDITABLE_STATUSES, ScenarioScope, ScenarioStatus
from .models import Scenario, Selection
from .prefill import scenario_policy_prefill
from .rules import can_approve_scenarios, can_edit_scenarios
from .selectors import (
    REGION_GROUP_ORDER,
    candidate_proposals,
    candidates_fingerprint,
    scope_decisions,
    scope_proposals,
)

AUDIT_ACTIONS = audit_actions_register({
    "portfolio.scenario_create": gettext_lazy("Portfolio scenario created"),
    "portfolio.scenario_update": gettext_lazy("Portfolio scenario's policy changed"),
    "portfolio.scenario_delete": gettext_lazy("Portfolio scenario deleted"),
    "portfolio.scenario_solve": gettext_lazy("Portfolio scenario sent to the solver"),
    "portfolio.scenario_solved": gettext_lazy("Portfolio scenario solved"),
    "portfolio.scenario_failed": gettext_lazy("Portfolio scenario could not be solved"),
    "portfolio.scenario_submit": gettext_lazy("Portfolio scenario submitted for approval"),
    "portfolio.scenario_withdraw": gettext_lazy("Portfolio scenario withdrawn from approval"),
    "portfolio.scenario_approve": gettext_lazy("Portfolio scenario approved and applied"),
})

logger = logging.getLogger(__name__)

# Technical limits of one background solve (not policy numbers): the engine proves optimality within
# the gap or reports "not proven".
SOLVE_TIME_LIMIT_S = 60.0
EXPLAIN_TIME_LIMIT_S = 60.0
MIP_REL_GAP = 1e-4


class ScenarioNotEditable(Conflict):
    code = "scenario_not_editable"


def _require_editor(actor: Actor) -> None:
    if not can_edit_scenarios(actor):
        raise AccessDenied(_("Only program managers and administrators change portfolio scenarios."),
                           code="portfolio_forbidden")


def _locked(scenario_id: int) -> Scenario:
    scenario = Scenario.objects.select_for_update().filter(pk=scenario_id).first()
    if scenario is None:
        raise NotFound(_("No such scenario."), code="scenario_not_found")
    return scenario


def policy_check(policy: Any) -> dict:
    """The policy as stored (``doyak select``'s schema); raises ``ValidationFailed`` naming the key."""
    try:
        policy_parse(policy, where="policy")
    except PortfolioInvalid as error:
        raise ValidationFailed(str(error), code="policy_invalid", field="policy") from None
    return policy


def _scope(*, program_id: int, year: int | None, call_id: int | None) -> tuple[Program, int, Call | None]:
    call = None
    if call_id:
        call = Call.objects.select_related("program").filter(pk=call_id).first()
        if call is None:
            raise NotFound(_("No such call."), code="call_not_found", field="call")
        program = call.program
        year = program.year
    else:
        program = Program.objects.filter(pk=program_id).first()
        if program is None:
            raise NotFound(_("No such program."), code="program_not_found", field="program")
        year = year or program.year
    return program, int(year), call


@transaction.atomic
def scenario_create(*, actor: Actor, name: str, program_id: int | None = None, year: int | None = None,
                    call_id: int | None = None, policy: dict | None = None) -> Scenario:
    """A new draft scenario for a call or a program year; without ``policy`` it is pre-filled from the plan."""
    _require_editor(actor)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the scenario a name."), code="scenario_name_missing", field="name")
    if not call_id and not program_id:
        raise ValidationFailed(_("Choose a call or a program."), code="scenario_scope_missing", field="program")
    program, year, call = _scope(program_id=program_id or 0, year=year, call_id=call_id)
    notes: list[str] = []
    if policy is None:
        policy, notes = scenario_policy_prefill(program=program, year=year, call=call)
    policy_check(policy)
    scenario = Scenario.objects.create(
        name=name[:120], scope=ScenarioScope.CALL if call else ScenarioScope.PROGRAM_YEAR, program=program,
        year=year, call=call, scope_key=Scenario.scope_key_for(program_id=program.pk, year=year,
                                                               call_id=call.pk if call else None),
        policy=policy, prefill_notes=notes, created_by=actor if getattr(actor, "pk", None) else None)
    audit_record(actor=actor, action="portfolio.scenario_create", obj=scenario,
                 changes={"scope": scenario.scope_key, "policy": policy})
    return scenario


@transaction.atomic
def scenario_update(*, actor: Actor, scenario_id: int, name: str | None = None, policy: dict | None = None) -> Scenario:
    """Rename or change the policy; a changed policy clears the result (the scenario is a draft again)."""
    _require_editor(actor)
    scenario = _locked(scenario_id)
    if scenario.status not in EDITABLE_STATUSES:
        raise ScenarioNotEditable(_("A scenario that is %(status)s cannot be changed.")
                                  % {"status": scenario.get_status_display()})
    changes: dict[str, Any] = {}
    if name is not None:
        name = name.strip()
        if not name:
            raise ValidationFailed(_("Give the scenario a name."), code="scenario_name_missing", field="name")
        if name != scenario.name:
            changes["name"] = [scenario.name, name]
            scenario.name = name[:120]
    if policy is not None and policy != scenario.policy:
        policy_check(policy)
        changes["policy"] = [scenario.policy, policy]
        scenario.policy = policy
        scenario.status, scenario.result, scenario.explanation_md = ScenarioStatus.DRAFT, {}, ""
        scenario.error, scenario.solved_at = {}, None
    if changes:
        scenario.save()
        audit_record(actor=actor, action="portfolio.scenario_update", obj=scenario, changes=changes)
    return scenario


@transaction.atomic
def scenario_delete(*, actor: Actor, scenario_id: int) -> None:
    _require_editor(actor)
    scenario = _locked(scenario_id)
    if scenario.status not in EDITABLE_STATUSES:
        raise ScenarioNotEditable(_("A scenario that is %(status)s cannot be deleted.")
                                  % {"status": scenario.get_status_display()})
    audit_record(actor=actor, action="portfolio.scenario_delete", obj=scenario, changes={"name": scenario.name})
    scenario.delete()


@transaction.atomic
def scenario_solve_request(*, actor: Actor, scenario_id: int) -> Scenario:
    """Queue the solve (django-tasks); the task stores the result or the reason there is none."""
    _require_editor(actor)
    scenario = _locked(scenario_id)
    if scenario.status not in EDITABLE_STATUSES:
        raise ScenarioNotEditable(_("A scenario that is %(status)s cannot be solved again.")
                                  % {"status": scenario.get_status_display()})
    scenario.status, scenario.error = ScenarioStatus.SOLVING, {}
    scenario.save(update_fields=["status", "error", "updated_at"])
    audit_record(actor=actor, action="portfolio.scenario_solve", obj=scenario)
    transaction.on_commit(lambda: _enqueue(scenario.pk))
    return scenario


def _enqueue(scenario_id: int) -> None:
    from .tasks import scenario_solve_task

    scenario_solve_task.enqueue(scenario_id=scenario_id)


def scenario_solve_requeue(scenario: Scenario) -> None:
    """Queue the solve of a scenario whose worker stopped again; solving is deterministic and stores its
    result only while the scenario is still solving, so a re-run replaces. ``scenario`` is locked."""
    scenario.lease_owner, scenario.lease_expires_at = "", None
    scenario.save(update_fields=["lease_owner", "lease_expires_at"])
    transaction.on_commit(lambda: _enqueue(scenario.pk))


def scenario_solve_execute(*, scenario_id: int) -> Scenario:
    """Run the engine on the scenario's candidates and store the result exactly (the background task)."""
    scenario = Scenario.objects.select_related("program", "call").get(pk=scenario_id)
    if scenario.status != ScenarioStatus.SOLVING:
        return scenario
    if not lease_acquire(scenario):  # a live worker is solving it (a duplicate task): leave it to that worker
        return scenario
    try:
        return _solve(scenario)
    except LeaseLost:  # our lease expired and another worker took the solve over: it stores the result
        logger.warning("scenario %s solve was taken over by another worker", scenario_id)
        scenario.refresh_from_db()
        return scenario
    except Exception:
        lease_release(scenario)
        raise


def _solve(scenario: Scenario) -> Scenario:
    scenario_id = scenario.pk
    pairs = candidate_proposals(program=scenario.program, year=scenario.year, call=scenario.call)
    candidates = [c for c, _e in pairs]
    rows = [e for _c, e in pairs]
    result: dict[str, Any] = {}
    explanation_md = ""
    error: dict[str, Any] = {}
    try:
        policy = policy_parse(scenario.policy, where="policy")
        if not rows:
            raise ValidationFailed(_("No proposal of this scope has passed evaluation and waits for selection."),
                                   code="portfolio_no_candidates")
        chosen = portfolio_select(proposals=rows, policy=policy, time_limit_s=SOLVE_TIME_LIMIT_S,
                                  mip_rel_gap=MIP_REL_GAP)
        explanation = portfolio_explain(proposals=rows, policy=policy, result=chosen, near_line=len(rows),
                                        time_limit_s=EXPLAIN_TIME_LIMIT_S, mip_rel_gap=MIP_REL_GAP, workers=1)
        result = result_summary(candidates=candidates, policy=policy, explanation=explanation)
        explanation_md = explanation_to_markdown(explanation)
    except PortfolioInfeasible as exc:
        error = {"code": exc.code, "message": str(exc), "conflicting": list(exc.conflicting),
                 "conflicting_bounds": [list(b) for b in exc.conflicting_bounds]}
    except PortfolioNotProven as exc:
        error = {"code": exc.code, "message": str(exc), "gap": exc.gap}
    except PortfolioInvalid as exc:
        error = {"code": "policy_invalid", "message": str(exc)}
    except ValidationFailed as exc:
        error = {"code": exc.code, "message": str(exc.message)}
    with transaction.atomic():
        scenario = _locked(scenario_id)
        if scenario.status != ScenarioStatus.SOLVING:  # edited meanwhile: the result is stale
            lease_release(scenario)
            return scenario
        lease_assert_held(scenario)
        scenario.lease_owner, scenario.lease_expires_at = "", None
        scenario.result, scenario.explanation_md, scenario.error = result, explanation_md, error
        scenario.status = ScenarioStatus.SOLVED if result else ScenarioStatus.DRAFT
        scenario.solved_at = timezone.now() if result else None
        scenario.save()
        audit_record(actor=SYSTEM, action="portfolio.scenario_solved" if result else "portfolio.scenario_failed",
                     obj=scenario, changes={"funded_count": result.get("funded_count"), "error": error.get("code")})
    return scenario


def result_summary(*, candidates, policy, explanation) -> dict[str, Any]:
    """What a scenario keeps of an engine run: exact money (integer won), counts, prices."""
    r = explanation.result
    chosen = [c for c, picked in zip(candidates, r.selected, strict=True) if picked]
    budget_by_group = {g: 0 for g in REGION_GROUP_ORDER}
    count_by_group = {g: 0 for g in REGION_GROUP_ORDER}
    for c in chosen:
        group = region_group_of(c.region)
        budget_by_group[group] += c.cost
        count_by_group[group] += 1
    constraints = []
    for report in explanation.constraints:
        constraints.append({
            "name": report.name, "group": report.group, "binding": report.binding, "price": report.price,
            "price_low": report.price_low, "price_high": report.price_high,
            "price_share": (report.price / r.objective) if report.price is not None and r.objective else None,
            "bounds": [{"kind": b.kind, "description": b.description, "achieved": b.achieved, "slack": b.slack,
                        "binding": b.binding} for b in report.bounds],
        })
    by_engine_id = {str(c.pk): c.pk for c in candidates}
    reasons = {str(by_engine_id[reason.proposal_id]): {
        "because": [e for e in reason.because if e not in RESERVED_NAMES], "budget": BUDGET in reason.because}
        for reason in explanation.near_line if not reason.funded and reason.proposal_id in by_engine_id}
    # the constraints without which a selected proposal would be left out (its reason on the scenario page)
    funded_reasons = {str(by_engine_id[reason.proposal_id]): [e for e in reason.because if e not in RESERVED_NAMES]
                      for reason in explanation.near_line if reason.funded and reason.proposal_id in by_engine_id}
    return {
        "selected_ids": [c.pk for c in chosen],
        "candidates": candidates_fingerprint(candidates),
        "reasons": reasons,
        "funded_reasons": funded_reasons,
        "objective": r.objective,
        "dual_bound": r.dual_bound,
        "gap": r.mip_gap,
        "funded_count": r.funded_count,
        "budget": policy.budget,
        "budget_used": r.budget_used,
        "mean_score": round(statistics.fmean(c.score for c in chosen), 2) if chosen else None,
        "budget_by_group": budget_by_group,
        "count_by_group": count_by_group,
        "candidate_count": explanation.proposal_count,
        "eligible_count": explanation.eligible_count,
        "constraints": constraints,
        "seconds": round(r.seconds + explanation.seconds, 3),
    }


@transaction.atomic
def scenario_submit(*, actor: Actor, scenario_id: int) -> Scenario:
    """Submit a solved scenario for approval; a scope holds one submitted (or approved) scenario at a time."""
    _require_editor(actor)
    scenario = _locked(scenario_id)
    if scenario.status != ScenarioStatus.SOLVED:
        raise Conflict(_("Only a solved scenario can be submitted for approval."), code="scenario_not_solved")
    other = (Scenario.objects.filter(scope_key=scenario.scope_key,
                                     status__in=[ScenarioStatus.SUBMITTED, ScenarioStatus.APPROVED])
             .exclude(pk=scenario.pk).first())
    if other is not None:
        raise Conflict(_("“%(name)s” is already submitted for this scope.") % {"name": other.name},
                       code="scenario_already_submitted")
    scenario.status, scenario.submitted_at = ScenarioStatus.SUBMITTED, timezone.now()
    try:
        with transaction.atomic():
            scenario.save(update_fields=["status", "submitted_at", "updated_at"])
    except IntegrityError:
        raise Conflict(_("Another scenario was submitted for this scope."), code="scenario_already_submitted") from None
    audit_record(actor=actor, action="portfolio.scenario_submit", obj=scenario,
                 changes={"status": [ScenarioStatus.SOLVED, ScenarioStatus.SUBMITTED],
                          "selected_ids": scenario.result.get("selected_ids", [])})
    return scenario


@transaction.atomic
def scenario_withdraw(*, actor: Actor, scenario_id: int) -> Scenario:
    """Take a submitted scenario back (solved again), e.g. to submit another."""
    _require_editor(actor)
    scenario = _locked(scenario_id)
    if scenario.status != ScenarioStatus.SUBMITTED:
        raise Conflict(_("Only a submitted scenario can be withdrawn."), code="scenario_not_submitted")
    scenario.status, scenario.submitted_at = ScenarioStatus.SOLVED, None
    scenario.save(update_fields=["status", "submitted_at", "updated_at"])
    audit_record(actor=actor, action="portfolio.scenario_withdraw", obj=scenario,
                 changes={"status": [ScenarioStatus.SUBMITTED, ScenarioStatus.SOLVED]})
    return scenario


def _approval_blockers(scenario: Scenario, *, now) -> None:
    """Refuse the approval while any decision of the scope may still change: an appeal unanswered, or an
    appeal window still open (an upheld appeal can make a proposal a candidate)."""
    today = timezone.localdate(now)
    waiting, open_until = [], []
    for decision in scope_decisions(program=scenario.program, year=scenario.year, call=scenario.call):
        appeal = getattr(decision.proposal, "evaluation_appeal", None)
        if appeal is not None:
            if appeal.status == AppealStatus.FILED:
                waiting.append(decision.proposal.reference)
        elif today <= decision.appeal_until:
            open_until.append(decision.appeal_until)
    if waiting:
        raise Conflict(_("Answer the appeals of %(refs)s before approving: an upheld appeal can change the "
                         "candidates.") % {"refs": ", ".join(waiting[:5]) + (" …" if len(waiting) > 5 else "")},
                       code="scenario_appeals_pending")
    if open_until:
        raise Conflict(_("The appeal window is open until %(date)s; approve after it closes.")
                       % {"date": max(open_until).isoformat()}, code="scenario_appeal_window_open")


def _refuse_unapprovable(scenario: Scenario) -> None:
    if scenario.status == ScenarioStatus.APPROVED:
        raise Conflict(_("This scenario is already approved."), code="scenario_approved")
    if scenario.status == ScenarioStatus.DRAFT and scenario.error:
        raise Conflict(_("This scenario has no selection to approve: %(why)s")
                       % {"why": scenario.error.get("message", "")}, code="scenario_infeasible")
    if scenario.status != ScenarioStatus.SUBMITTED:
        raise Conflict(_("Only a submitted scenario can be approved."), code="scenario_not_submitted")


@transaction.atomic
def scenario_approve(*, actor: Actor, scenario_id: int, now=None) -> Scenario:
    """Approve a submitted scenario and apply it, in one transaction: each candidate that passed evaluation
    is selected or not selected (with the scenario's reason), and each selected proposal gets its agreement
    draft with the approved funds. E-mails go out on commit.

    Refused, changing nothing, when the scenario is not submitted or has no feasible selection, when the
    scope already has an approved scenario, while an appeal is unanswered or its window open, and when the
    candidates changed after solving (re-solve it then). ``now``: the moment of approval (default: now).
    """
    from doyak.agreements.services import agreement_create_from_proposal

    if not can_approve_scenarios(actor):
        raise AccessDenied(_("Only administrators approve a portfolio scenario."), code="portfolio_forbidden")
    scenario = _locked(scenario_id)
    _refuse_unapprovable(scenario)
    now = now or timezone.now()
    pairs = candidate_proposals(program=scenario.program, year=scenario.year, call=scenario.call)
    candidates = [c for c, _e in pairs]
    decided = (Selection.objects.filter(proposal__in=scope_proposals(program=scenario.program, year=scenario.year,
                                                                     call=scenario.call))
               .select_related("scenario").first())
    if decided is not None:
        raise Conflict(_("“%(name)s” is already approved for these proposals; a second scenario is not approved.")
                       % {"name": decided.scenario.name}, code="scenario_scope_decided")
    _approval_blockers(scenario, now=now)
    if candidates_fingerprint(candidates) != scenario.result.get("candidates"):
        raise Conflict(_("The candidates changed after this scenario was solved (a score, the funds or the list "
                         "of proposals that passed): solve it again before approving."), code="scenario_stale")
    chosen = set(scenario.result.get("selected_ids", []))
    reasons = scenario.result.get("reasons", {})
    agreements = []
    for c in candidates:
        selected = c.pk in chosen
        why = reasons.get(str(c.pk), {})
        Selection.objects.create(proposal_id=c.pk, scenario=scenario, selected=selected, decided_at=now,
                                 because=[] if selected else list(why.get("because", [])),
                                 budget_bound=False if selected else bool(why.get("budget")))
        proposal_transition(actor=actor, proposal_id=c.pk, name="select" if selected else "reject",
                            owner=Owner.PORTFOLIO_APPROVAL,
                            note=_("Portfolio scenario “%(name)s”") % {"name": scenario.name})
        if selected:
            agreements.append(agreement_create_from_proposal(actor=actor, proposal_id=c.pk).pk)
    scenario.status, scenario.approved_at = ScenarioStatus.APPROVED, now
    scenario.save(update_fields=["status", "approved_at", "updated_at"])
    audit_record(actor=actor, action="portfolio.scenario_approve", obj=scenario,
                 changes={"status": [ScenarioStatus.SUBMITTED, ScenarioStatus.APPROVED],
                          "selected_ids": sorted(chosen),
                          "not_selected_ids": sorted(c.pk for c in candidates if c.pk not in chosen),
                          "agreements": agreements})
    return scenario
