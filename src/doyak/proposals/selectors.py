"""Reads for proposals: filtered lists per role, one proposal, its violations."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from doyak.accounts.enums import Role
from doyak.accounts.rules import Actor, is_applicant, is_liaison
from doyak.core.errors import AccessDenied, NotFound
from doyak.core.home import HomeCard, HomeContent
from doyak.organizations.models import Organization

from .enums import ProposalStatus
from .models import ConsortiumMember, Proposal, RegulationDependency
from .rules import can_view_history, can_view_proposal, sees_all_proposals

ORDERINGS = {
    "-submitted_at": ("-submitted_at", "-id"),
    "submitted_at": ("submitted_at", "id"),
    "-gov_total_krw": ("-gov_total_krw", "-id"),
    "gov_total_krw": ("gov_total_krw", "id"),
    "reference": ("reference",),
    "-created_at": ("-created_at", "-id"),
}
LIST_FIELDS = (
    "id", "reference", "title_ko", "title_en", "status", "gov_total_krw", "cash_total_krw", "in_kind_total_krw",
    "submitted_at", "created_at", "start_date", "end_date", "keywords",
    "call__id", "call__reference", "call__title_ko", "call__title_en", "call__track", "call__closes_at",
    "call__status", "call__opens_at",
    "lead_organization__id", "lead_organization__name", "lead_organization__org_type",
    "lead_organization__region__code", "lead_organization__region__name_ko", "lead_organization__region__name_en",
    "lead_organization__region__group",
)


def proposal_list_for_user(
    *, user: Actor, q: str = "", call_id: int | None = None, status: str = "", track: str = "", region_group: str = "",
    region_code: str = "", org_type: str = "", program_id: int | None = None, min_gov_krw: int | None = None,
    max_gov_krw: int | None = None, order: str = "",
) -> QuerySet[Proposal]:
    """Proposals the user may see, filtered and ordered; the ministry side never sees drafts."""
    qs = Proposal.objects.select_related("call", "lead_organization__region").only(*LIST_FIELDS)
    if is_applicant(user):
        if not user.organization_id:
            return qs.none()
        # The ids first (two index scans): "lead OR member" in one WHERE makes PostgreSQL scan every proposal.
        own = set(Proposal.objects.filter(lead_organization_id=user.organization_id).values_list("pk", flat=True))
        own.update(ConsortiumMember.objects.filter(organization_id=user.organization_id)
                   .values_list("proposal_id", flat=True))
        qs = qs.filter(pk__in=sorted(own))
    elif sees_all_proposals(user):
        qs = qs.exclude(status=ProposalStatus.DRAFT)
    elif is_liaison(user):  # what a regulation needs: submitted proposals that depend on one
        qs = qs.exclude(status=ProposalStatus.DRAFT).filter(pk__in=RegulationDependency.objects.values("proposal_id"))
    else:
        return qs.none()
    if q:
        leads = Organization.objects.filter(name__icontains=q).values("pk")
        qs = qs.filter(Q(title_ko__icontains=q) | Q(title_en__icontains=q) | Q(reference=q)
                       | Q(lead_organization_id__in=leads))
    if call_id:
        qs = qs.filter(call_id=call_id)
    if status:
        qs = qs.filter(status=status)
    if track:
        qs = qs.filter(call__track=track)
    if program_id:
        qs = qs.filter(call__program_id=program_id)
    if region_group == "non_capital":
        qs = qs.exclude(lead_organization__region__group="capital")
    elif region_group:
        qs = qs.filter(lead_organization__region__group=region_group)
    if region_code:
        qs = qs.filter(lead_organization__region__code=region_code)
    if org_type:
        qs = qs.filter(lead_organization__org_type=org_type)
    if min_gov_krw is not None:
        qs = qs.filter(gov_total_krw__gte=min_gov_krw)
    if max_gov_krw is not None:
        qs = qs.filter(gov_total_krw__lte=max_gov_krw)
    default = "-created_at" if user.role == Role.APPLICANT else "-submitted_at"
    return qs.order_by(*ORDERINGS.get(order or default, ORDERINGS[default]))


def proposal_get_for_user_or_raise(*, user: Actor, proposal_id: int) -> Proposal:
    proposal = (Proposal.objects.select_related("call__program", "lead_organization__region", "pi", "created_by")
                .filter(pk=proposal_id).first())
    if proposal is None:
        raise NotFound(_("Proposal not found."), code="proposal_not_found")
    if not can_view_proposal(user, proposal):
        raise AccessDenied(_("You may not see this proposal."), code="proposal_forbidden")
    return proposal


HISTORY_LIMIT = 30


def proposal_history_for_user_or_raise(*, user: Actor, proposal_id: int) -> QuerySet:
    """The proposal's audit events, newest first: the one rule the detail page and the API share."""
    proposal = proposal_get_for_user_or_raise(user=user, proposal_id=proposal_id)
    if not can_view_history(user, proposal):
        raise AccessDenied(_("You may not see this proposal's history."), code="proposal_history_forbidden")
    from doyak.core.models import AuditEvent

    return AuditEvent.objects.filter(object_type="proposals.proposal", object_id=str(proposal.pk)).order_by("-at", "-id")


