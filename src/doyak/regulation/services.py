"""Writes of regulation innovation. Atomic, permission first, audited; never see the HTTP request.

* the registry: ``task_create``, ``task_transition`` (identified → in consultation → resolved | dropped),
  ``tasks_import`` (imports.py: CSV/XLSX, all or nothing);
* a project's dependencies: ``dependency_create`` (or ``dependencies_sync`` from what the proposals named),
  ``dependency_record`` (route, dates, conditions), ``dependency_extend`` (the policy's period and count),
  ``dependency_convert`` (demonstration exemption → temporary permit), ``milestone_add``;
* the regulatory agreement: ``regulatory_agreement_record`` and ``regulatory_agreement_required_or_raise``,
  which agreements' signing calls;
* the daily job: ``regulation_daily`` refreshes every status and raises an alert (e-mail and home page) once
  per state change;
* the liaison's log: ``note_log``; the calendar feed's tokens: ``calendar_token_issue`` / ``_revoke``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doyak.accounts.enums import Role
from doyak.accounts.rules import Actor
from doyak.core.audit import audit_record
from doyak.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from doyak.core.inputs import TEXT_MAX, text_problem
from doyak.core.labels import audit_actions_register, choice_label
from doyak.engine import regulation as engine
from doyak.proposals.models import Proposal, RegulationDependency

from . import policies as P
from .enums import (
    ALERT_STATUSES,
    TASK_TRANSITIONS,
    ChangeKind,
    DependencyStatus,
    MilestoneKind,
    NoteKind,
    Route,
    TaskStatus,
)
from .models import (
    CalendarToken,
    ExemptionMilestone,
    LiaisonNote,
    ProjectRegulation,
    RegulationAlert,
    RegulationTask,
    RegulatoryAgreement,
)
from .rules import (
    can_add_milestone,
    can_edit_tasks,
    can_log_notes,
    can_manage_dependency,
    can_record_regulatory_agreement,
    can_view_dependency,
)

AUDIT_ACTIONS = audit_actions_register({
    "regulation_task.create": gettext_lazy("Regulation innovation task registered"),
    "regulation_task.transition": gettext_lazy("Regulation innovation task status changed"),
    "regulation_task.import": gettext_lazy("Regulation innovation tasks imported"),
    "regulation_dependency.create": gettext_lazy("Project regulation dependency recorded"),
    "regulation_dependency.record": gettext_lazy("Exemption route or dates recorded"),
    "regulation_dependency.extend": gettext_lazy("Exemption extended"),
    "regulation_dependency.convert": gettext_lazy("Demonstration exemption converted to a temporary permit"),
    "regulation_dependency.milestone": gettext_lazy("Milestone needing the exemption added"),
    "regulation_dependency.alert": gettext_lazy("Regulation alert raised"),
    "regulation_note.log": gettext_lazy("Liaison note or contact logged"),
    "regulatory_agreement.record": gettext_lazy("Regulatory agreement recorded"),
    "calendar_token.issue": gettext_lazy("Calendar feed address made"),
    "calendar_token.revoke": gettext_lazy("Calendar feed address revoked"),
})

INSURANCE_MAX = 10 ** 15
MONTHS_MAX = 1200


def _user_or_none(actor: Actor):
    return actor if getattr(actor, "pk", None) else None


def _text(value: Any, *, field: str, limit: int, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationFailed(_("This field is required."), code="required", field=field)
    problem = text_problem(text)
    if problem:
        raise ValidationFailed(problem, code="invalid_text", field=field)
    if len(text) > limit:
        raise ValidationFailed(_("Longer than %(n)s characters.") % {"n": limit}, code="too_long", field=field)
    return text


def _choice(value: Any, choices, *, field: str) -> str:
    if str(value) not in choices.values:
        raise ValidationFailed(_("Choose one of the listed values."), code="invalid_choice", field=field)
    return str(value)


# --------------------------------------------------------------------------------------------
# The registry of tasks
# --------------------------------------------------------------------------------------------

TASK_TEXT_LIMITS = {"code": 20, "title": 300, "industry": 100, "ministry": 100, "law": 200, "article": 100,
                    "description": TEXT_MAX, "resolution": TEXT_MAX}


def task_clean(data: dict) -> dict:
    """The task's fields, checked (used by ``task_create`` and by the import, row by row)."""
    required = {"code", "title", "industry", "ministry", "law"}
    clean = {key: _text(data.get(key), field=key, limit=limit, required=key in required)
             for key, limit in TASK_TEXT_LIMITS.items()}
    clean["change_kind"] = _choice(data.get("change_kind"), ChangeKind, field="change_kind")
    clean["status"] = _choice(data.get("status") or TaskStatus.IDENTIFIED, TaskStatus, field="status")
    clean["resolved_on"] = data.get("resolved_on")
    if clean["status"] in (TaskStatus.RESOLVED, TaskStatus.DROPPED) and not clean["resolved_on"]:
        raise ValidationFailed(_("A resolved or dropped task needs the date of its resolution."),
                               code="resolution_date_required", field="resolved_on")
    if clean["status"] not in (TaskStatus.RESOLVED, TaskStatus.DROPPED):
        clean["resolved_on"] = None
    return clean


