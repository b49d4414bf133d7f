"""Project execution after the agreement: stop and goal-change requests, the special, stage and final
evaluations with their small panels, the report schedule and reports, and sanction cases.

A report's ``content`` is plain data checked by ``services.report_content_clean``: goals vs achievements, every
KPI as indicator → baseline → target → actual for the report's period (IATI results), the ripple commitments'
actual investment, jobs and production by region, and for anchor-led projects the supplier SMEs taking part and
the won that reached them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from doyak.core.models import TimeStampedModel

from .enums import (
    Diligence,
    EvaluationKind,
    EvaluationStatus,
    Grade,
    ReportKind,
    ReportStatus,
    RequestSide,
    SanctionCaseStatus,
    SanctionGrounds,
    SpecialOutcome,
    StopReason,
    StopStatus,
)


class StopRequest(TimeStampedModel):
    """A request to stop the project or change its goals (중단·목표 변경), decided by a special evaluation."""

    agreement = models.ForeignKey("agreements.Agreement", verbose_name=_("agreement"), on_delete=models.PROTECT,
                                  related_name="stop_requests")
    side = models.CharField(_("requested by"), max_length=12, choices=RequestSide.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=StopReason.choices)
    explanation = models.TextField(_("explanation"))
    proposed_goals = models.JSONField(_("proposed goals"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=StopStatus.choices, default=StopStatus.REQUESTED,
                              db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    # set when the special evaluation decides to stop: spending after this day is ineligible
    notice_date = models.DateField(_("stop notice date"), null=True, blank=True)
    no_penalty = models.BooleanField(_("no penalty (diligent conduct)"), default=False)
    change_request = models.ForeignKey("agreements.ChangeRequest", verbose_name=_("agreement change"), null=True,
                                       blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["agreement", "-created_at"]
        verbose_name = _("stop or goal-change request")
        verbose_name_plural = _("stop and goal-change requests")

    def __str__(self) -> str:
        return f"{self.agreement} {self.get_reason_display()}"


class ProjectEvaluation(TimeStampedModel):
    """A stage, final or special evaluation of one agreement by a small panel from the evaluator pool."""

    agreement = models.ForeignKey("agreements.Agreement", verbose_name=_("agreement"), on_delete=models.PROTECT,
                                  related_name="project_evaluations")
    kind = models.CharField(_("kind"), max_length=10, choices=EvaluationKind.choices, db_index=True)
    stage_number = models.PositiveSmallIntegerField(_("stage"), null=True, blank=True)
    stop_request = models.OneToOneField(StopRequest, verbose_name=_("stop or goal-change request"), null=True,
                                        blank=True, on_delete=models.PROTECT, related_name="evaluation")
    status = models.CharField(_("status"), max_length=10, choices=EvaluationStatus.choices,
                              default=EvaluationStatus.PENDING, db_index=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices, blank=True)
    diligence = models.CharField(_("diligence"), max_length=14, choices=Diligence.choices, blank=True)
    outcome = models.CharField(_("decision"), max_length=14, choices=SpecialOutcome.choices, blank=True)
    goal_met_early = models.BooleanField(_("goal reached early"), default=False)
    comments = models.TextField(_("panel's comments"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["agreement", "due_date", "id"]
        verbose_name = _("project evaluation")
        verbose_name_plural = _("project evaluations")

    def __str__(self) -> str:
        return f"{self.agreement} {self.get_kind_display()}"


class PanelMember(models.Model):
    """An evaluator of a project evaluation's panel (chosen by the assignment engine, conflicts excluded)."""

    evaluation = models.ForeignKey(ProjectEvaluation, on_delete=models.CASCADE, related_name="panel")
    profile = models.ForeignKey("evaluation.EvaluatorProfile", verbose_name=_("evaluator"), on_delete=models.PROTECT,
                                related_name="project_panels")
    affinity = models.FloatField(_("affinity"), default=0)
    # The member's own judgement (``panel_grade_enter``); the panel's result is computed from all of them.
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices, blank=True)
    diligence = models.CharField(_("diligence"), max_length=14, choices=Diligence.choices, blank=True)
    outcome = models.CharField(_("decision"), max_length=14, choices=SpecialOutcome.choices, blank=True)
    goal_met_early = models.BooleanField(_("goal reached early"), default=False)
    comments = models.TextField(_("comments"), blank=True)
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)

    class Meta:
        ordering = ["evaluation", "-affinity", "id"]
        verbose_name = _("panel member")
        verbose_name_plural = _("panel members")
        constraints = [models.UniqueConstraint(fields=["evaluation", "profile"], name="execution_panel_unique")]

    def __str__(self) -> str:
        return str(self.profile)