def proposal_budget_grid(*, proposal: Proposal) -> dict:
    """Years of the project period × budget institutions × categories, with the saved amounts."""
    from .enums import CostCategory, MemberRole

    years = proposal_years(proposal)
    institutions = [m.organization for m in proposal.members.select_related("organization")
                    .exclude(role=MemberRole.SUBCONTRACTOR).order_by("id")]
    amounts = {(line.year, line.organization_id, line.category): line for line in proposal.budget_lines.all()}
    return {"years": years, "institutions": institutions, "categories": CostCategory.choices, "amounts": amounts}


def proposal_years(proposal: Proposal) -> list[int]:
    if proposal.start_date and proposal.end_date and proposal.start_date <= proposal.end_date:
        return list(range(proposal.start_date.year, proposal.end_date.year + 1))
    saved = sorted(set(proposal.budget_lines.values_list("year", flat=True)))
    return saved or [proposal.call.opens_at.year + 1]


def sanction_list_for_user(*, user: Actor, kind: str = "", q: str = "", subject: str = "") -> QuerySet:
    """Sanctions and selection bars for program managers and administrators, newest decision first.

    ``q`` matches the organisation's name or registration number, or the researcher's name or national number;
    ``subject`` is "organization" or "researcher".
    """
    from .models import Sanction
    from .rules import can_record_sanction

    if not can_record_sanction(user):
        raise AccessDenied(_("Only program managers see sanctions."), code="sanction_forbidden")
    qs = Sanction.objects.select_related("organization", "researcher__organization")
    if kind:
        qs = qs.filter(kind=kind)
    if subject == "organization":
        qs = qs.filter(organization__isnull=False)
    elif subject == "researcher":
        qs = qs.filter(researcher__isnull=False)
    if q:
        digits = q.replace("-", "")
        qs = qs.filter(Q(organization__name__icontains=q) | Q(organization__business_registration_number=digits)
                       | Q(researcher__name__icontains=q) | Q(researcher__national_researcher_number=q))
    return qs.order_by("-created_at", "-id")


HOME_CARD_ROLES = frozenset({Role.PROGRAM_MANAGER, Role.ADMINISTRATOR})


def home_content(*, user: Actor, lang: str) -> HomeContent:
    """Submitted proposals waiting for a panel, and proposals under review (one query)."""
    if user.role not in HOME_CARD_ROLES:
        return HomeContent()
    counts = Proposal.objects.aggregate(
        submitted=Count("pk", filter=Q(status=ProposalStatus.SUBMITTED)),
        under_review=Count("pk", filter=Q(status=ProposalStatus.UNDER_REVIEW)))
    return HomeContent(cards=(
        HomeCard.count(label=_("Submitted proposals"), n=counts["submitted"],
                 sub=_("Waiting for an evaluation panel."),
                 url=f"{reverse('proposals:list')}?status={ProposalStatus.SUBMITTED}"),
        HomeCard.count(label=_("Proposals under review"), n=counts["under_review"],
                 sub=_("On evaluation panels."), url=reverse("evaluation:home")),
    ))