@transaction.atomic
def task_create(*, actor: Actor, data: dict, is_demo: bool = False, owner_id: int | None = None,
                milestones: list[dict] | None = None) -> RegulationTask:
    if not can_edit_tasks(actor):
        raise AccessDenied(_("Only the ministry side and the regulation liaison edit the registry."),
                           code="regulation_forbidden")
    clean = task_clean(data)
    if RegulationTask.objects.filter(code=clean["code"]).exists():
        raise Conflict(_("A task with this number exists."), code="task_exists", field="code")
    task = RegulationTask.objects.create(**clean, is_demo=is_demo, owner_id=owner_id,
                                         milestones=[{"on": str(m["on"]), "text": str(m["text"])[:300]}
                                                     for m in (milestones or [])][:50])
    audit_record(actor=actor, action="regulation_task.create", obj=task,
                 changes={"code": task.code, "status": task.status})
    return task


@transaction.atomic
def task_transition(*, actor: Actor, task_id: int, status: str, resolution: str = "",
                    resolved_on: dt.date | None = None) -> RegulationTask:
    if not can_edit_tasks(actor):
        raise AccessDenied(_("Only the ministry side and the regulation liaison edit the registry."),
                           code="regulation_forbidden")
    task = RegulationTask.objects.select_for_update().filter(pk=task_id).first()
    if task is None:
        raise NotFound(_("Task not found."), code="task_not_found")
    status = _choice(status, TaskStatus, field="status")
    if status not in TASK_TRANSITIONS[task.status]:
        raise Conflict(_("The task cannot move to this status from its current one."), code="task_transition")
    before = task.status
    task.status = status
    if status in (TaskStatus.RESOLVED, TaskStatus.DROPPED):
        task.resolution = _text(resolution, field="resolution", limit=TEXT_MAX, required=True)
        task.resolved_on = resolved_on or timezone.localdate()
    task.save(update_fields=["status", "resolution", "resolved_on", "updated_at"])
    audit_record(actor=actor, action="regulation_task.transition", obj=task, changes={"status": [before, status]})
    return task


# --------------------------------------------------------------------------------------------
# Dependencies
# --------------------------------------------------------------------------------------------


def _milestone_dates(dependency: ProjectRegulation) -> list[dt.date]:
    return [m.due_on for m in dependency.milestones.all() if not m.done]


def dependency_expiry(dependency: ProjectRegulation, *, on: dt.date | None = None) -> dt.date | None:
    """The expiry that counts (none while a law amendment is pending and the policy extends automatically)."""
    return engine.effective_expiry(expires_on=dependency.expires_on,
                                   law_amendment_pending=dependency.law_amendment_pending,
                                   automatic_extension=P.automatic_extension(on=on))


