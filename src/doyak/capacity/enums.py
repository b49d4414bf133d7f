"""States and kinds of the innovation-capacity records; transitions as data."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SurveyStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("survey status", "Open")
    CLOSED = "closed", pgettext_lazy("survey status", "Closed")


class DemandKind(models.TextChoices):
    INVEST = "invest", _("Would invest")
    PURCHASE = "purchase", _("Would buy")


class InvestmentStage(models.TextChoices):
    SEED = "seed", _("Seed")
    EARLY = "early", _("Early stage (Series A)")
    GROWTH = "growth", _("Growth (Series B–C)")
    LATER = "later", _("Later stage / pre-IPO")
    COMMERCIAL = "commercial", _("Commercialisation (first sales)")


class Instrument(models.TextChoices):
    EQUITY = "equity", _("Equity")
    CONVERTIBLE = "convertible", _("Convertible")
    LOAN = "loan", _("Loan")


class ExitKind(models.TextChoices):
    IPO = "ipo", _("Listing (IPO)")
    TRADE_SALE = "trade_sale", _("Trade sale (M&A)")
    BUYBACK = "buyback", _("Buy-back")
    WRITE_OFF = "write_off", _("Write-off")


class NominationStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    DESIGNATED = "designated", _("Designated")
    NOT_DESIGNATED = "not_designated", _("Not designated")


# (status, action) -> status: the star-engineer designation workflow; the program manager decides.
NOMINATION_TRANSITIONS = {
    (NominationStatus.NOMINATED, "designate"): NominationStatus.DESIGNATED,
    (NominationStatus.NOMINATED, "decline"): NominationStatus.NOT_DESIGNATED,
}


class CareerEventKind(models.TextChoices):
    DOCTORATE = "doctorate", _("Doctorate awarded")
    POSITION = "position", _("Position")


class StageSource(models.TextChoices):
    RECORD = "record", _("From records")
    SUGGESTION = "suggestion", _("Accepted suggestion")
    DESIGNATION = "designation", _("Star-engineer designation")


class TalentStage(models.TextChoices):
    """The growth cycle's stages: a researcher's career stage, and star engineer once designated."""

    POSTDOC = "postdoc", _("Postdoctoral researcher")
    EARLY_CAREER = "early_career", _("Early-career researcher")
    MID_CAREER = "mid_career", _("Mid-career researcher")
    SENIOR = "senior", _("Senior researcher")
    STAR_ENGINEER = "star_engineer", _("Star engineer")
