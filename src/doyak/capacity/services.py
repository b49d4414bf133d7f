"""Writes of the innovation-capacity records. Every service is atomic, takes a typed actor, checks the rule
before it reads state it would change, and writes an audit event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from doyak.accounts.rules import Actor, is_system
from doyak.core.audit import audit_record
from doyak.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from doyak.core.labels import audit_actions_register, choice_label
from doyak.core.money import WonInvalid, parse_won

from . import rules
from .enums import (
    NOMINATION_TRANSITIONS,
    CareerEventKind,
    DemandKind,
    ExitKind,
    Instrument,
    InvestmentStage,
    NominationStatus,
    StageSource,
    SurveyStatus,
    TalentStage,
)
from .models import (
    CareerEvent,
    Commitment,
    DemandResponse,
    Exit,
    Fund,
    GraduateSchool,
    Investment,
    JointLab,
    Nomination,
    NominationReviewer,
    StageRecord,
    Survey,
    SurveyTopic,
)

AUDIT_ACTIONS = audit_actions_register({
    "capacity.survey_open": gettext_lazy("Demand survey opened"),
    "capacity.survey_close": gettext_lazy("Demand survey closed"),
    "capacity.demand_state": gettext_lazy("Demand stated on a survey topic"),
    "capacity.topic_carry": gettext_lazy("Survey topic carried into a call"),
    "capacity.fund_create": gettext_lazy("Fund registered"),
    "capacity.commitment_record": gettext_lazy("Fund commitment recorded"),
    "capacity.letter_confirm": gettext_lazy("Investor letter confirmed into a commitment"),
    "capacity.investment_record": gettext_lazy("Investment recorded"),
    "capacity.exit_record": gettext_lazy("Exit recorded"),
    "talent.career_event_add": gettext_lazy("Career record added"),
    "talent.stage_record": gettext_lazy("Career stage recorded"),
    "talent.star_nominate": gettext_lazy("Star engineer nominated"),
    "talent.star_panel_add": gettext_lazy("Reviewer added to a star-engineer panel"),
    "talent.star_opinion": gettext_lazy("Star-engineer panel member gave their opinion"),
    "talent.star_designate": gettext_lazy("Star engineer designated"),
    "talent.star_decline": gettext_lazy("Star-engineer nomination not designated"),
    "capacity.joint_lab_register": gettext_lazy("Joint lab registered"),
    "capacity.graduate_school_register": gettext_lazy("Specialised graduate school registered"),
    "capacity.joint_lab_projects_link": gettext_lazy("Projects linked to a joint lab"),
    "capacity.graduate_school_projects_link": gettext_lazy("Projects linked to a graduate school"),
})

TOPICS_MAX = 50


def _user_or_none(actor: Actor):
    return actor if getattr(actor, "pk", None) else None


def _won(value: Any, field: str) -> int:
    try:
        return parse_won(value)
    except WonInvalid as exc:
        raise ValidationFailed(str(exc), code="amount_invalid", field=field) from None


def _text(value: Any, limit: int) -> str:
    return str(value or "").strip()[:limit]


def _codes(values: Any) -> list[str]:
    if isinstance(values, str):
        values = values.replace(",", " ").split()
    return sorted({_text(v, 20) for v in (values or []) if _text(v, 20)})[:20]


# ---------------------------------------------------------------------------------------------- surveys
@transaction.atomic
def survey_open(*, actor: Actor, program_id: int, title: str, closes_on: dt.date,
                topics: Sequence[dict[str, Any]]) -> Survey:
    """A program manager opens a demand survey on a program year's candidate topics."""
    if not rules.can_manage_surveys(actor):
        raise AccessDenied(_("Only the ministry side opens demand surveys."), code="survey_forbidden")
    from doyak.programs.models import Program

    program = Program.objects.filter(pk=program_id).first()
    if program is None:
        raise NotFound(_("Unknown program."), code="program_not_found", field="program_id")
    if not _text(title, 200):
        raise ValidationFailed(_("Give the survey a title."), code="survey_title_required", field="title")
    if closes_on < timezone.localdate():
        raise ValidationFailed(_("A survey cannot close in the past."), code="survey_closes_past", field="closes_on")
    cleaned = []
    for item in topics:
        name = _text(item.get("title"), 200)
        if name:
            cleaned.append((name, _codes(item.get("technology_codes")),
                            _won(item.get("expected_budget_krw", 0), "expected_budget_krw")))
    if not cleaned:
        raise ValidationFailed(_("Name at least one candidate topic."), code="survey_topics_required", field="topics")
    if len(cleaned) > TOPICS_MAX:
        raise ValidationFailed(_("At most %(n)s topics in one survey.") % {"n": TOPICS_MAX},
                               code="survey_topics_too_many", field="topics")
    survey = Survey.objects.create(program=program, title=_text(title, 200), closes_on=closes_on,
                                   opened_by=_user_or_none(actor))
    SurveyTopic.objects.bulk_create([SurveyTopic(survey=survey, title=name, technology_codes=codes,
                                                 expected_budget_krw=budget) for name, codes, budget in cleaned])
    audit_record(actor=actor, action="capacity.survey_open", obj=survey, changes={
        "program": program.pk, "title": survey.title, "closes_on": closes_on, "topics": [c[0] for c in cleaned]})
    return survey


