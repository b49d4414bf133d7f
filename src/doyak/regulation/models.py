"""Regulation-free R&D (규제프리 R&D): the registry of regulation innovation tasks (30대 산업규제 혁신과제), each
project's dependencies on a regulation with their exemption route and dates, the R&D milestones that need the
exemption, the regulatory agreement (규제협약) signed with the R&D agreement, the liaison's notes and contacts,
the alerts the daily job raised and the calendar tokens.

A project's dependency grows out of the proposal's ``proposals.RegulationDependency`` (what the applicant
named in the proposal form): ``ProjectRegulation.origin`` links the two, so the proposal form keeps working.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from doyak.core.models import TimeStampedModel

from .enums import ChangeKind, DependencyStatus, MilestoneKind, NoteKind, Route, TaskStatus


class RegulationTask(TimeStampedModel):
    """A regulation innovation task of the registry: the regulation, who regulates it and what must change."""

    code = models.CharField(_("task number"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=300)
    industry = models.CharField(_("industry"), max_length=100)
    ministry = models.CharField(_("regulating ministry"), max_length=100)
    law = models.CharField(_("law"), max_length=200)
    article = models.CharField(_("article"), max_length=100, blank=True)
    change_kind = models.CharField(_("what must change"), max_length=20, choices=ChangeKind.choices)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="regulation_tasks")
    status = models.CharField(_("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.IDENTIFIED,
                              db_index=True)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    # [{"on": "2026-06-30", "text": "..."}]: the task's own milestones (consultation, draft notice, promulgation)
    milestones = models.JSONField(_("milestones"), default=list, blank=True)
    calls = models.ManyToManyField("calls.Call", verbose_name=_("calls"), blank=True, related_name="regulation_tasks")
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("regulation innovation task")
        verbose_name_plural = _("regulation innovation tasks")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ProjectRegulation(TimeStampedModel):
    """A regulation one project depends on, its exemption route and dates, conditions and extensions.

    ``status`` is the engine's answer as of ``status_on`` (every write and the daily job refresh it);
    ``alerted_status`` is the last status an alert was raised for, so each state change alerts once."""

    proposal = models.ForeignKey("proposals.Proposal", verbose_name=_("project"), on_delete=models.CASCADE,
                                 related_name="regulation_dependencies")
    origin = models.OneToOneField("proposals.RegulationDependency", verbose_name=_("named in the proposal"),
                                  null=True, blank=True, on_delete=models.SET_NULL, related_name="project_record")
    task = models.ForeignKey(RegulationTask, verbose_name=_("regulation innovation task"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="dependencies")
    regulation = models.CharField(_("regulation"), max_length=300)
    ministry = models.CharField(_("regulating ministry"), max_length=100, blank=True)
    law = models.CharField(_("law"), max_length=200, blank=True)
    route = models.CharField(_("route"), max_length=24, choices=Route.choices)
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    granted_on = models.DateField(_("granted on"), null=True, blank=True)
    effective_on = models.DateField(_("effective from"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    limit_months = models.PositiveIntegerField(_("period limit (months)"), null=True, blank=True)
    limit_place = models.CharField(_("place limit"), max_length=200, blank=True)
    limit_scale = models.CharField(_("scale limit"), max_length=200, blank=True)
    insurance_krw = models.BigIntegerField(_("liability insurance (won)"), null=True, blank=True)
    extensions_used = models.PositiveSmallIntegerField(_("extensions used"), default=0)
    law_amendment_pending = models.BooleanField(_("law amendment requested and pending"), default=False)
    converted_on = models.DateField(_("converted to a temporary permit on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=DependencyStatus.choices,
                              default=DependencyStatus.ON_TRACK, db_index=True)
    status_on = models.DateField(_("status as of"), null=True, blank=True)
    alerted_status = models.CharField(_("last alert"), max_length=12, choices=DependencyStatus.choices,
                                      default=DependencyStatus.ON_TRACK)

    class Meta:
        ordering = ["proposal", "pk"]
        verbose_name = _("project regulation dependency")
        verbose_name_plural = _("project regulation dependencies")

    def __str__(self) -> str:
        return self.regulation


class ExemptionMilestone(models.Model):
    """An R&D milestone that needs the exemption (a field demonstration, a pilot sale)."""

    dependency = models.ForeignKey(ProjectRegulation, verbose_name=_("dependency"), on_delete=models.CASCADE,
                                   related_name="milestones")
    kind = models.CharField(_("kind"), max_length=20, choices=MilestoneKind.choices)
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("date"))
    done = models.BooleanField(_("done"), default=False)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("milestone needing the exemption")
        verbose_name_plural = _("milestones needing the exemption")

    def __str__(self) -> str:
        return self.title


class RegulatoryAgreement(TimeStampedModel):
    """The regulatory agreement (규제협약) signed with the R&D agreement of a regulation-free call."""

    agreement = models.OneToOneField("agreements.Agreement", verbose_name=_("agreement"), on_delete=models.PROTECT,
                                     related_name="regulatory_agreement")
    number = models.CharField(_("regulatory agreement number"), max_length=40, unique=True)
    ministry = models.CharField(_("regulating ministry"), max_length=100)
    signed_on = models.DateField(_("signed on"))
    terms = models.TextField(_("what the agreement commits to"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-signed_on", "pk"]
        verbose_name = _("regulatory agreement")
        verbose_name_plural = _("regulatory agreements")

    def __str__(self) -> str:
        return self.number


class LiaisonNote(models.Model):
    """A note or a contact the liaison logged on a dependency or a task."""

    dependency = models.ForeignKey(ProjectRegulation, verbose_name=_("dependency"), null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="notes")
    task = models.ForeignKey(RegulationTask, verbose_name=_("regulation innovation task"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("kind"), max_length=10, choices=NoteKind.choices, default=NoteKind.NOTE)
    contact_name = models.CharField(_("contact"), max_length=100, blank=True)
    contact_organization = models.CharField(_("contact's organisation"), max_length=100, blank=True)
    text = models.TextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("written by"), null=True,
                               on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("liaison note")
        verbose_name_plural = _("liaison notes")

    def __str__(self) -> str:
        return self.text[:40]


class RegulationAlert(models.Model):
    """One alert the daily job raised: the dependency entered ``status`` on ``raised_on``."""

    dependency = models.ForeignKey(ProjectRegulation, verbose_name=_("dependency"), on_delete=models.CASCADE,
                                   related_name="alerts")
    status = models.CharField(_("status"), max_length=12, choices=DependencyStatus.choices)
    raised_on = models.DateField(_("raised on"))
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("regulation alert")
        verbose_name_plural = _("regulation alerts")

    def __str__(self) -> str:
        return f"{self.dependency} {self.get_status_display()}"


class CalendarToken(models.Model):
    """A user's calendar-feed token: only its SHA-256 is kept; revoking it ends the feed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="calendar_tokens")
    digest = models.CharField(_("token digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("calendar token")
        verbose_name_plural = _("calendar tokens")

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"
