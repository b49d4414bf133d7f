"""The agreement (협약) and its terms: parties, period and stages, goals and KPIs, researchers, the approved
budget per year × category × institution × source; its frozen versions, signatures and change requests.

The relational rows (``AgreementParty``, ``AgreementStage`` …, ``ApprovedBudget``) are the terms in force;
``AgreementVersion.terms`` is the frozen snapshot of them as plain data (``agreements.terms``): version 1 is
the signed agreement, each applied change adds one. A frozen version is never updated nor deleted.

``Agreement`` and ``ApprovedBudget`` moved here from ``finance`` and keep their tables (``db_table``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from doyak.core.models import TimeStampedModel
from doyak.proposals.enums import CostCategory

from .enums import AgreementStatus, ChangeClass, ChangeStatus, PartyRole, SignatureSide


class Agreement(TimeStampedModel):
    """The agreement of a selected proposal: period, funds, settlement mode, the version in force."""

    proposal = models.OneToOneField("proposals.Proposal", verbose_name=_("proposal"), on_delete=models.PROTECT,
                                    related_name="agreement")
    number = models.CharField(_("agreement number"), max_length=30, unique=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    gov_funds_krw = models.BigIntegerField(_("government funds (won)"))
    cash_funds_krw = models.BigIntegerField(_("institution cash (won)"))
    # cash from other sources than the government and the institutions (a local government's matching funds …):
    # the settlement's government share is gov / (gov + cash + other cash), DOMAIN §4
    other_cash_funds_krw = models.BigIntegerField(_("other cash (won)"), default=0)
    self_settlement = models.BooleanField(_("self-settlement"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=AgreementStatus.choices,
                              default=AgreementStatus.DRAFT, db_index=True)
    # The latest settlement run whose results cover this agreement (what the ledger page shows).
    current_run = models.ForeignKey("finance.SettlementRun", verbose_name=_("latest settlement run"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(_("version in force"), default=0,
                                          help_text=_("0 until both parties have signed."))
    method = models.TextField(_("research method and content"), blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)

    class Meta:
        db_table = "finance_agreement"
        ordering = ["number"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")),
                                              name="agreement_period_valid"),
                       models.CheckConstraint(condition=models.Q(other_cash_funds_krw__gte=0),
                                              name="agreement_other_cash_non_negative")]

    def __str__(self) -> str:
        return self.number

    @property
    def title(self) -> str:
        return self.proposal.title


class ApprovedBudget(models.Model):
    """Approved budget per year × cost category × institution, by source. ``approved_krw`` (government funds,
    institution cash and other cash) is what settlement checks spending against; in-kind is never spent as
    money."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="budgets")
    year = models.PositiveSmallIntegerField(_("project year"))
    category = models.CharField(_("cost category"), max_length=20)
    organization = models.ForeignKey("organizations.Organization", verbose_name=_("institution"),
                                     on_delete=models.PROTECT, related_name="+")
    approved_krw = models.BigIntegerField(_("approved (won)"))
    gov_krw = models.BigIntegerField(_("government funds (won)"), default=0)
    cash_krw = models.BigIntegerField(_("institution cash (won)"), default=0)
    other_cash_krw = models.BigIntegerField(_("other cash (won)"), default=0)
    in_kind_krw = models.BigIntegerField(_("in-kind (won)"), default=0)
    # [{"description": str, "amount_krw": int}]: the equipment plan (rnd_act.equipment_plan_threshold_krw)
    items = models.JSONField(_("items"), default=list, blank=True)

    class Meta:
        db_table = "finance_approvedbudget"
        ordering = ["agreement", "year", "organization", "category"]
        verbose_name = _("approved budget line")
        verbose_name_plural = _("approved budget lines")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "year", "category", "organization"],
                                    name="approved_budget_unique"),
            models.CheckConstraint(condition=models.Q(approved_krw__gte=0), name="approved_budget_non_negative"),
            models.CheckConstraint(condition=models.Q(gov_krw__gte=0, cash_krw__gte=0, in_kind_krw__gte=0),
                                   name="approved_budget_sources_non_negative"),
            models.CheckConstraint(condition=models.Q(other_cash_krw__gte=0), name="approved_budget_other_cash_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.year} {self.category}"

    @property
    def category_label(self) -> str:
        return str(CostCategory(self.category).label) if self.category in CostCategory.values else self.category


class AgreementParty(models.Model):
    """An institution bound by the agreement: the lead, a participant or a subcontractor."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    organization = models.ForeignKey("organizations.Organization", verbose_name=_("institution"),
                                     on_delete=models.PROTECT, related_name="agreement_parties")
    role = models.CharField(_("role"), max_length=16, choices=PartyRole.choices)

    class Meta:
        ordering = ["agreement", "role", "id"]
        verbose_name = _("agreement party")
        verbose_name_plural = _("agreement parties")
        constraints = [models.UniqueConstraint(fields=["agreement", "organization"], name="agreement_party_unique")]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_role_display()})"


class AgreementStage(models.Model):
    """A stage (단계) of the project period; settlement and stage evaluations follow them."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="stages")
    number = models.PositiveSmallIntegerField(_("stage"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))

    class Meta:
        ordering = ["agreement", "number"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [models.UniqueConstraint(fields=["agreement", "number"], name="agreement_stage_unique"),
                       models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")),
                                              name="agreement_stage_period_valid")]

    def __str__(self) -> str:
        return f"{self.agreement_id} stage {self.number}"


class AgreementGoal(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="goals")
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.TextField(_("goal"))

    class Meta:
        ordering = ["agreement", "order"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.text[:60]


class AgreementKpi(models.Model):
    """A performance indicator: baseline and target (IATI's indicator → baseline → target)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=20, decimal_places=4, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=20, decimal_places=4)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)

    class Meta:
        ordering = ["agreement", "id"]
        verbose_name = _("performance indicator")
        verbose_name_plural = _("performance indicators")

    def __str__(self) -> str:
        return self.name


class AgreementResearcher(models.Model):
    """A researcher named in the agreement; exactly one is the principal investigator."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="researchers")
    researcher = models.ForeignKey("organizations.Researcher", verbose_name=_("researcher"),
                                   on_delete=models.PROTECT, related_name="agreement_roles")
    is_pi = models.BooleanField(_("principal investigator"), default=False)

    class Meta:
        ordering = ["agreement", "-is_pi", "id"]
        verbose_name = _("agreement researcher")
        verbose_name_plural = _("agreement researchers")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "researcher"], name="agreement_researcher_unique"),
            models.UniqueConstraint(fields=["agreement"], condition=models.Q(is_pi=True),
                                    name="agreement_one_pi"),
        ]

    def __str__(self) -> str:
        return str(self.researcher)