@transaction.atomic
def survey_close(*, actor: Actor, survey_id: int) -> Survey:
    if not rules.can_manage_surveys(actor):
        raise AccessDenied(_("Only the ministry side closes demand surveys."), code="survey_forbidden")
    survey = Survey.objects.select_for_update().filter(pk=survey_id).first()
    if survey is None:
        raise NotFound(_("Survey not found."), code="survey_not_found")
    if survey.status != SurveyStatus.OPEN:
        raise Conflict(_("This survey is already closed."), code="survey_closed")
    survey.status = SurveyStatus.CLOSED
    survey.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="capacity.survey_close", obj=survey, changes={"status": ["open", "closed"]})
    return survey


def survey_is_answerable(survey: Survey, on: dt.date | None = None) -> bool:
    return survey.status == SurveyStatus.OPEN and survey.closes_on >= (on or timezone.localdate())


@transaction.atomic
def demand_state(*, actor: Actor, topic_id: int, kind: str, amount_krw: Any, stage: str, condition: str = "",
                 comment: str = "") -> DemandResponse:
    """An investor or a demand-anchor company states (or restates) its organisation's interest in a topic."""
    if not rules.can_answer_survey(actor):
        raise AccessDenied(_("Only investors and demand-anchor companies answer demand surveys."),
                           code="survey_answer_forbidden")
    topic = SurveyTopic.objects.select_related("survey").filter(pk=topic_id).first()
    if topic is None:
        raise NotFound(_("Topic not found."), code="topic_not_found")
    if not survey_is_answerable(topic.survey):
        raise Conflict(_("This survey no longer takes answers."), code="survey_closed")
    if kind not in DemandKind.values:
        raise ValidationFailed(_("Say whether you would invest or buy."), code="demand_kind_invalid", field="kind")
    if stage not in InvestmentStage.values:
        raise ValidationFailed(_("Choose the stage."), code="demand_stage_invalid", field="stage")
    amount = _won(amount_krw, "amount_krw")
    row, created = DemandResponse.objects.select_for_update().get_or_create(
        topic=topic, organization_id=actor.organization_id,
        defaults={"kind": kind, "amount_krw": amount, "stage": stage, "respondent": _user_or_none(actor),
                  "condition": _text(condition, 500), "comment": _text(comment, 5000)})
    before = None if created else {"kind": row.kind, "amount_krw": row.amount_krw, "stage": row.stage}
    if not created:
        row.kind, row.amount_krw, row.stage = kind, amount, stage
        row.condition, row.comment, row.respondent = _text(condition, 500), _text(comment, 5000), _user_or_none(actor)
        row.save()
    audit_record(actor=actor, action="capacity.demand_state", obj=topic.survey, changes={
        "topic": topic.pk, "organization": actor.organization_id, "before": before,
        "kind": kind, "amount_krw": amount, "stage": stage})
    return row


@transaction.atomic
def topic_carry_into_call(*, actor: Actor, topic_id: int, call_id: int) -> SurveyTopic:
    """The PM carries a topic into a call of the survey's program; the topic keeps the link."""
    if not rules.can_manage_surveys(actor):
        raise AccessDenied(_("Only the ministry side carries topics into calls."), code="survey_forbidden")
    from doyak.calls.models import Call

    topic = SurveyTopic.objects.select_for_update().select_related("survey").filter(pk=topic_id).first()
    if topic is None:
        raise NotFound(_("Topic not found."), code="topic_not_found")
    call = Call.objects.filter(pk=call_id).first()
    if call is None or call.program_id != topic.survey.program_id:
        raise ValidationFailed(_("Choose a call of the survey's program."), code="topic_call_invalid",
                               field="call_id")
    if topic.call_id is not None:
        raise Conflict(_("This topic was already carried into a call."), code="topic_already_carried")
    topic.call, topic.carried_at = call, timezone.now()
    topic.save(update_fields=["call", "carried_at"])
    audit_record(actor=actor, action="capacity.topic_carry", obj=topic.survey,
                 changes={"topic": topic.pk, "call": call.pk})
    return topic


