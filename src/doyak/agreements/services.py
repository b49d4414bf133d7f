"""Writes of the agreements app. Atomic, permission-checked, audited; never see the HTTP request."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doyak.accounts.rules import SYSTEM, Actor, is_read_only, is_system
from doyak.core.audit import audit_record
from doyak.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from doyak.core.labels import audit_actions_register
from doyak.engine.agreement_changes import changes_classify
from doyak.organizations.models import Organization, Researcher
from doyak.proposals.enums import CostCategory, MemberRole, ProposalStatus
from doyak.proposals.models import Proposal

from .enums import (
    IN_FORCE,
    OPEN_STATUSES,
    AgreementStatus,
    ChangeClass,
    ChangeStatus,
    PartyRole,
    SignatureSide,
)
from .models import (
    Agreement,
    AgreementGoal,
    AgreementKpi,
    AgreementParty,
    AgreementResearcher,
    AgreementStage,
    AgreementVersion,
    ApprovedBudget,
    ChangeRequest,
    Signature,
)
from .policies import answer_days, change_rules_current, rule_key
from .rules import (
    can_edit_change,
    can_manage_agreements,
    can_propose_change,
    can_sign_as_institution,
    can_view_agreement,
    can_view_change,
    is_lead_applicant_of,
)
from .terms import budget_line_sort_key, other_cash_of, terms_of, terms_write
from .workflow import TARGETS, TRANSITIONS, Owner

AUDIT_ACTIONS = audit_actions_register({
    "agreement.create": gettext_lazy("Agreement drafted"),
    "agreement.conclude": gettext_lazy("Agreement concluded"),
    "agreement.sign": gettext_lazy("Agreement signed by one party"),
    "agreement.signed": gettext_lazy("Agreement signed by both parties"),
    "agreement.activate": gettext_lazy("Agreement in force"),
    "agreement.version": gettext_lazy("New agreement version"),
    "change.propose": gettext_lazy("Agreement change proposed"),
    "change.edit": gettext_lazy("Agreement change edited"),
    "change.submit": gettext_lazy("Agreement change submitted"),
    "change.approve": gettext_lazy("Agreement change approved"),
    "change.return": gettext_lazy("Agreement change returned with comments"),
    "change.reject": gettext_lazy("Agreement change rejected"),
    "change.apply": gettext_lazy("Approved agreement change put in force"),
})

EQUIPMENT_CATEGORY = CostCategory.EQUIPMENT.value

def execution_schedule_ensure(**kwargs):
    """The execution app's schedule of a newly signed agreement (imported late: execution builds on this app)."""
    from doyak.execution.services import execution_schedule_ensure as ensure

    return ensure(**kwargs)


def regulatory_agreement_required_or_raise(agreement) -> None:
    """A regulation-free R&D call's agreement is signed only with its regulatory agreement (the regulation app;
    imported late: regulation builds on this app)."""
    from doyak.regulation.services import regulatory_agreement_required_or_raise as check

    check(agreement)

_PARTY_ROLE = {MemberRole.SUBCONTRACTOR: PartyRole.SUBCONTRACTOR}


def _user_or_none(actor: Actor):
    return actor if getattr(actor, "pk", None) else None


# --------------------------------------------------------------------------------------------
# Drafts and conclusion
# --------------------------------------------------------------------------------------------

