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
    since: dt.date | None = None, until: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """The audit trail, newest first, for auditors and administrators only."""
    if not can_view_audit_log(user):
        raise AccessDenied(_("Only auditors and administrators read the audit log."), code="audit_forbidden")
    qs = AuditEvent.objects.all()
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
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
    return qs.order_by("-at", "-id")


HOME_AUDIT_ROLES = frozenset({Role.AUDITOR, Role.ADMINISTRATOR})
HOME_RECENT_EVENTS = 10


def home_content(*, user: Actor, lang: str) -> HomeContent:
    """For auditors and administrators: the number of audit events and the latest ones."""
    if user.role not in HOME_AUDIT_ROLES:
        return HomeContent()
    events = audit_event_list_for_user(user=user)
    recent = list(events[:HOME_RECENT_EVENTS])
    return HomeContent(
        cards=(HomeCard(label=_("Audit events"), value=f"{events.count():,}"),),
        sections=(HomeSection(template="core/_home_recent_events.html", data={"recent_events": recent}),)
        if recent else (),
    )
