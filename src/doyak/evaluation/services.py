"""Writes for evaluation. Each service is atomic, checks permission, writes an audit event and raises a
``DoyakError`` subclass with a stable code. None sees the HTTP request."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doyak.accounts.rules import Actor
from doyak.calls.models import Call, Criterion
from doyak.core.audit import audit_record, changed_fields, model_snapshot
from doyak.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from doyak.core.labels import audit_actions_register
from doyak.core.runs import LeaseLost, lease_acquire, lease_assert_held, lease_release, lease_renew
from doyak.engine.affinity import Profile, affinity_scores
from doyak.engine.assignment import AssignmentInfeasible, Candidates, evaluators_assign
from doyak.organizations.models import Organization, Researcher
from doyak.policies.services import policy_value
from doyak.proposals.enums import ProposalStatus
from doyak.proposals.models import Proposal
from doyak.proposals.services import proposal_transition
from doyak.proposals.workflow import Owner

from . import aggregation
from .conflicts import conflicts_find, reason_text
from .enums import (
    ACTIVE_RUN_STATUSES,
    AppealStatus,
    AssignmentSource,
    AssignmentStatus,
    ConflictKind,
    Objective,
    PanelFormat,
    PanelStage,
    RunStatus,
)
from .models import (
    Appeal,
    Assignment,
    AssignmentRun,
    Decision,
    DeclaredConflict,
    EvaluatorProfile,
    Panel,
    Score,
)
from .rules import can_appeal, can_manage_evaluation, can_opt_in

AUDIT_ACTIONS = audit_actions_register({
    "evaluator.opt_in": gettext_lazy("Evaluator joined the pool"),
    "evaluator.add": gettext_lazy("Evaluator added to the pool"),
    "evaluator.update": gettext_lazy("Evaluator profile changed"),
    "panel.create": gettext_lazy("Evaluation panel created"),
    "panel.update": gettext_lazy("Evaluation panel changed"),
    "panel.publish": gettext_lazy("Evaluation results published"),
    "assignment_run.start": gettext_lazy("Evaluator assignment started"),
    "assignment_run.done": gettext_lazy("Evaluator assignment finished"),
    "assignment.add": gettext_lazy("Evaluator assigned"),
    "assignment.withdraw": gettext_lazy("Evaluator assignment withdrawn"),
    "assignment.pledge": gettext_lazy("Conflict-of-interest pledge signed"),
    "conflict.declared": gettext_lazy("Conflict of interest declared"),
    "conflict.challenged": gettext_lazy("Evaluator challenged by the applicant"),
    "conflict.recused": gettext_lazy("Evaluator recused"),
    "scores.save": gettext_lazy("Scores saved"),
    "scores.submit": gettext_lazy("Scores submitted"),
    "appeal.file": gettext_lazy("Appeal filed"),
    "appeal.answer": gettext_lazy("Appeal answered"),
})

logger = logging.getLogger(__name__)

# Proposal states a panel takes: submitted ones are moved to "under review" when the panel is formed.
PANEL_PROPOSAL_STATES = (ProposalStatus.SUBMITTED, ProposalStatus.UNDER_REVIEW)
# A queued or running run older than this is taken as abandoned (its worker died) and may be replaced.
STALE_RUN_AFTER = dt.timedelta(minutes=15)
# Candidates kept per proposal: at least this many, or ``CANDIDATE_FACTOR`` × evaluators per proposal.
MIN_CANDIDATES = 30
CANDIDATE_FACTOR = 6

PROFILE_FIELDS = ("name", "organization", "organization_name", "department", "email", "keywords",
                  "technology_codes", "expertise_text", "is_economic_expert", "max_load", "available_from",
                  "available_to", "active")
PANEL_FIELDS = ("name", "format", "per_proposal", "spread_alert_points")


def _require_manager(actor: Actor) -> None:
    if not can_manage_evaluation(actor):
        raise AccessDenied(_("Only program managers manage evaluations."), code="evaluation_forbidden")


def _list_of_text(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace("\n", ",").split(",")
    return list(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))


def _date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    parsed = parse_date(str(value))
    if parsed is None:
        raise ValidationFailed(_("Enter a date as YYYY-MM-DD."), code="date_invalid", field=field)
    return parsed


def _clean_profile(data: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(PROFILE_FIELDS) - {"researcher"})
    if unknown:
        raise ValidationFailed(_("Field %(field)s cannot be changed here.") % {"field": unknown[0]},
                               code="field_not_editable", field=unknown[0])
    out = dict(data)
    for key in ("keywords", "technology_codes"):
        if key in out:
            out[key] = _list_of_text(out[key])
    if "technology_codes" in out:
        out["technology_codes"] = [c.upper() for c in out["technology_codes"]]
    for key in ("available_from", "available_to"):
        if key in out:
            out[key] = _date(out[key], key)
    if "max_load" in out:
        try:
            out["max_load"] = int(out["max_load"])
        except (TypeError, ValueError):
            raise ValidationFailed(_("Enter a whole number."), code="number_invalid", field="max_load") from None
        if not 1 <= out["max_load"] <= 50:
            raise ValidationFailed(_("The maximum load must be between 1 and 50."), code="max_load_invalid",
                                   field="max_load")
    for key in ("name", "organization_name", "department", "email", "expertise_text"):
        if key in out:
            out[key] = (out[key] or "").strip()
    if "organization" in out:
        org = out["organization"]
        org_id = getattr(org, "pk", org)
        if org_id and not Organization.objects.filter(pk=org_id).exists():
            raise ValidationFailed(_("Unknown organization."), code="organization_not_found", field="organization")
        out["organization_id"] = org_id or None
        del out["organization"]
    return out


def _check_period(profile: EvaluatorProfile) -> None:
    if profile.available_from and profile.available_to and profile.available_to < profile.available_from:
        raise ValidationFailed(_("The availability ends before it starts."), code="availability_invalid",
                               field="available_to")
    if not profile.name:
        raise ValidationFailed(_("Enter a name."), code="required", field="name")


# --------------------------------------------------------------------------------------------
# The evaluator pool
# --------------------------------------------------------------------------------------------


@transaction.atomic
def profile_opt_in(*, actor: Actor, data: dict[str, Any]) -> EvaluatorProfile:
    """The actor joins the pool (or updates their own entry) with their expertise and availability."""
    if not can_opt_in(actor):
        raise AccessDenied(_("Only evaluators and registered researchers join the evaluator pool."),
                           code="pool_forbidden")
    data = _clean_profile({k: v for k, v in data.items() if k != "researcher"})
    profile = EvaluatorProfile.objects.select_for_update().filter(user=actor).first()
    created = profile is None
    if created:
        researcher = Researcher.objects.filter(pk=actor.researcher_id).first() if actor.researcher_id else None
        if researcher is not None and EvaluatorProfile.objects.filter(researcher=researcher).exists():
            # the pool already holds this researcher (e.g. added by a PM): take the entry over
            profile = EvaluatorProfile.objects.select_for_update().get(researcher=researcher)
            profile.user = actor
            created = False
        else:
            profile = EvaluatorProfile(user=actor, researcher=researcher,
                                       name=researcher.name if researcher else str(actor))
            if researcher is not None:
                profile.keywords = list(researcher.expertise_keywords or [])
                profile.technology_codes = list(researcher.technology_codes or [])
    before = {} if created else model_snapshot(profile, [f for f in PROFILE_FIELDS if f != "organization"])
    for key, value in data.items():
        setattr(profile, key, value)
    _check_period(profile)
    profile.save()
    after = model_snapshot(profile, [f for f in PROFILE_FIELDS if f != "organization"])
    audit_record(actor=actor, action="evaluator.opt_in" if created else "evaluator.update", obj=profile,
                 changes=after if created else changed_fields(before, after))
    return profile


@transaction.atomic
def profile_save(*, actor: Actor, data: dict[str, Any], profile_id: int | None = None) -> EvaluatorProfile:
    """A program manager adds an outside expert or a researcher to the pool, or changes an entry."""
    _require_manager(actor)
    data = _clean_profile(data)
    if profile_id is None:
        profile = EvaluatorProfile()
        researcher_id = getattr(data.get("researcher"), "pk", data.get("researcher"))
        if researcher_id:
            researcher = Researcher.objects.filter(pk=researcher_id).first()
            if researcher is None:
                raise ValidationFailed(_("Unknown researcher."), code="researcher_not_found", field="researcher")
            if EvaluatorProfile.objects.filter(researcher=researcher).exists():
                raise Conflict(_("This researcher is already in the pool."), code="pool_duplicate",
                               field="researcher")
            profile.researcher = researcher
            profile.name = researcher.name
            profile.keywords = list(researcher.expertise_keywords or [])
            profile.technology_codes = list(researcher.technology_codes or [])
        before: dict[str, Any] = {}
    else:
        profile = EvaluatorProfile.objects.select_for_update().filter(pk=profile_id).first()
        if profile is None:
            raise NotFound(_("Evaluator not found."), code="evaluator_not_found")
        before = model_snapshot(profile, [f for f in PROFILE_FIELDS if f != "organization"])
    data.pop("researcher", None)
    for key, value in data.items():
        setattr(profile, key, value)
    _check_period(profile)
    profile.save()
    after = model_snapshot(profile, [f for f in PROFILE_FIELDS if f != "organization"])
    audit_record(actor=actor, action="evaluator.add" if profile_id is None else "evaluator.update", obj=profile,
                 changes=after if profile_id is None else changed_fields(before, after))
    return profile


# --------------------------------------------------------------------------------------------
# Panels
# --------------------------------------------------------------------------------------------


def _clean_panel(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in data.items() if k in PANEL_FIELDS}
    if "name" in out:
        out["name"] = (out["name"] or "").strip()
        if not out["name"]:
            raise ValidationFailed(_("Enter a name."), code="required", field="name")
    if "format" in out and out["format"] not in PanelFormat.values:
        raise ValidationFailed(_("Choose written or presentation."), code="panel_format_invalid", field="format")
    if "per_proposal" in out:
        try:
            out["per_proposal"] = int(out["per_proposal"])
        except (TypeError, ValueError):
            raise ValidationFailed(_("Enter a whole number."), code="number_invalid", field="per_proposal") from None
        if not 1 <= out["per_proposal"] <= 15:
            raise ValidationFailed(_("Between 1 and 15 evaluators per proposal."), code="per_proposal_invalid",
                                   field="per_proposal")
    if "spread_alert_points" in out:
        try:
            out["spread_alert_points"] = Decimal(str(out["spread_alert_points"]))
        except InvalidOperation:
            raise ValidationFailed(_("Enter a number."), code="number_invalid", field="spread_alert_points") from None
        if not Decimal(0) < out["spread_alert_points"] <= Decimal(100):
            raise ValidationFailed(_("Between 0 and 100 points."), code="spread_invalid", field="spread_alert_points")
    return out


@transaction.atomic
def panel_create(*, actor: Actor, call_id: int, data: dict[str, Any], proposal_ids: list[int] | None = None) -> Panel:
    """Form a panel of a call. Without ``proposal_ids``: every submitted proposal not yet on a panel.

    Submitted proposals move to "under review" through the proposals workflow.
    """
    _require_manager(actor)
    call = Call.objects.select_for_update().filter(pk=call_id).first()
    if call is None:
        raise NotFound(_("Call not found."), code="call_not_found")
    fields = _clean_panel({"per_proposal": call.panel_size, "format": PanelFormat.WRITTEN, **data})
    if "name" not in fields:
        raise ValidationFailed(_("Enter a name."), code="required", field="name")
    on_panels = Panel.objects.filter(call=call).exclude(stage=PanelStage.PUBLISHED).values("proposals")
    eligible = Proposal.objects.filter(call=call, status__in=PANEL_PROPOSAL_STATES).exclude(pk__in=on_panels)
    if proposal_ids is not None:
        wanted = set(proposal_ids)
        chosen = list(eligible.filter(pk__in=wanted).order_by("reference"))
        if len(chosen) != len(wanted):
            raise ValidationFailed(_("A chosen proposal is not a submitted proposal of this call or is already on a "
                                     "panel."), code="panel_proposal_invalid", field="proposals")
    else:
        chosen = list(eligible.order_by("reference"))
    if not chosen:
        raise ValidationFailed(_("No submitted proposal of this call is waiting for a panel."),
                               code="panel_no_proposals", field="proposals")
    minimum = int(policy_value("evaluation.min_economic_experts_per_panel"))
    if fields["per_proposal"] < minimum:
        raise ValidationFailed(_("A panel needs at least %(n)s economic/market experts, so at least %(n)s evaluators "
                                 "per proposal.") % {"n": minimum}, code="per_proposal_below_experts",
                               field="per_proposal")
    panel = Panel.objects.create(call=call, created_by=actor, **fields)
    panel.proposals.set(chosen)
    for proposal in chosen:
        if proposal.status == ProposalStatus.SUBMITTED:
            proposal_transition(actor=actor, proposal_id=proposal.pk, name="start_review")
    audit_record(actor=actor, action="panel.create", obj=panel,
                 changes={**{k: v for k, v in fields.items()}, "proposals": [p.reference for p in chosen]})
    return panel


@transaction.atomic
def panel_update(*, actor: Actor, panel_id: int, data: dict[str, Any]) -> Panel:
    _require_manager(actor)
    panel = _locked_panel(panel_id)
    if panel.stage == PanelStage.PUBLISHED:
        raise Conflict(_("Decisions of this panel are published."), code="panel_published")
    fields = _clean_panel(data)
    if "per_proposal" in fields:
        minimum = int(policy_value("evaluation.min_economic_experts_per_panel"))
        if fields["per_proposal"] < minimum:
            raise ValidationFailed(_("A panel needs at least %(n)s economic/market experts, so at least %(n)s "
                                     "evaluators per proposal.") % {"n": minimum},
                                   code="per_proposal_below_experts", field="per_proposal")
    before = model_snapshot(panel, list(fields))
    for key, value in fields.items():
        setattr(panel, key, value)
    panel.save()
    changes = changed_fields(before, model_snapshot(panel, list(fields)))
    if changes:
        audit_record(actor=actor, action="panel.update", obj=panel, changes=changes)
    return panel


def _open_assignments():
    """Assignments that count against an evaluator's load: not withdrawn, on panels not yet published."""
    return Assignment.objects.exclude(status=AssignmentStatus.WITHDRAWN).exclude(panel__stage=PanelStage.PUBLISHED)