def dependency_status_of(dependency: ProjectRegulation, *, today: dt.date) -> str:
    return engine.dependency_status(today=today, milestones=_milestone_dates(dependency),
                                    granted_on=dependency.granted_on, expires_on=dependency_expiry(dependency, on=today),
                                    policy=P.status_policy(on=today))


def _status_refresh(dependency: ProjectRegulation, *, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    status = dependency_status_of(dependency, today=today)
    if (status, today) != (dependency.status, dependency.status_on):
        dependency.status, dependency.status_on = status, today
        ProjectRegulation.objects.filter(pk=dependency.pk).update(status=status, status_on=today)
    return status


def _dependency_locked_or_raise(dependency_id: int) -> ProjectRegulation:
    dependency = ProjectRegulation.objects.select_for_update(of=("self",)).select_related(
        "proposal").filter(pk=dependency_id).first()
    if dependency is None:
        raise NotFound(_("Dependency not found."), code="dependency_not_found")
    return dependency


@transaction.atomic
def dependency_create(*, actor: Actor, proposal_id: int, regulation: str, route: str, task_id: int | None = None,
                      ministry: str = "", law: str = "", origin_id: int | None = None,
                      today: dt.date | None = None) -> ProjectRegulation:
    if not can_edit_tasks(actor):
        raise AccessDenied(_("Only the ministry side and the regulation liaison record dependencies."),
                           code="regulation_forbidden")
    proposal = Proposal.objects.filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound(_("Project not found."), code="proposal_not_found")
    task = None
    if task_id is not None:
        task = RegulationTask.objects.filter(pk=task_id).first()
        if task is None:
            raise ValidationFailed(_("Unknown task."), code="task_not_found", field="task_id")
    route = _choice(route, Route, field="route")
    if route == Route.LAW_CHANGE and task is None:
        raise ValidationFailed(_("A law change goes through a registry task: choose the task."),
                               code="task_required", field="task_id")
    dependency = ProjectRegulation.objects.create(
        proposal=proposal, origin_id=origin_id, task=task, route=route,
        regulation=_text(regulation, field="regulation", limit=300, required=True),
        ministry=_text(ministry or (task.ministry if task else ""), field="ministry", limit=100),
        law=_text(law or (task.law if task else ""), field="law", limit=200))
    _status_refresh(dependency, today=today)
    audit_record(actor=actor, action="regulation_dependency.create", obj=dependency,
                 changes={"proposal": proposal.reference, "route": route, "task": task.code if task else None})
    return dependency


@transaction.atomic
def dependencies_sync(*, actor: Actor, route: str = Route.DEMONSTRATION_EXEMPTION) -> int:
    """A project record for every regulation a selected proposal (one with an agreement) named and that has
    none yet: the proposal-level ``RegulationDependency`` grows into ``ProjectRegulation``, its "needed by" date
    into a field-demonstration milestone. Returns how many were made."""
    origins = (RegulationDependency.objects.filter(project_record__isnull=True, proposal__agreement__isnull=False)
               .order_by("pk"))
    made = 0
    for origin in origins:
        dependency = dependency_create(actor=actor, proposal_id=origin.proposal_id, regulation=origin.regulation,
                                       route=route, origin_id=origin.pk)
        if origin.needed_by:
            with translation.override(settings.LANGUAGE_CODE):
                title = _("Demonstration named in the proposal")
            ExemptionMilestone.objects.create(dependency=dependency, kind=MilestoneKind.FIELD_DEMONSTRATION,
                                              title=title, due_on=origin.needed_by)
            _status_refresh(dependency)
        made += 1
    return made


def _date_order(*, applied_on, granted_on, effective_on, expires_on) -> None:
    if applied_on and granted_on and granted_on < applied_on:
        raise ValidationFailed(_("An exemption is granted on or after the application."), code="date_order",
                               field="granted_on")
    if granted_on and effective_on and effective_on < granted_on:
        raise ValidationFailed(_("An exemption takes effect on or after it is granted."), code="date_order",
                               field="effective_on")
    start = effective_on or granted_on
    if start and expires_on and expires_on <= start:
        raise ValidationFailed(_("An exemption expires after it takes effect."), code="date_order",
                               field="expires_on")
    if expires_on and not granted_on:
        raise ValidationFailed(_("Only a granted exemption has an expiry."), code="date_order", field="expires_on")


DEPENDENCY_FIELDS = ("applied_on", "granted_on", "effective_on", "expires_on", "conditions", "limit_months",
                     "limit_place", "limit_scale", "insurance_krw", "law_amendment_pending", "ministry", "law")


@transaction.atomic
def dependency_record(*, actor: Actor, dependency_id: int, data: dict,
                      today: dt.date | None = None) -> ProjectRegulation:
    """Record what happened on the route: applied, granted (the expiry defaults to the policy's period for a
    demonstration exemption or a temporary permit), effective, the conditions and their structured limits,
    whether a law-amendment request is pending. Only the keys given change."""
    dependency = _dependency_locked_or_raise(dependency_id)
    if not can_manage_dependency(actor, dependency):
        raise AccessDenied(_("Only the ministry side and the regulation liaison record exemptions."),
                           code="regulation_forbidden")
    today = today or timezone.localdate()
    values = {key: getattr(dependency, key) for key in DEPENDENCY_FIELDS}
    for key in DEPENDENCY_FIELDS:
        if key in data:
            values[key] = data[key]
    for key, limit in (("conditions", TEXT_MAX), ("limit_place", 200), ("limit_scale", 200), ("ministry", 100),
                       ("law", 200)):
        values[key] = _text(values[key], field=key, limit=limit)
    for key, top in (("limit_months", MONTHS_MAX), ("insurance_krw", INSURANCE_MAX)):
        value = values[key]
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top):
            raise ValidationFailed(_("A whole number from 0 to %(max)s.") % {"max": top}, code="out_of_range",
                                   field=key)
    for key in ("applied_on", "granted_on", "effective_on", "expires_on"):
        if values[key] is not None and not isinstance(values[key], dt.date):
            raise ValidationFailed(_("Enter a date."), code="invalid_date", field=key)
        if values[key] is not None and values[key] > today and key in ("applied_on", "granted_on"):
            raise ValidationFailed(_("A date that has not come yet cannot be recorded as done."),
                                   code="date_in_future", field=key)
    if (values["granted_on"] and not values["expires_on"] and dependency.granted_on != values["granted_on"]
            and dependency.route in (Route.DEMONSTRATION_EXEMPTION, Route.TEMPORARY_PERMIT)):
        start = values["effective_on"] or values["granted_on"]
        values["expires_on"] = engine.add_years(start, P.int_policy(P.EXEMPTION_YEARS, on=start))
    values["law_amendment_pending"] = bool(values["law_amendment_pending"])
    _date_order(**{k: values[k] for k in ("applied_on", "granted_on", "effective_on", "expires_on")})
    changes = {key: [getattr(dependency, key), values[key]] for key in DEPENDENCY_FIELDS
               if getattr(dependency, key) != values[key]}
    for key, value in values.items():
        setattr(dependency, key, value)
    dependency.save(update_fields=[*DEPENDENCY_FIELDS, "updated_at"])
    status = _status_refresh(dependency, today=today)
    audit_record(actor=actor, action="regulation_dependency.record", obj=dependency,
                 changes={**changes, "status": status})
    return dependency


