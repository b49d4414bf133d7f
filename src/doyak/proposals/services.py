"""Writes for proposals. Each service is atomic, checks permission, writes an audit event and raises a
``DoyakError`` subclass with a stable code. None sees the HTTP request."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doyak.accounts.rules import Actor
from doyak.calls.models import Call
from doyak.core.audit import audit_record, changed_fields, model_snapshot
from doyak.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from doyak.core.inputs import YEAR_MAX, YEAR_MIN, finite_decimal
from doyak.core.labels import audit_actions_register
from doyak.core.money import WonInvalid, parse_won
from doyak.engine.proposal_rules import BudgetItem as EngineBudgetItem
from doyak.engine.proposal_rules import BudgetLine as EngineBudgetLine
from doyak.organizations.models import Organization, Researcher
from doyak.policies.services import policy_value
from doyak.regions.models import Region

from .emails import proposal_email_schedule
from .enums import AttachmentKind, CostCategory, MemberRole, ProposalStatus, SanctionKind
from .models import (
    KPI_DECIMAL_PLACES,
    KPI_MAX_DIGITS,
    Attachment,
    BudgetLine,
    ConsortiumMember,
    InvestorLetter,
    KpiTarget,
    Proposal,
    RegulationDependency,
    RippleCommitment,
    Sanction,
    TeamMember,
)
from .rules import can_create_proposal, can_edit_proposal, can_record_sanction, can_trigger
from .validation import proposal_check, violation_for_display
from .workflow import TRANSITIONS, Owner

AUDIT_ACTIONS = audit_actions_register({
    "proposal.create": gettext_lazy("Proposal started"),
    "proposal.update": gettext_lazy("Proposal changed"),
    "proposal.member_add": gettext_lazy("Institution added to a proposal"),
    "proposal.team_add": gettext_lazy("Researcher added to a proposal"),
    "proposal.budget_set": gettext_lazy("Proposal budget saved"),
    "proposal.ripple_add": gettext_lazy("Regional ripple commitment added"),
    "proposal.kpi_add": gettext_lazy("KPI target added"),
    "proposal.regulation_add": gettext_lazy("Regulation dependency added"),
    "proposal.investor_letter_add": gettext_lazy("Investor letter added"),
    "proposal.attachment_add": gettext_lazy("Attachment added"),
    "proposal.members_remove": gettext_lazy("Institution removed from a proposal"),
    "proposal.team_remove": gettext_lazy("Researcher removed from a proposal"),
    "proposal.ripple_remove": gettext_lazy("Regional ripple commitment removed"),
    "proposal.kpi_remove": gettext_lazy("KPI target removed"),
    "proposal.kpis_remove": gettext_lazy("KPI target removed"),
    "proposal.regulations_remove": gettext_lazy("Regulation dependency removed"),
    "proposal.investor_letters_remove": gettext_lazy("Investor letter removed"),
    "proposal.attachments_remove": gettext_lazy("Attachment removed"),
    "proposal.submit": gettext_lazy("Proposal submitted"),
    "proposal.withdraw": gettext_lazy("Proposal withdrawn"),
    "proposal.start_review": gettext_lazy("Proposal review started"),
    "proposal.pass_evaluation": gettext_lazy("Proposal passed the evaluation"),
    "proposal.fail_evaluation": gettext_lazy("Proposal failed the evaluation"),
    "proposal.reinstate": gettext_lazy("Proposal reinstated after an appeal"),
    "proposal.select": gettext_lazy("Proposal selected"),
    "proposal.reject": gettext_lazy("Proposal not selected"),
    "sanction.record": gettext_lazy("Sanction recorded"),
})

PDF_MAGIC = b"%PDF-"


class ProposalRulesViolated(ValidationFailed):
    """Submission refused: the proposal breaks one or more rules (listed in ``violations``)."""

    code = "proposal_rules_violated"

    def __init__(self, message: str, *, violations: list) -> None:
        super().__init__(message, field=violations[0].field if violations else None)
        self.violations = violations

    def as_dict(self):
        data = super().as_dict()
        data["violations"] = [violation_for_display(v) for v in self.violations]
        return data


# --------------------------------------------------------------------------------------------
# Guards
# --------------------------------------------------------------------------------------------


def _locked(proposal_id: int) -> Proposal:
    proposal = (Proposal.objects.select_for_update(of=("self",)).select_related("call", "lead_organization")
                .filter(pk=proposal_id).first())
    if proposal is None:
        raise NotFound(_("Proposal not found."), code="proposal_not_found")
    return proposal


def _deadline_check(call: Call, now: dt.datetime | None = None) -> None:
    if not call.is_accepting(now or timezone.now()):
        raise Conflict(_("The call no longer accepts proposals (deadline %(deadline)s): editing is refused.")
                       % {"deadline": timezone.localtime(call.closes_at).strftime("%Y-%m-%d %H:%M")},
                       code="proposal_deadline_passed")


def _editable(actor: Actor, proposal_id: int) -> Proposal:
    """Lock a draft the actor may change, before the deadline."""
    proposal = _locked(proposal_id)
    if not can_edit_proposal(actor, proposal):
        if proposal.status != ProposalStatus.DRAFT and actor.organization_id == proposal.lead_organization_id:
            raise Conflict(_("Only drafts can be changed."), code="proposal_not_draft")
        raise AccessDenied(_("You may not change this proposal."), code="proposal_forbidden")
    _deadline_check(proposal.call)
    return proposal


def _touch(proposal: Proposal) -> None:
    proposal.save(update_fields=["updated_at"])


def _int(value: Any, field: str, *, minimum: int = 0) -> int:
    """An amount (or a count) by the money rule (``core.money.parse_won``): whole, within the column."""
    if isinstance(value, str) and not value.strip():
        value = 0
    try:
        return parse_won(value, minimum=minimum)
    except WonInvalid as exc:
        raise ValidationFailed(str(exc), code="number_invalid", field=field) from None


# --------------------------------------------------------------------------------------------
# Create and edit
# --------------------------------------------------------------------------------------------

EDITABLE_FIELDS = ("title_ko", "title_en", "abstract_ko", "abstract_en", "keywords", "technology_codes",
                   "start_date", "end_date")


def _clean_fields(data: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationFailed(_("Field %(field)s cannot be changed here.") % {"field": unknown[0]},
                               code="field_not_editable", field=unknown[0])
    out = {}
    for key, value in data.items():
        if key in ("keywords", "technology_codes"):
            if isinstance(value, str):
                value = [v.strip() for v in value.replace(";", ",").split(",")]
            value = [str(v).strip() for v in value or [] if str(v).strip()]
        elif key in ("start_date", "end_date"):
            if isinstance(value, str):
                value = dt.date.fromisoformat(value) if value else None
        elif key == "title_ko" and not str(value or "").strip():
            raise ValidationFailed(_("Enter the Korean title."), code="required", field=key)
        else:
            value = str(value or "")
        out[key] = value
    return out


@transaction.atomic
def proposal_create(*, actor: Actor, call_id: int, data: dict[str, Any]) -> Proposal:
    """A draft led by the actor's organisation, while the call accepts proposals."""
    if not can_create_proposal(actor):
        raise AccessDenied(_("Only applicants with an organization may start a proposal."), code="proposal_forbidden")
    call = Call.objects.select_related("program").filter(pk=call_id).first()
    if call is None:
        raise NotFound(_("Call not found."), code="call_not_found")
    _deadline_check(call)
    fields = _clean_fields(data)
    if not fields.get("title_ko"):
        raise ValidationFailed(_("Enter the Korean title."), code="required", field="title_ko")
    proposal = Proposal.objects.create(call=call, lead_organization_id=actor.organization_id, created_by=actor,
                                       reference=f"T{uuid.uuid4().hex[:18]}", **fields)
    proposal.reference = f"P{timezone.localdate(call.opens_at).year}{proposal.pk:08d}"
    proposal.save(update_fields=["reference"])
    ConsortiumMember.objects.create(proposal=proposal, organization_id=actor.organization_id, role=MemberRole.LEAD)
    audit_record(actor=actor, action="proposal.create", obj=proposal, changes={"call": call.reference})
    return proposal


