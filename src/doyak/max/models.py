"""M.AX assets: AI factories, manufacturing-AI lead models, humanoid field demonstrations and on-device AI chip
milestones, each registered by an institution with evidence, verified by the ministry before the KPI board counts
it, and linked to the projects (proposals, and through them their agreements) that built it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from doyak.core.models import TimeStampedModel

from .enums import AdoptionLevel, AssetKind, AssetStatus


class Asset(TimeStampedModel):
    kind = models.CharField(pgettext_lazy("max asset", "kind"), max_length=16, choices=AssetKind.choices, db_index=True)
    organization = models.ForeignKey("organizations.Organization", verbose_name=_("registering institution"),
                                     on_delete=models.PROTECT, related_name="max_assets")
    name = models.CharField(_("name"), max_length=200,
                            help_text=_("The factory's site, the model, the demonstration or the milestone."))
    region = models.ForeignKey("regions.Region", verbose_name=_("region"), on_delete=models.PROTECT,
                               related_name="+")
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    adoption_level = models.CharField(_("level of AI adoption"), max_length=16, choices=AdoptionLevel.choices,
                                      blank=True)
    partners = models.ManyToManyField("organizations.Organization", verbose_name=_("partner SMEs"), blank=True,
                                      related_name="max_assets_as_partner")
    robot = models.CharField(_("robot"), max_length=200, blank=True)
    task = models.CharField(_("task"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    planned_date = models.DateField(_("planned date"), help_text=_(
        "When the factory is to operate, the model to be released, the demonstration or milestone to be done."))
    achieved_date = models.DateField(_("achieved on"), null=True, blank=True, help_text=_(
        "Operational date, release date, demonstration end or milestone reached; the year it counts in."))
    # What makes two registrations the same thing (counted once): set by the service from the kind's fields.
    dedup_key = models.CharField(_("de-duplication key"), max_length=300)
    status = models.CharField(_("status"), max_length=12, choices=AssetStatus.choices,
                              default=AssetStatus.REGISTERED, db_index=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("verified by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification_note = models.TextField(_("verification note"), blank=True)
    projects = models.ManyToManyField("proposals.Proposal", verbose_name=_("projects"), through="AssetProject",
                                      related_name="max_assets")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("registered by"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("M.AX asset")
        verbose_name_plural = _("M.AX assets")
        constraints = [
            models.UniqueConstraint(fields=["kind", "dedup_key"], condition=~models.Q(status="rejected"),
                                    name="max_asset_dedup_unique"),
            models.CheckConstraint(condition=models.Q(end_date__isnull=True) | models.Q(start_date__isnull=True)
                                   | models.Q(end_date__gte=models.F("start_date")), name="max_asset_period_valid"),
        ]
        indexes = [models.Index(fields=["kind", "status", "achieved_date"], name="max_asset_kind_status_idx")]

    def __str__(self) -> str:
        return self.name


class AssetProject(models.Model):
    """One project an asset came out of; an asset may come out of several (it still counts once)."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="project_links")
    proposal = models.ForeignKey("proposals.Proposal", verbose_name=_("project"), on_delete=models.PROTECT,
                                 related_name="max_asset_links")

    class Meta:
        verbose_name = _("asset project")
        verbose_name_plural = _("asset projects")
        constraints = [models.UniqueConstraint(fields=["asset", "proposal"], name="max_asset_project_unique")]

    def __str__(self) -> str:
        return f"{self.asset_id} {self.proposal_id}"


def asset_evidence_path(instance: AssetEvidence, filename: str) -> str:
    return f"max/{instance.asset_id}/{instance.sha256[:24]}{instance.extension}"


class AssetEvidence(models.Model):
    """A PDF, JPEG or PNG proving the asset, kept outside the web root and downloaded through a permission check."""

    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("file"), upload_to=asset_evidence_path)
    original_name = models.CharField(pgettext_lazy("max asset", "file name"), max_length=255)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(pgettext_lazy("max asset", "uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("asset evidence")
        verbose_name_plural = _("asset evidence")

    def __str__(self) -> str:
        return self.original_name

    @property
    def extension(self) -> str:
        return {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(self.content_type, "")
