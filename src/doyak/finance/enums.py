"""States and kinds of the finance app. Workflows (flag answers, closing) are declared in ``workflow`` data below."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Category(models.TextChoices):
    """Cost categories the settlement engine checks (``engine.settlement_policy.CATEGORIES``)."""

    PERSONNEL = "personnel", _("Personnel")
    STUDENT_PERSONNEL = "student_personnel", _("Student personnel")
    EQUIPMENT = "equipment", _("Equipment and facilities")
    MATERIALS = "materials", _("Materials")
    ACTIVITIES = "activities", _("Research activities")
    ALLOWANCE = "allowance", _("Research allowance")
    SUBCONTRACT = "subcontract", _("Subcontracted R&D")
    INTERNATIONAL = "international", _("International joint R&D")
    INNOVATION = "innovation", _("Research innovation")
    INDIRECT = "indirect", _("Indirect cost")


class Evidence(models.TextChoices):
    NONE = "none", _("None")
    CARD_SLIP = "card_slip", _("Card slip")
    TAX_INVOICE = "tax_invoice", _("Tax invoice")
    RECEIPT = "receipt", _("Receipt")
    TRANSFER = "transfer", _("Transfer record")


class MerchantType(models.TextChoices):
    """Merchant types of the transactions the funds system sends (RCMS); a type not listed here is shown as
    it arrived. The ineligible ones are the policy record ``settlement.ineligible_merchant_types``."""

    OFFICE = "office", _("Office supplies")
    PAYROLL = "payroll", _("Payroll")
    LAB_SUPPLY = "lab_supply", _("Laboratory supplies")
    EQUIPMENT = "equipment", _("Equipment supplier")
    TRAVEL = "travel", _("Travel")
    RESTAURANT = "restaurant", _("Restaurant")
    BAR = "bar", _("Bar")
    KARAOKE = "karaoke", _("Karaoke")
    GOLF = "golf", _("Golf course")
    CASINO = "casino", _("Casino")


class TransactionSource(models.TextChoices):
    IMPORT = "import", _("Imported file")
    MANUAL = "manual", _("Entered by hand")


class FlagCode(models.TextChoices):
    OUT_OF_PERIOD = "OUT_OF_PERIOD", _("Outside the project period")
    INELIGIBLE_MERCHANT = "INELIGIBLE_MERCHANT", _("Ineligible merchant type")
    MISSING_EVIDENCE = "MISSING_EVIDENCE", _("Missing evidence")
    MISSING_DOCUMENTS = "MISSING_DOCUMENTS", _("Missing supporting documents")
    SPLIT_PURCHASE = "SPLIT_PURCHASE", _("Split purchase")
    UNPLANNED_EQUIPMENT = "UNPLANNED_EQUIPMENT", _("Equipment not in the plan")
    DUPLICATE = "DUPLICATE", _("Possible duplicate payment")
    HOLIDAY_USE = "HOLIDAY_USE", _("Spent on a holiday")
    OVER_BUDGET = "OVER_BUDGET", _("Over the approved budget")
    ALLOWANCE_CAP = "ALLOWANCE_CAP", _("Research allowance above its cap")


class Severity(models.TextChoices):
    INELIGIBLE = "ineligible", pgettext_lazy("flag severity", "Ineligible")
    REVIEW = "review", pgettext_lazy("flag severity", "Review")


class FlagStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("flag status", "Open")
    EXPLAINED = "explained", pgettext_lazy("flag status", "Explained")
    ACCEPTED = "accepted", pgettext_lazy("flag status", "Accepted")
    REJECTED = "rejected", pgettext_lazy("flag status", "Rejected")


class RunScope(models.TextChoices):
    CALL = "call", _("Call")
    PROGRAM = "program", _("Program")
    AGREEMENTS = "agreements", _("Agreements")


class RunPurpose(models.TextChoices):
    SETTLEMENT = "settlement", _("Settlement")
    CHECK = "check", _("Check after a ledger change")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


# A run that failed, or was killed while "running", may be resumed (settlement_run_resume); no other.
RESUMABLE_RUN_STATUSES = frozenset({RunStatus.FAILED, RunStatus.RUNNING})


# Flag answers as data: (from status, action) → (to status, who may do it).
FLAG_TRANSITIONS: dict[tuple[str, str], tuple[str, str]] = {
    (FlagStatus.OPEN, "explain"): (FlagStatus.EXPLAINED, "institution"),
    (FlagStatus.EXPLAINED, "accept"): (FlagStatus.ACCEPTED, "manager"),
    (FlagStatus.EXPLAINED, "reject"): (FlagStatus.REJECTED, "manager"),
}


class SampleReason(models.TextChoices):
    """Why the month's self-settlement audit sample took an agreement (engine ``SAMPLE_REASONS``)."""

    LATE_FILER = "late_filer", _("Filed its expense report late")
    STOPPED = "stopped", _("Stopped project")
    FLAGGED = "flagged", _("Flagged in the month")
    RANDOM = "random", _("Drawn at random")