# ---------------------------------------------------------------------------------------------- the fund
def _date_or_raise(value: dt.date | None, field: str) -> dt.date:
    if value is None:
        raise ValidationFailed(_("Give the date."), code="date_required", field=field)
    if value > timezone.localdate():
        raise ValidationFailed(_("The date cannot be in the future."), code="date_future", field=field)
    return value


def _fund_for_record_or_raise(actor: Actor, fund_id: int) -> Fund:
    if not (rules.can_manage_funds(actor) or rules.is_investor(actor)):
        raise AccessDenied(_("Only the ministry side and the fund's investor record for a fund."),
                           code="fund_forbidden")
    fund = Fund.objects.select_for_update().filter(pk=fund_id).first()
    if fund is None:
        raise NotFound(_("Fund not found."), code="fund_not_found", field="fund_id")
    if not rules.can_record_for_fund(actor, fund):
        raise AccessDenied(_("Only the ministry side and the fund's investor record for a fund."),
                           code="fund_forbidden")
    return fund


def _organization_or_raise(organization_id: int | None, field: str):
    from doyak.organizations.models import Organization

    org = Organization.objects.filter(pk=organization_id).first() if organization_id else None
    if org is None:
        raise NotFound(_("Unknown organization."), code="organization_not_found", field=field)
    return org


def _project_or_raise(proposal_id: int | None):
    if proposal_id is None:
        return None
    from doyak.proposals.enums import ProposalStatus
    from doyak.proposals.models import Proposal

    proposal = Proposal.objects.filter(pk=proposal_id).exclude(status=ProposalStatus.DRAFT).first()
    if proposal is None:
        raise ValidationFailed(_("Choose a submitted project."), code="project_invalid", field="proposal_id")
    return proposal


@transaction.atomic
def fund_create(*, actor: Actor, name: str, size_krw: Any, vintage: int, manager_id: int) -> Fund:
    if not rules.can_manage_funds(actor):
        raise AccessDenied(_("Only the ministry side registers funds."), code="fund_forbidden")
    if not _text(name, 200):
        raise ValidationFailed(_("Name the fund."), code="fund_name_required", field="name")
    size = _won(size_krw, "size_krw")
    if size <= 0:
        raise ValidationFailed(_("A fund has a size above zero."), code="fund_size_invalid", field="size_krw")
    from doyak.core.inputs import YEAR_MAX, YEAR_MIN

    if not YEAR_MIN <= int(vintage) <= YEAR_MAX:
        raise ValidationFailed(_("Give the vintage year."), code="fund_vintage_invalid", field="vintage")
    manager = _organization_or_raise(manager_id, "manager_id")
    fund = Fund.objects.create(name=_text(name, 200), size_krw=size, vintage=int(vintage), manager=manager,
                               created_by=_user_or_none(actor))
    audit_record(actor=actor, action="capacity.fund_create", obj=fund,
                 changes={"name": fund.name, "size_krw": size, "vintage": fund.vintage, "manager": manager.pk})
    return fund


def _commitment_write(*, actor: Actor, fund: Fund, amount: int, committed_on: dt.date, proposal, organization,
                      letter=None, note: str = "", action: str) -> Commitment:
    if amount <= 0:
        raise ValidationFailed(_("Commit an amount above zero."), code="amount_invalid", field="amount_krw")
    commitment = Commitment.objects.create(fund=fund, proposal=proposal, organization=organization,
                                           amount_krw=amount, committed_on=_date_or_raise(committed_on, "committed_on"),
                                           investor_letter=letter, note=_text(note, 500))
    audit_record(actor=actor, action=action, obj=fund, changes={
        "commitment": commitment.pk, "proposal": getattr(proposal, "pk", None), "organization": organization.pk,
        "amount_krw": amount, "committed_on": committed_on, "investor_letter": getattr(letter, "pk", None)})
    return commitment


@transaction.atomic
def commitment_record(*, actor: Actor, fund_id: int, amount_krw: Any, committed_on: dt.date,
                      proposal_id: int | None = None, organization_id: int | None = None,
                      note: str = "") -> Commitment:
    """A commitment to a project (its lead company unless another is named) or to a company."""
    fund = _fund_for_record_or_raise(actor, fund_id)
    proposal = _project_or_raise(proposal_id)
    if organization_id is None and proposal is None:
        raise ValidationFailed(_("Name the project or the company."), code="commitment_target_required",
                               field="organization_id")
    organization = (_organization_or_raise(organization_id, "organization_id") if organization_id
                    else proposal.lead_organization)
    return _commitment_write(actor=actor, fund=fund, amount=_won(amount_krw, "amount_krw"), committed_on=committed_on,
                             proposal=proposal, organization=organization, note=note,
                             action="capacity.commitment_record")


