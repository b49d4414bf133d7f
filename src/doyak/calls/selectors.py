"""Reads for calls: lists, one call, and what a call still lacks before it may open."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from doyak.accounts.enums import Role
from doyak.accounts.rules import Actor
from doyak.core.errors import AccessDenied, NotFound
from doyak.core.home import HomeCard, HomeContent
from doyak.policies.services import policy_value
from doyak.regions.selectors import region_list_valid_on

from .enums import CallStatus
from .models import Call
from .rules import can_view_call, can_view_draft_calls


def call_list_for_user(*, user: Actor, q: str = "", status: str = "", track: str = "", program_id: int | None = None,
                       accepting: bool | None = None) -> QuerySet[Call]:
    """Calls the user may see, filtered; drafts only for program managers, council and auditors."""
    qs = Call.objects.select_related("program", "sub_program")
    if not can_view_draft_calls(user):
        qs = qs.exclude(status=CallStatus.DRAFT)
    if q:
        qs = qs.filter(Q(title_ko__icontains=q) | Q(title_en__icontains=q) | Q(reference__icontains=q))
    if status:
        qs = qs.filter(status=status)
    if track:
        qs = qs.filter(track=track)
    if program_id:
        qs = qs.filter(program_id=program_id)
    if accepting:
        now = timezone.now()
        qs = qs.filter(status=CallStatus.OPEN, opens_at__lte=now, closes_at__gt=now)
    return qs.order_by("-opens_at", "reference")


def calls_with_proposal_counts(calls) -> list[Call]:
    """``calls`` (a page of them) as a list, each with ``proposal_count``: its proposals other than drafts.

    Counted for the shown rows only: a count joined into the list query groups every proposal of every call
    before the page is cut (about 100 ms on the national seed for each view of the calls list)."""
    calls = list(calls)
    proposals = Call._meta.get_field("proposals").related_model.objects  # calls sit below proposals: no import
    counts = dict(proposals.filter(call_id__in=[c.pk for c in calls]).exclude(status="draft")
                  .order_by().values("call_id").annotate(n=Count("pk")).values_list("call_id", "n"))
    for call in calls:
        call.proposal_count = counts.get(call.pk, 0)
    return calls


def call_get_for_user_or_raise(*, user: Actor, call_id: int) -> Call:
    call = Call.objects.select_related("program", "sub_program").filter(pk=call_id).first()
    if call is None:
        raise NotFound(_("Call not found."), code="call_not_found")
    if not can_view_call(user, call):
        raise AccessDenied(_("You may not see this call."), code="call_forbidden")
    return call


def call_ripple_required(*, call: Call, on: dt.date | None = None) -> bool:
    """Whether the policy makes the regional ripple criteria mandatory for this call's track."""
    return call.track in policy_value("evaluation.regional_ripple_mandatory_tracks", on)


def call_policy_date(call: Call) -> dt.date:
    """The date whose policies govern a call: the day it opens (Seoul time)."""
    return timezone.localdate(call.opens_at) if call.opens_at else timezone.localdate()


def call_region_codes(*, call: Call) -> list[str]:
    """The region codes a call is restricted to (empty: all regions)."""
    return list(call.eligible_region_codes or [])


def regional_only_default_codes(*, on: dt.date) -> list[str]:
    groups = policy_value("track.regional_only.eligible_region_groups", on)
    return sorted(region_list_valid_on(on=on).filter(group__in=groups).values_list("code", flat=True))


@dataclass(frozen=True)
class OpenProblem:
    code: str
    field: str
    message: str


def call_open_problems(*, call: Call) -> list[OpenProblem]:
    """Everything that stops ``call`` from opening, as (code, field, translated message)."""
    on = call_policy_date(call)
    problems: list[OpenProblem] = []
    if call.closes_at <= call.opens_at:
        problems.append(OpenProblem("call_window_invalid", "closes_at", _("The call must close after it opens.")))
    criteria = list(call.criteria.all())
    kinds = {c.kind for c in criteria}
    if not criteria:
        problems.append(OpenProblem("call_criteria_missing", "criteria", _("The evaluation template has no criteria.")))
    for kind in policy_value("evaluation.required_criterion_kinds", on):
        if kind not in kinds:
            problems.append(OpenProblem("call_required_criterion_missing", "criteria",
                                        _("The evaluation template lacks the required criterion “%(kind)s”.")
                                        % {"kind": _criterion_label(kind)}))
    if call_ripple_required(call=call, on=on):
        for kind in policy_value("evaluation.regional_ripple_criterion_kinds", on):
            if kind not in kinds:
                problems.append(OpenProblem(
                    "call_ripple_criteria_missing", "criteria",
                    _("Calls of the %(track)s track must score regional ripple effects: “%(kind)s” is missing.")
                    % {"track": call.get_track_display(), "kind": _criterion_label(kind)}))
    total = sum((c.weight for c in criteria), Decimal(0))
    expected = policy_value("evaluation.criteria_weight_total", on)
    if criteria and total != expected:
        problems.append(OpenProblem("call_weights_total", "criteria",
                                    _("The criteria weights add up to %(total)s points, not %(expected)s.")
                                    % {"total": _num(total), "expected": _num(expected)}))
    if call.cutoff_score > expected:
        problems.append(OpenProblem("call_cutoff_invalid", "cutoff_score",
                                    _("The cut-off score is above the %(expected)s-point total.") % {"expected": _num(expected)}))
    if call.track == "regional_only":
        allowed = set(regional_only_default_codes(on=on))
        outside = sorted(set(call.eligible_region_codes or []) - allowed)
        if outside:
            problems.append(OpenProblem("call_regions_not_eligible", "eligible_region_codes",
                                        _("Regional-only calls may not include these regions: %(codes)s.")
                                        % {"codes": ", ".join(outside)}))
    return problems


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


def _criterion_label(kind: str) -> str:
    from .enums import CriterionKind

    try:
        return str(CriterionKind(kind).label)
    except ValueError:
        return kind


def home_content(*, user: Actor, lang: str) -> HomeContent:
    """For an applicant: the calls accepting proposals now (open, within their window, as
    ``Call.is_accepting`` says)."""
    if user.role != Role.APPLICANT or not user.organization_id:
        return HomeContent()
    now = timezone.now()
    n = Call.objects.filter(status=CallStatus.OPEN, opens_at__lte=now, closes_at__gt=now).count()
    return HomeContent(cards=(HomeCard.count(
        label=_("Open calls"), n=n,
        sub=_("Calls accepting proposals now.") if n else _("Calls appear here when a program opens them."),
        url=f"{reverse('calls:list')}?status={CallStatus.OPEN}"),))
