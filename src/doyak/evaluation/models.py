"""Models of the evaluation app: the evaluator pool, panels, assignment runs, scores, decisions, appeals."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from doyak.core.models import BackgroundRun, TimeStampedModel

from .enums import (
    AppealStatus,
    AssignmentSource,
    AssignmentStatus,
    ConflictKind,
    Objective,
    PanelFormat,
    PanelStage,
    RunStatus,
)


class EvaluatorProfile(TimeStampedModel):
    """A person in the evaluator pool (평가위원 후보): a registered researcher or an outside expert.

    A researcher's organisation and department are read from the researcher record (they move with
    the person); an outside expert's are kept here.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="evaluator_profile")
    researcher = models.OneToOneField("organizations.Researcher", verbose_name=_("researcher"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="evaluator_profile")
    name = models.CharField(_("name"), max_length=100)
    organization = models.ForeignKey("organizations.Organization", verbose_name=_("organization"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+",
                                     help_text=_("For outside experts whose organization is registered."))
    organization_name = models.CharField(_("organization name"), max_length=200, blank=True)
    department = models.CharField(_("department"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    keywords = models.JSONField(_("expertise keywords"), default=list, blank=True)
    technology_codes = models.JSONField(_("technology classification codes"), default=list, blank=True)
    expertise_text = models.TextField(_("expertise (Korean or English)"), blank=True)
    is_economic_expert = models.BooleanField(_("economic/market expert"), default=False)
    max_load = models.PositiveSmallIntegerField(_("maximum proposals at once"), default=5,
                                                validators=[MinValueValidator(1), MaxValueValidator(50)])
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_to = models.DateField(_("available until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True, db_index=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("evaluator profile")
        verbose_name_plural = _("evaluator pool")

    def __str__(self) -> str:
        return self.name

    @property
    def organization_id_effective(self) -> int | None:
        return self.researcher.organization_id if self.researcher_id else self.organization_id

    @property
    def department_effective(self) -> str:
        return self.researcher.department if self.researcher_id else self.department

    @property
    def affiliation(self) -> str:
        if self.researcher_id:
            return str(self.researcher.organization)
        return str(self.organization) if self.organization_id else self.organization_name


class Panel(TimeStampedModel):
    """An evaluation panel of a call: its proposals, the evaluators per proposal and the spread alert."""

    call = models.ForeignKey("calls.Call", verbose_name=_("call"), on_delete=models.PROTECT, related_name="panels")
    name = models.CharField(_("name"), max_length=100)
    format = models.CharField(_("format"), max_length=16, choices=PanelFormat.choices, default=PanelFormat.WRITTEN)
    stage = models.CharField(_("stage"), max_length=12, choices=PanelStage.choices, default=PanelStage.FORMING)
    per_proposal = models.PositiveSmallIntegerField(_("evaluators per proposal"), default=5,
                                                    validators=[MinValueValidator(1), MaxValueValidator(15)])
    # Not a legal number: the PM's own alert threshold for evaluators disagreeing on a proposal.
    spread_alert_points = models.DecimalField(
        _("spread alert (points)"), max_digits=5, decimal_places=2, default=Decimal("20"),
        help_text=_("Alert when the highest and lowest evaluator totals of a proposal differ by this much."))
    proposals = models.ManyToManyField("proposals.Proposal", verbose_name=_("proposals"), related_name="panels",
                                       blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["call", "id"]
        verbose_name = _("evaluation panel")
        verbose_name_plural = _("evaluation panels")

    def __str__(self) -> str:
        return f"{self.call.reference} · {self.name}"


class DeclaredConflict(models.Model):
    """A conflict someone stated for one proposal–evaluator pair: declared, challenged (기피) or recused (회피)."""

    profile = models.ForeignKey(EvaluatorProfile, verbose_name=_("evaluator"), on_delete=models.CASCADE,
                                related_name="declared_conflicts")
    proposal = models.ForeignKey("proposals.Proposal", verbose_name=_("proposal"), on_delete=models.CASCADE,
                                 related_name="declared_conflicts")
    kind = models.CharField(_("kind"), max_length=12, choices=ConflictKind.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["proposal", "profile", "id"]
        verbose_name = _("declared conflict")
        verbose_name_plural = _("declared conflicts")
        constraints = [models.UniqueConstraint(fields=["profile", "proposal", "kind"], name="declared_conflict_unique")]

    def __str__(self) -> str:
        return f"{self.profile} · {self.proposal.reference} ({self.get_kind_display()})"


class AssignmentRun(BackgroundRun):
    """One background assignment of a panel, with its progress (0–100) and outcome."""

    panel = models.ForeignKey(Panel, verbose_name=_("panel"), on_delete=models.CASCADE, related_name="runs")
    objective = models.CharField(_("objective"), max_length=8, choices=Objective.choices, default=Objective.TOTAL)
    per_proposal = models.PositiveSmallIntegerField(_("evaluators per proposal"))
    top_n = models.PositiveSmallIntegerField(_("candidates kept per proposal"), default=30)
    status = models.CharField(_("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED,
                              db_index=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.TextField(_("message"), blank=True)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    proposal_count = models.PositiveIntegerField(_("proposals"), default=0)
    evaluator_count = models.PositiveIntegerField(_("evaluators considered"), default=0)
    conflict_count = models.PositiveIntegerField(_("conflicting pairs"), default=0)
    assigned_count = models.PositiveIntegerField(_("assignments"), default=0)
    total_affinity = models.FloatField(_("total affinity"), null=True, blank=True)
    min_proposal_affinity = models.FloatField(_("lowest proposal affinity"), null=True, blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("assignment run")
        verbose_name_plural = _("assignment runs")

    def __str__(self) -> str:
        return f"{self.panel} #{self.pk} ({self.status})"


class Assignment(TimeStampedModel):
    """One evaluator on one proposal of a panel."""

    panel = models.ForeignKey(Panel, verbose_name=_("panel"), on_delete=models.CASCADE, related_name="assignments")
    proposal = models.ForeignKey("proposals.Proposal", verbose_name=_("proposal"), on_delete=models.PROTECT,
                                 related_name="evaluator_assignments")
    profile = models.ForeignKey(EvaluatorProfile, verbose_name=_("evaluator"), on_delete=models.PROTECT,
                                related_name="assignments")
    run = models.ForeignKey(AssignmentRun, verbose_name=_("run"), null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="assignments")
    affinity = models.FloatField(_("affinity"), default=0.0)
    source = models.CharField(_("source"), max_length=8, choices=AssignmentSource.choices)
    status = models.CharField(_("status"), max_length=10, choices=AssignmentStatus.choices,
                              default=AssignmentStatus.ASSIGNED, db_index=True)
    pledge_signed_at = models.DateTimeField(_("pledge signed at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["panel", "proposal", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [models.UniqueConstraint(fields=["panel", "proposal", "profile"], name="assignment_unique")]
        indexes = [models.Index(fields=["profile", "status"], name="assignment_profile_status_idx")]

    def __str__(self) -> str:
        return f"{self.profile} → {self.proposal.reference}"


class Score(models.Model):
    """An evaluator's score for one criterion, with a comment. Locked once the assignment is submitted."""

    assignment = models.ForeignKey(Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE,
                                   related_name="scores")
    criterion = models.ForeignKey("calls.Criterion", verbose_name=_("criterion"), on_delete=models.PROTECT,
                                  related_name="+")
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["assignment", "criterion__order", "criterion_id"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["assignment", "criterion"], name="score_unique")]

    def __str__(self) -> str:
        return f"{self.assignment} · {self.criterion_id}: {self.score}"


class Decision(models.Model):
    """The published outcome of a proposal's evaluation, with anonymised comments for the applicant."""

    proposal = models.OneToOneField("proposals.Proposal", verbose_name=_("proposal"), on_delete=models.PROTECT,
                                    related_name="evaluation_decision")
    panel = models.ForeignKey(Panel, verbose_name=_("panel"), on_delete=models.PROTECT, related_name="decisions")
    score = models.DecimalField(_("aggregated score"), max_digits=7, decimal_places=2)
    ripple_score = models.DecimalField(_("regional ripple score"), max_digits=7, decimal_places=2, null=True,
                                       blank=True)
    cutoff_score = models.DecimalField(_("cut-off score"), max_digits=5, decimal_places=2)
    passed = models.BooleanField(_("passed the cut-off"))
    rank = models.PositiveIntegerField(_("rank"))
    evaluator_count = models.PositiveSmallIntegerField(_("evaluators"))
    comments = models.JSONField(_("anonymised comments"), default=list, blank=True)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        ordering = ["panel", "rank"]
        verbose_name = _("evaluation decision")
        verbose_name_plural = _("evaluation decisions")

    def __str__(self) -> str:
        return f"{self.proposal.reference}: {self.score}"

    @property
    def appeal_until(self):
        """The last day (Seoul) an appeal is accepted."""
        from .selectors import appeal_window_end

        return appeal_window_end(self)


class Appeal(models.Model):
    """The applicant's one appeal (이의신청) against a published decision."""

    proposal = models.OneToOneField("proposals.Proposal", verbose_name=_("proposal"), on_delete=models.PROTECT,
                                    related_name="evaluation_appeal")
    decision = models.ForeignKey(Decision, verbose_name=_("decision"), on_delete=models.PROTECT,
                                 related_name="appeals")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("filed by"), null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("grounds"))
    filed_at = models.DateTimeField(_("filed at"))
    answer_due_on = models.DateField(_("answer due"))
    status = models.CharField(_("status"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.FILED,
                              db_index=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    # An upheld appeal may revise the published score (after a re-evaluation): both kept.
    score_before = models.DecimalField(_("score before the appeal"), max_digits=7, decimal_places=2, null=True,
                                       blank=True)
    score_after = models.DecimalField(_("score after the appeal"), max_digits=7, decimal_places=2, null=True,
                                      blank=True)

    class Meta:
        ordering = ["-filed_at"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return f"{self.proposal.reference} ({self.get_status_display()})"

    @property
    def answer_overdue(self) -> bool:
        """Filed and not answered by its due day (Asia/Seoul)."""
        return self.status == AppealStatus.FILED and self.answer_due_on < timezone.localdate()