class Report(TimeStampedModel):
    """A report the agreement owes: annual, stage, final or the final expense report after a stop."""

    agreement = models.ForeignKey("agreements.Agreement", verbose_name=_("agreement"), on_delete=models.PROTECT,
                                  related_name="reports")
    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    due_date = models.DateField(_("due"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DUE,
                              db_index=True)
    content = models.JSONField(_("content"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("reviewer's comments"), blank=True)
    reminded_before_on = models.DateField(_("reminded before the due date on"), null=True, blank=True)
    reminded_overdue_on = models.DateField(_("reminded as overdue on"), null=True, blank=True)

    class Meta:
        ordering = ["agreement", "due_date", "id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "kind", "period_end"], name="execution_report_unique"),
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")),
                                   name="execution_report_period_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.get_kind_display()} {self.period_end}"


class SanctionCase(TimeStampedModel):
    """A sanction proposed from the policy table, decided by the PM after hearing the institution; the decision
    is recorded as the ``proposals.Sanction`` the selection rules read; one objection within the window."""

    agreement = models.ForeignKey("agreements.Agreement", verbose_name=_("agreement"), on_delete=models.PROTECT,
                                  related_name="sanction_cases")
    evaluation = models.ForeignKey(ProjectEvaluation, verbose_name=_("evaluation"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="sanction_cases")
    organization = models.ForeignKey("organizations.Organization", verbose_name=_("institution"),
                                     on_delete=models.PROTECT, related_name="+")
    grounds = models.CharField(_("grounds"), max_length=12, choices=SanctionGrounds.choices)
    status = models.CharField(_("status"), max_length=10, choices=SanctionCaseStatus.choices,
                              default=SanctionCaseStatus.PROPOSED, db_index=True)
    misused_krw = models.BigIntegerField(_("misused funds (won)"), default=0)
    paid_krw = models.BigIntegerField(_("government funds paid (won)"), default=0)
    ban_min_months = models.PositiveSmallIntegerField(_("proposed ban, from (months)"))
    ban_max_months = models.PositiveSmallIntegerField(_("proposed ban, up to (months)"))
    surcharge_max_krw = models.BigIntegerField(_("surcharge, at most (won)"), default=0)
    hearing_due = models.DateField(_("institution heard until"))
    statement = models.TextField(_("institution's statement"), blank=True)
    statement_at = models.DateTimeField(_("statement given at"), null=True, blank=True)
    ban_months = models.PositiveSmallIntegerField(_("participation ban (months)"), null=True, blank=True)
    surcharge_krw = models.BigIntegerField(_("surcharge (won)"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decision_note = models.TextField(_("reasons"), blank=True)
    sanction = models.OneToOneField("proposals.Sanction", verbose_name=_("recorded sanction"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="case")
    surcharge_sanction = models.OneToOneField("proposals.Sanction", verbose_name=_("recorded unpaid surcharge"),
                                              null=True, blank=True, on_delete=models.PROTECT,
                                              related_name="surcharge_case")
    objection = models.TextField(_("objection"), blank=True)
    objection_at = models.DateTimeField(_("objection filed at"), null=True, blank=True)
    objection_answer = models.TextField(_("answer to the objection"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sanction case")
        verbose_name_plural = _("sanction cases")
        constraints = [models.CheckConstraint(condition=models.Q(ban_max_months__gte=models.F("ban_min_months")),
                                              name="execution_sanction_ban_range")]

    def __str__(self) -> str:
        return f"{self.agreement} {self.get_grounds_display()}"
