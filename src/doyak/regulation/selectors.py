"""Reads of regulation innovation: the registry, a project's dependencies and timeline, the liaison's queue,
the council's progress of the tasks, the home page's alert cards and the calendar's events."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from doyak.accounts.rules import Actor, is_applicant, is_liaison, reads_as_ministry
from doyak.core.errors import AccessDenied, NotFound
from doyak.core.home import HomeCard, HomeContent
from doyak.engine.regulation import next_milestone

from . import policies as P
from .enums import ALERT_STATUSES, DependencyStatus, TaskStatus
from .models import ProjectRegulation, RegulationAlert, RegulationTask
from .rules import (
    can_view_dependency,
    can_view_workspace,
    reads_all_dependencies,
    reads_registry,
)


def task_list(*, user: Actor, status: str | None = None) -> QuerySet[RegulationTask]:
    if not reads_registry(user):
        raise AccessDenied(_("The registry is not open to this role."), code="regulation_forbidden")
    qs = RegulationTask.objects.select_related("owner").annotate(
        projects=Count("dependencies__proposal", distinct=True)).order_by("code")
    return qs.filter(status=status) if status else qs


def task_get_or_raise(*, user: Actor, task_id: int) -> RegulationTask:
    task = task_list(user=user).filter(pk=task_id).first()
    if task is None:
        raise NotFound(_("Task not found."), code="task_not_found")
    return task


def dependency_list(*, user: Actor, status: str | None = None) -> QuerySet[ProjectRegulation]:
    """The dependencies the user reads: all for the ministry side, read-only roles and the liaison; their own
    projects' for an institution's applicants; none for anybody else."""
    qs = (ProjectRegulation.objects.select_related("proposal__lead_organization", "task")
          .prefetch_related("milestones").order_by("proposal__reference", "pk"))
    if not reads_all_dependencies(user):
        if not is_applicant(user):
            raise AccessDenied(_("Regulation dependencies are not open to this role."), code="regulation_forbidden")
        qs = qs.filter(proposal__lead_organization_id=user.organization_id)
    return qs.filter(status=status) if status else qs


def dependency_get_or_raise(*, user: Actor, dependency_id: int) -> ProjectRegulation:
    dependency = (ProjectRegulation.objects.select_related("proposal__lead_organization", "proposal__call", "task")
                  .prefetch_related("milestones", "notes__author", "alerts").filter(pk=dependency_id).first())
    if dependency is None or not can_view_dependency(user, dependency):
        raise NotFound(_("Dependency not found."), code="dependency_not_found")
    return dependency


def dependency_next_milestone(dependency: ProjectRegulation, *, today: dt.date | None = None) -> dt.date | None:
    today = today or timezone.localdate()
    return next_milestone(today=today, milestones=[m.due_on for m in dependency.milestones.all() if not m.done])


def project_dependencies(*, user: Actor, proposal_id: int) -> list[ProjectRegulation]:
    rows = list(dependency_list(user=user).filter(proposal_id=proposal_id))
    if not rows:
        raise NotFound(_("No regulation dependency of this project is open to you."), code="dependency_not_found")
    return rows


@dataclass(frozen=True)
class QueueGroup:
    key: str
    rows: list[ProjectRegulation]


def liaison_queue(*, user: Actor) -> dict:
    """At-risk and blocked dependencies, grouped by ministry and by law; the tasks the user owns."""
    if not can_view_workspace(user):
        raise AccessDenied(_("The liaison workspace is not open to this role."), code="regulation_forbidden")
    rows = list(dependency_list(user=user).filter(
        status__in=[DependencyStatus.AT_RISK, DependencyStatus.BLOCKED]).order_by("status", "ministry", "law", "pk"))
    by_ministry: dict[str, list] = defaultdict(list)
    by_law: dict[str, list] = defaultdict(list)
    for row in rows:
        by_ministry[row.ministry or (row.task.ministry if row.task else "")].append(row)
        by_law[row.law or (row.task.law if row.task else "")].append(row)
    owned = list(RegulationTask.objects.filter(owner_id=user.pk).annotate(
        projects=Count("dependencies__proposal", distinct=True)).order_by("code")) if user.pk else []
    return {"rows": rows,
            "by_ministry": [QueueGroup(k, v) for k, v in sorted(by_ministry.items())],
            "by_law": [QueueGroup(k, v) for k, v in sorted(by_law.items())],
            "owned": owned}


def task_progress(*, user: Actor) -> dict:
    """The council's read-only view: the tasks, how many resolved, the projects each unblocks, those at risk."""
    if not (reads_as_ministry(user) or is_liaison(user)):
        raise AccessDenied(_("The registry's progress is not open to this role."), code="regulation_forbidden")
    tasks = list(RegulationTask.objects.annotate(
        projects=Count("dependencies__proposal", distinct=True),
        at_risk=Count("dependencies", filter=Q(dependencies__status__in=list(ALERT_STATUSES)), distinct=True),
    ).order_by("code"))
    counts = {s: sum(1 for t in tasks if t.status == s) for s in TaskStatus.values}
    at_risk = list(ProjectRegulation.objects.filter(status__in=list(ALERT_STATUSES))
                   .select_related("proposal", "task").order_by("status", "proposal__reference"))
    return {"tasks": tasks, "counts": counts, "total": len(tasks), "target": P.int_policy(P.TASK_TARGET_COUNT),
            "at_risk": at_risk}