def _locked_panel(panel_id: int) -> Panel:
    panel = Panel.objects.select_for_update().select_related("call").filter(pk=panel_id).first()
    if panel is None:
        raise NotFound(_("Panel not found."), code="panel_not_found")
    return panel


# --------------------------------------------------------------------------------------------
# Assignment runs (background)
# --------------------------------------------------------------------------------------------


@transaction.atomic
def assignment_run_start(*, actor: Actor, panel_id: int, objective: str = Objective.TOTAL,
                         top_n: int | None = None) -> AssignmentRun:
    """Queue an assignment of the panel; the background task does the work after commit."""
    _require_manager(actor)
    panel = _locked_panel(panel_id)
    if objective not in Objective.values:
        raise ValidationFailed(_("Unknown objective."), code="objective_invalid", field="objective")
    if panel.stage == PanelStage.PUBLISHED:
        raise Conflict(_("Decisions of this panel are published."), code="panel_published")
    if Assignment.objects.filter(panel=panel, source=AssignmentSource.AUTO).exclude(pledge_signed_at=None).exists():
        raise Conflict(_("Evaluators have started; the assignment can only be adjusted by hand now."),
                       code="panel_evaluation_started")
    now = timezone.now()
    for stale in AssignmentRun.objects.select_for_update().filter(panel=panel, status__in=ACTIVE_RUN_STATUSES):
        if now - stale.created_at < STALE_RUN_AFTER:
            raise Conflict(_("An assignment of this panel is already running."), code="assignment_run_active")
        stale.status, stale.finished_at = RunStatus.FAILED, now
        stale.message = _("Abandoned: no progress for %(m)s minutes.") % {"m": int(STALE_RUN_AFTER.total_seconds() // 60)}
        stale.save(update_fields=["status", "finished_at", "message"])
    top_n = int(top_n or max(MIN_CANDIDATES, CANDIDATE_FACTOR * panel.per_proposal))
    run = AssignmentRun.objects.create(panel=panel, objective=objective, per_proposal=panel.per_proposal,
                                       top_n=top_n, created_by=actor,
                                       message=_("Waiting for a worker…"))
    audit_record(actor=actor, action="assignment_run.start", obj=run,
                 changes={"panel": panel.pk, "objective": objective, "per_proposal": panel.per_proposal,
                          "top_n": top_n})
    transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    from .tasks import assignment_run_task

    result = assignment_run_task.enqueue(run_id=run_id)
    AssignmentRun.objects.filter(pk=run_id, task_id="").update(task_id=str(result.id)[:64])


def _progress(run_id: int, progress: int, message: str, **fields: Any) -> None:
    """Write progress and renew the worker's lease (LeaseLost if another worker took the run over)."""
    lease_renew(AssignmentRun(pk=run_id), progress=progress, message=message, **fields)


def assignment_run_requeue(run: AssignmentRun) -> None:
    """Queue a run whose worker stopped again, from the start: the store step replaces the panel's automatic
    assignments, so a re-run adds nothing twice. ``run`` is locked by the caller's transaction."""
    run.status, run.progress, run.task_id = RunStatus.QUEUED, 0, ""
    run.message = _("The worker stopped; queued again, waiting for a worker…")
    run.lease_owner, run.lease_expires_at = "", None
    run.save(update_fields=["status", "progress", "task_id", "message", "lease_owner", "lease_expires_at"])
    transaction.on_commit(lambda: _enqueue(run.pk))


def _profile_text(profile: EvaluatorProfile) -> tuple[str, tuple[str, ...]]:
    keywords = list(profile.keywords or [])
    codes = list(profile.technology_codes or [])
    if profile.researcher_id:
        keywords += [k for k in (profile.researcher.expertise_keywords or []) if k not in keywords]
        codes += [c for c in (profile.researcher.technology_codes or []) if c not in codes]
    return " ".join([*keywords, profile.expertise_text or ""]).strip(), tuple(codes)


def _proposal_text(p: Proposal) -> tuple[str, tuple[str, ...]]:
    parts = [p.title_ko, p.title_en, p.abstract_ko, p.abstract_en, " ".join(p.keywords or [])]
    return " ".join(x for x in parts if x).strip(), tuple(p.technology_codes or [])


def available_profiles(*, on: dt.date):
    """Active pool entries available on ``on``."""
    from django.db.models import Q

    return (EvaluatorProfile.objects.filter(active=True)
            .filter(Q(available_from__isnull=True) | Q(available_from__lte=on))
            .filter(Q(available_to__isnull=True) | Q(available_to__gte=on))
            .select_related("researcher__organization", "organization").order_by("id"))


def assignment_run_execute(*, run_id: int) -> AssignmentRun:
    """The work of one run: load, conflicts, affinity, top candidates, exact assignment, store.

    Progress is written as it goes (10 % loaded, 30 % conflicts, 50 % affinity, 80 % solved, 100 %
    stored). Running it again gives the same result: the store step replaces the panel's automatic
    assignments (manual ones stay) in one transaction.
    """
    run = AssignmentRun.objects.select_related("panel__call", "created_by").filter(pk=run_id).first()
    if run is None:
        raise NotFound(_("Assignment run not found."), code="assignment_run_not_found")
    if not lease_acquire(run):  # a live worker is running it (a duplicate task): leave it to that worker
        logger.info("assignment run %s is held by %s", run.pk, run.lease_owner)
        return run
    try:
        return _execute(run)
    except LeaseLost:  # our lease expired and another worker took the run over: it finishes it
        logger.warning("assignment run %s was taken over by another worker", run_id)
        run.refresh_from_db()
        return run
    except Exception as exc:  # record every failure on the run; the worker logs the traceback
        logger.exception("assignment run %s failed", run_id)
        AssignmentRun.objects.filter(pk=run.pk).update(
            message=_("Failed: %(error)s") % {"error": exc}, status=RunStatus.FAILED, finished_at=timezone.now())
        lease_release(run)
        raise


def _execute(run: AssignmentRun) -> AssignmentRun:
    panel = run.panel
    today = timezone.localdate()
    _progress(run.pk, 2, _("Loading proposals and the evaluator pool…"), status=RunStatus.RUNNING,
              started_at=timezone.now(), problems=[])
    proposals = list(panel.proposals.order_by("reference"))
    profiles = list(available_profiles(on=today))
    manual = list(Assignment.objects.filter(panel=panel, source=AssignmentSource.MANUAL)
                  .exclude(status=AssignmentStatus.WITHDRAWN).values_list("proposal_id", "profile_id"))
    elsewhere = Counter(_open_assignments().exclude(panel=panel).values_list("profile_id", flat=True))
    elsewhere.update(profile_id for _p, profile_id in manual)
    capacity = {p.pk: p.max_load - elsewhere.get(p.pk, 0) for p in profiles}
    profiles = [p for p in profiles if capacity[p.pk] > 0]
    _progress(run.pk, 10, _("Loaded %(p)s proposals and %(e)s available evaluators.")
              % {"p": len(proposals), "e": len(profiles)}, proposal_count=len(proposals),
              evaluator_count=len(profiles))

    conflicts = conflicts_find(proposal_ids=[p.pk for p in proposals], profiles=profiles, as_of=today)
    forbidden = {(int(c.proposal_id), int(c.evaluator_id)) for c in conflicts} | set(manual)
    _progress(run.pk, 30, _("Found %(n)s conflicting pairs.") % {"n": len({c.pair for c in conflicts})},
              conflict_count=len({c.pair for c in conflicts}))

    prop_profiles = [Profile(id=str(p.pk), text=t, codes=c) for p in proposals for t, c in [_proposal_text(p)]]
    eval_profiles = [Profile(id=str(e.pk), text=t, codes=c) for e in profiles for t, c in [_profile_text(e)]]
    scores = affinity_scores(proposals=prop_profiles, evaluators=eval_profiles)
    _progress(run.pk, 50, _("Computed affinity for %(n)s pairs.") % {"n": f"{scores.size:,}"})

    candidates = _top_candidates(run=run, proposals=proposals, profiles=profiles, scores=scores,
                                 forbidden=forbidden)
    min_experts = int(policy_value("evaluation.min_economic_experts_per_panel", today))
    experts = [str(p.pk) for p in profiles if p.is_economic_expert]
    try:
        result = evaluators_assign(
            candidates=candidates, per_proposal=run.per_proposal,
            max_load=[capacity[int(eid)] for eid in candidates.evaluator_ids],
            economic_experts=experts, min_economic_experts=min_experts, objective=run.objective,
        )
    except AssignmentInfeasible as exc:
        _progress(run.pk, 100, _("No assignment is possible: %(n)s problem(s).") % {"n": len(exc.problems)},
                  status=RunStatus.FAILED, problems=list(exc.problems), finished_at=timezone.now())
        lease_release(run)
        run.refresh_from_db()
        return run
    _progress(run.pk, 80, _("Assignment solved; storing…"))

    by_ref = {p.reference: p.pk for p in proposals}
    with transaction.atomic():
        lease_assert_held(AssignmentRun.objects.select_for_update().get(pk=run.pk))
        Assignment.objects.filter(panel=panel, source=AssignmentSource.AUTO).delete()
        rows = [Assignment(panel=panel, proposal_id=by_ref[pair.proposal_id], profile_id=int(pair.evaluator_id),
                           run=run, affinity=round(pair.score, 6), source=AssignmentSource.AUTO)
                for pair in result.pairs]
        Assignment.objects.bulk_create(rows)
        AssignmentRun.objects.filter(pk=run.pk).update(
            status=RunStatus.DONE, progress=100, finished_at=timezone.now(), assigned_count=len(rows),
            lease_owner="", lease_expires_at=None,
            total_affinity=round(result.total, 6), min_proposal_affinity=round(result.min_proposal_total, 6),
            message=_("Assigned %(n)s evaluator places (%(method)s).") % {"n": len(rows), "method": result.method})
        run.refresh_from_db()
        audit_record(actor=run.created_by, action="assignment_run.done", obj=run,
                     changes={"assigned": len(rows), "total_affinity": run.total_affinity,
                              "min_proposal_affinity": run.min_proposal_affinity})
    return run


def _top_candidates(*, run: AssignmentRun, proposals: list[Proposal], profiles: list[EvaluatorProfile],
                    scores: np.ndarray, forbidden: set[tuple[int, int]]) -> Candidates:
    """Per proposal: the ``top_n`` best allowed evaluators, plus the ``top_n`` best economic experts
    (so the expert rule stays satisfiable). Conflicting pairs never become candidates."""
    n_e = len(profiles)
    allowed = np.ones(scores.shape, dtype=bool)
    p_index = {p.pk: i for i, p in enumerate(proposals)}
    e_index = {e.pk: j for j, e in enumerate(profiles)}
    for pid, eid in forbidden:
        if pid in p_index and eid in e_index:
            allowed[p_index[pid], e_index[eid]] = False
    expert = np.array([e.is_economic_expert for e in profiles], dtype=bool)
    rows_p, rows_e = [], []
    for i in range(len(proposals)):
        keyed = np.where(allowed[i], scores[i], -1.0)
        keep = set(np.argsort(-keyed, kind="stable")[: run.top_n].tolist())
        expert_keyed = np.where(expert, keyed, -1.0)
        keep |= set(np.argsort(-expert_keyed, kind="stable")[: run.top_n].tolist())
        for j in sorted(keep):
            if allowed[i, j] and j < n_e:
                rows_p.append(i)
                rows_e.append(j)
    p_arr = np.asarray(rows_p, dtype=np.int64)
    e_arr = np.asarray(rows_e, dtype=np.int64)
    s_arr = np.clip(scores[p_arr, e_arr], 0.0, 1.0) if len(p_arr) else np.zeros(0)
    return Candidates(proposal_ids=tuple(p.reference for p in proposals),
                      evaluator_ids=tuple(str(e.pk) for e in profiles), proposal=p_arr, evaluator=e_arr, score=s_arr)


# --------------------------------------------------------------------------------------------
# Manual adjustment and declared conflicts
# --------------------------------------------------------------------------------------------


def _conflict_message(conflicts) -> str:
    return "; ".join(reason_text(c) for c in conflicts)


@transaction.atomic
def assignment_add(*, actor: Actor, panel_id: int, proposal_id: int, profile_id: int) -> Assignment:
    """The PM assigns one evaluator by hand. Conflicts are checked again; a conflicted pair is refused."""
    _require_manager(actor)
    panel = _locked_panel(panel_id)
    if panel.stage == PanelStage.PUBLISHED:
        raise Conflict(_("Decisions of this panel are published."), code="panel_published")
    proposal = panel.proposals.filter(pk=proposal_id).first()
    if proposal is None:
        raise ValidationFailed(_("The proposal is not on this panel."), code="panel_proposal_invalid",
                               field="proposal")
    profile = (EvaluatorProfile.objects.select_for_update(of=("self",)).select_related("researcher")
               .filter(pk=profile_id).first())
    if profile is None:
        raise NotFound(_("Evaluator not found."), code="evaluator_not_found")
    if not profile.active:
        raise ValidationFailed(_("This evaluator is not active in the pool."), code="evaluator_inactive",
                               field="profile")
    conflicts = conflicts_find(proposal_ids=[proposal.pk], profiles=[profile])
    if conflicts:
        raise Conflict(_("%(name)s has a conflict of interest with %(ref)s: %(reasons)s")
                       % {"name": profile.name, "ref": proposal.reference, "reasons": _conflict_message(conflicts)},
                       code="assignment_conflict", field="profile")
    load = _open_assignments().filter(profile=profile).count()
    existing = Assignment.objects.filter(panel=panel, proposal=proposal, profile=profile).first()
    if existing is not None and existing.status != AssignmentStatus.WITHDRAWN:
        raise Conflict(_("This evaluator is already assigned to the proposal."), code="assignment_duplicate",
                       field="profile")
    if load >= profile.max_load:
        raise Conflict(_("%(name)s already has %(n)s assignments, the maximum they accept.")
                       % {"name": profile.name, "n": load}, code="evaluator_overloaded", field="profile")
    affinity = _pair_affinity(proposal, profile)
    if existing is not None:
        existing.status, existing.source, existing.affinity, existing.run = (
            AssignmentStatus.ASSIGNED, AssignmentSource.MANUAL, affinity, None)
        existing.pledge_signed_at = None
        existing.save()
        assignment = existing
    else:
        assignment = Assignment.objects.create(panel=panel, proposal=proposal, profile=profile, affinity=affinity,
                                               source=AssignmentSource.MANUAL)
    audit_record(actor=actor, action="assignment.add", obj=assignment,
                 changes={"proposal": proposal.reference, "profile": profile.pk, "affinity": affinity})
    return assignment


def _pair_affinity(proposal: Proposal, profile: EvaluatorProfile) -> float:
    text, codes = _proposal_text(proposal)
    e_text, e_codes = _profile_text(profile)
    matrix = affinity_scores(proposals=[Profile(id="p", text=text, codes=codes)],
                             evaluators=[Profile(id="e", text=e_text, codes=e_codes)])
    return round(float(matrix[0, 0]), 6)


@transaction.atomic
def assignment_withdraw(*, actor: Actor, assignment_id: int, reason: str = "") -> Assignment:
    """The PM takes an evaluator off a proposal (before they submit)."""
    _require_manager(actor)
    assignment = Assignment.objects.select_for_update().filter(pk=assignment_id).first()
    if assignment is None:
        raise NotFound(_("Assignment not found."), code="assignment_not_found")
    if assignment.status == AssignmentStatus.SUBMITTED:
        raise Conflict(_("The evaluator has submitted; the scores stay."), code="assignment_submitted")
    if assignment.status == AssignmentStatus.WITHDRAWN:
        return assignment
    assignment.status = AssignmentStatus.WITHDRAWN
    assignment.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="assignment.withdraw", obj=assignment,
                 changes={"status": [AssignmentStatus.ASSIGNED, AssignmentStatus.WITHDRAWN],
                          **({"reason": reason} if reason else {})})
    return assignment


@transaction.atomic
def conflict_declare(*, actor: Actor, profile_id: int, proposal_id: int, kind: str, reason: str = "") -> DeclaredConflict:
    """Record a declared conflict, a challenge (기피) or a recusal (회피); open assignments of the pair end.

    Program managers record any kind; an evaluator recuses themself from a proposal assigned to them.
    """
    if kind not in ConflictKind.values:
        raise ValidationFailed(_("Unknown kind."), code="conflict_kind_invalid", field="kind")
    profile = EvaluatorProfile.objects.filter(pk=profile_id).first()
    proposal = Proposal.objects.filter(pk=proposal_id).first()
    if profile is None or proposal is None:
        raise NotFound(_("Evaluator or proposal not found."), code="conflict_subject_not_found")
    if not can_manage_evaluation(actor):
        own = (profile.user_id == actor.pk and kind == ConflictKind.RECUSAL
               and Assignment.objects.filter(profile=profile, proposal=proposal).exists())
        if not own:
            raise AccessDenied(_("You may not record this conflict."), code="conflict_forbidden")
    record, created = DeclaredConflict.objects.get_or_create(
        profile=profile, proposal=proposal, kind=kind, defaults={"reason": reason.strip()[:300], "created_by": actor})
    if created:
        audit_record(actor=actor, action=f"conflict.{kind}", obj=record, changes={"reason": record.reason})
    for assignment in (Assignment.objects.select_for_update().filter(profile=profile, proposal=proposal,
                                                                      status=AssignmentStatus.ASSIGNED)):
        assignment.status = AssignmentStatus.WITHDRAWN
        assignment.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="assignment.withdraw", obj=assignment,
                     changes={"status": [AssignmentStatus.ASSIGNED, AssignmentStatus.WITHDRAWN], "reason": kind})
    return record