@transaction.atomic
def proposal_update(*, actor: Actor, proposal_id: int, data: dict[str, Any]) -> Proposal:
    proposal = _editable(actor, proposal_id)
    fields = _clean_fields(data)
    start = fields.get("start_date", proposal.start_date)
    end = fields.get("end_date", proposal.end_date)
    if start and end and end < start:
        raise ValidationFailed(_("The project must end on or after its start."), code="period_invalid", field="end_date")
    before = model_snapshot(proposal, fields.keys())
    for key, value in fields.items():
        setattr(proposal, key, value)
    proposal.save()
    changes = changed_fields(before, model_snapshot(proposal, fields.keys()))
    if changes:
        audit_record(actor=actor, action="proposal.update", obj=proposal, changes=changes)
    return proposal


@transaction.atomic
def proposal_member_add(*, actor: Actor, proposal_id: int, organization_id: int, role: str) -> ConsortiumMember:
    """Add a participant, subcontractor, demand-anchor company or supplier partner to the consortium."""
    proposal = _editable(actor, proposal_id)
    if role not in MemberRole.values or role == MemberRole.LEAD:
        raise ValidationFailed(_("Choose the member's role."), code="member_role_invalid", field="role")
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        raise ValidationFailed(_("No organization with this registration number."), code="organization_not_found",
                               field="organization")
    if proposal.members.filter(organization=organization).exists():
        raise Conflict(_("%(name)s is already in the consortium.") % {"name": organization.name},
                       code="member_duplicate", field="organization")
    member = ConsortiumMember.objects.create(proposal=proposal, organization=organization, role=role)
    audit_record(actor=actor, action="proposal.member_add", obj=proposal,
                 changes={"organization": organization.pk, "role": role})
    _touch(proposal)
    return member


