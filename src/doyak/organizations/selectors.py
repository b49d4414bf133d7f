from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from doyak.accounts.enums import Role
from doyak.accounts.rules import Actor, sees_all_organizations
from doyak.core.errors import AccessDenied, NotFound
from doyak.core.home import HomeCard, HomeContent, HomeSection

from .models import Organization, Researcher
from .rules import can_view_organization


def organization_list_for_user(
    *, user: Actor, q: str = "", org_type: str = "", region_group: str = "", region_code: str = "",
    demand_anchor: bool | None = None,
) -> QuerySet[Organization]:
    """Organisations the user may see, filtered. Applicants see only their own."""
    qs = Organization.objects.select_related("region")
    if not sees_all_organizations(user):
        qs = qs.filter(pk=user.organization_id) if user.organization_id else qs.none()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(business_registration_number__startswith=q.replace("-", "")))
    if org_type:
        qs = qs.filter(org_type=org_type)
    if region_group == "non_capital":
        qs = qs.exclude(region__group="capital")
    elif region_group:
        qs = qs.filter(region__group=region_group)
    if region_code:
        qs = qs.filter(region__code=region_code)
    if demand_anchor is not None:
        qs = qs.filter(is_demand_anchor=demand_anchor)
    return qs.order_by("name", "id")


def organization_get_for_user_or_raise(*, user: Actor, organization_id: int) -> Organization:
    organization = Organization.objects.select_related("region").filter(pk=organization_id).first()
    if organization is None:
        raise NotFound(_("Organization not found."), code="organization_not_found")
    if not can_view_organization(user, organization):
        raise AccessDenied(_("You may not see this organization."), code="organization_forbidden")
    return organization


def researcher_list_for_user(*, user: Actor, q: str = "", career_stage: str = "", organization_id: int | None = None
                             ) -> QuerySet[Researcher]:
    qs = Researcher.objects.select_related("organization")
    if not sees_all_organizations(user):
        qs = qs.filter(organization_id=user.organization_id) if user.organization_id else qs.none()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(national_researcher_number=q) | Q(department__icontains=q))
    if career_stage:
        qs = qs.filter(career_stage=career_stage)
    if organization_id:
        qs = qs.filter(organization_id=organization_id)
    return qs.order_by("name", "id")


HOME_OVERVIEW_ROLES = frozenset({Role.PROGRAM_MANAGER, Role.ADMINISTRATOR, Role.COUNCIL_MEMBER, Role.INVESTOR})


def home_content(*, user: Actor, lang: str) -> HomeContent:
    """Organisations and researchers overall for the ministry side; an applicant's own organisation."""
    if user.role in HOME_OVERVIEW_ROLES:
        # one scan of each table for both of its figures
        orgs = Organization.objects.aggregate(n=Count("pk"), anchors=Count("pk", filter=Q(is_demand_anchor=True)))
        people = Researcher.objects.aggregate(n=Count("pk"), stars=Count("pk", filter=Q(star_engineer_since__isnull=False)))
        return HomeContent(cards=(
            HomeCard.count(label=_("Organizations"), n=orgs["n"],
                     sub=_("%(n)s demand-anchor companies") % {"n": f"{orgs['anchors']:,}"}),
            HomeCard.count(label=_("Researchers"), n=people["n"],
                     sub=_("%(n)s star engineers") % {"n": f"{people['stars']:,}"}),
        ))
    if user.role == Role.APPLICANT and user.organization_id:
        organization = Organization.objects.select_related("region").get(pk=user.organization_id)
        team = Researcher.objects.filter(organization_id=user.organization_id).count()
        return HomeContent(
            cards=(HomeCard.count(label=_("Researchers in my organization"), n=team),),
            sections=(HomeSection(template="organizations/_home_organization.html",
                                  data={"organization": organization}),),
        )
    return HomeContent()