@transaction.atomic
def investor_letter_confirm(*, actor: Actor, letter_id: int, fund_id: int, committed_on: dt.date,
                            amount_krw: Any = None) -> Commitment:
    """A proposal's investor letter of intent becomes a commitment of the fund (its amount unless another is
    given); a letter is confirmed once."""
    fund = _fund_for_record_or_raise(actor, fund_id)
    from doyak.proposals.models import InvestorLetter

    letter = (InvestorLetter.objects.select_for_update(of=("self",)).select_related("proposal__lead_organization")
              .filter(pk=letter_id).first())
    if letter is None:
        raise NotFound(_("Investor letter not found."), code="letter_not_found", field="letter_id")
    if Commitment.objects.filter(investor_letter=letter).exists():
        raise Conflict(_("This letter was already confirmed into a commitment."), code="letter_already_confirmed")
    proposal = _project_or_raise(letter.proposal_id)
    amount = _won(letter.amount_krw if amount_krw in (None, "") else amount_krw, "amount_krw")
    return _commitment_write(actor=actor, fund=fund, amount=amount, committed_on=committed_on, proposal=proposal,
                             organization=proposal.lead_organization, letter=letter, note=letter.note,
                             action="capacity.letter_confirm")


@transaction.atomic
def investment_record(*, actor: Actor, fund_id: int, invested_on: dt.date, amount_krw: Any, instrument: str,
                      stage: str, organization_id: int | None = None, proposal_id: int | None = None,
                      commitment_id: int | None = None, follows_id: int | None = None) -> Investment:
    """A first round (to a company, following a project) or a follow-on of an earlier investment of the fund."""
    fund = _fund_for_record_or_raise(actor, fund_id)
    if instrument not in Instrument.values:
        raise ValidationFailed(_("Choose the instrument."), code="instrument_invalid", field="instrument")
    if stage not in InvestmentStage.values:
        raise ValidationFailed(_("Choose the stage."), code="stage_invalid", field="stage")
    amount = _won(amount_krw, "amount_krw")
    if amount <= 0:
        raise ValidationFailed(_("Invest an amount above zero."), code="amount_invalid", field="amount_krw")
    invested_on = _date_or_raise(invested_on, "invested_on")
    commitment = follows = None
    if follows_id is not None:
        follows = Investment.objects.filter(pk=follows_id, fund=fund).first()
        if follows is None:
            raise ValidationFailed(_("A follow-on follows an earlier investment of the same fund."),
                                   code="follow_on_invalid", field="follows_id")
        if invested_on < follows.invested_on:
            raise ValidationFailed(_("A follow-on comes after the round it follows."), code="follow_on_before",
                                   field="invested_on")
        organization, proposal, commitment = follows.organization, follows.proposal, follows.commitment
    else:
        if commitment_id is not None:
            commitment = Commitment.objects.filter(pk=commitment_id, fund=fund).first()
            if commitment is None:
                raise ValidationFailed(_("Choose a commitment of this fund."), code="commitment_invalid",
                                       field="commitment_id")
        proposal = _project_or_raise(proposal_id) if proposal_id else getattr(commitment, "proposal", None)
        if organization_id:
            organization = _organization_or_raise(organization_id, "organization_id")
        elif commitment is not None:
            organization = commitment.organization
        elif proposal is not None:
            organization = proposal.lead_organization
        else:
            raise ValidationFailed(_("Name the company invested in."), code="investee_required",
                                   field="organization_id")
    investment = Investment.objects.create(fund=fund, commitment=commitment, organization=organization,
                                           proposal=proposal, invested_on=invested_on, amount_krw=amount,
                                           instrument=instrument, stage=stage, follows=follows)
    audit_record(actor=actor, action="capacity.investment_record", obj=fund, changes={
        "investment": investment.pk, "organization": organization.pk, "proposal": getattr(proposal, "pk", None),
        "amount_krw": amount, "instrument": instrument, "stage": stage, "follows": follows_id,
        "invested_on": invested_on})
    return investment


@transaction.atomic
def exit_record(*, actor: Actor, investment_id: int, exited_on: dt.date, kind: str, proceeds_krw: Any) -> Exit:
    investment = Investment.objects.filter(pk=investment_id).first()
    if investment is None:
        raise NotFound(_("Investment not found."), code="investment_not_found")
    fund = _fund_for_record_or_raise(actor, investment.fund_id)
    if kind not in ExitKind.values:
        raise ValidationFailed(_("Choose how the fund exited."), code="exit_kind_invalid", field="kind")
    exited_on = _date_or_raise(exited_on, "exited_on")
    if exited_on < investment.invested_on:
        raise ValidationFailed(_("An exit comes after the investment."), code="exit_before", field="exited_on")
    if Exit.objects.filter(investment=investment).exists():
        raise Conflict(_("The fund already exited this investment."), code="exit_duplicate")
    row = Exit.objects.create(investment=investment, exited_on=exited_on, kind=kind,
                              proceeds_krw=_won(proceeds_krw, "proceeds_krw"))
    audit_record(actor=actor, action="capacity.exit_record", obj=fund, changes={
        "investment": investment.pk, "kind": choice_label(ExitKind, kind), "proceeds_krw": row.proceeds_krw,
        "exited_on": exited_on})
    return row


