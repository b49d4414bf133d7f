from django.db import models
from django.utils.translation import gettext_lazy as _


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    UNDER_REVIEW = "under_review", _("Under review")
    EVALUATED = "evaluated", _("Passed evaluation")
    SELECTED = "selected", _("Selected")
    NOT_SELECTED = "not_selected", _("Not selected")


class MemberRole(models.TextChoices):
    LEAD = "lead", _("Lead institution")
    PARTICIPANT = "participant", _("Participant")
    SUBCONTRACTOR = "subcontractor", _("Subcontractor")
    DEMAND_ANCHOR = "demand_anchor", _("Demand-anchor company")
    SUPPLIER = "supplier", _("Supplier partner")


class CostCategory(models.TextChoices):
    PERSONNEL = "personnel", _("Personnel")
    STUDENT_PERSONNEL = "student_personnel", _("Student personnel")
    EQUIPMENT = "equipment", _("Equipment and facilities")
    MATERIALS = "materials", _("Materials")
    ACTIVITIES = "activities", _("Research activities")
    ALLOWANCE = "allowance", _("Research allowance")
    SUBCONTRACT = "subcontract", _("Subcontracted R&D")
    INTERNATIONAL = "international", _("International joint R&D")
    BURDEN = "burden", _("R&D burden")
    INNOVATION = "innovation", _("Research innovation")
    INDIRECT = "indirect", _("Indirect cost")


class AttachmentKind(models.TextChoices):
    PLAN = "plan", _("Research plan")
    BUDGET = "budget", _("Budget statement")
    LETTER = "letter", _("Letter of intent")
    CERTIFICATE = "certificate", _("Certificate")
    OTHER = "other", _("Other")


class SanctionKind(models.TextChoices):
    """The only lawful grounds to bar selection (국가연구개발혁신법): see DOMAIN.md §3."""

    SANCTION = "sanction", _("Sanction")
    ABANDONMENT = "abandonment", _("Abandoned project")
    UNPAID_SURCHARGE = "unpaid_surcharge", _("Unpaid surcharge or clawback")