@transaction.atomic
def agreement_create_from_proposal(*, actor: Actor, proposal_id: int, number: str = "",
                                   self_settlement: bool | None = None) -> Agreement:
    """The agreement draft of a selected proposal (made when the portfolio scenario that selects it is
    approved): parties, researchers, one stage over the period, goals, KPIs and the approved budget by source
    copied from the proposal."""
    if not can_manage_agreements(actor):
        raise AccessDenied(_("Only program managers conclude agreements."), code="agreement_forbidden")
    proposal = Proposal.objects.select_for_update().select_related("lead_organization", "call").filter(
        pk=proposal_id).first()
    if proposal is None:
        raise NotFound(_("Proposal not found."), code="proposal_not_found")
    if proposal.status != ProposalStatus.SELECTED:
        raise ValidationFailed(_("Only a selected proposal gets an agreement."), code="proposal_not_selected")
    if Agreement.objects.filter(proposal=proposal).exists():
        raise Conflict(_("This proposal already has an agreement."), code="agreement_exists")
    if not (proposal.start_date and proposal.end_date):
        raise ValidationFailed(_("The proposal has no project period."), code="proposal_period_missing")
    lines = list(proposal.budget_lines.all())
    agreement = Agreement.objects.create(
        proposal=proposal, number=number or f"AG-{proposal.reference}",
        start_date=proposal.start_date, end_date=proposal.end_date,
        gov_funds_krw=sum(line.gov_krw for line in lines) or proposal.gov_total_krw,
        cash_funds_krw=sum(line.cash_krw for line in lines) or proposal.cash_total_krw,
        self_settlement=(proposal.lead_organization.self_settlement_eligible if self_settlement is None
                         else self_settlement),
        method=proposal.abstract_ko,
    )
    ApprovedBudget.objects.bulk_create([
        ApprovedBudget(agreement=agreement, year=line.year, category=line.category,
                       organization_id=line.organization_id, approved_krw=line.gov_krw + line.cash_krw,
                       gov_krw=line.gov_krw, cash_krw=line.cash_krw, in_kind_krw=line.in_kind_krw,
                       items=list(line.items or []))
        for line in lines
    ])
    parties = [AgreementParty(agreement=agreement, organization_id=proposal.lead_organization_id, role=PartyRole.LEAD)]
    parties += [AgreementParty(agreement=agreement, organization_id=m.organization_id,
                               role=_PARTY_ROLE.get(m.role, PartyRole.PARTICIPANT))
                for m in proposal.members.exclude(organization_id=proposal.lead_organization_id)]
    AgreementParty.objects.bulk_create(parties)
    team = {m.researcher_id: m.is_pi for m in proposal.team.all()}
    if proposal.pi_id:
        team = {rid: False for rid in team} | {proposal.pi_id: True}
    AgreementResearcher.objects.bulk_create([AgreementResearcher(agreement=agreement, researcher_id=rid, is_pi=is_pi)
                                             for rid, is_pi in team.items()])
    AgreementStage.objects.create(agreement=agreement, number=1, start_date=proposal.start_date,
                                  end_date=proposal.end_date)
    AgreementGoal.objects.create(agreement=agreement, order=1, text=proposal.title_ko)
    AgreementKpi.objects.bulk_create([AgreementKpi(agreement=agreement, name=k.name, unit=k.unit, baseline=k.baseline,
                                                   target=k.target, year=k.year) for k in proposal.kpi_targets.all()])
    audit_record(actor=actor, action="agreement.create", obj=agreement,
                 changes={"proposal": proposal.pk, "gov_funds_krw": agreement.gov_funds_krw,
                          "cash_funds_krw": agreement.cash_funds_krw, "self_settlement": agreement.self_settlement,
                          "budget_lines": len(lines)})
    return agreement


def _version_one_freeze(*, actor: Actor, agreement: Agreement) -> AgreementVersion:
    """Version 1: the terms as signed, in force from the start date."""
    return AgreementVersion.objects.create(
        agreement=agreement, number=1, terms=terms_of(agreement), effective_from=agreement.start_date,
        frozen_at=timezone.now(), created_by=_user_or_none(actor))


@transaction.atomic
def agreements_conclude_for_call(*, actor: Actor, call_id: int) -> int:
    """Conclude every agreement draft of the call at once (signed on paper: draft → active, version 1
    frozen); returns how many. The way in the application is both parties' signature (``agreement_sign``)."""
    if not can_manage_agreements(actor):
        raise AccessDenied(_("Only program managers conclude agreements."), code="agreement_forbidden")
    drafts = list(Agreement.objects.select_for_update().select_related("proposal__lead_organization").filter(
        proposal__call_id=call_id, status=AgreementStatus.DRAFT).order_by("pk"))
    now = timezone.now()
    for agreement in drafts:
        regulatory_agreement_required_or_raise(agreement)
        _version_one_freeze(actor=actor, agreement=agreement)
        agreement.status, agreement.version, agreement.signed_at = AgreementStatus.ACTIVE, 1, now
        agreement.save(update_fields=["status", "version", "signed_at", "updated_at"])
        audit_record(actor=actor, action="agreement.conclude", obj=agreement,
                     changes={"status": [AgreementStatus.DRAFT, AgreementStatus.ACTIVE], "version": 1})
        execution_schedule_ensure(actor=actor, agreement_id=agreement.pk)  # reports and evaluations (execution)
    return len(drafts)


