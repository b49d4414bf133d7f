from django.db import models
from django.utils.translation import gettext_lazy as _


class PanelFormat(models.TextChoices):
    WRITTEN = "written", _("Written")
    PRESENTATION = "presentation", _("Presentation")


class PanelStage(models.TextChoices):
    FORMING = "forming", _("Forming")
    SCORING = "scoring", _("Scoring")
    PUBLISHED = "published", _("Decisions published")


class ConflictKind(models.TextChoices):
    """Conflicts people state (the rest are computed): the engine's declaration kinds."""

    DECLARED = "declared", _("Declared conflict")
    CHALLENGE = "challenged", _("Challenge by the applicant (기피)")
    RECUSAL = "recused", _("Recusal by the evaluator (회피)")


class Objective(models.TextChoices):
    TOTAL = "total", _("Highest total affinity")
    FAIR = "fair", _("Fair: best worst-off proposal first")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


ACTIVE_RUN_STATUSES = frozenset({RunStatus.QUEUED, RunStatus.RUNNING})


class AssignmentSource(models.TextChoices):
    AUTO = "auto", _("Automatic")
    MANUAL = "manual", _("Manual")


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AppealStatus(models.TextChoices):
    FILED = "filed", _("Filed")
    ACCEPTED = "accepted", _("Accepted: re-evaluation")
    REJECTED = "rejected", _("Rejected")