# --------------------------------------------------------------------------------------------
# The evaluator: pledge and scores
# --------------------------------------------------------------------------------------------


def evaluator_assignment_or_raise(*, actor: Actor, proposal_id: int, lock: bool = False) -> Assignment:
    """The actor's open assignment to the proposal, or 403: unassigned, withdrawn or conflicted.

    Conflicts are computed again at every access, so a conflict found after assignment closes the door.
    """
    qs = Assignment.objects.select_related("proposal__call", "profile__researcher", "panel").filter(
        proposal_id=proposal_id, profile__user=actor) if getattr(actor, "is_authenticated", False) else None
    if qs is not None and lock:
        qs = qs.select_for_update(of=("self",))
    assignment = qs.exclude(status=AssignmentStatus.WITHDRAWN).order_by("-id").first() if qs is not None else None
    if assignment is None:
        raise AccessDenied(_("This proposal is not assigned to you."), code="assignment_forbidden")
    conflicts = conflicts_find(proposal_ids=[proposal_id], profiles=[assignment.profile])
    if conflicts:
        raise AccessDenied(_("You have a conflict of interest with this proposal: %(reasons)s")
                           % {"reasons": _conflict_message(conflicts)}, code="evaluator_conflicted")
    return assignment


@transaction.atomic
def pledge_sign(*, actor: Actor, proposal_id: int) -> Assignment:
    """The evaluator signs the conflict-of-interest pledge (서약) for one assigned proposal."""
    assignment = evaluator_assignment_or_raise(actor=actor, proposal_id=proposal_id, lock=True)
    if assignment.pledge_signed_at is None:
        assignment.pledge_signed_at = timezone.now()
        assignment.save(update_fields=["pledge_signed_at", "updated_at"])
        audit_record(actor=actor, action="assignment.pledge", obj=assignment,
                     changes={"pledge_signed_at": assignment.pledge_signed_at})
        Panel.objects.filter(pk=assignment.panel_id, stage=PanelStage.FORMING).update(stage=PanelStage.SCORING)
    return assignment