def project_months(*, start: dt.date, end: dt.date) -> list[str]:
    """Every month ``YYYY-MM`` from ``start`` to ``end``."""
    out = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def monthly_percent_uniform(*, start: dt.date, end: dt.date, percent: Decimal | int) -> dict[str, int | str]:
    """The same share of time in every month from ``start`` to ``end``."""
    value: int | str = int(percent) if Decimal(percent) == int(percent) else str(percent)
    return dict.fromkeys(project_months(start=start, end=end), value)


def _clean_months(months: dict[str, Any]) -> dict[str, int | str]:
    import re

    out: dict[str, int | str] = {}
    for month, percent in (months or {}).items():
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(month)):
            raise ValidationFailed(_("Months are written YYYY-MM."), code="month_invalid", field="monthly_percent")
        try:
            value = Decimal(str(percent))
        except InvalidOperation:
            raise ValidationFailed(_("Enter a percentage."), code="percent_invalid", field="monthly_percent") from None
        if value < 0 or value > 100:
            raise ValidationFailed(_("A month's share is between 0 and 100%."), code="percent_invalid",
                                   field="monthly_percent")
        out[str(month)] = int(value) if value == int(value) else str(value)
    return out


@transaction.atomic
def proposal_team_member_add(*, actor: Actor, proposal_id: int, researcher_id: int, is_pi: bool,
                             monthly_percent: dict[str, Any]) -> TeamMember:
    """Add a researcher with the share of their time charged per month ``{"2027-03": 30, …}``."""
    proposal = _editable(actor, proposal_id)
    researcher = Researcher.objects.filter(pk=researcher_id).first()
    if researcher is None:
        raise ValidationFailed(_("No researcher with this national researcher number."), code="researcher_not_found",
                               field="researcher")
    if proposal.team.filter(researcher=researcher).exists():
        raise Conflict(_("%(name)s is already on the team.") % {"name": researcher.name}, code="team_duplicate",
                       field="researcher")
    months = _clean_months(monthly_percent)
    if is_pi:
        proposal.team.filter(is_pi=True).update(is_pi=False)
        proposal.pi = researcher
        proposal.save(update_fields=["pi", "updated_at"])
    member = TeamMember.objects.create(proposal=proposal, researcher=researcher, is_pi=is_pi, monthly_percent=months)
    audit_record(actor=actor, action="proposal.team_add", obj=proposal,
                 changes={"researcher": researcher.national_researcher_number, "is_pi": is_pi, "months": len(months)})
    _touch(proposal)
    return member


