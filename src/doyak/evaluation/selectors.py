"""Reads for evaluation: the pool, panels and their conflicts, an evaluator's assignments, results."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from doyak.accounts.enums import Role
from doyak.accounts.rules import Actor
from doyak.calls.enums import RIPPLE_CRITERION_KINDS
from doyak.calls.models import Call, Criterion
from doyak.core.errors import AccessDenied, NotFound
from doyak.core.home import HomeCard, HomeContent
from doyak.engine.conflicts import REASONS
from doyak.engine.conflicts import Conflict as EngineConflict
from doyak.organizations.models import Organization
from doyak.proposals.enums import ProposalStatus
from doyak.proposals.models import Proposal

from . import aggregation
from .conflicts import conflicts_find
from .enums import AssignmentStatus, PanelStage
from .models import Appeal, Assignment, AssignmentRun, Decision, EvaluatorProfile, Panel, Score
from .rules import can_manage_evaluation, can_view_decision


def _require_manager(user: Actor) -> None:
    if not can_manage_evaluation(user):
        raise AccessDenied(_("Only program managers manage evaluations."), code="evaluation_forbidden")


# --------------------------------------------------------------------------------------------
# Pool
# --------------------------------------------------------------------------------------------


def profile_list_for_user(*, user: Actor, q: str = "", economic: bool | None = None,
                          active: bool | None = None) -> QuerySet[EvaluatorProfile]:
    _require_manager(user)
    qs = EvaluatorProfile.objects.select_related("researcher__organization", "organization", "user")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(expertise_text__icontains=q) | Q(organization_name__icontains=q)
                       | Q(researcher__organization__name__icontains=q) | Q(keywords__icontains=q))
    if economic is not None:
        qs = qs.filter(is_economic_expert=economic)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.annotate(open_load=Count("assignments", filter=Q(assignments__status=AssignmentStatus.ASSIGNED))
                       ).order_by("name", "id")


def profile_get_or_raise(*, user: Actor, profile_id: int) -> EvaluatorProfile:
    _require_manager(user)
    profile = EvaluatorProfile.objects.select_related("researcher__organization", "organization").filter(
        pk=profile_id).first()
    if profile is None:
        raise NotFound(_("Evaluator not found."), code="evaluator_not_found")
    return profile


def own_profile(*, user: Actor) -> EvaluatorProfile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return EvaluatorProfile.objects.select_related("researcher__organization").filter(user=user).first()


# --------------------------------------------------------------------------------------------
# Conflicts for people
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConflictRow:
    proposal_id: int
    profile_id: int
    code: str
    reason: str


def conflict_rows(conflicts: Iterable[EngineConflict], *, lang: str | None = None) -> list[ConflictRow]:
    """Conflicts with their reasons in the reader's language, ids in the details replaced by names."""
    conflicts = list(conflicts)
    english = (lang or get_language() or "ko").startswith("en")
    org_ids, project_ids = set(), set()
    for c in conflicts:
        detail = _detail(c)
        if c.reason_code == "same_organization" and detail.isdigit():
            org_ids.add(int(detail))
        if c.reason_code == "co_research" and detail.startswith("p") and detail[1:].isdigit():
            project_ids.add(int(detail[1:]))
    org_names = dict(Organization.objects.filter(pk__in=org_ids).values_list("id", "name"))
    project_refs = dict(Proposal.objects.filter(pk__in=project_ids).values_list("id", "reference"))
    rows = []
    for c in conflicts:
        ko, en = REASONS[c.reason_code]
        detail = _detail(c)
        if c.reason_code == "same_organization" and detail.isdigit():
            detail = org_names.get(int(detail), detail)
        elif c.reason_code == "co_research" and detail[1:].isdigit():
            detail = project_refs.get(int(detail[1:]), detail)
        elif c.reason_code == "same_department":
            detail = detail.split(":", 1)[-1]
        label = en if english else ko
        rows.append(ConflictRow(int(c.proposal_id), int(c.evaluator_id), c.reason_code,
                                f"{label}: {detail}" if detail else label))
    return rows


def _detail(c: EngineConflict) -> str:
    prefix = REASONS[c.reason_code][0]
    return c.reason[len(prefix) + 2:] if c.reason.startswith(prefix + ": ") else ""


