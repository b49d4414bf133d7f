"""States and kinds of project execution: stops and goal changes, reports, stage/final/special evaluations,
sanctions. The report workflow is declared in ``workflow``."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class StopReason(models.TextChoices):
    """Why a stop or goal change is asked for (DOMAIN §3 "Grades and stopping")."""

    ENVIRONMENT_CHANGE = "environment_change", _("Need gone through a change of environment")
    GOALS_MET_EARLY = "goals_met_early", _("Goals met early")
    CANNOT_CONTINUE = "cannot_continue", _("Cannot continue")
    MISCONDUCT = "misconduct", _("Misconduct")


class RequestSide(models.TextChoices):
    INSTITUTION = "institution", _("Lead institution")
    MINISTRY = "ministry", _("Ministry")


class StopStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("stop status", "Requested")
    UNDER_EVALUATION = "under_evaluation", pgettext_lazy("stop status", "Under special evaluation")
    CONTINUED = "continued", pgettext_lazy("stop status", "Continues as agreed")
    GOALS_CHANGED = "goals_changed", pgettext_lazy("stop status", "Goals changed")
    STOPPED = "stopped", pgettext_lazy("stop status", "Stopped")


OPEN_STOP_STATUSES = frozenset({StopStatus.REQUESTED, StopStatus.UNDER_EVALUATION})


class EvaluationKind(models.TextChoices):
    STAGE = "stage", _("Stage evaluation")
    FINAL = "final", _("Final evaluation")
    SPECIAL = "special", _("Special evaluation")


class EvaluationStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("evaluation status", "Scheduled")
    PANEL = "panel", pgettext_lazy("evaluation status", "Panel formed")
    GRADED = "graded", pgettext_lazy("evaluation status", "Decided")
    WAIVED = "waived", pgettext_lazy("evaluation status", "Waived")


class Grade(models.TextChoices):
    """Until the policy's switch date the four grades, after it 완료 / 미완료."""

    EXCELLENT = "excellent", _("Excellent")
    AVERAGE = "average", _("Average")
    POOR = "poor", _("Poor")
    EXTREMELY_POOR = "extremely_poor", _("Extremely poor")
    COMPLETE = "complete", _("Complete")
    INCOMPLETE = "incomplete", _("Incomplete")


FOUR_GRADES = (Grade.EXCELLENT, Grade.AVERAGE, Grade.POOR, Grade.EXTREMELY_POOR)
TWO_GRADES = (Grade.COMPLETE, Grade.INCOMPLETE)


class Diligence(models.TextChoices):
    DILIGENT = "diligent", _("Diligent")
    NOT_DILIGENT = "not_diligent", _("Not diligent")


class SpecialOutcome(models.TextChoices):
    CONTINUE = "continue", _("Continue")
    CHANGE_GOALS = "change_goals", _("Change the goals")
    STOP = "stop", _("Stop")


class ReportKind(models.TextChoices):
    ANNUAL = "annual", _("Annual report")
    STAGE = "stage", _("Stage report")
    FINAL = "final", _("Final report")
    EXPENSE = "expense", _("Final expense report")


class ReportStatus(models.TextChoices):
    """The API contract's values."""

    DUE = "due", pgettext_lazy("report status", "Due")
    DRAFT = "draft", pgettext_lazy("report status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("report status", "Submitted")
    ACCEPTED = "accepted", pgettext_lazy("report status", "Accepted")
    RETURNED = "returned", pgettext_lazy("report status", "Returned with comments")


# A report the institution still owes (it can be overdue).
OWED_REPORT_STATUSES = frozenset({ReportStatus.DUE, ReportStatus.DRAFT, ReportStatus.RETURNED})


class SanctionGrounds(models.TextChoices):
    GRADE = "grade", _("Evaluation grade")
    MISCONDUCT = "misconduct", _("Misconduct")


class SanctionCaseStatus(models.TextChoices):
    PROPOSED = "proposed", pgettext_lazy("sanction status", "Proposed, institution to be heard")
    DECIDED = "decided", pgettext_lazy("sanction status", "Decided")
    OBJECTED = "objected", pgettext_lazy("sanction status", "Objection filed")
    FINAL = "final", pgettext_lazy("sanction status", "Final")


class PanelRule(models.TextChoices):
    """How a panel's result comes from its evaluators (policy ``execution.panel.result_rule``; engine names)."""

    MAJORITY_LOWER_TIE = "majority_lower_tie", _("Majority of the evaluators; a tie goes to the lower grade (the "
                                                 "project continues, diligent)")
    LOWEST = "lowest", _("The lowest grade any evaluator gave")