def _score_value(raw: Any, criterion: Criterion) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("%(name)s: enter a number.") % {"name": criterion.name}, code="score_invalid",
                               field=f"score-{criterion.pk}") from None
    if not value.is_finite() or value < 0 or value > criterion.scale_max:
        raise ValidationFailed(_("%(name)s: the score must be between 0 and %(max)s.")
                               % {"name": criterion.name, "max": criterion.scale_max}, code="score_out_of_range",
                               field=f"score-{criterion.pk}")
    if value != value.quantize(Decimal("0.01")):
        raise ValidationFailed(_("%(name)s: at most two decimals.") % {"name": criterion.name},
                               code="score_invalid", field=f"score-{criterion.pk}")
    return value


@transaction.atomic
def scores_save(*, actor: Actor, proposal_id: int, entries: list[dict[str, Any]], submit: bool = False) -> Assignment:
    """Save the evaluator's scores and comments as a draft, or submit them (then they are locked).

    ``entries``: ``{"criterion_id", "score", "comment"}``; a blank score leaves the criterion unscored
    in a draft. Submitting needs every criterion scored.
    """
    assignment = evaluator_assignment_or_raise(actor=actor, proposal_id=proposal_id, lock=True)
    if assignment.pledge_signed_at is None:
        raise AccessDenied(_("Sign the conflict-of-interest pledge first."), code="pledge_required")
    if assignment.status == AssignmentStatus.SUBMITTED:
        raise Conflict(_("Your scores are submitted and can no longer change."), code="scores_locked")
    criteria = {c.pk: c for c in Criterion.objects.filter(call_id=assignment.proposal.call_id)}
    existing = {s.criterion_id: s for s in assignment.scores.all()}
    changes: dict[str, Any] = {}
    for entry in entries:
        criterion = criteria.get(int(entry.get("criterion_id") or 0))
        if criterion is None:
            raise ValidationFailed(_("Unknown criterion."), code="criterion_invalid", field="criterion_id")
        raw = entry.get("score")
        comment = (entry.get("comment") or "").strip()
        if raw in (None, ""):
            if criterion.pk in existing:
                existing.pop(criterion.pk).delete()
                changes[f"criterion:{criterion.pk}"] = None
            continue
        value = _score_value(raw, criterion)
        row = existing.get(criterion.pk)
        if row is None:
            existing[criterion.pk] = Score.objects.create(assignment=assignment, criterion=criterion, score=value,
                                                          comment=comment)
        elif row.score != value or row.comment != comment:
            row.score, row.comment = value, comment
            row.save(update_fields=["score", "comment", "updated_at"])
        else:
            continue
        changes[f"criterion:{criterion.pk}"] = str(value)
    if submit:
        missing = [c for pk, c in criteria.items() if pk not in existing]
        if missing:
            raise ValidationFailed(_("Score every criterion before submitting: %(names)s missing.")
                                   % {"names": ", ".join(c.name for c in missing)}, code="scores_incomplete",
                                   field=f"score-{missing[0].pk}")
        assignment.status = AssignmentStatus.SUBMITTED
        assignment.submitted_at = timezone.now()
        assignment.save(update_fields=["status", "submitted_at", "updated_at"])
    total = aggregation.weighted_total(
        aggregation.CriterionScore(weight=criteria[pk].weight, scale_max=criteria[pk].scale_max, score=s.score)
        for pk, s in existing.items())
    audit_record(actor=actor, action="scores.submit" if submit else "scores.save", obj=assignment,
                 changes={**changes, "total": str(aggregation.rounded(total))})
    return assignment