@transaction.atomic
def dependency_extend(*, actor: Actor, dependency_id: int, today: dt.date | None = None) -> ProjectRegulation:
    """Extend the exemption by the policy's period, at most the policy's count of times."""
    dependency = _dependency_locked_or_raise(dependency_id)
    if not can_manage_dependency(actor, dependency):
        raise AccessDenied(_("Only the ministry side and the regulation liaison record exemptions."),
                           code="regulation_forbidden")
    if dependency.expires_on is None:
        raise Conflict(_("Only a granted exemption with an expiry can be extended."), code="not_extendable")
    on = dependency.expires_on
    if not engine.extension_allowed(extensions_used=dependency.extensions_used,
                                    max_extensions=P.int_policy(P.EXTENSION_MAX_COUNT, on=on)):
        raise Conflict(_("The exemption has had every extension the policy allows."), code="extensions_used_up")
    before = dependency.expires_on
    dependency.expires_on = engine.add_years(before, P.int_policy(P.EXTENSION_YEARS, on=on))
    dependency.extensions_used += 1
    dependency.save(update_fields=["expires_on", "extensions_used", "updated_at"])
    _status_refresh(dependency, today=today)
    audit_record(actor=actor, action="regulation_dependency.extend", obj=dependency,
                 changes={"expires_on": [before, dependency.expires_on], "extensions_used": dependency.extensions_used})
    return dependency