def proposal_conflicts(*, user: Actor, proposal_id: int) -> tuple[Proposal, dict[EvaluatorProfile, list[ConflictRow]]]:
    """Every pool member (active or not) in conflict with the proposal, with each reason."""
    _require_manager(user)
    proposal = (Proposal.objects.select_related("call", "lead_organization").exclude(status=ProposalStatus.DRAFT)
                .filter(pk=proposal_id).first())
    if proposal is None:  # drafts stay with the applicant: the ministry side is told as little as of a missing one
        raise NotFound(_("Proposal not found."), code="proposal_not_found")
    profiles = list(EvaluatorProfile.objects.select_related("researcher__organization", "organization"))
    rows = conflict_rows(conflicts_find(proposal_ids=[proposal.pk], profiles=profiles))
    by_id = {p.pk: p for p in profiles}
    grouped: dict[EvaluatorProfile, list[ConflictRow]] = defaultdict(list)
    for row in rows:
        grouped[by_id[row.profile_id]].append(row)
    return proposal, dict(sorted(grouped.items(), key=lambda kv: (kv[0].name, kv[0].pk)))


# --------------------------------------------------------------------------------------------
# PM: calls in review, panels
# --------------------------------------------------------------------------------------------


def calls_in_review(*, user: Actor) -> QuerySet[Call]:
    """Calls with proposals waiting for or under evaluation, or with panels."""
    _require_manager(user)
    waiting = Q(proposals__status__in=[ProposalStatus.SUBMITTED, ProposalStatus.UNDER_REVIEW])
    return (Call.objects.filter(Q(panels__isnull=False) | waiting).distinct()
            .annotate(waiting=Count("proposals", filter=Q(proposals__status=ProposalStatus.SUBMITTED), distinct=True),
                      in_review=Count("proposals", filter=Q(proposals__status=ProposalStatus.UNDER_REVIEW),
                                      distinct=True),
                      panel_count=Count("panels", distinct=True))
            .order_by("-closes_at", "reference"))


def call_for_evaluation_or_raise(*, user: Actor, call_id: int) -> Call:
    _require_manager(user)
    call = Call.objects.select_related("program").filter(pk=call_id).first()
    if call is None:
        raise NotFound(_("Call not found."), code="call_not_found")
    return call


def panel_get_or_raise(*, user: Actor, panel_id: int) -> Panel:
    _require_manager(user)
    panel = Panel.objects.select_related("call").filter(pk=panel_id).first()
    if panel is None:
        raise NotFound(_("Panel not found."), code="panel_not_found")
    return panel


def run_get_or_raise(*, user: Actor, run_id: int) -> AssignmentRun:
    _require_manager(user)
    run = AssignmentRun.objects.select_related("panel__call").filter(pk=run_id).first()
    if run is None:
        raise NotFound(_("Assignment run not found."), code="assignment_run_not_found")
    return run


@dataclass
class PanelProposalRow:
    proposal: Proposal
    assignments: list[Assignment] = field(default_factory=list)
    conflicts: dict[int, list[ConflictRow]] = field(default_factory=dict)  # assignment id -> reasons
    experts: int = 0
    experts_required: int = 0  # policy evaluation.min_economic_experts_per_panel
    affinity: float = 0.0

    @property
    def active(self) -> list[Assignment]:
        return [a for a in self.assignments if a.status != AssignmentStatus.WITHDRAWN]

    @property
    def experts_short(self) -> bool:
        return self.experts < self.experts_required


def panel_overview(*, panel: Panel, on=None) -> list[PanelProposalRow]:
    """The panel's proposals with their assignments; conflicts of open assignments are computed again; each
    row's economic/market experts against the policy's minimum in force ``on`` (today by default)."""
    from doyak.policies.services import policy_value

    experts_required = int(policy_value("evaluation.min_economic_experts_per_panel", on or timezone.localdate()))
    proposals = list(panel.proposals.select_related("lead_organization").order_by("reference"))
    rows = {p.pk: PanelProposalRow(p) for p in proposals}
    assignments = list(panel.assignments.select_related("profile__researcher__organization", "profile__organization")
                       .order_by("proposal_id", "-affinity", "id"))
    for a in assignments:
        rows[a.proposal_id].assignments.append(a)
    active = [a for a in assignments if a.status != AssignmentStatus.WITHDRAWN]
    profiles = list({a.profile_id: a.profile for a in active}.values())
    if profiles:
        found = conflict_rows(conflicts_find(proposal_ids=list(rows), profiles=profiles))
        by_pair = defaultdict(list)
        for c in found:
            by_pair[(c.proposal_id, c.profile_id)].append(c)
        for a in active:
            if (a.proposal_id, a.profile_id) in by_pair:
                rows[a.proposal_id].conflicts[a.pk] = by_pair[(a.proposal_id, a.profile_id)]
    for a in assignments:
        a.conflict_list = rows[a.proposal_id].conflicts.get(a.pk, [])
    for row in rows.values():
        row.experts = sum(1 for a in row.active if a.profile.is_economic_expert)
        row.experts_required = experts_required
        row.affinity = sum(a.affinity for a in row.active)
    return list(rows.values())


