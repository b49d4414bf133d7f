"""Reads of the portfolio app: scenarios, the proposals a scenario chooses from, what earlier years funded."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from doyak.accounts.rules import Actor
from doyak.core.errors import AccessDenied, NotFound, ValidationFailed
from doyak.engine.portfolio import Proposal as EngineProposal
from doyak.engine.regions import REGION_GROUPS
from doyak.proposals.enums import ProposalStatus
from doyak.proposals.models import Proposal

from .enums import COMPARE_MAX, ScenarioScope
from .models import Scenario
from .rules import can_view_scenarios

# The eight 5극3특 groups in display order (capital first).
REGION_GROUP_ORDER: tuple[str, ...] = tuple(REGION_GROUPS)



def _require_viewer(user: Actor) -> None:
    if not can_view_scenarios(user):
        raise AccessDenied(_("Only program managers, council members and administrators see portfolio scenarios."),
                           code="portfolio_forbidden")


def scenario_list_for_user(*, user: Actor) -> QuerySet[Scenario]:
    _require_viewer(user)
    return Scenario.objects.select_related("program", "call", "created_by").order_by("-created_at", "-id")


def scenario_get_or_raise(*, user: Actor, scenario_id: int) -> Scenario:
    _require_viewer(user)
    scenario = Scenario.objects.select_related("program", "call", "created_by").filter(pk=scenario_id).first()
    if scenario is None:
        raise NotFound(_("No such scenario."), code="scenario_not_found")
    return scenario


def scenarios_for_compare(*, user: Actor, scenario_ids: Iterable[int]) -> list[Scenario]:
    """Up to ``COMPARE_MAX`` scenarios, in the order asked; more is a validation error."""
    _require_viewer(user)
    ids = list(dict.fromkeys(int(i) for i in scenario_ids))
    if not ids:
        raise ValidationFailed(_("Choose at least one scenario to compare."), code="compare_empty", field="ids")
    if len(ids) > COMPARE_MAX:
        raise ValidationFailed(_("Compare at most %(n)s scenarios at once.") % {"n": COMPARE_MAX},
                               code="compare_too_many", field="ids")
    found = {s.pk: s for s in Scenario.objects.select_related("program", "call").filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(_("No such scenario."), code="scenario_not_found")
    return [found[i] for i in ids]


@dataclass(frozen=True)
class Candidate:
    """A scored proposal a scenario may fund, as the engine sees it (``proposal_id`` is the row's pk)."""

    pk: int
    reference: str
    title: str
    track: str
    region: str
    region_group: str
    cost: int
    score: float

    def to_engine(self, *, anchor_led: bool, org_size: str, program: str) -> EngineProposal:
        return EngineProposal(proposal_id=str(self.pk), track=self.track, region=self.region, cost=self.cost,
                              score=self.score, anchor_led=anchor_led, org_size=org_size, program=program)


def scope_proposals(*, program, year: int, call=None) -> QuerySet[Proposal]:
    qs = Proposal.objects.all()
    if call is not None:
        return qs.filter(call=call)
    return qs.filter(call__program__code=program.code, call__program__year=year)


def candidate_proposals(*, program, year: int, call=None) -> list[tuple[Candidate, EngineProposal]]:
    """The proposals of the scope that passed evaluation (*evaluated*, with a published ``Decision``) and ask
    for government funds; each with its engine row. Only these are chosen from; the approval of a scenario
    selects some and not the others."""
    qs = (
        scope_proposals(program=program, year=year, call=call)
        .filter(status=ProposalStatus.EVALUATED, evaluation_decision__isnull=False, gov_total_krw__gt=0)
        .select_related("call__program", "lead_organization__region", "evaluation_decision")
        .order_by("id")
    )
    out: list[tuple[Candidate, EngineProposal]] = []
    for p in qs:
        region = p.lead_organization.region
        candidate = Candidate(pk=p.pk, reference=p.reference, title=p.title, track=p.call.track,
                              region=region.code, region_group=region.group, cost=int(p.gov_total_krw),
                              score=float(p.evaluation_decision.score))
        out.append((candidate, candidate.to_engine(anchor_led=p.lead_organization.is_demand_anchor,
                                                   org_size=p.lead_organization.org_type,
                                                   program=p.call.program.code)))
    return out


def candidates_fingerprint(candidates: Iterable[Candidate]) -> list[list]:
    """What a solve depended on, per candidate: id, funds and score (a change makes the result stale)."""
    return [[c.pk, c.cost, f"{c.score:.2f}"] for c in candidates]


def unscored_count(*, program, year: int, call=None) -> int:
    """Proposals of the scope still waiting for a published evaluation (not yet candidates)."""
    return (scope_proposals(program=program, year=year, call=call)
            .filter(status__in=[ProposalStatus.SUBMITTED, ProposalStatus.UNDER_REVIEW]).count())


def scope_decisions(*, program, year: int, call=None):
    """Published evaluation decisions of the scope's proposals, with their appeals (for approval)."""
    from doyak.evaluation.models import Decision

    proposals = scope_proposals(program=program, year=year, call=call)
    return (Decision.objects.filter(proposal__in=proposals).select_related("proposal", "proposal__evaluation_appeal")
            .order_by("proposal__reference"))


def selections_of(*, scenario: Scenario):
    """The decisions an approved scenario made, selected first (the caller has checked the viewer)."""
    from .models import Selection

    return (Selection.objects.filter(scenario=scenario)
            .select_related("scenario", "proposal__lead_organization", "proposal__evaluation_decision")
            .order_by("-selected", "proposal__reference"))


def funded_earlier(*, program, year: int) -> QuerySet[Proposal]:
    """Proposals selected in earlier fiscal years of the same program (same program code)."""
    return Proposal.objects.filter(status=ProposalStatus.SELECTED, call__program__code=program.code,
                                   call__program__year__lt=year)


def funded_in_year(*, program, year: int) -> QuerySet[Proposal]:
    """Proposals selected in fiscal year ``year`` of the same program (same program code)."""
    return Proposal.objects.filter(status=ProposalStatus.SELECTED, call__program__code=program.code,
                                   call__program__year=year)


def scope_label(scenario: Scenario) -> str:
    if scenario.scope == ScenarioScope.CALL and scenario.call is not None:
        return f"{scenario.call.reference} · {scenario.call.title}"
    return _("%(program)s, %(year)s (all calls)") % {"program": scenario.program.name_ko, "year": scenario.year}
