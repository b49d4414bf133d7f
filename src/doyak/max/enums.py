"""Kinds and states of M.AX assets (the plan's manufacturing-AI alliance outputs)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AssetKind(models.TextChoices):
    AI_FACTORY = "ai_factory", _("AI factory")
    LEAD_MODEL = "lead_model", _("Manufacturing-AI lead model")
    HUMANOID_DEMO = "humanoid_demo", _("Humanoid field demonstration")
    CHIP_MILESTONE = "chip_milestone", _("On-device AI chip milestone")


class AssetStatus(models.TextChoices):
    """Registered by the institution; counted only once the program manager verified its evidence."""

    REGISTERED = "registered", pgettext_lazy("asset status", "Awaiting verification")
    VERIFIED = "verified", pgettext_lazy("asset status", "Verified")
    REJECTED = "rejected", pgettext_lazy("asset status", "Rejected")


class AdoptionLevel(models.TextChoices):
    """How far a factory has taken up AI (smart-factory levels as the ministry's programs name them)."""

    BASIC = "basic", _("Basic (data collected)")
    INTERMEDIATE = "intermediate", _("Intermediate (analysed and controlled)")
    ADVANCED = "advanced", _("Advanced (AI optimises)")
    AUTONOMOUS = "autonomous", _("Autonomous (AI decides)")


# (status, action) -> status: the verification workflow as data; the program manager triggers both actions.
VERIFICATION_TRANSITIONS = {
    (AssetStatus.REGISTERED, "verify"): AssetStatus.VERIFIED,
    (AssetStatus.REGISTERED, "reject"): AssetStatus.REJECTED,
}