# ---------------------------------------------------------------------------------------------- talent
def _researcher_or_raise(researcher_id: int, *, lock: bool = False):
    from doyak.organizations.models import Researcher

    qs = Researcher.objects.select_for_update() if lock else Researcher.objects
    researcher = qs.filter(pk=researcher_id).first()
    if researcher is None:
        raise NotFound(_("Researcher not found."), code="researcher_not_found", field="researcher_id")
    return researcher


@transaction.atomic
def career_event_add(*, actor: Actor, researcher_id: int, kind: str, started_on: dt.date, title: str = "",
                     ended_on: dt.date | None = None, organization_id: int | None = None) -> CareerEvent:
    """The doctorate's date or a position held, entered by the ministry side or the researcher's institution."""
    researcher = _researcher_or_raise(researcher_id)
    if not rules.can_add_career_record(actor, researcher.organization_id):
        raise AccessDenied(_("Only the ministry side and the researcher's institution add career records."),
                           code="career_forbidden")
    if kind not in CareerEventKind.values:
        raise ValidationFailed(_("Choose the kind of record."), code="career_kind_invalid", field="kind")
    started_on = _date_or_raise(started_on, "started_on")
    if ended_on is not None and ended_on < started_on:
        raise ValidationFailed(_("The period ends before it starts."), code="career_period_invalid", field="ended_on")
    if kind == CareerEventKind.DOCTORATE and researcher.career_events.filter(kind=kind).exists():
        raise Conflict(_("The doctorate is already recorded."), code="doctorate_duplicate")
    organization = _organization_or_raise(organization_id, "organization_id") if organization_id else None
    event = CareerEvent.objects.create(researcher=researcher, kind=kind, title=_text(title, 200),
                                       organization=organization, started_on=started_on, ended_on=ended_on)
    audit_record(actor=actor, action="talent.career_event_add", obj=researcher, changes={
        "kind": kind, "title": event.title, "started_on": started_on, "ended_on": ended_on})
    return event


def _stage_write(*, actor: Actor, researcher, stage: str, since: dt.date, source: str) -> StageRecord:
    record = StageRecord.objects.create(researcher=researcher, stage=stage, since=since, source=source,
                                        recorded_by=_user_or_none(actor))
    before = researcher.career_stage
    if stage == TalentStage.STAR_ENGINEER:
        researcher.star_engineer_since = since
        researcher.save(update_fields=["star_engineer_since", "updated_at"])
    else:
        researcher.career_stage = stage
        researcher.save(update_fields=["career_stage", "updated_at"])
    # the audit page shows change values as they are: stages as their words (the sweep refuses raw codes)
    audit_record(actor=actor, action="talent.stage_record", obj=researcher, changes={
        "stage": [choice_label(TalentStage, before), choice_label(TalentStage, stage)], "since": since,
        "source": source})
    return record


@transaction.atomic
def career_stage_record(*, actor: Actor, researcher_id: int, stage: str, since: dt.date) -> StageRecord:
    """The ministry side records the stage a researcher reached (from records); star engineer only by designation."""
    if not rules.can_manage_talent(actor):
        raise AccessDenied(_("Only the ministry side records career stages."), code="talent_forbidden")
    researcher = _researcher_or_raise(researcher_id, lock=True)
    if stage not in TalentStage.values or stage == TalentStage.STAR_ENGINEER:
        raise ValidationFailed(_("Choose a career stage (star engineers are designated)."),
                               code="stage_invalid", field="stage")
    return _stage_write(actor=actor, researcher=researcher, stage=stage, since=_date_or_raise(since, "since"),
                        source=StageSource.RECORD)


@transaction.atomic
def stage_suggestion_accept(*, actor: Actor, researcher_id: int, on: dt.date | None = None) -> StageRecord:
    """The program manager accepts the computed next-stage suggestion; refused when the criteria are not met."""
    if not rules.can_manage_talent(actor):
        raise AccessDenied(_("Only the ministry side accepts stage suggestions."), code="talent_forbidden")
    from .selectors import stage_suggestion_for

    researcher = _researcher_or_raise(researcher_id, lock=True)
    on = on or timezone.localdate()
    suggestion = stage_suggestion_for(researcher, on=on)
    if suggestion is None:
        raise Conflict(_("The researcher does not meet the next stage's criteria."), code="no_suggestion")
    return _stage_write(actor=actor, researcher=researcher, stage=suggestion.to_stage, since=on,
                        source=StageSource.SUGGESTION)


