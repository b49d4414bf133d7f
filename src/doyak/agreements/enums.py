"""States and kinds of the agreements app. The change-request workflow is declared in ``workflow``."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AgreementStatus(models.TextChoices):
    """The API contract's values: draft → signed (both signatures) → active (from the start date) → stopped |
    closed."""

    DRAFT = "draft", pgettext_lazy("agreement status", "Draft")
    SIGNED = "signed", pgettext_lazy("agreement status", "Signed")
    ACTIVE = "active", pgettext_lazy("agreement status", "Active")
    STOPPED = "stopped", pgettext_lazy("agreement status", "Stopped")
    CLOSED = "closed", pgettext_lazy("agreement status", "Closed")


# Agreements whose terms are in force (a change may be proposed, spending may be entered).
IN_FORCE = frozenset({AgreementStatus.SIGNED, AgreementStatus.ACTIVE})


class PartyRole(models.TextChoices):
    LEAD = "lead", _("Lead institution")
    PARTICIPANT = "participant", _("Participant")
    SUBCONTRACTOR = "subcontractor", _("Subcontractor")


class SignatureSide(models.TextChoices):
    INSTITUTION = "institution", _("Lead institution's representative")
    MANAGER = "manager", _("Program manager")


class ChangeStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("change status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("change status", "Awaiting decision")
    RETURNED = "returned", pgettext_lazy("change status", "Returned with comments")
    APPROVED = "approved", pgettext_lazy("change status", "Approved")
    REJECTED = "rejected", pgettext_lazy("change status", "Rejected")
    APPLIED = "applied", pgettext_lazy("change status", "Applied")


# A change request still being written, waiting for a decision or approved and not yet in force: one at a
# time per agreement (the next one is drafted on the version the approved one makes).
OPEN_STATUSES = frozenset({ChangeStatus.DRAFT, ChangeStatus.SUBMITTED, ChangeStatus.RETURNED,
                           ChangeStatus.APPROVED})


class ChangeClass(models.TextChoices):
    MAJOR = "major", _("Major: prior approval")
    MINOR = "minor", _("Minor: notice")