def alerts_open_for(*, user: Actor) -> QuerySet[RegulationAlert]:
    """Alerts whose dependency is still in the alert's status, for the user's home page."""
    qs = RegulationAlert.objects.select_related("dependency__proposal")
    if is_applicant(user):
        qs = qs.filter(dependency__proposal__lead_organization_id=user.organization_id)
    elif not reads_all_dependencies(user):
        return qs.none()
    return qs.filter(status=F("dependency__status")).order_by("-raised_on", "-pk")


def home_content(*, user: Actor, lang: str) -> HomeContent:
    """Regulation alerts on the home page of the institution, the PM and the liaison."""
    from django.urls import reverse

    role = getattr(user, "role", "")
    if role not in ("applicant", "program_manager", "regulation_liaison"):
        return HomeContent()
    alerts = list(alerts_open_for(user=user)[:50])
    if not alerts and role == "applicant":
        return HomeContent()
    by_status: dict[str, int] = defaultdict(int)
    for alert in alerts:
        by_status[alert.status] += 1
    url = reverse("regulation:workspace") if role != "applicant" else reverse("regulation:dependencies")
    sub = " · ".join(f"{DependencyStatus(s).label} {n}" for s, n in sorted(by_status.items())) or _("No alert open.")
    cards = [HomeCard(label=_("Regulation alerts"), value=str(len(alerts)), sub=sub, url=url)]
    for alert in alerts[:3]:
        cards.append(HomeCard(label=str(DependencyStatus(alert.status).label),
                              value=alert.dependency.proposal.reference,
                              sub=alert.dependency.regulation,
                              url=reverse("regulation:dependency", args=[alert.dependency_id])))
    return HomeContent(cards=tuple(cards))


def calendar_events(*, user: Actor, today: dt.date | None = None) -> list[dict]:
    """The milestones and regulatory dates the user follows: every dependency they read (the liaison and the
    ministry side: all; an institution: its own projects)."""
    events = []
    try:
        dependencies = list(dependency_list(user=user))
    except AccessDenied:  # a role that follows no dependency (an evaluator, an investor): an empty calendar
        dependencies = []
    for dep in dependencies:
        label = f"{dep.proposal.reference} {dep.regulation}"
        for m in dep.milestones.all():
            events.append({"uid": f"milestone-{m.pk}", "on": m.due_on, "summary": f"{m.title} · {label}"})
        for key, what in (("applied_on", _("Exemption applied")), ("granted_on", _("Exemption granted")),
                          ("effective_on", _("Exemption in effect")), ("expires_on", _("Exemption expires"))):
            value = getattr(dep, key)
            if value:
                events.append({"uid": f"dependency-{dep.pk}-{key}", "on": value, "summary": f"{what} · {label}"})
    return sorted(events, key=lambda e: (e["on"], e["uid"]))