ITEM_DESCRIPTION_MAX = 200


def _budget_items(raw: Any, *, category: str, field: str) -> tuple[EngineBudgetItem, ...]:
    """``[{description, amount_krw}]`` → engine items; only equipment is listed item by item."""
    if not raw:
        return ()
    if category != CostCategory.EQUIPMENT:
        raise ValidationFailed(_("Only equipment is listed item by item."), code="budget_items_category",
                               field=f"{field}.items")
    if not isinstance(raw, list):
        raise ValidationFailed(_("List the items as a list."), code="budget_items_invalid", field=f"{field}.items")
    items = []
    for n, item in enumerate(raw):
        where = f"{field}.items[{n}]"
        description = str((item or {}).get("description") or "").strip() if isinstance(item, dict) else ""
        if not description:
            raise ValidationFailed(_("Describe each item of equipment."), code="budget_item_description_required",
                                   field=f"{where}.description")
        if len(description) > ITEM_DESCRIPTION_MAX:
            raise ValidationFailed(_("Describe an item in at most %(n)s characters.") % {"n": ITEM_DESCRIPTION_MAX},
                                   code="budget_item_description_long", field=f"{where}.description")
        items.append(EngineBudgetItem(description=description, amount=_int(item.get("amount_krw", 0),
                                                                            f"{where}.amount_krw")))
    return tuple(items)


def budget_lines_parse(rows: list[dict[str, Any]]) -> list[EngineBudgetLine]:
    """``[{year, organization_id, category, gov_krw, cash_krw, in_kind_krw, items}]`` → engine lines (lines
    without an amount or an item dropped); ``items`` (equipment only): ``[{description, amount_krw}]``."""
    lines = []
    seen = set()
    for row in rows:
        year, org, category = int(row["year"]), int(row["organization_id"]), str(row["category"])
        if category not in CostCategory.values:
            raise ValidationFailed(_("Unknown cost category %(c)s.") % {"c": category}, code="category_invalid",
                                   field=f"budget[{year}][{org}].{category}")
        amounts = [_int(row.get(k, 0), f"budget[{year}][{org}].{category}.{k}") for k in
                   ("gov_krw", "cash_krw", "in_kind_krw")]
        if (year, org, category) in seen:
            raise ValidationFailed(_("A budget line is listed twice."), code="budget_duplicate",
                                   field=f"budget[{year}][{org}].{category}")
        seen.add((year, org, category))
        items = _budget_items(row.get("items"), category=category, field=f"budget[{year}][{org}].{category}")
        if any(amounts) or items:
            lines.append(EngineBudgetLine(year=year, institution_id=str(org), category=category, gov=amounts[0],
                                          cash=amounts[1], in_kind=amounts[2], items=items))
    return lines


