"""Reads of the agreements app: lists by role, versions and their comparison, change requests, the PM's queue."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from doyak.accounts.rules import Actor
from doyak.core.errors import AccessDenied, NotFound
from doyak.engine.agreement_changes import Difference, terms_differences

from .enums import ChangeStatus
from .models import Agreement, AgreementVersion, ChangeRequest
from .rules import can_manage_agreements, can_view_agreement, can_view_change, reads_all_agreements


def agreement_list_for_user(*, user: Actor, q: str = "", status: str = "") -> QuerySet[Agreement]:
    """Agreements the user may see: all for the ministry side and the read-only roles, their institution's
    (a party or a consortium member) otherwise."""
    qs = Agreement.objects.select_related("proposal__lead_organization", "proposal__call")
    if not reads_all_agreements(user):
        org = user.organization_id if getattr(user, "is_authenticated", False) else None
        if org is None or getattr(user, "role", "") != "applicant":
            return qs.none()
        qs = qs.filter(Q(proposal__lead_organization_id=org) | Q(proposal__members__organization_id=org)
                       | Q(parties__organization_id=org)).distinct()
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(proposal__title_ko__icontains=q))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("number")


def agreement_get_for_user_or_raise(*, user: Actor, agreement_id: int) -> Agreement:
    agreement = Agreement.objects.select_related("proposal__lead_organization", "proposal__call__program").filter(
        pk=agreement_id).first()
    if agreement is None:
        raise NotFound(_("Agreement not found."), code="agreement_not_found")
    if not can_view_agreement(user, agreement):
        raise AccessDenied(_("You may not see this agreement."), code="agreement_forbidden")
    return agreement


def version_list(*, agreement: Agreement) -> QuerySet[AgreementVersion]:
    return agreement.versions.select_related("change_request", "created_by").order_by("number")


def version_get_or_raise(*, agreement: Agreement, number: int) -> AgreementVersion:
    version = agreement.versions.filter(number=number).first()
    if version is None:
        raise NotFound(_("Version not found."), code="version_not_found")
    return version


def versions_compare(*, agreement: Agreement, before: int, after: int) -> list[Difference]:
    """Every difference between two versions, field by field."""
    return terms_differences(version_get_or_raise(agreement=agreement, number=before).terms,
                             version_get_or_raise(agreement=agreement, number=after).terms)


def change_list_for_user(*, user: Actor, agreement: Agreement) -> list[ChangeRequest]:
    return [c for c in agreement.change_requests.select_related("proposed_by", "decided_by").order_by("-number")
            if can_view_change(user, c)]


def change_get_for_user_or_raise(*, user: Actor, change_id: int) -> ChangeRequest:
    change = ChangeRequest.objects.select_related("agreement__proposal__lead_organization", "proposed_by",
                                                  "decided_by").filter(pk=change_id).first()
    if change is None:
        raise NotFound(_("Change request not found."), code="change_not_found")
    if not can_view_change(user, change):
        raise AccessDenied(_("You may not see this change request."), code="change_forbidden")
    return change


def change_queue(*, user: Actor) -> QuerySet[ChangeRequest]:
    """Requests waiting for the program manager's decision, the most overdue first."""
    if not (can_manage_agreements(user) or reads_all_agreements(user)):
        return ChangeRequest.objects.none()
    return (ChangeRequest.objects.filter(status=ChangeStatus.SUBMITTED)
            .select_related("agreement__proposal__lead_organization", "proposed_by").order_by("due_date", "pk"))


def is_overdue(change: ChangeRequest) -> bool:
    return (change.status == ChangeStatus.SUBMITTED and change.due_date is not None
            and change.due_date < timezone.localdate())


def organization_matches(*, q: str, limit: int) -> tuple[list, bool]:
    """Registered institutions a request may name, found by business registration number (its leading digits,
    dashes ignored) or part of the name: at most ``limit``, by name, and whether there were more."""
    from doyak.organizations.models import Organization

    q = q.strip()
    digits = q.replace("-", "")
    match = Q(name__icontains=q)
    if digits.isdigit():
        match |= Q(business_registration_number__startswith=digits)
    found = list(Organization.objects.filter(match).order_by("name", "pk")[:limit + 1])
    return found[:limit], len(found) > limit