# --------------------------------------------------------------------------------------------
# Signing
# --------------------------------------------------------------------------------------------

@transaction.atomic
def agreement_sign(*, actor: Actor, agreement_id: int, today: dt.date | None = None) -> Signature:
    """Sign the draft as the lead institution's representative (an applicant of the lead institution) or as
    the program manager. The second signature freezes version 1 (status signed) and the agreement is active at
    once when its start date has come (otherwise ``agreements_activate_started`` makes it so on that day)."""
    agreement = Agreement.objects.select_for_update(of=("self",)).select_related("proposal").filter(
        pk=agreement_id).first()
    if agreement is None:
        raise NotFound(_("Agreement not found."), code="agreement_not_found")
    if not (is_lead_applicant_of(actor, agreement) or can_manage_agreements(actor)):  # permission before state
        raise AccessDenied(_("Only the lead institution's representative and the program manager sign."),
                           code="agreement_sign_forbidden")
    if agreement.status != AgreementStatus.DRAFT:
        raise Conflict(_("This agreement is already signed."), code="agreement_not_draft")
    regulatory_agreement_required_or_raise(agreement)
    side = SignatureSide.INSTITUTION if can_sign_as_institution(actor, agreement) else SignatureSide.MANAGER
    try:
        with transaction.atomic():
            signature = Signature.objects.create(agreement=agreement, side=side, signed_by=actor)
    except IntegrityError as exc:
        raise Conflict(_("This side has already signed."), code="agreement_already_signed") from exc
    audit_record(actor=actor, action="agreement.sign", obj=agreement,
                 changes={"side": side, "signed_at": signature.signed_at.isoformat()})
    if agreement.signatures.count() == len(SignatureSide.values):
        _version_one_freeze(actor=actor, agreement=agreement)
        agreement.status, agreement.version, agreement.signed_at = AgreementStatus.SIGNED, 1, signature.signed_at
        today = today or timezone.localdate()
        if agreement.start_date <= today:
            agreement.status = AgreementStatus.ACTIVE
        agreement.save(update_fields=["status", "version", "signed_at", "updated_at"])
        audit_record(actor=actor, action="agreement.signed", obj=agreement,
                     changes={"status": [AgreementStatus.DRAFT, agreement.status], "version": 1})
        execution_schedule_ensure(actor=actor, agreement_id=agreement.pk)  # reports and evaluations (execution)
    return signature


@transaction.atomic
def agreements_activate_started(*, actor: Actor, today: dt.date | None = None) -> int:
    """Signed agreements whose start date has come become active (the daily job); returns how many."""
    if not can_manage_agreements(actor):
        raise AccessDenied(_("Only program managers conclude agreements."), code="agreement_forbidden")
    today = today or timezone.localdate()
    due = list(Agreement.objects.select_for_update().filter(status=AgreementStatus.SIGNED, start_date__lte=today))
    for agreement in due:
        agreement.status = AgreementStatus.ACTIVE
        agreement.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="agreement.activate", obj=agreement,
                     changes={"status": [AgreementStatus.SIGNED, AgreementStatus.ACTIVE]})
    return len(due)


# --------------------------------------------------------------------------------------------
# Change requests (협약변경)
# --------------------------------------------------------------------------------------------

def _agreement_locked_or_raise(agreement_id: int) -> Agreement:
    agreement = Agreement.objects.select_for_update(of=("self",)).select_related(
        "proposal__lead_organization").filter(pk=agreement_id).first()
    if agreement is None:
        raise NotFound(_("Agreement not found."), code="agreement_not_found")
    return agreement