@transaction.atomic
def proposal_budget_set(*, actor: Actor, proposal_id: int, lines: list[EngineBudgetLine]) -> Proposal:
    """Replace the budget (drafts may be saved with rule violations; submission refuses them)."""
    proposal = _editable(actor, proposal_id)
    allowed = {str(pk) for pk in proposal.members.exclude(role=MemberRole.SUBCONTRACTOR)
               .values_list("organization_id", flat=True)}
    for line in lines:
        if line.institution_id not in allowed:
            raise ValidationFailed(_("The budget names an institution outside the consortium."),
                                   code="budget_institution_invalid",
                                   field=f"budget[{line.year}][{line.institution_id}]")
    before = {"gov": proposal.gov_total_krw, "cash": proposal.cash_total_krw, "in_kind": proposal.in_kind_total_krw}
    proposal.budget_lines.all().delete()
    BudgetLine.objects.bulk_create([
        BudgetLine(proposal=proposal, year=line.year, organization_id=int(line.institution_id),
                   category=line.category.value, gov_krw=line.gov, cash_krw=line.cash, in_kind_krw=line.in_kind,
                   items=[{"description": item.description, "amount_krw": item.amount} for item in line.items])
        for line in lines])
    proposal.gov_total_krw = sum(line.gov for line in lines)
    proposal.cash_total_krw = sum(line.cash for line in lines)
    proposal.in_kind_total_krw = sum(line.in_kind for line in lines)
    proposal.save(update_fields=["gov_total_krw", "cash_total_krw", "in_kind_total_krw", "updated_at"])
    after = {"gov": proposal.gov_total_krw, "cash": proposal.cash_total_krw, "in_kind": proposal.in_kind_total_krw}
    audit_record(actor=actor, action="proposal.budget_set", obj=proposal,
                 changes={"totals": [before, after], "lines": len(lines),
                          "items": sum(len(line.items) for line in lines)})
    return proposal


@transaction.atomic
def proposal_ripple_add(*, actor: Actor, proposal_id: int, region_id: int, investment_krw: Any, jobs: Any,
                        production_krw: Any) -> RippleCommitment:
    proposal = _editable(actor, proposal_id)
    region = Region.objects.filter(pk=region_id).first()
    if region is None:
        raise ValidationFailed(_("Choose a region."), code="region_not_found", field="region")
    row = RippleCommitment.objects.create(
        proposal=proposal, region=region, investment_krw=_int(investment_krw, "investment_krw"),
        jobs=_int(jobs, "jobs"), production_krw=_int(production_krw, "production_krw"))
    audit_record(actor=actor, action="proposal.ripple_add", obj=proposal,
                 changes={"region": region.code, "investment_krw": row.investment_krw, "jobs": row.jobs,
                          "production_krw": row.production_krw})
    _touch(proposal)
    return row


@transaction.atomic
def proposal_kpi_add(*, actor: Actor, proposal_id: int, name: str, unit: str, baseline: Any, target: Any,
                     year: int | None) -> KpiTarget:
    proposal = _editable(actor, proposal_id)
    if not str(name).strip():
        raise ValidationFailed(_("Name the indicator."), code="required", field="name")
    values = {}
    for field, value in (("target", target), ("baseline", baseline)):
        if field == "baseline" and value in (None, ""):
            values[field] = None
            continue
        try:
            values[field] = finite_decimal(value, max_digits=KPI_MAX_DIGITS, decimal_places=KPI_DECIMAL_PLACES)
        except (InvalidOperation, ValueError, TypeError):
            raise ValidationFailed(_("Enter a number of at most %(n)s digits before the decimal point.")
                                   % {"n": KPI_MAX_DIGITS - KPI_DECIMAL_PLACES}, code="number_invalid",
                                   field=field) from None
    target_value, baseline_value = values["target"], values["baseline"]
    if year is not None and not YEAR_MIN <= int(year) <= YEAR_MAX:
        raise ValidationFailed(_("Enter a year from %(min)s to %(max)s.") % {"min": YEAR_MIN, "max": YEAR_MAX},
                               code="number_invalid", field="year")
    row = KpiTarget.objects.create(proposal=proposal, name=str(name).strip(), unit=str(unit or ""),
                                   baseline=baseline_value, target=target_value, year=year or None)
    audit_record(actor=actor, action="proposal.kpi_add", obj=proposal, changes={"name": row.name, "target": target_value})
    _touch(proposal)
    return row


@transaction.atomic
def proposal_regulation_add(*, actor: Actor, proposal_id: int, regulation: str, description: str = "",
                            needed_by: dt.date | None = None) -> RegulationDependency:
    proposal = _editable(actor, proposal_id)
    if not str(regulation).strip():
        raise ValidationFailed(_("Name the regulation."), code="required", field="regulation")
    row = RegulationDependency.objects.create(proposal=proposal, regulation=str(regulation).strip(),
                                              description=description or "", needed_by=needed_by)
    audit_record(actor=actor, action="proposal.regulation_add", obj=proposal, changes={"regulation": row.regulation})
    _touch(proposal)
    return row