@transaction.atomic
def star_nominate(*, actor: Actor, researcher_id: int, reason: str) -> Nomination:
    """An institution nominates one of its researchers at a stage the policy allows."""
    researcher = _researcher_or_raise(researcher_id, lock=True)
    if not (rules.can_nominate(actor, researcher.organization_id) or is_system(actor)):
        raise AccessDenied(_("An institution nominates its own researchers."), code="nomination_forbidden")
    from doyak.policies.services import policy_value

    from .policies import NOMINEE_STAGES_KEY

    if researcher.star_engineer_since is not None:
        raise Conflict(_("This researcher is already a star engineer."), code="already_star")
    allowed = list(policy_value(NOMINEE_STAGES_KEY))
    if researcher.career_stage not in allowed:
        raise ValidationFailed(_("Only researchers at these stages may be nominated: %(stages)s.") % {
            "stages": ", ".join(str(TalentStage(s).label) for s in allowed if s in TalentStage.values)},
            code="nominee_stage_invalid", field="researcher_id")
    if not _text(reason, 5000):
        raise ValidationFailed(_("Say why the researcher is nominated."), code="nomination_reason_required",
                               field="reason")
    if Nomination.objects.filter(researcher=researcher, status=NominationStatus.NOMINATED).exists():
        raise Conflict(_("This researcher already has an open nomination."), code="nomination_open")
    nomination = Nomination.objects.create(researcher=researcher, organization_id=researcher.organization_id,
                                           nominated_by=_user_or_none(actor), reason=_text(reason, 5000))
    audit_record(actor=actor, action="talent.star_nominate", obj=nomination,
                 changes={"researcher": researcher.pk, "organization": researcher.organization_id})
    return nomination


def _nomination_for_update_or_raise(nomination_id: int) -> Nomination:
    nomination = (Nomination.objects.select_for_update(of=("self",)).select_related("researcher")
                  .filter(pk=nomination_id).first())
    if nomination is None:
        raise NotFound(_("Nomination not found."), code="nomination_not_found")
    return nomination


@transaction.atomic
def star_panel_add(*, actor: Actor, nomination_id: int, profile_id: int) -> NominationReviewer:
    """The PM adds a reviewer from the evaluator pool; one with a conflict of interest with the nominee (same
    institution or corporate group, advisor or student, recent joint research, a sanction …) is refused with the
    reasons, by the evaluation's own conflict rules."""
    if not rules.can_manage_talent(actor):
        raise AccessDenied(_("Only the ministry side forms star-engineer panels."), code="talent_forbidden")
    from doyak.evaluation.conflicts import reason_text
    from doyak.evaluation.models import EvaluatorProfile

    from .selectors import nomination_conflicts

    nomination = _nomination_for_update_or_raise(nomination_id)
    if nomination.status != NominationStatus.NOMINATED:
        raise Conflict(_("This nomination was already decided."), code="nomination_decided")
    profile = EvaluatorProfile.objects.select_related("researcher").filter(pk=profile_id).first()
    if profile is None:
        raise NotFound(_("Evaluator not found."), code="evaluator_not_found", field="profile_id")
    if not profile.active:
        raise ValidationFailed(_("This evaluator is not active in the pool."), code="evaluator_inactive",
                               field="profile_id")
    conflicts = nomination_conflicts(nomination=nomination, profiles=[profile])
    if conflicts:
        raise Conflict(_("%(name)s has a conflict of interest with the nominee: %(reasons)s") % {
            "name": profile.name, "reasons": "; ".join(reason_text(c) for c in conflicts)},
            code="reviewer_conflict", field="profile_id")
    if nomination.panel.filter(profile=profile).exists():
        raise Conflict(_("This reviewer is already on the panel."), code="reviewer_duplicate", field="profile_id")
    row = NominationReviewer.objects.create(nomination=nomination, profile=profile)
    audit_record(actor=actor, action="talent.star_panel_add", obj=nomination, changes={"profile": profile.pk})
    return row