def _terms_edited(*, agreement: Agreement, base: dict, edits: dict) -> dict:
    """``base`` with ``edits`` applied: ids checked and names filled from the rows."""
    terms = copy.deepcopy(base)
    if edits.get("lead_institution_id") is not None:
        org = Organization.objects.filter(pk=edits["lead_institution_id"]).first()
        if org is None:
            raise ValidationFailed(_("Unknown institution."), code="organization_not_found",
                                   field="lead_institution_id")
        terms["lead_institution"] = {"id": org.pk, "name": org.name}
    if edits.get("parties") is not None:
        ids = [p["organization_id"] for p in edits["parties"]]
        orgs = Organization.objects.in_bulk(ids)
        if len(orgs) != len(set(ids)) or len(ids) != len(set(ids)):
            raise ValidationFailed(_("Unknown or repeated institution."), code="organization_not_found",
                                   field="parties")
        if any(p["role"] not in (PartyRole.PARTICIPANT, PartyRole.SUBCONTRACTOR) for p in edits["parties"]):
            raise ValidationFailed(_("A party is a participant or a subcontractor."), code="party_role_invalid",
                                   field="parties")
        terms["parties"] = sorted(({"id": p["organization_id"], "name": orgs[p["organization_id"]].name,
                                    "role": p["role"]} for p in edits["parties"]), key=lambda p: p["id"])
    people = [i for i in [edits.get("pi_id"), *(edits.get("staff_ids") or [])] if i is not None]
    known = Researcher.objects.in_bulk(people)
    if len(known) != len(set(people)):
        raise ValidationFailed(_("Unknown researcher."), code="researcher_not_found", field="pi_id")
    if edits.get("pi_id") is not None:
        pi = known[edits["pi_id"]]
        terms["pi"] = {"id": pi.pk, "name": pi.name}
    if edits.get("staff_ids") is not None:
        terms["staff"] = [{"id": rid, "name": known[rid].name} for rid in sorted(set(edits["staff_ids"]))]
    if terms.get("pi"):
        terms["staff"] = [s for s in terms["staff"] if s["id"] != terms["pi"]["id"]]
    for name in ("start_date", "end_date"):
        if edits.get(name) is not None:
            terms[name] = edits[name].isoformat()
    if terms["end_date"] < terms["start_date"]:
        raise ValidationFailed(_("The end date is before the start date."), code="period_invalid", field="end_date")
    if edits.get("stages") is not None:
        terms["stages"] = _stages_checked(edits["stages"], start=terms["start_date"], end=terms["end_date"])
    elif edits.get("start_date") is not None or edits.get("end_date") is not None:
        stages = terms["stages"]
        if stages:
            stages[0]["start_date"], stages[-1]["end_date"] = terms["start_date"], terms["end_date"]
    if edits.get("kpis") is not None:
        terms["kpis"] = [_kpi_term(k) for k in edits["kpis"] if str(k.get("name", "")).strip()]
    if edits.get("method") is not None:
        terms["method"] = edits["method"].strip()
    if edits.get("goals") is not None:
        terms["goals"] = [g.strip() for g in edits["goals"] if g.strip()]
    if edits.get("budget") is not None:
        orgs = Organization.objects.in_bulk({line["organization_id"] for line in edits["budget"]})
        lines = {}
        for line in edits["budget"]:
            if line["category"] not in CostCategory.values:
                raise ValidationFailed(_("Unknown cost category."), code="category_invalid", field="budget")
            if line["organization_id"] not in orgs:
                raise ValidationFailed(_("Unknown institution."), code="organization_not_found", field="budget")
            key = (line["year"], line["organization_id"], line["category"])
            if key in lines:
                raise ValidationFailed(_("A budget line is given twice."), code="budget_line_repeated",
                                       field="budget")
            lines[key] = {"year": line["year"], "category": line["category"],
                          "organization_id": line["organization_id"], "organization": orgs[key[1]].name,
                          "gov_krw": line["gov_krw"], "cash_krw": line["cash_krw"],
                          "in_kind_krw": line.get("in_kind_krw", 0), "items": list(line.get("items") or [])}
            if other_cash_of(line) < 0:
                raise ValidationFailed(_("Other cash cannot be negative."), code="other_cash_negative",
                                       field="budget")
            if other_cash_of(line):
                lines[key]["other_cash_krw"] = other_cash_of(line)
        terms["budget"] = sorted((line for line in lines.values() if _line_has_money(line)), key=budget_line_sort_key)
    if edits.get("equipment") is not None:
        terms["budget"] = _equipment_placed(terms["budget"], edits["equipment"])
    return terms


