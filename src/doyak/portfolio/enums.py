from django.db import models
from django.utils.translation import gettext_lazy as _


class ScenarioScope(models.TextChoices):
    CALL = "call", _("One call")
    PROGRAM_YEAR = "program_year", _("A whole program year")


class ScenarioStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SOLVING = "solving", _("Solving")
    SOLVED = "solved", _("Solved")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved")


# A scenario whose policy or result may still change.
EDITABLE_STATUSES = frozenset({ScenarioStatus.DRAFT, ScenarioStatus.SOLVED})
# At most one scenario per scope holds one of these.
SUBMITTED_STATUSES = frozenset({ScenarioStatus.SUBMITTED, ScenarioStatus.APPROVED})

# Scenarios compared side by side at most (the compare page's columns).
COMPARE_MAX = 4