@transaction.atomic
def proposal_investor_letter_add(*, actor: Actor, proposal_id: int, investor_name: str, amount_krw: Any,
                                 note: str = "") -> InvestorLetter:
    proposal = _editable(actor, proposal_id)
    if not str(investor_name).strip():
        raise ValidationFailed(_("Name the investor."), code="required", field="investor_name")
    row = InvestorLetter.objects.create(proposal=proposal, investor_name=str(investor_name).strip(),
                                        amount_krw=_int(amount_krw, "amount_krw"), note=note or "")
    audit_record(actor=actor, action="proposal.investor_letter_add", obj=proposal,
                 changes={"investor": row.investor_name, "amount_krw": row.amount_krw})
    _touch(proposal)
    return row


@transaction.atomic
def proposal_attachment_add(*, actor: Actor, proposal_id: int, kind: str, name: str, content: bytes) -> Attachment:
    """Store a PDF (checked by extension and ``%PDF-`` signature, size within policy) outside the web root."""
    proposal = _editable(actor, proposal_id)
    if kind not in AttachmentKind.values:
        raise ValidationFailed(_("Choose the document kind."), code="attachment_kind_invalid", field="kind")
    limit = policy_value("proposals.attachment_max_bytes")
    if not name.lower().endswith(".pdf") or not content.startswith(PDF_MAGIC):
        raise ValidationFailed(_("Only PDF files are accepted."), code="attachment_not_pdf", field="file")
    if len(content) > limit:
        raise ValidationFailed(_("The file is larger than %(limit)s MB.") % {"limit": f"{limit / 1048576:.0f}"},
                               code="attachment_too_large", field="file")
    digest = hashlib.sha256(content).hexdigest()
    attachment = Attachment(proposal=proposal, kind=kind, original_name=name[-255:], size=len(content), sha256=digest)
    attachment.file.save(f"{digest[:16]}.pdf", ContentFile(content), save=False)
    attachment.save()
    audit_record(actor=actor, action="proposal.attachment_add", obj=proposal,
                 changes={"name": attachment.original_name, "kind": kind, "size": len(content), "sha256": digest})
    _touch(proposal)
    return attachment


PARTS = {
    "members": ConsortiumMember,
    "team": TeamMember,
    "ripple": RippleCommitment,
    "kpis": KpiTarget,
    "regulations": RegulationDependency,
    "investor_letters": InvestorLetter,
    "attachments": Attachment,
}


@transaction.atomic
def proposal_part_remove(*, actor: Actor, proposal_id: int, part: str, item_id: int) -> None:
    """Remove one member, team member, commitment, KPI, regulation, letter or attachment of a draft."""
    proposal = _editable(actor, proposal_id)
    model = PARTS.get(part)
    item = model.objects.filter(proposal=proposal, pk=item_id).first() if model else None
    if item is None:
        raise NotFound(_("Not found."), code="proposal_part_not_found")
    if part == "members":
        if item.role == MemberRole.LEAD:
            raise Conflict(_("The lead institution cannot be removed."), code="member_lead_fixed")
        proposal.budget_lines.filter(organization_id=item.organization_id).delete()
        _recompute_totals(proposal)
    if part == "team" and item.is_pi:
        proposal.pi = None
        proposal.save(update_fields=["pi"])
    if part == "attachments":
        item.file.delete(save=False)
    label = str(item)
    item.delete()
    audit_record(actor=actor, action=f"proposal.{part}_remove", obj=proposal, changes={"item": label})
    _touch(proposal)


def _recompute_totals(proposal: Proposal) -> None:
    lines = list(proposal.budget_lines.all())
    proposal.gov_total_krw = sum(line.gov_krw for line in lines)
    proposal.cash_total_krw = sum(line.cash_krw for line in lines)
    proposal.in_kind_total_krw = sum(line.in_kind_krw for line in lines)
    proposal.save(update_fields=["gov_total_krw", "cash_total_krw", "in_kind_total_krw"])


