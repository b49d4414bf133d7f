from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from doyak.accounts.enums import Role
from doyak.accounts.rules import Actor, can_view_audit_log

from .errors import AccessDenied
from .home import HomeCard, HomeContent, HomeSection
from .models import AuditEvent


def audit_event_list_for_user(
    *, user: Actor, actor: str = "", action: str = "", object_type: str = "", object_id: str = "",
    since: dt.date | None = None, until: dt.date | None = None, actor_id: int | None = None,
    system_only: bool = False,
) -> QuerySet[AuditEvent]:
    """The audit trail, newest first, for auditors and administrators only. ``actor`` matches the actor's
    user name in part; ``actor_id`` one person; ``system_only`` the events the system made."""
    if not can_view_audit_log(user):
        raise AccessDenied(_("Only auditors and administrators read the audit log."), code="audit_forbidden")
    qs = AuditEvent.objects.all()
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if actor_id is not None:
        qs = qs.filter(actor_id=actor_id)
    if system_only:
        qs = qs.filter(actor__isnull=True)
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs.select_related("actor").order_by("-at", "-id")


AUDIT_FILTER_OPTIONS_MAX = 500  # people and object types offered in the audit filter's lists


def audit_filter_options(*, user: Actor) -> dict[str, list]:
    """What the audit log's filter lists offer: the people and the object types that appear in it."""
    from django.contrib.auth import get_user_model

    events = audit_event_list_for_user(user=user)
    actor_ids = events.exclude(actor__isnull=True).order_by().values_list("actor_id", flat=True).distinct()
    people = list(get_user_model().objects.filter(pk__in=actor_ids).order_by("display_name", "username")
                  [:AUDIT_FILTER_OPTIONS_MAX])
    types = list(events.order_by("object_type").values_list("object_type", flat=True).distinct()
                 [:AUDIT_FILTER_OPTIONS_MAX])
    return {"people": people, "object_types": types}


HOME_AUDIT_ROLES = frozenset({Role.AUDITOR, Role.ADMINISTRATOR})
HOME_RECENT_EVENTS = 10


def home_content(*, user: Actor, lang: str) -> HomeContent:
    """For auditors and administrators: the number of audit events and the latest ones."""
    if user.role not in HOME_AUDIT_ROLES:
        return HomeContent()
    events = audit_event_list_for_user(user=user)
    recent = list(events[:HOME_RECENT_EVENTS])
    return HomeContent(
        cards=(HomeCard.count(label=_("Audit events"), n=events.count()),),
        sections=(HomeSection(template="core/_home_recent_events.html", data={"recent_events": recent}),)
        if recent else (),
    )