@transaction.atomic
def star_opinion_state(*, actor: Actor, nomination_id: int, recommends: bool, comment: str = "") -> NominationReviewer:
    """A panel member states their own opinion (recommend or not, with a comment) before the decision; stating it
    again replaces it. Only the member themself: nobody states another member's opinion."""
    nomination = _nomination_for_update_or_raise(nomination_id)
    row = (nomination.panel.filter(profile__user_id=getattr(actor, "pk", None)).first()
           if rules.is_signed_in(actor) else None)
    if row is None:
        raise AccessDenied(_("Only the panel's members give their opinion on a nomination."),
                           code="opinion_forbidden")
    if nomination.status != NominationStatus.NOMINATED:
        raise Conflict(_("This nomination was already decided."), code="nomination_decided")
    row.recommends, row.comment, row.opined_at = bool(recommends), _text(comment, 5000), timezone.now()
    row.save(update_fields=["recommends", "comment", "opined_at"])
    audit_record(actor=actor, action="talent.star_opinion", obj=nomination, changes={
        "reviewer": row.pk, "recommends": str(_("Recommends") if row.recommends else _("Does not recommend"))})
    return row


@transaction.atomic
def star_decide(*, actor: Actor, nomination_id: int, designate: bool, note: str = "",
                on: dt.date | None = None) -> Nomination:
    """After the panel's review the PM designates the nominee a star engineer (with the date), or does not."""
    if not rules.can_manage_talent(actor):
        raise AccessDenied(_("Only the ministry side designates star engineers."), code="talent_forbidden")
    from doyak.policies.services import policy_value

    from .policies import PANEL_SIZE_KEY

    nomination = _nomination_for_update_or_raise(nomination_id)
    action = "designate" if designate else "decline"
    after = NOMINATION_TRANSITIONS.get((nomination.status, action))
    if after is None:
        raise Conflict(_("This nomination was already decided."), code="nomination_decided")
    on = _date_or_raise(on or timezone.localdate(), "on")
    minimum = int(policy_value(PANEL_SIZE_KEY, on))
    if nomination.panel.count() < minimum:
        raise ValidationFailed(_("The panel needs at least %(n)s reviewers before a decision.") % {"n": minimum},
                               code="panel_too_small", field="profile_id")
    if not designate and not _text(note, 5000):
        raise ValidationFailed(_("Say why the nominee is not designated."), code="decision_note_required",
                               field="note")
    nomination.status, nomination.decided_on, nomination.decision_note = after, on, _text(note, 5000)
    nomination.save(update_fields=["status", "decided_on", "decision_note", "updated_at"])
    if designate:
        researcher = _researcher_or_raise(nomination.researcher_id, lock=True)
        _stage_write(actor=actor, researcher=researcher, stage=TalentStage.STAR_ENGINEER, since=on,
                     source=StageSource.DESIGNATION)
    audit_record(actor=actor, action=f"talent.star_{action}", obj=nomination,
                 changes={"status": [choice_label(NominationStatus, NominationStatus.NOMINATED),
                                     choice_label(NominationStatus, after)], "on": on, "note": nomination.decision_note})
    return nomination


# ---------------------------------------------------------------------------------------------- registries
def _region_or_raise(region_code: str):
    from django.db.models import Q

    from doyak.regions.models import Region

    today = timezone.localdate()
    region = (Region.objects.filter(code=region_code, valid_from__lte=today)
              .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today)).first())
    if region is None:
        raise ValidationFailed(_("Choose a region."), code="region_invalid", field="region_code")
    return region


def _projects_or_raise(proposal_ids: Sequence[int]):
    from doyak.proposals.enums import ProposalStatus
    from doyak.proposals.models import Proposal

    ids = sorted(set(proposal_ids))
    projects = list(Proposal.objects.filter(pk__in=ids).exclude(status=ProposalStatus.DRAFT))
    if len(projects) != len(ids):
        raise ValidationFailed(_("Link only submitted or selected projects."), code="project_invalid",
                               field="proposal_ids")
    return projects


@transaction.atomic
def joint_lab_register(*, actor: Actor, name: str, host_id: int, region_code: str, field: str, opened_on: dt.date,
                       partner_ids: Sequence[int] = (), proposal_ids: Sequence[int] = ()) -> JointLab:
    if not rules.can_manage_registries(actor):
        raise AccessDenied(_("Only the ministry side registers joint labs."), code="registry_forbidden")
    from doyak.organizations.enums import FOR_PROFIT_TYPES, OrganizationType
    from doyak.organizations.models import Organization

    host = _organization_or_raise(host_id, "host_id")
    if host.org_type not in (OrganizationType.GRI, OrganizationType.NONPROFIT):
        raise ValidationFailed(_("A joint lab is hosted by a public research institute."), code="host_invalid",
                               field="host_id")
    partners = list(Organization.objects.filter(pk__in=set(partner_ids), org_type__in=FOR_PROFIT_TYPES))
    if not partners or len(partners) != len(set(partner_ids)):
        raise ValidationFailed(_("Name the partner companies."), code="partners_invalid", field="partner_ids")
    if not _text(name, 200) or not _text(field, 100):
        raise ValidationFailed(_("Name the lab and its field."), code="joint_lab_incomplete", field="name")
    region = _region_or_raise(region_code)
    projects = _projects_or_raise(proposal_ids)
    if JointLab.objects.filter(host=host, name=_text(name, 200)).exists():
        raise Conflict(_("This joint lab is already registered."), code="joint_lab_duplicate")
    lab = JointLab.objects.create(name=_text(name, 200), host=host, region=region, field=_text(field, 100),
                                  opened_on=_date_or_raise(opened_on, "opened_on"))
    lab.partners.set(partners)
    lab.projects.set(projects)
    audit_record(actor=actor, action="capacity.joint_lab_register", obj=lab, changes={
        "name": lab.name, "host": host.pk, "partners": sorted(p.pk for p in partners), "region": region.code,
        "opened_on": lab.opened_on, "projects": sorted(p.pk for p in projects)})
    return lab


