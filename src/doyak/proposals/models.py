from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from doyak.core.models import TimeStampedModel

from .enums import AttachmentKind, CostCategory, MemberRole, ProposalStatus, SanctionKind


class Proposal(TimeStampedModel):
    """A consortium's proposal (제안서) to a call."""

    call = models.ForeignKey("calls.Call", verbose_name=_("call"), on_delete=models.PROTECT, related_name="proposals")
    reference = models.CharField(_("proposal number"), max_length=20, unique=True)
    lead_organization = models.ForeignKey("organizations.Organization", verbose_name=_("lead institution"),
                                          on_delete=models.PROTECT, related_name="led_proposals")
    pi = models.ForeignKey("organizations.Researcher", verbose_name=_("principal investigator"), null=True,
                           blank=True, on_delete=models.PROTECT, related_name="led_proposals")
    status = models.CharField(_("status"), max_length=14, choices=ProposalStatus.choices,
                              default=ProposalStatus.DRAFT, db_index=True)
    title_ko = models.CharField(_("title (Korean)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    abstract_ko = models.TextField(_("abstract (Korean)"), blank=True)
    abstract_en = models.TextField(_("abstract (English)"), blank=True)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    technology_codes = models.JSONField(_("technology classification codes"), default=list, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    # Totals kept with the budget lines (written by the services), so lists filter and sort without joins.
    gov_total_krw = models.BigIntegerField(_("government funds (won)"), default=0, db_index=True)
    cash_total_krw = models.BigIntegerField(_("own cash (won)"), default=0)
    in_kind_total_krw = models.BigIntegerField(_("own in-kind (won)"), default=0)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [
            models.Index(fields=["call", "status", "-submitted_at"], name="proposal_call_status_idx"),
            models.Index(fields=["lead_organization", "-created_at"], name="proposal_lead_idx"),
            # the program manager's list: newest submitted first, a page at a time
            models.Index(fields=["-submitted_at", "-id"], name="proposal_submitted_idx"),
        ]

    def __str__(self) -> str:
        return f"[{self.reference}] {self.title}"

    @property
    def title(self) -> str:
        if (get_language() or "ko").startswith("en") and self.title_en:
            return self.title_en
        return self.title_ko

    @property
    def total_krw(self) -> int:
        return self.gov_total_krw + self.cash_total_krw + self.in_kind_total_krw


class ConsortiumMember(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="members")
    organization = models.ForeignKey("organizations.Organization", verbose_name=_("organization"),
                                     on_delete=models.PROTECT, related_name="proposal_memberships")
    role = models.CharField(_("role"), max_length=16, choices=MemberRole.choices)

    class Meta:
        ordering = ["proposal", "id"]
        verbose_name = _("consortium member")
        verbose_name_plural = _("consortium members")
        constraints = [models.UniqueConstraint(fields=["proposal", "organization"], name="member_unique")]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_role_display()})"


class TeamMember(models.Model):
    """A researcher on the proposal, with the share of their time charged each month."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="team")
    researcher = models.ForeignKey("organizations.Researcher", verbose_name=_("researcher"),
                                   on_delete=models.PROTECT, related_name="proposal_roles")
    is_pi = models.BooleanField(_("principal investigator"), default=False)
    monthly_percent = models.JSONField(_("time charged per month (%)"), default=dict, blank=True,
                                       help_text=_('{"2027-03": 30, …}'))

    class Meta:
        ordering = ["proposal", "-is_pi", "id"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [models.UniqueConstraint(fields=["proposal", "researcher"], name="team_member_unique")]

    def __str__(self) -> str:
        return f"{self.researcher} ({self.proposal.reference})"


class BudgetLine(models.Model):
    """Budget per year × cost category × institution, split by source."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="budget_lines")
    year = models.PositiveSmallIntegerField(_("project year"))
    organization = models.ForeignKey("organizations.Organization", verbose_name=_("institution"),
                                     on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("cost category"), max_length=20, choices=CostCategory.choices)
    gov_krw = models.BigIntegerField(_("government funds (won)"), default=0)
    cash_krw = models.BigIntegerField(_("own cash (won)"), default=0)
    in_kind_krw = models.BigIntegerField(_("own in-kind (won)"), default=0)
    # [{"description": str, "amount_krw": int}]: the equipment plan, item by item (rnd_act.equipment_plan_threshold_krw)
    items = models.JSONField(_("items"), default=list, blank=True,
                             help_text=_("Equipment listed item by item: description and amount in won."))

    class Meta:
        ordering = ["proposal", "year", "organization", "category"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(fields=["proposal", "year", "organization", "category"], name="budget_line_unique"),
            models.CheckConstraint(condition=models.Q(gov_krw__gte=0, cash_krw__gte=0, in_kind_krw__gte=0),
                                   name="budget_line_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal.reference} {self.year} {self.category}"


class RippleCommitment(models.Model):
    """What the consortium commits to a region: investment, jobs, production (tracked after the project)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="ripple_commitments")
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    investment_krw = models.BigIntegerField(_("planned investment (won)"), default=0)
    jobs = models.PositiveIntegerField(_("jobs"), default=0)
    production_krw = models.BigIntegerField(_("production (won)"), default=0)

    class Meta:
        verbose_name = _("regional ripple commitment")
        verbose_name_plural = _("regional ripple commitments")
        constraints = [models.CheckConstraint(condition=models.Q(investment_krw__gte=0, production_krw__gte=0),
                                              name="ripple_non_negative")]

    def __str__(self) -> str:
        return f"{self.proposal.reference} {self.region}"


# A KPI value's column: 16 digits before the point, 2 after. A larger value (``1e40``) is refused by the API,
# the forms and a database constraint; stored, it made every page showing the proposal fail on SQLite.
KPI_MAX_DIGITS, KPI_DECIMAL_PLACES = 18, 2
KPI_LIMIT = 10 ** (KPI_MAX_DIGITS - KPI_DECIMAL_PLACES)


class KpiTarget(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="kpi_targets")
    name = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=KPI_MAX_DIGITS, decimal_places=KPI_DECIMAL_PLACES,
                                   null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=KPI_MAX_DIGITS, decimal_places=KPI_DECIMAL_PLACES)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)

    class Meta:
        verbose_name = _("KPI target")
        verbose_name_plural = _("KPI targets")
        constraints = [
            models.CheckConstraint(condition=models.Q(target__gt=-KPI_LIMIT, target__lt=KPI_LIMIT),
                                   name="kpi_target_bounded"),
            models.CheckConstraint(condition=models.Q(baseline__isnull=True)
                                   | models.Q(baseline__gt=-KPI_LIMIT, baseline__lt=KPI_LIMIT),
                                   name="kpi_baseline_bounded"),
            models.CheckConstraint(condition=models.Q(year__isnull=True) | models.Q(year__gte=1900, year__lte=2100),
                                   name="kpi_year_range"),
        ]

    def __str__(self) -> str:
        return self.name


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"proposals/{instance.proposal.reference}/{instance.sha256[:16]}.pdf"


class Attachment(models.Model):
    """A PDF attached to a proposal, stored outside the web root (served only through a permission check)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=16, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class RegulationDependency(models.Model):
    """A regulation the project depends on (regulation-free R&D): the exemption must arrive in time."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="regulations")
    regulation = models.CharField(_("regulation"), max_length=300)
    description = models.TextField(_("why the project needs an exemption"), blank=True)
    needed_by = models.DateField(_("needed by (demonstration date)"), null=True, blank=True)

    class Meta:
        verbose_name = _("regulation dependency")
        verbose_name_plural = _("regulation dependencies")

    def __str__(self) -> str:
        return self.regulation


class InvestorLetter(models.Model):
    """An investor's letter of intent (commercialisation fund, follow-on investment)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="investor_letters")
    investor_name = models.CharField(_("investor"), max_length=200)
    amount_krw = models.BigIntegerField(_("intended investment (won)"), default=0)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("investor letter of intent")
        verbose_name_plural = _("investor letters of intent")
        constraints = [models.CheckConstraint(condition=models.Q(amount_krw__gte=0), name="investor_letter_non_negative")]

    def __str__(self) -> str:
        return self.investor_name


class Sanction(models.Model):
    """A record that can bar selection: a sanction, an abandoned project or an unpaid surcharge/clawback.

    Names an organisation or a researcher (exactly one). Sanctions and abandonments count for the policy's
    look-back window (``rnd_act.selection_penalty_window_years``); an unpaid surcharge counts until ``settled_on``.
    """

    organization = models.ForeignKey("organizations.Organization", verbose_name=_("organization"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="sanctions")
    researcher = models.ForeignKey("organizations.Researcher", verbose_name=_("researcher"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="sanctions")
    kind = models.CharField(_("kind"), max_length=20, choices=SanctionKind.choices)
    date = models.DateField(_("decision date"), null=True, blank=True)
    settled_on = models.DateField(_("settled on"), null=True, blank=True,
                                  help_text=_("For an unpaid surcharge: the day it was paid (it no longer bars selection)."))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("sanction or selection bar")
        verbose_name_plural = _("sanctions and selection bars")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(organization__isnull=False, researcher__isnull=True)
                           | models.Q(organization__isnull=True, researcher__isnull=False)),
                name="sanction_one_subject"),
        ]

    def __str__(self) -> str:
        subject = self.organization or self.researcher
        return f"{self.get_kind_display()} · {subject} ({self.date or '-'})"
