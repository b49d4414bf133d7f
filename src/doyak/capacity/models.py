"""Innovation capacity records: demand surveys, the commercialisation fund, the talent growth cycle, joint labs
and specialised graduate schools. Thin models; the rules are in services and rules."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from doyak.core.models import TimeStampedModel

from .enums import (
    CareerEventKind,
    DemandKind,
    ExitKind,
    Instrument,
    InvestmentStage,
    NominationStatus,
    StageSource,
    SurveyStatus,
    TalentStage,
)


# ---------------------------------------------------------------------------------------------- demand surveys
class Survey(TimeStampedModel):
    """A demand survey (수요조사) on a program year's candidate topics, opened by a program manager."""

    program = models.ForeignKey("programs.Program", verbose_name=_("program"), on_delete=models.PROTECT,
                                related_name="demand_surveys")
    title = models.CharField(pgettext_lazy("survey", "title"), max_length=200)
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(_("status"), max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.OPEN,
                              db_index=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["-closes_on", "-id"]
        verbose_name = _("demand survey")
        verbose_name_plural = _("demand surveys")

    def __str__(self) -> str:
        return self.title


class SurveyTopic(models.Model):
    """A candidate topic; carried into a call, it keeps the link (``call``)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(pgettext_lazy("survey", "title"), max_length=200)
    technology_codes = models.JSONField(_("technology classification codes"), default=list, blank=True)
    expected_budget_krw = models.BigIntegerField(_("expected budget (won)"), default=0)
    call = models.ForeignKey("calls.Call", verbose_name=_("call"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="demand_topics")
    carried_at = models.DateTimeField(_("carried into the call at"), null=True, blank=True)

    class Meta:
        ordering = ["survey", "id"]
        verbose_name = _("survey topic")
        verbose_name_plural = _("survey topics")
        constraints = [models.CheckConstraint(condition=models.Q(expected_budget_krw__gte=0),
                                              name="capacity_topic_budget_non_negative")]

    def __str__(self) -> str:
        return self.title


class DemandResponse(TimeStampedModel):
    """One organisation's stated interest in a topic: how much it would invest or buy, at which stage, on what
    condition. Private to that organisation and the ministry side."""

    topic = models.ForeignKey(SurveyTopic, on_delete=models.CASCADE, related_name="responses")
    organization = models.ForeignKey("organizations.Organization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="demand_responses")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("respondent"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("interest"), max_length=10, choices=DemandKind.choices)
    amount_krw = models.BigIntegerField(_("amount (won)"))
    stage = models.CharField(_("stage"), max_length=12, choices=InvestmentStage.choices)
    condition = models.CharField(_("condition"), max_length=500, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["topic", "organization__name", "id"]
        verbose_name = _("demand response")
        verbose_name_plural = _("demand responses")
        constraints = [
            models.UniqueConstraint(fields=["topic", "organization"], name="capacity_response_unique"),
            models.CheckConstraint(condition=models.Q(amount_krw__gte=0), name="capacity_response_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.topic_id} {self.organization_id}"


# ---------------------------------------------------------------------------------------------- the fund
class Fund(TimeStampedModel):
    """A commercialisation fund (사업화 펀드): its size, vintage and manager (the investor's organisation)."""

    name = models.CharField(_("name"), max_length=200)
    size_krw = models.BigIntegerField(_("fund size (won)"))
    vintage = models.PositiveSmallIntegerField(_("vintage year"))
    manager = models.ForeignKey("organizations.Organization", verbose_name=_("manager"), on_delete=models.PROTECT,
                                related_name="managed_funds")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-vintage", "name", "id"]
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        constraints = [models.CheckConstraint(condition=models.Q(size_krw__gt=0), name="capacity_fund_size_positive")]

    def __str__(self) -> str:
        return self.name


class Commitment(TimeStampedModel):
    """A fund's commitment to a project (and its lead company) or to a company; from an investor letter if the
    proposal's letter was confirmed."""

    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="commitments")
    proposal = models.ForeignKey("proposals.Proposal", verbose_name=_("project"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="fund_commitments")
    organization = models.ForeignKey("organizations.Organization", verbose_name=_("company"),
                                     on_delete=models.PROTECT, related_name="fund_commitments")
    amount_krw = models.BigIntegerField(_("committed (won)"))
    committed_on = models.DateField(_("committed on"))
    investor_letter = models.OneToOneField("proposals.InvestorLetter", verbose_name=_("investor letter"), null=True,
                                           blank=True, on_delete=models.PROTECT, related_name="commitment")
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-committed_on", "-id"]
        verbose_name = _("fund commitment")
        verbose_name_plural = _("fund commitments")
        constraints = [models.CheckConstraint(condition=models.Q(amount_krw__gt=0),
                                              name="capacity_commitment_positive")]

    def __str__(self) -> str:
        return f"{self.fund} → {self.organization}"


class Investment(TimeStampedModel):
    """Money a fund put in: a first round, or a follow-on of an earlier one (``follows``)."""

    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="investments")
    commitment = models.ForeignKey(Commitment, verbose_name=_("commitment"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="investments")
    organization = models.ForeignKey("organizations.Organization", verbose_name=_("investee"),
                                     on_delete=models.PROTECT, related_name="fund_investments")
    proposal = models.ForeignKey("proposals.Proposal", verbose_name=_("project it follows"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="fund_investments")
    invested_on = models.DateField(_("invested on"))
    amount_krw = models.BigIntegerField(_("amount (won)"))
    instrument = models.CharField(_("instrument"), max_length=12, choices=Instrument.choices)
    stage = models.CharField(_("stage"), max_length=12, choices=InvestmentStage.choices)
    follows = models.ForeignKey("self", verbose_name=_("follow-on of"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="follow_ons")

    class Meta:
        ordering = ["-invested_on", "-id"]
        verbose_name = _("investment")
        verbose_name_plural = _("investments")
        constraints = [models.CheckConstraint(condition=models.Q(amount_krw__gt=0),
                                              name="capacity_investment_positive")]

    def __str__(self) -> str:
        return f"{self.fund} → {self.organization} {self.invested_on}"

    @property
    def is_follow_on(self) -> bool:
        return self.follows_id is not None


class Exit(models.Model):
    """How a fund left an investment."""

    investment = models.OneToOneField(Investment, verbose_name=_("investment"), on_delete=models.PROTECT,
                                      related_name="exit")
    exited_on = models.DateField(_("exited on"))
    kind = models.CharField(_("exit"), max_length=12, choices=ExitKind.choices)
    proceeds_krw = models.BigIntegerField(_("proceeds (won)"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-exited_on", "-id"]
        verbose_name = _("exit")
        verbose_name_plural = _("exits")
        constraints = [models.CheckConstraint(condition=models.Q(proceeds_krw__gte=0),
                                              name="capacity_exit_non_negative")]

    def __str__(self) -> str:
        return f"{self.investment_id} {self.kind}"


# ---------------------------------------------------------------------------------------------- talent
class CareerEvent(models.Model):
    """A record of a researcher's career: the doctorate's date, a position held (with its organisation)."""

    researcher = models.ForeignKey("organizations.Researcher", verbose_name=_("researcher"), on_delete=models.CASCADE,
                                   related_name="career_events")
    kind = models.CharField(_("kind"), max_length=12, choices=CareerEventKind.choices)
    title = models.CharField(pgettext_lazy("career", "title"), max_length=200, blank=True)
    organization = models.ForeignKey("organizations.Organization", verbose_name=_("organization"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["researcher", "started_on", "id"]
        verbose_name = _("career record")
        verbose_name_plural = _("career records")
        constraints = [
            models.UniqueConstraint(fields=["researcher"], condition=models.Q(kind="doctorate"),
                                    name="capacity_one_doctorate"),
            models.CheckConstraint(condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                                   name="capacity_career_event_period_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.researcher_id} {self.kind} {self.started_on}"


class StageRecord(models.Model):
    """A researcher reached a stage of the growth cycle on ``since``: the career history and the yearly counts."""

    researcher = models.ForeignKey("organizations.Researcher", verbose_name=_("researcher"), on_delete=models.CASCADE,
                                   related_name="stage_records")
    stage = models.CharField(_("stage"), max_length=16, choices=TalentStage.choices)
    since = models.DateField(_("since"))
    source = models.CharField(_("source"), max_length=12, choices=StageSource.choices, default=StageSource.RECORD)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["researcher", "since", "id"]
        verbose_name = _("career stage record")
        verbose_name_plural = _("career stage records")
        indexes = [models.Index(fields=["since", "stage"], name="capacity_stage_since_idx")]

    def __str__(self) -> str:
        return f"{self.researcher_id} {self.stage} {self.since}"


class Nomination(TimeStampedModel):
    """An institution nominates one of its researchers as a star engineer; a small panel from the evaluator pool
    reviews; the program manager designates, or not."""

    researcher = models.ForeignKey("organizations.Researcher", verbose_name=_("nominee"), on_delete=models.PROTECT,
                                   related_name="star_nominations")
    organization = models.ForeignKey("organizations.Organization", verbose_name=_("nominating institution"),
                                     on_delete=models.PROTECT, related_name="star_nominations")
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    reason = models.TextField(_("reason for the nomination"))
    status = models.CharField(_("status"), max_length=16, choices=NominationStatus.choices,
                              default=NominationStatus.NOMINATED, db_index=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    reviewers = models.ManyToManyField("evaluation.EvaluatorProfile", through="NominationReviewer",
                                       verbose_name=_("panel"), related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("star-engineer nomination")
        verbose_name_plural = _("star-engineer nominations")
        constraints = [models.UniqueConstraint(fields=["researcher"], condition=models.Q(status="nominated"),
                                               name="capacity_one_open_nomination")]

    def __str__(self) -> str:
        return f"{self.researcher} ({self.get_status_display()})"


class NominationReviewer(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="panel")
    profile = models.ForeignKey("evaluation.EvaluatorProfile", verbose_name=_("reviewer"), on_delete=models.PROTECT,
                                related_name="+")
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    # the member's own opinion, shown to the program manager before the decision (never to the other members)
    recommends = models.BooleanField(_("recommends the designation"), null=True, blank=True)
    comment = models.TextField(_("comment"), max_length=5000, blank=True)
    opined_at = models.DateTimeField(_("opinion given at"), null=True, blank=True)

    class Meta:
        ordering = ["nomination", "id"]
        verbose_name = _("nomination reviewer")
        verbose_name_plural = _("nomination reviewers")
        constraints = [models.UniqueConstraint(fields=["nomination", "profile"], name="capacity_reviewer_unique")]

    def __str__(self) -> str:
        return f"{self.nomination_id} {self.profile_id}"


# ---------------------------------------------------------------------------------------------- registries
class JointLab(TimeStampedModel):
    """An industry–research joint lab (산연 공동연구실): a public research institute hosting partner companies."""

    name = models.CharField(_("name"), max_length=200)
    host = models.ForeignKey("organizations.Organization", verbose_name=_("host research institute"),
                             on_delete=models.PROTECT, related_name="hosted_joint_labs")
    partners = models.ManyToManyField("organizations.Organization", verbose_name=_("partner companies"),
                                      related_name="joint_labs_as_partner")
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    field = models.CharField(_("field"), max_length=100)
    opened_on = models.DateField(_("opened on"))
    projects = models.ManyToManyField("proposals.Proposal", verbose_name=_("projects"), blank=True,
                                      related_name="joint_labs")

    class Meta:
        ordering = ["-opened_on", "name", "id"]
        verbose_name = _("joint lab")
        verbose_name_plural = _("joint labs")
        constraints = [models.UniqueConstraint(fields=["host", "name"], name="capacity_joint_lab_unique")]

    def __str__(self) -> str:
        return self.name


class GraduateSchool(TimeStampedModel):
    """A specialised graduate school (특성화 대학원) of an advanced industry at a university."""

    name = models.CharField(_("name"), max_length=200)
    university = models.ForeignKey("organizations.Organization", verbose_name=_("university"),
                                   on_delete=models.PROTECT, related_name="graduate_schools")
    field = models.CharField(_("field"), max_length=100)
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    designation_year = models.PositiveSmallIntegerField(_("designation year"))
    students = models.PositiveIntegerField(_("students"), default=0)
    projects = models.ManyToManyField("proposals.Proposal", verbose_name=_("projects"), blank=True,
                                      related_name="graduate_schools")

    class Meta:
        ordering = ["-designation_year", "name", "id"]
        verbose_name = _("specialised graduate school")
        verbose_name_plural = _("specialised graduate schools")
        constraints = [models.UniqueConstraint(fields=["university", "field"], name="capacity_graduate_school_unique")]

    def __str__(self) -> str:
        return self.name