@transaction.atomic
def dependency_convert(*, actor: Actor, dependency_id: int, applied_on: dt.date,
                       today: dt.date | None = None) -> ProjectRegulation:
    """A demonstration exemption becomes a temporary permit: the route changes, the application date is the
    permit's, the exemption in hand keeps running until the permit is granted."""
    dependency = _dependency_locked_or_raise(dependency_id)
    if not can_manage_dependency(actor, dependency):
        raise AccessDenied(_("Only the ministry side and the regulation liaison record exemptions."),
                           code="regulation_forbidden")
    if dependency.route != Route.DEMONSTRATION_EXEMPTION or dependency.granted_on is None:
        raise Conflict(_("Only a granted demonstration exemption converts to a temporary permit."),
                       code="not_convertible")
    today = today or timezone.localdate()
    if applied_on > today:
        raise ValidationFailed(_("A date that has not come yet cannot be recorded as done."), code="date_in_future",
                               field="applied_on")
    dependency.route, dependency.converted_on, dependency.applied_on = Route.TEMPORARY_PERMIT, applied_on, applied_on
    dependency.save(update_fields=["route", "converted_on", "applied_on", "updated_at"])
    _status_refresh(dependency, today=today)
    audit_record(actor=actor, action="regulation_dependency.convert", obj=dependency,
                 changes={"route": [Route.DEMONSTRATION_EXEMPTION, Route.TEMPORARY_PERMIT],
                          "converted_on": applied_on})
    return dependency


@transaction.atomic
def milestone_add(*, actor: Actor, dependency_id: int, kind: str, title: str, due_on: dt.date,
                  today: dt.date | None = None) -> ExemptionMilestone:
    dependency = _dependency_locked_or_raise(dependency_id)
    if not can_add_milestone(actor, dependency):
        raise AccessDenied(_("Only the project's institution, the ministry side and the liaison add milestones."),
                           code="regulation_forbidden")
    milestone = ExemptionMilestone.objects.create(
        dependency=dependency, kind=_choice(kind, MilestoneKind, field="kind"),
        title=_text(title, field="title", limit=200, required=True), due_on=due_on)
    status = _status_refresh(dependency, today=today)
    audit_record(actor=actor, action="regulation_dependency.milestone", obj=dependency,
                 changes={"milestone": milestone.title, "due_on": due_on, "status": status})
    return milestone


# --------------------------------------------------------------------------------------------
# Notes and contacts (the liaison's log)
# --------------------------------------------------------------------------------------------