# --------------------------------------------------------------------------------------------
# Decisions and appeals
# --------------------------------------------------------------------------------------------


@transaction.atomic
def decisions_publish(*, actor: Actor, panel_id: int, now: dt.datetime | None = None) -> list[Decision]:
    """Publish the panel's results: the exact aggregated score (rounded for display only), rank, pass or fail
    at the cut-off and anonymised comments, and send each applicant the result notice with the appeal right.

    Publishing never selects: a proposal that passes is *evaluated* and becomes a candidate of the portfolio;
    one below the cut-off is not selected. ``now`` is the moment of publication (the appeal window counts
    from it); by default the present.
    """
    from .selectors import panel_results

    _require_manager(actor)
    panel = _locked_panel(panel_id)
    if panel.stage == PanelStage.PUBLISHED:
        raise Conflict(_("Decisions of this panel are already published."), code="panel_published")
    open_count = Assignment.objects.filter(panel=panel, status=AssignmentStatus.ASSIGNED).count()
    if open_count:
        raise Conflict(_("%(n)s evaluations are not submitted yet.") % {"n": open_count},
                       code="evaluation_incomplete")
    results = panel_results(panel=panel)
    unscored = [r.reference for r in results.rows if r.score is None]
    if unscored:
        raise Conflict(_("No submitted scores for %(refs)s.") % {"refs": ", ".join(unscored)},
                       code="evaluation_incomplete")
    now = now or timezone.now()
    decisions = []
    for row in results.rows:
        decision = Decision.objects.create(
            proposal_id=row.proposal_id, panel=panel, score=aggregation.rounded(row.score),
            ripple_score=aggregation.rounded(row.ripple_score), cutoff_score=panel.call.cutoff_score,
            passed=row.passed, rank=row.rank, evaluator_count=len(row.totals),
            comments=results.comments[row.proposal_id], published_at=now, published_by=actor)
        decisions.append(decision)
        proposal_transition(actor=actor, proposal_id=row.proposal_id,
                            name="pass_evaluation" if row.passed else "fail_evaluation",
                            owner=Owner.EVALUATION_PUBLICATION,
                            note=_("Evaluation score %(score)s, cut-off %(cutoff)s")
                            % {"score": decision.score, "cutoff": decision.cutoff_score})
    panel.stage = PanelStage.PUBLISHED
    panel.save(update_fields=["stage", "updated_at"])
    audit_record(actor=actor, action="panel.publish", obj=panel,
                 changes={"decisions": [[d.proposal_id, str(d.score), d.rank, d.passed] for d in decisions]})
    return decisions