def _kpi_term(kpi: dict) -> dict:
    """A KPI as the terms hold it (decimals as normalised text, as ``terms_of`` writes them)."""
    def text(value):
        return None if value is None or value == "" else format(Decimal(str(value)).normalize(), "f")

    if kpi.get("target") in (None, ""):
        raise ValidationFailed(_("Every indicator needs a target."), code="kpi_target_missing", field="kpis")
    return {"name": str(kpi["name"]).strip(), "unit": str(kpi.get("unit") or "").strip(),
            "baseline": text(kpi.get("baseline")), "target": text(kpi["target"]),
            "year": int(kpi["year"]) if kpi.get("year") not in (None, "") else None}


def _stages_checked(stages: list[dict], *, start: str, end: str) -> list[dict]:
    """Stages numbered in date order that cover the period day after day, without gap or overlap."""
    spans = sorted(((_iso(s["start_date"]), _iso(s["end_date"])) for s in stages), key=lambda span: span)
    problem = not spans or spans[0][0] != start or spans[-1][1] != end or any(a > b for a, b in spans)
    for (_a, previous_end), (next_start, _b) in zip(spans, spans[1:], strict=False):
        problem = problem or dt.date.fromisoformat(next_start) != dt.date.fromisoformat(previous_end) + dt.timedelta(1)
    if problem:
        raise ValidationFailed(_("The stages must cover the project period day after day, without gap or overlap."),
                               code="stages_invalid", field="stages")
    return [{"number": n, "start_date": a, "end_date": b} for n, (a, b) in enumerate(spans, start=1)]


def _iso(value) -> str:
    return value.isoformat() if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)).isoformat()


def _equipment_placed(budget: list[dict], equipment: list[dict]) -> list[dict]:
    """The equipment plan (each item on its year and institution's equipment line) replaces the lines' items;
    a line for a new year or institution is added with no money (the budget edit gives its amounts)."""
    orgs = Organization.objects.in_bulk({int(item["organization_id"]) for item in equipment})
    lines = {budget_line_sort_key(line): {**line, "items": list(line.get("items") or [])} for line in budget}
    for line in lines.values():
        if line["category"] == EQUIPMENT_CATEGORY:
            line["items"] = []
    for item in equipment:
        org = orgs.get(int(item["organization_id"]))
        if org is None:
            raise ValidationFailed(_("Unknown institution."), code="organization_not_found", field="equipment")
        description = str(item.get("description") or "").strip()
        if not description:
            raise ValidationFailed(_("Name each piece of equipment."), code="equipment_description_missing",
                                   field="equipment")
        key = (int(item["year"]), org.pk, EQUIPMENT_CATEGORY)
        line = lines.setdefault(key, {"year": key[0], "category": EQUIPMENT_CATEGORY, "organization_id": org.pk,
                                      "organization": org.name, "gov_krw": 0, "cash_krw": 0, "in_kind_krw": 0,
                                      "items": []})
        line["items"].append({"description": description, "amount_krw": int(item["amount_krw"])})
    return sorted((line for line in lines.values() if _line_has_money(line)), key=budget_line_sort_key)


def _line_has_money(line: dict) -> bool:
    """A budget line worth keeping: some money from any source, or planned items."""
    return bool(line["gov_krw"] or line["cash_krw"] or other_cash_of(line) or line["in_kind_krw"] or line["items"])


def _version_in_force(agreement: Agreement) -> AgreementVersion:
    version = agreement.versions.order_by("-number").first()
    if version is None:
        raise ValidationFailed(_("The agreement has no signed version yet."), code="agreement_not_signed")
    return version