@transaction.atomic
def note_log(*, actor: Actor, text: str, dependency_id: int | None = None, task_id: int | None = None,
             kind: str = NoteKind.NOTE, contact_name: str = "", contact_organization: str = "") -> LiaisonNote:
    if not can_log_notes(actor):
        raise AccessDenied(_("Only the regulation liaison and the ministry side log notes."),
                           code="regulation_forbidden")
    if (dependency_id is None) == (task_id is None):
        raise ValidationFailed(_("A note is about one dependency or one task."), code="note_target", field="text")
    target = (ProjectRegulation.objects.filter(pk=dependency_id).first() if dependency_id is not None
              else RegulationTask.objects.filter(pk=task_id).first())
    if target is None:
        raise NotFound(_("Not found."), code="not_found")
    kind = _choice(kind, NoteKind, field="kind")
    note = LiaisonNote.objects.create(
        dependency_id=dependency_id, task_id=task_id, kind=kind, author=_user_or_none(actor),
        text=_text(text, field="text", limit=TEXT_MAX, required=True),
        contact_name=_text(contact_name, field="contact_name", limit=100, required=kind == NoteKind.CONTACT),
        contact_organization=_text(contact_organization, field="contact_organization", limit=100))
    audit_record(actor=actor, action="regulation_note.log", obj=target,
                 changes={"kind": kind, "contact": note.contact_name, "text": note.text[:200]})
    return note


# --------------------------------------------------------------------------------------------
# The regulatory agreement
# --------------------------------------------------------------------------------------------


def regulatory_agreement_required(agreement) -> bool:
    """The call's track is one the policy names (regulation-free R&D)."""
    return agreement.proposal.call.track in P.agreement_required_tracks()


def regulatory_agreement_required_or_raise(agreement) -> None:
    """Called by the agreements app before an agreement is signed or concluded: a regulation-free call's
    agreement needs its regulatory agreement first."""
    if regulatory_agreement_required(agreement) and not RegulatoryAgreement.objects.filter(
            agreement_id=agreement.pk).exists():
        raise Conflict(_("This regulation-free R&D agreement needs its regulatory agreement recorded first."),
                       code="regulatory_agreement_required")


@transaction.atomic
def regulatory_agreement_record(*, actor: Actor, agreement_id: int, number: str, ministry: str,
                                signed_on: dt.date, terms: str = "") -> RegulatoryAgreement:
    from doyak.agreements.models import Agreement

    if not can_record_regulatory_agreement(actor):
        raise AccessDenied(_("Only program managers record regulatory agreements."), code="regulation_forbidden")
    agreement = Agreement.objects.select_related("proposal__call").filter(pk=agreement_id).first()
    if agreement is None:
        raise NotFound(_("Agreement not found."), code="agreement_not_found")
    if RegulatoryAgreement.objects.filter(agreement=agreement).exists():
        raise Conflict(_("This agreement already has its regulatory agreement."), code="regulatory_agreement_exists")
    number = _text(number, field="number", limit=40, required=True)
    if RegulatoryAgreement.objects.filter(number=number).exists():
        raise Conflict(_("A regulatory agreement with this number exists."), code="regulatory_agreement_number",
                       field="number")
    record = RegulatoryAgreement.objects.create(
        agreement=agreement, number=number, ministry=_text(ministry, field="ministry", limit=100, required=True),
        signed_on=signed_on, terms=_text(terms, field="terms", limit=TEXT_MAX), recorded_by=_user_or_none(actor))
    audit_record(actor=actor, action="regulatory_agreement.record", obj=agreement,
                 changes={"number": number, "ministry": record.ministry, "signed_on": signed_on})
    return record


# --------------------------------------------------------------------------------------------
# The daily job: statuses and alerts
# --------------------------------------------------------------------------------------------


def alert_recipients(dependency: ProjectRegulation) -> list:
    """The institution (the lead's applicants), the program managers and the regulation liaisons (the task's
    owner when the dependency has a task with one, else every liaison)."""
    User = get_user_model()
    users = list(User.objects.filter(is_active=True, role=Role.APPLICANT,
                                     organization_id=dependency.proposal.lead_organization_id))
    users += list(User.objects.filter(is_active=True, role=Role.PROGRAM_MANAGER))
    owner = dependency.task.owner if dependency.task_id and dependency.task.owner_id else None
    users += [owner] if owner else list(User.objects.filter(is_active=True, role=Role.REGULATION_LIAISON))
    return [u for u in users if u.email]