# --------------------------------------------------------------------------------------------
# The evaluator
# --------------------------------------------------------------------------------------------


def assignment_list_for_evaluator(*, user: Actor) -> QuerySet[Assignment]:
    """Only the user's own assignments (never withdrawn ones)."""
    if not getattr(user, "is_authenticated", False):
        return Assignment.objects.none()
    return (Assignment.objects.filter(profile__user=user).exclude(status=AssignmentStatus.WITHDRAWN)
            .select_related("proposal__call", "panel").order_by("status", "proposal__call__closes_at",
                                                               "proposal__reference"))


@dataclass
class CriterionLine:
    criterion: Criterion
    score: Score | None
    is_ripple: bool


def score_sheet(*, assignment: Assignment) -> list[CriterionLine]:
    scores = {s.criterion_id: s for s in assignment.scores.all()}
    return [CriterionLine(c, scores.get(c.pk), c.kind in RIPPLE_CRITERION_KINDS)
            for c in Criterion.objects.filter(call_id=assignment.proposal.call_id).order_by("order", "id")]


def sheet_total(lines: list[CriterionLine]) -> Decimal:
    return aggregation.weighted_total(
        aggregation.CriterionScore(weight=line.criterion.weight, scale_max=line.criterion.scale_max,
                                   score=line.score.score) for line in lines if line.score is not None)


def budget_by_year(*, proposal: Proposal) -> list[dict]:
    years: dict[int, dict] = {}
    for line in proposal.budget_lines.all():
        row = years.setdefault(line.year, {"year": line.year, "gov": 0, "cash": 0, "in_kind": 0})
        row["gov"] += line.gov_krw
        row["cash"] += line.cash_krw
        row["in_kind"] += line.in_kind_krw
    for row in years.values():
        row["total"] = row["gov"] + row["cash"] + row["in_kind"]
    return [years[y] for y in sorted(years)]


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass
class PanelResults:
    rows: list[aggregation.ProposalResult]
    proposals: dict[int, Proposal]
    comments: dict[int, list[dict]]
    has_ripple: bool
    rule: str
    cutoff: Decimal
    submitted: int
    expected: int


def panel_results(*, panel: Panel) -> PanelResults:
    """Per proposal: submitted evaluators' totals aggregated by the call's rule, ripple apart, ranked."""
    call = panel.call
    criteria = {c.pk: c for c in Criterion.objects.filter(call=call)}
    has_ripple = any(c.kind in RIPPLE_CRITERION_KINDS for c in criteria.values())
    proposals = {p.pk: p for p in panel.proposals.select_related("lead_organization").order_by("reference")}
    assignments = list(panel.assignments.exclude(status=AssignmentStatus.WITHDRAWN).order_by("proposal_id", "id"))
    scores: dict[int, list[Score]] = defaultdict(list)
    for s in Score.objects.filter(assignment__in=[a.pk for a in assignments if
                                                  a.status == AssignmentStatus.SUBMITTED]).order_by("criterion__order",
                                                                                                   "criterion_id"):
        scores[s.assignment_id].append(s)
    totals: dict[int, list[Decimal]] = defaultdict(list)
    ripple: dict[int, list[Decimal]] = defaultdict(list)
    comments: dict[int, list[dict]] = defaultdict(list)
    number: dict[int, int] = defaultdict(int)
    for a in assignments:
        if a.status != AssignmentStatus.SUBMITTED:
            continue
        number[a.proposal_id] += 1
        rows = scores[a.pk]

        def part(rows_, *, ripple_only: bool) -> Decimal:
            return aggregation.weighted_total(
                aggregation.CriterionScore(weight=criteria[s.criterion_id].weight,
                                           scale_max=criteria[s.criterion_id].scale_max, score=s.score)
                for s in rows_ if not ripple_only or criteria[s.criterion_id].kind in RIPPLE_CRITERION_KINDS)

        totals[a.proposal_id].append(part(rows, ripple_only=False))
        ripple[a.proposal_id].append(part(rows, ripple_only=True))
        for s in rows:
            if s.comment:
                c = criteria[s.criterion_id]
                comments[a.proposal_id].append({"evaluator": number[a.proposal_id], "criterion_ko": c.name_ko,
                                                "criterion_en": c.name_en or c.name_ko, "comment": s.comment})
    results = [aggregation.proposal_result(
        proposal_id=pk, reference=p.reference, totals=totals[pk], ripple_totals=ripple[pk], rule=call.aggregation,
        cutoff=call.cutoff_score, spread_alert_points=panel.spread_alert_points, has_ripple=has_ripple)
        for pk, p in proposals.items()]
    return PanelResults(rows=aggregation.rank_results(results), proposals=proposals,
                        comments={pk: comments[pk] for pk in proposals}, has_ripple=has_ripple,
                        rule=call.aggregation, cutoff=call.cutoff_score,
                        submitted=sum(1 for a in assignments if a.status == AssignmentStatus.SUBMITTED),
                        expected=len(assignments))


