from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationType(models.TextChoices):
    LARGE = "large", _("Large enterprise")
    MID_SIZE = "mid_size", _("Mid-size enterprise")
    EARLY_MID_SIZE = "early_mid_size", _("Early mid-size enterprise")
    SME = "sme", _("SME")
    UNIVERSITY = "university", _("University")
    GRI = "gri", _("Government research institute")
    NONPROFIT = "nonprofit", _("Other non-profit")


FOR_PROFIT_TYPES = frozenset(
    {OrganizationType.LARGE, OrganizationType.MID_SIZE, OrganizationType.EARLY_MID_SIZE, OrganizationType.SME}
)


class CareerStage(models.TextChoices):
    POSTDOC = "postdoc", _("Postdoctoral researcher")
    EARLY_CAREER = "early_career", _("Early-career researcher")
    MID_CAREER = "mid_career", _("Mid-career researcher")
    SENIOR = "senior", _("Senior researcher")
