from django.db import models
from django.utils.translation import gettext_lazy as _


class Track(models.TextChoices):
    """The plan's project types. Each track's eligibility rules are policy records (``track.<value>.*``)."""

    GENERAL = "general", _("General")
    REGIONAL_ONLY = "regional_only", _("Regional-only")
    LARGE_SCALE = "large_scale", _("Large-scale (₩10B or more)")
    INDUSTRIAL_LEAP = "industrial_leap", _("Industrial leap (demand-anchor-led)")
    REGULATION_FREE = "regulation_free", _("Regulation-free R&D")
    MAX_AI_FACTORY = "max_ai_factory", _("M.AX: AI factory")
    MAX_LEAD_MODEL = "max_lead_model", _("M.AX: manufacturing-AI lead model")
    MAX_HUMANOID = "max_humanoid", _("M.AX: humanoid field demonstration")
    MAX_ON_DEVICE_CHIP = "max_on_device_chip", _("M.AX: on-device AI chip")
    JOINT_LAB = "joint_lab", _("Industry–research joint lab")


class ProjectGrade(models.TextChoices):
    """Stage and final evaluation grades (DOMAIN §3); sanctions only for the grades the policy
    ``grades.sanction_grades`` names."""

    EXCELLENT = "excellent", _("Excellent")
    FAIR = "fair", _("Fair")
    POOR = "poor", _("Poor")
    EXTREMELY_POOR = "extremely_poor", _("Extremely poor")