def appeal_days_since(decision: Decision, now: dt.datetime) -> int:
    """Days from the day of publication (day 0) to ``now``, in Seoul time."""
    return (timezone.localdate(now) - timezone.localdate(decision.published_at)).days


@transaction.atomic
def appeal_file(*, actor: Actor, proposal_id: int, text: str, now: dt.datetime | None = None) -> Appeal:
    """The lead applicant appeals once, within ``evaluation.appeal_window_days`` days of publication."""
    proposal = Proposal.objects.select_for_update().filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound(_("Proposal not found."), code="proposal_not_found")
    if not can_appeal(actor, proposal):
        raise AccessDenied(_("Only the lead institution's applicants may appeal."), code="appeal_forbidden")
    decision = Decision.objects.filter(proposal=proposal).first()
    if decision is None:
        raise Conflict(_("No decision has been published for this proposal."), code="decision_not_published")
    if Appeal.objects.filter(proposal=proposal).exists():
        raise Conflict(_("An appeal has already been filed for this proposal; only one is allowed."),
                       code="appeal_already_filed")
    now = now or timezone.now()
    window = int(policy_value("evaluation.appeal_window_days", timezone.localdate(decision.published_at)))
    days = appeal_days_since(decision, now)
    if days > window:
        raise Conflict(_("The appeal window closed %(n)s days after publication.") % {"n": window},
                       code="appeal_window_closed")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("State the grounds of the appeal."), code="required", field="text")
    answer_days = int(policy_value("evaluation.appeal_answer_days", timezone.localdate(now)))
    appeal = Appeal.objects.create(proposal=proposal, decision=decision, filed_by=actor, text=text, filed_at=now,
                                   answer_due_on=timezone.localdate(now) + dt.timedelta(days=answer_days))
    audit_record(actor=actor, action="appeal.file", obj=appeal,
                 changes={"day": days, "answer_due_on": appeal.answer_due_on})
    return appeal