def _alert_send(dependency: ProjectRegulation, status: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[doyak] Regulation alert: %(project)s is %(status)s") % {
            "project": dependency.proposal.reference, "status": choice_label(DependencyStatus, status)}
        body = _("%(regulation)s (%(project)s): %(status)s.") % {
            "regulation": dependency.regulation, "project": dependency.proposal.title,
            "status": choice_label(DependencyStatus, status)}
    recipients = sorted({u.email for u in alert_recipients(dependency)})
    if recipients:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


@transaction.atomic
def regulation_daily(*, actor: Actor, today: dt.date | None = None) -> dict[str, int]:
    """Refresh every dependency's status as of ``today``; a dependency that entered a status worth an alert
    (at risk, blocked, expiring) since its last alert raises one (e-mail and the home page), once. Returns
    counts: refreshed, alerts."""
    if not can_edit_tasks(actor):
        raise AccessDenied(_("Only the ministry side runs the daily job."), code="regulation_forbidden")
    today = today or timezone.localdate()
    dependencies_sync(actor=actor)
    refreshed = alerts = 0
    rows = (ProjectRegulation.objects.select_for_update(of=("self",))
            .select_related("proposal", "task__owner").prefetch_related("milestones").order_by("pk"))
    for dependency in rows:
        status = _status_refresh(dependency, today=today)
        refreshed += 1
        if status == dependency.alerted_status:
            continue
        dependency.alerted_status = status
        ProjectRegulation.objects.filter(pk=dependency.pk).update(alerted_status=status)
        if status in ALERT_STATUSES:
            RegulationAlert.objects.create(dependency=dependency, status=status, raised_on=today)
            audit_record(actor=actor, action="regulation_dependency.alert", obj=dependency, changes={"status": status})
            transaction.on_commit(lambda d=dependency, s=status: _alert_send(d, s))
            alerts += 1
    return {"refreshed": refreshed, "alerts": alerts}


# --------------------------------------------------------------------------------------------
# Calendar tokens
# --------------------------------------------------------------------------------------------

CALENDAR_TOKEN_PREFIX = "dyc_"


def calendar_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def calendar_token_issue(*, actor: Actor) -> str:
    """A new feed address for the signed-in user; any earlier one is revoked. Returns the token (shown once)."""
    if not getattr(actor, "pk", None):
        raise AccessDenied(_("Sign in first."), code="unauthorized")
    now = timezone.now()
    CalendarToken.objects.filter(user_id=actor.pk, revoked_at__isnull=True).update(revoked_at=now)
    token = CALENDAR_TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = CalendarToken.objects.create(user_id=actor.pk, digest=calendar_token_digest(token))
    audit_record(actor=actor, action="calendar_token.issue", obj=record, changes={})
    return token


@transaction.atomic
def calendar_token_revoke(*, actor: Actor) -> int:
    if not getattr(actor, "pk", None):
        raise AccessDenied(_("Sign in first."), code="unauthorized")
    tokens = list(CalendarToken.objects.filter(user_id=actor.pk, revoked_at__isnull=True))
    for record in tokens:
        record.revoked_at = timezone.now()
        record.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="calendar_token.revoke", obj=record, changes={})
    return len(tokens)


def calendar_user_for_token(token: str):
    """The active user of a live token, or None."""
    if not token.startswith(CALENDAR_TOKEN_PREFIX) or len(token) > 100:
        return None
    record = CalendarToken.objects.select_related("user").filter(
        digest=calendar_token_digest(token), revoked_at__isnull=True).first()
    return record.user if record and record.user.is_active else None


def dependency_visible_or_raise(*, user: Actor, dependency: ProjectRegulation) -> None:
    if not can_view_dependency(user, dependency):
        raise NotFound(_("Dependency not found."), code="dependency_not_found")
