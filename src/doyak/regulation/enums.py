"""Codes of the regulation app: tasks of the registry, exemption routes, statuses of a dependency."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskStatus(models.TextChoices):
    """identified → in consultation → resolved | dropped (a regulation innovation task, 30대 산업규제 혁신과제)."""

    IDENTIFIED = "identified", _("Identified")
    IN_CONSULTATION = "in_consultation", _("In consultation")
    RESOLVED = "resolved", _("Resolved")
    DROPPED = "dropped", _("Dropped")


CLOSED_TASK_STATUSES = frozenset({TaskStatus.RESOLVED, TaskStatus.DROPPED})
TASK_TRANSITIONS: dict[str, frozenset[str]] = {
    TaskStatus.IDENTIFIED: frozenset({TaskStatus.IN_CONSULTATION, TaskStatus.RESOLVED, TaskStatus.DROPPED}),
    TaskStatus.IN_CONSULTATION: frozenset({TaskStatus.RESOLVED, TaskStatus.DROPPED}),
    TaskStatus.RESOLVED: frozenset(),
    TaskStatus.DROPPED: frozenset(),
}


class ChangeKind(models.TextChoices):
    """What must change to resolve a task."""

    LAW_AMENDMENT = "law_amendment", _("Law amendment")
    ENFORCEMENT_DECREE = "enforcement_decree", _("Enforcement decree")
    NOTICE = "notice", _("Notice or guideline")
    INTERPRETATION = "interpretation", _("Interpretation")


class Route(models.TextChoices):
    """How a project gets past a regulation (규제샌드박스 routes, or a law change through a registry task)."""

    QUICK_CONFIRMATION = "quick_confirmation", _("Quick confirmation")
    DEMONSTRATION_EXEMPTION = "demonstration_exemption", _("Demonstration exemption")
    TEMPORARY_PERMIT = "temporary_permit", _("Temporary permit")
    LAW_CHANGE = "law_change", _("Law change (registry task)")


class DependencyStatus(models.TextChoices):
    """Computed by ``doyak.engine.regulation.dependency_status``; the API's ``status`` values."""

    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BLOCKED = "blocked", _("Blocked")
    EXPIRING = "expiring", _("Expiring")


ALERT_STATUSES = frozenset({DependencyStatus.AT_RISK, DependencyStatus.BLOCKED, DependencyStatus.EXPIRING})


class MilestoneKind(models.TextChoices):
    """R&D milestones that need the exemption."""

    FIELD_DEMONSTRATION = "field_demonstration", _("Field demonstration")
    PILOT_SALE = "pilot_sale", _("Pilot sale")
    OTHER = "other", _("Other use needing the exemption")


class NoteKind(models.TextChoices):
    NOTE = "note", _("Note")
    CONTACT = "contact", _("Contact")