@transaction.atomic
def change_propose(*, actor: Actor, agreement_id: int, edits: dict | None = None, reason: str = "") -> ChangeRequest:
    """A draft of the next version: the version in force with ``edits`` applied (see ``_terms_edited``)."""
    agreement = _agreement_locked_or_raise(agreement_id)
    if not can_propose_change(actor, agreement):
        if agreement.status not in IN_FORCE and can_view_agreement(actor, agreement):
            raise Conflict(_("Only an agreement in force can change."), code="agreement_not_in_force")
        raise AccessDenied(_("Only the lead institution and the program manager propose changes."),
                           code="change_forbidden")
    if agreement.change_requests.filter(status__in=OPEN_STATUSES).exists():
        raise Conflict(_("A change request of this agreement is still open."), code="change_open")
    base = _version_in_force(agreement)
    number = (agreement.change_requests.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    edits = edits or {}
    terms = _terms_edited(agreement=agreement, base=base.terms, edits=edits)
    change = ChangeRequest.objects.create(
        agreement=agreement, number=number, base_version=base.number, reason=reason.strip(),
        proposed_terms=terms, effective_date=_effective_date_checked(edits.get("effective_date"), terms=terms),
        proposed_by=_user_or_none(actor))
    audit_record(actor=actor, action="change.propose", obj=change,
                 changes={"agreement": agreement.pk, "number": number, "base_version": base.number})
    return change


def _effective_date_checked(value: dt.date | None, *, terms: dict) -> dt.date | None:
    """A requested effective date falls inside the proposed period (empty: the decision day)."""
    if value is None:
        return None
    if not terms["start_date"] <= value.isoformat() <= terms["end_date"]:
        raise ValidationFailed(_("The change must take effect within the project period."),
                               code="effective_date_invalid", field="effective_date")
    return value


def _change_locked_or_raise(change_id: int) -> ChangeRequest:
    change = ChangeRequest.objects.select_for_update(of=("self",)).select_related(
        "agreement__proposal__lead_organization").filter(pk=change_id).first()
    if change is None:
        raise NotFound(_("Change request not found."), code="change_not_found")
    return change


@transaction.atomic
def change_update(*, actor: Actor, change_id: int, edits: dict, reason: str | None = None) -> ChangeRequest:
    """Edit the draft (or the returned request) further: ``edits`` apply to what it proposes so far."""
    change = _change_locked_or_raise(change_id)
    if not can_edit_change(actor, change):
        if can_view_change(actor, change) and can_propose_change(actor, change.agreement):
            raise Conflict(_("Only a draft or a returned request can be edited."), code="change_not_editable")
        raise AccessDenied(_("You may not edit this change request."), code="change_forbidden")
    change.proposed_terms = _terms_edited(agreement=change.agreement, base=change.proposed_terms, edits=edits)
    if "effective_date" in edits:
        change.effective_date = edits["effective_date"]
    change.effective_date = _effective_date_checked(change.effective_date, terms=change.proposed_terms)
    if reason is not None:
        change.reason = reason.strip()
    change.save(update_fields=["proposed_terms", "effective_date", "reason", "updated_at"])
    audit_record(actor=actor, action="change.edit", obj=change, changes={"fields": sorted(edits)})
    return change


def change_items(*, before: dict, after: dict, on: dt.date | None = None) -> list[dict]:
    """Each difference with its class and its rule's policy key (what a request stores and shows)."""
    return [{**item.as_dict(), "rule": rule_key(item.rule)}
            for item in changes_classify(before, after, rules=change_rules_current(on=on))]


@transaction.atomic
def change_transition(*, actor: Actor, change_id: int, name: str, note: str = "",
                      today: dt.date | None = None, now: dt.datetime | None = None) -> ChangeRequest:
    """Fire transition ``name`` (``workflow.TRANSITIONS``): permission first, then state. ``now`` is the moment
    of the submission or the answer (by default the present; ``today`` defaults to its date in Seoul)."""
    change = _change_locked_or_raise(change_id)
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise NotFound(_("Unknown action."), code="change_action_unknown")
    agreement = change.agreement
    if transition.owner == Owner.PROPOSER:
        allowed = can_propose_change(actor, agreement)
    elif transition.owner == Owner.SYSTEM:
        allowed = is_system(actor)
    else:
        allowed = can_manage_agreements(actor) and not is_read_only(actor)
    if not allowed or not can_view_change(actor, change):
        raise AccessDenied(_("You may not do this to the change request."), code="change_forbidden")
    if change.status not in transition.source:
        raise Conflict(_("This request cannot be %(action)s now.") % {"action": str(transition.label).lower()},
                       code="change_wrong_state")
    if transition.needs_note and not note.strip():
        raise ValidationFailed(_("Give your comments."), code="change_note_required", field="note")
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    before = change.status
    if name == "submit":
        base = _version_in_force(agreement)
        if base.number != change.base_version:
            raise Conflict(_("The agreement changed since this request was drafted: propose it again."),
                           code="change_base_outdated")
        items = change_items(before=base.terms, after=change.proposed_terms, on=today)
        if not items:
            raise ValidationFailed(_("The request changes nothing."), code="change_empty")
        change.items = items
        change.classification = request_class_of(items)
        change.submitted_at = now
        change.decided_by, change.decided_at, change.decision_note = None, None, ""
        if change.classification == ChangeClass.MAJOR:
            change.status = ChangeStatus.SUBMITTED
            change.due_date = today + dt.timedelta(days=answer_days(on=today))
        else:  # a notice takes effect on submission
            change.status = ChangeStatus.APPLIED
            change.due_date, change.effective_date = None, today
    elif name == "apply":
        if change.effective_date > today:
            raise Conflict(_("This change takes effect on %(date)s.") % {"date": change.effective_date},
                           code="change_not_yet_effective")
        change.status = TARGETS[name]
    else:
        change.status = TARGETS[name]
        change.decided_by, change.decided_at, change.decision_note = _user_or_none(actor), now, note.strip()
        if name == "approve":  # the day it takes effect: never before the decision, nor before the start
            change.effective_date = max(change.effective_date or today, today)
    change.save()
    audit_record(actor=actor, action=f"change.{name}", obj=change,
                 changes={"status": [before, change.status], "classification": change.classification,
                          "differences": len(change.items), "note": change.decision_note,
                          "effective_date": change.effective_date.isoformat() if change.effective_date else None})
    if change.status == ChangeStatus.APPLIED:
        _change_apply(actor=actor, change=change, today=today)
    elif change.status == ChangeStatus.APPROVED and change.effective_date <= today:
        return change_transition(actor=SYSTEM, change_id=change.pk, name="apply", today=today, now=now)
    return change


@transaction.atomic
def changes_apply_due(*, actor: Actor, today: dt.date | None = None) -> int:
    """Approved changes whose effective date has come are put in force (the daily job); returns how many."""
    if not is_system(actor):
        raise AccessDenied(_("Only the daily job puts approved changes in force."), code="change_forbidden")
    today = today or timezone.localdate()
    due = list(ChangeRequest.objects.filter(status=ChangeStatus.APPROVED, effective_date__lte=today)
               .order_by("effective_date", "pk").values_list("pk", flat=True))
    for change_id in due:
        change_transition(actor=actor, change_id=change_id, name="apply", today=today)
    return len(due)


def request_class_of(items: list[dict]) -> str:
    return ChangeClass.MAJOR if any(i["class"] == ChangeClass.MAJOR for i in items) else ChangeClass.MINOR


def _change_apply(*, actor: Actor, change: ChangeRequest, today: dt.date) -> AgreementVersion:
    """The request's terms become the next frozen version, in force from its effective date (a notice: today;
    never before the start), and the agreement's rows in force say what it says."""
    agreement = change.agreement
    number = _version_in_force(agreement).number + 1
    terms_write(agreement, change.proposed_terms)
    version = AgreementVersion.objects.create(
        agreement=agreement, number=number, terms=terms_of(agreement),
        effective_from=max(change.effective_date or today, agreement.start_date), frozen_at=timezone.now(), change_request=change,
        created_by=_user_or_none(actor))
    agreement.version = number
    agreement.save(update_fields=["version", "updated_at"])
    audit_record(actor=actor, action="agreement.version", obj=agreement,
                 changes={"version": number, "change_request": change.pk,
                          "effective_from": version.effective_from.isoformat()})
    return version


def agreements_daily(*, actor: Actor, today: dt.date | None = None) -> dict[str, int]:
    """The agreements' daily job: agreements whose start has come become active, approved changes whose
    effective date has come are put in force."""
    return {"activated": agreements_activate_started(actor=actor, today=today),
            "changes_applied": changes_apply_due(actor=actor, today=today)}