# --------------------------------------------------------------------------------------------
# Workflow
# --------------------------------------------------------------------------------------------


@transaction.atomic
def proposal_transition(*, actor: Actor, proposal_id: int, name: str, note: str = "", owner: str = Owner.PERSON) -> Proposal:
    """Apply one transition of ``workflow.TRANSITIONS``: permission, owner, state, deadline, rules, stamp,
    audit, e-mail.

    ``owner`` says who asks: a person on the proposal's page (the default, for views and the API) or the
    service that owns the decision (``Owner.PORTFOLIO_APPROVAL`` for select and reject, …). Permission is
    checked first, so that a refusal says nothing of the state of a proposal the actor may not touch.
    """
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise ValidationFailed(_("Unknown action."), code="transition_unknown", field="transition")
    proposal = _locked(proposal_id)
    if not can_trigger(actor, proposal, transition):
        raise AccessDenied(_("You may not do this to this proposal."), code="proposal_forbidden")
    if transition.owner != owner:
        raise Conflict(_("“%(action)s” is decided by %(owner)s, not on the proposal.")
                       % {"action": transition.label, "owner": Owner(transition.owner).label},
                       code="transition_owned_elsewhere", field="transition")
    if proposal.status not in transition.source:
        raise Conflict(_("A proposal that is %(status)s cannot be changed this way.")
                       % {"status": proposal.get_status_display()}, code="transition_invalid", field="status")
    now = timezone.now()
    if transition.before_deadline:
        _deadline_check(proposal.call, now)
    if transition.validates:
        violations = [v for v in proposal_check(proposal=proposal, at_submission=True) if v.severity == "error"]
        if violations:
            raise ProposalRulesViolated(
                _("The proposal breaks %(n)s rule(s); fix them before submitting.") % {"n": len(violations)},
                violations=violations)
    old = proposal.status
    proposal.status = transition.target
    fields = ["status", "updated_at"]
    if transition.stamps:
        setattr(proposal, transition.stamps, now)
        fields.append(transition.stamps)
    proposal.save(update_fields=fields)
    audit_record(actor=actor, action=f"proposal.{transition.name}", obj=proposal,
                 changes={"status": [old, transition.target], **({"note": note} if note else {})})
    if transition.email:
        proposal_email_schedule(proposal=proposal, template=transition.email)
    return proposal


# --------------------------------------------------------------------------------------------
# Sanctions (selection bars)
# --------------------------------------------------------------------------------------------


@transaction.atomic
def sanction_record(*, actor: Actor, kind: str, date: dt.date | None, organization_id: int | None = None,
                    researcher_id: int | None = None, note: str = "", settled_on: dt.date | None = None) -> Sanction:
    if not can_record_sanction(actor):
        raise AccessDenied(_("Only program managers record sanctions."), code="sanction_forbidden")
    if kind not in SanctionKind.values:
        raise ValidationFailed(_("Unknown kind."), code="sanction_kind_invalid", field="kind")
    if (organization_id is None) == (researcher_id is None):
        raise ValidationFailed(_("Name an organization or a researcher."), code="sanction_subject", field="organization")
    if date is None and kind != SanctionKind.UNPAID_SURCHARGE:
        raise ValidationFailed(_("Enter the decision date."), code="required", field="date")
    if settled_on is not None and kind != SanctionKind.UNPAID_SURCHARGE:
        raise ValidationFailed(_("Only an unpaid surcharge or clawback is settled."), code="sanction_settled_invalid",
                               field="settled_on")
    sanction = Sanction.objects.create(kind=kind, date=date, organization_id=organization_id,
                                       researcher_id=researcher_id, note=note, settled_on=settled_on)
    audit_record(actor=actor, action="sanction.record", obj=sanction,
                 changes={"kind": kind, "date": date, "organization": organization_id, "researcher": researcher_id,
                          **({"settled_on": settled_on} if settled_on else {})})
    return sanction