def _score_revised(raw: Any) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValidationFailed(_("Enter a number."), code="number_invalid", field="revised_score") from None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        raise ValidationFailed(_("Enter a score between 0 and 100."), code="score_out_of_range",
                               field="revised_score")
    return value.quantize(Decimal("0.01"))


def _ranks_refresh(panel: Panel) -> None:
    """Rank the panel's decisions again by score (equal scores share a rank)."""
    decisions = list(Decision.objects.select_for_update().filter(panel=panel))
    for d in decisions:
        rank = 1 + sum(1 for other in decisions if other.score > d.score)
        if rank != d.rank:
            d.rank = rank
            d.save(update_fields=["rank"])


@transaction.atomic
def appeal_answer(*, actor: Actor, appeal_id: int, status: str, answer: str, revised_score: Any = None) -> Appeal:
    """Answer an appeal. An upheld appeal may revise the published score (after a re-evaluation); a revision
    that lifts a proposal below the cut-off over it makes the proposal a candidate of the portfolio again."""
    _require_manager(actor)
    appeal = Appeal.objects.select_for_update().select_related("decision__panel").filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound(_("Appeal not found."), code="appeal_not_found")
    if appeal.status != AppealStatus.FILED:
        raise Conflict(_("This appeal has been answered."), code="appeal_answered")
    if status not in (AppealStatus.ACCEPTED, AppealStatus.REJECTED):
        raise ValidationFailed(_("Accept or reject the appeal."), code="appeal_status_invalid", field="status")
    answer = (answer or "").strip()
    if not answer:
        raise ValidationFailed(_("Write the answer."), code="required", field="answer")
    revised = _score_revised(revised_score)
    if revised is not None and status != AppealStatus.ACCEPTED:
        raise ValidationFailed(_("Only an upheld appeal revises the score."), code="appeal_revision_rejected",
                               field="revised_score")
    decision = Decision.objects.select_for_update().get(pk=appeal.decision_id)
    if revised is not None and decision.proposal.status == ProposalStatus.SELECTED:
        raise Conflict(_("The proposal is already selected; its score is no longer revised."),
                       code="appeal_after_selection", field="revised_score")
    changes: dict[str, Any] = {"status": status}
    if revised is not None and revised != decision.score:
        was_passed = decision.passed
        appeal.score_before, appeal.score_after = decision.score, revised
        decision.score, decision.passed = revised, revised >= decision.cutoff_score
        decision.save(update_fields=["score", "passed"])
        _ranks_refresh(decision.panel)
        changes.update({"score": [str(appeal.score_before), str(revised)], "passed": [was_passed, decision.passed]})
        if decision.passed and not was_passed:
            proposal_transition(actor=actor, proposal_id=decision.proposal_id, name="reinstate",
                                owner=Owner.APPEAL_ANSWER,
                                note=_("Appeal upheld: score %(score)s, cut-off %(cutoff)s")
                                % {"score": revised, "cutoff": decision.cutoff_score})
    appeal.status, appeal.answer, appeal.answered_at, appeal.answered_by = status, answer, timezone.now(), actor
    appeal.save(update_fields=["status", "answer", "answered_at", "answered_by", "score_before", "score_after"])
    audit_record(actor=actor, action="appeal.answer", obj=appeal, changes=changes)
    return appeal