# --------------------------------------------------------------------------------------------
# Decisions and appeals
# --------------------------------------------------------------------------------------------


def decision_get_for_user_or_raise(*, user: Actor, proposal_id: int) -> Decision:
    """Permission first, on the proposal itself: whether a decision exists is told only to those who may read it."""
    proposal = Proposal.objects.filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound(_("Proposal not found."), code="proposal_not_found")
    if not can_view_decision(user, proposal):
        raise AccessDenied(_("You may not see this decision."), code="decision_forbidden")
    decision = (Decision.objects.select_related("proposal__call", "proposal__lead_organization", "panel")
                .filter(proposal_id=proposal_id).first())
    if decision is None:
        raise NotFound(_("No decision has been published for this proposal."), code="decision_not_published")
    return decision


def decision_list_for_applicant(*, user: Actor) -> QuerySet[Decision]:
    from doyak.proposals.models import ConsortiumMember

    if not getattr(user, "is_authenticated", False) or not user.organization_id:
        return Decision.objects.none()
    member_of = ConsortiumMember.objects.filter(organization_id=user.organization_id).values("proposal_id")
    return (Decision.objects.filter(Q(proposal__lead_organization_id=user.organization_id) | Q(proposal__in=member_of))
            .select_related("proposal__call").order_by("-published_at"))


def appeal_list_for_manager(*, user: Actor) -> QuerySet[Appeal]:
    _require_manager(user)
    return Appeal.objects.select_related("proposal__call", "decision", "filed_by").order_by("status", "answer_due_on")


def appeal_window_end(decision: Decision):
    """The last day (Seoul) an appeal is accepted."""
    from datetime import timedelta

    from doyak.policies.services import policy_value

    published = timezone.localdate(decision.published_at)
    return published + timedelta(days=int(policy_value("evaluation.appeal_window_days", published)))


def panels_of_call(*, call: Call) -> QuerySet[Panel]:
    return call.panels.annotate(proposal_count=Count("proposals", distinct=True)).order_by("id")


def panel_open_proposals(*, call: Call) -> QuerySet[Proposal]:
    """Submitted proposals of the call not yet on an unpublished panel."""
    on_panels = Panel.objects.filter(call=call).exclude(stage=PanelStage.PUBLISHED).values("proposals")
    return (Proposal.objects.filter(call=call, status__in=[ProposalStatus.SUBMITTED, ProposalStatus.UNDER_REVIEW])
            .exclude(pk__in=on_panels).order_by("reference"))


def home_content(*, user: Actor, lang: str) -> HomeContent:
    """For an evaluator: open assignments (not submitted, not withdrawn, panel not published; one query)."""
    if user.role != Role.EVALUATOR:
        return HomeContent()
    counts = (Assignment.objects.filter(profile__user=user, status=AssignmentStatus.ASSIGNED)
              .exclude(panel__stage=PanelStage.PUBLISHED)
              .aggregate(open=Count("pk"), unsigned=Count("pk", filter=Q(pledge_signed_at=None))))
    if not counts["open"]:
        sub = _("No evaluations assigned yet.")
    elif counts["unsigned"]:
        sub = _("%(n)s waiting for your conflict-of-interest pledge.") % {"n": f"{counts['unsigned']:,}"}
    else:
        sub = _("Pledges signed; scores to submit.")
    return HomeContent(cards=(HomeCard.count(label=_("Assigned proposals"), n=counts["open"], sub=sub,
                                       url=reverse("evaluation:home")),))