@transaction.atomic
def graduate_school_register(*, actor: Actor, name: str, university_id: int, field: str, region_code: str,
                             designation_year: int, students: int = 0,
                             proposal_ids: Sequence[int] = ()) -> GraduateSchool:
    if not rules.can_manage_registries(actor):
        raise AccessDenied(_("Only the ministry side registers graduate schools."), code="registry_forbidden")
    from doyak.organizations.enums import OrganizationType

    university = _organization_or_raise(university_id, "university_id")
    if university.org_type != OrganizationType.UNIVERSITY:
        raise ValidationFailed(_("A graduate school belongs to a university."), code="university_invalid",
                               field="university_id")
    if not _text(name, 200) or not _text(field, 100):
        raise ValidationFailed(_("Name the school and its field."), code="graduate_school_incomplete", field="name")
    if not 1990 <= int(designation_year) <= timezone.localdate().year + 1:
        raise ValidationFailed(_("Give the designation year."), code="designation_year_invalid",
                               field="designation_year")
    if not 0 <= int(students) <= 100_000:
        raise ValidationFailed(_("Give the number of students."), code="students_invalid", field="students")
    region = _region_or_raise(region_code)
    projects = _projects_or_raise(proposal_ids)
    if GraduateSchool.objects.filter(university=university, field=_text(field, 100)).exists():
        raise Conflict(_("This graduate school is already registered."), code="graduate_school_duplicate")
    school = GraduateSchool.objects.create(name=_text(name, 200), university=university, field=_text(field, 100),
                                           region=region, designation_year=int(designation_year),
                                           students=int(students))
    school.projects.set(projects)
    audit_record(actor=actor, action="capacity.graduate_school_register", obj=school, changes={
        "name": school.name, "university": university.pk, "field": school.field, "region": region.code,
        "designation_year": school.designation_year, "students": school.students,
        "projects": sorted(p.pk for p in projects)})
    return school


def _registry_projects_link(*, actor: Actor, obj, proposal_ids: Sequence[int], action: str):
    if not proposal_ids:
        raise ValidationFailed(_("Name the projects to link."), code="projects_required", field="proposal_ids")
    projects = _projects_or_raise(proposal_ids)
    already = set(obj.projects.values_list("pk", flat=True))
    added = sorted(p.pk for p in projects if p.pk not in already)
    obj.projects.add(*added)
    audit_record(actor=actor, action=action, obj=obj, changes={"projects_added": added})
    return obj


@transaction.atomic
def joint_lab_projects_link(*, actor: Actor, joint_lab_id: int, proposal_ids: Sequence[int]) -> JointLab:
    """Link more submitted or selected projects to a registered joint lab (linking one twice changes nothing)."""
    if not rules.can_manage_registries(actor):
        raise AccessDenied(_("Only the ministry side links projects to joint labs."), code="registry_forbidden")
    lab = JointLab.objects.select_for_update().filter(pk=joint_lab_id).first()
    if lab is None:
        raise NotFound(_("Joint lab not found."), code="joint_lab_not_found")
    return _registry_projects_link(actor=actor, obj=lab, proposal_ids=proposal_ids,
                                   action="capacity.joint_lab_projects_link")


@transaction.atomic
def graduate_school_projects_link(*, actor: Actor, graduate_school_id: int,
                                  proposal_ids: Sequence[int]) -> GraduateSchool:
    """Link more submitted or selected projects to a registered graduate school."""
    if not rules.can_manage_registries(actor):
        raise AccessDenied(_("Only the ministry side links projects to graduate schools."), code="registry_forbidden")
    school = GraduateSchool.objects.select_for_update().filter(pk=graduate_school_id).first()
    if school is None:
        raise NotFound(_("Graduate school not found."), code="graduate_school_not_found")
    return _registry_projects_link(actor=actor, obj=school, proposal_ids=proposal_ids,
                                   action="capacity.graduate_school_projects_link")
