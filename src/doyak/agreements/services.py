"""Writes of the agreements app. Atomic, permission-checked, audited; never see the HTTP request."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from doyak.accounts.rules import Actor
from doyak.core.audit import audit_record
from doyak.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from doyak.proposals.enums import MemberRole, ProposalStatus
from doyak.proposals.models import Proposal

from .enums import AgreementStatus, PartyRole, SignatureSide
from .models import (
    Agreement,
    AgreementGoal,
    AgreementKpi,
    AgreementParty,
    AgreementResearcher,
    AgreementStage,
    AgreementVersion,
    ApprovedBudget,
    Signature,
)
from .rules import can_manage_agreements, can_sign_as_institution, can_sign_as_manager
from .terms import terms_of

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
        _version_one_freeze(actor=actor, agreement=agreement)
        agreement.status, agreement.version, agreement.signed_at = AgreementStatus.ACTIVE, 1, now
        agreement.save(update_fields=["status", "version", "signed_at", "updated_at"])
        audit_record(actor=actor, action="agreement.conclude", obj=agreement,
                     changes={"status": [AgreementStatus.DRAFT, AgreementStatus.ACTIVE], "version": 1})
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
    if can_sign_as_institution(actor, agreement):
        side = SignatureSide.INSTITUTION
    elif can_sign_as_manager(actor, agreement):
        side = SignatureSide.MANAGER
    elif agreement.status != AgreementStatus.DRAFT:
        raise Conflict(_("This agreement is already signed."), code="agreement_not_draft")
    else:
        raise AccessDenied(_("Only the lead institution's representative and the program manager sign."),
                           code="agreement_sign_forbidden")
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