class FrozenVersion(Exception):
    """A frozen agreement version was about to change."""


class AgreementVersionQuerySet(models.QuerySet):
    """Frozen versions refuse bulk updates and deletes as the model refuses them one by one."""

    def update(self, **kwargs):
        if self.filter(frozen_at__isnull=False).exists():
            raise FrozenVersion("a frozen agreement version is never updated")
        return super().update(**kwargs)

    def delete(self):
        if self.filter(frozen_at__isnull=False).exists():
            raise FrozenVersion("a frozen agreement version is never deleted")
        return super().delete()


class AgreementVersion(models.Model):
    """The frozen terms of one version (``terms``: plain data, see ``agreements.terms``), in force from
    ``effective_from`` until the next version's."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    terms = models.JSONField(_("terms"))
    effective_from = models.DateField(_("in force from"))
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    change_request = models.OneToOneField("ChangeRequest", verbose_name=_("change request"), null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="applied_version")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = AgreementVersionQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "number"]
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        constraints = [models.UniqueConstraint(fields=["agreement", "number"], name="agreement_version_unique")]
        indexes = [models.Index(fields=["agreement", "effective_from"], name="agreement_version_date_idx")]

    def __str__(self) -> str:
        return f"{self.agreement_id} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk and type(self).objects.filter(pk=self.pk, frozen_at__isnull=False).exists():
            raise FrozenVersion(f"agreement version {self} is frozen")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.frozen_at is not None or type(self).objects.filter(pk=self.pk, frozen_at__isnull=False).exists():
            raise FrozenVersion(f"agreement version {self} is frozen")
        return super().delete(*args, **kwargs)


class Signature(models.Model):
    """One party's signature on the agreement draft: who, when (also in the audit trail)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="signatures")
    side = models.CharField(_("signed as"), max_length=12, choices=SignatureSide.choices)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.PROTECT,
                                  related_name="+")
    signed_at = models.DateTimeField(_("signed at"), auto_now_add=True)

    class Meta:
        ordering = ["agreement", "signed_at"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [models.UniqueConstraint(fields=["agreement", "side"], name="signature_one_per_side")]

    def __str__(self) -> str:
        return f"{self.agreement} {self.side}"


class ChangeRequest(TimeStampedModel):
    """A change request (협약변경): the draft of a new version (``proposed_terms``) and, once submitted, its
    differences from the version in force, each classified by the Act's rules (``items``)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="change_requests")
    number = models.PositiveIntegerField(_("request number"))
    status = models.CharField(_("status"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.DRAFT,
                              db_index=True)
    classification = models.CharField(_("classification"), max_length=5, choices=ChangeClass.choices, blank=True)
    base_version = models.PositiveIntegerField(_("changes version"))
    proposed_terms = models.JSONField(_("proposed terms"))
    # [{"field", "before", "after", "class", "rule"}], computed on submission
    items = models.JSONField(_("differences"), default=list, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # The day the proposer asks the new version to take effect; empty: the day it is decided. A notice takes
    # effect on submission whatever it says; an approval never takes effect before the decision day.
    effective_date = models.DateField(_("to take effect on"), null=True, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("request submitted at"), null=True, blank=True)
    due_date = models.DateField(_("answer due"), null=True, blank=True, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decision made at"), null=True, blank=True)
    decision_note = models.TextField(_("comments"), blank=True)

    class Meta:
        ordering = ["agreement", "-number"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        constraints = [models.UniqueConstraint(fields=["agreement", "number"], name="change_request_unique")]

    def __str__(self) -> str:
        return f"{self.agreement} #{self.number}"
