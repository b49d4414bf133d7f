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

from doyak.accounts.rules import Actor
from doyak.core.audit import audit_record
from doyak.core.errors import AccessDenied, Conflict, NotFound, ValidationFailed
from doyak.core.labels import audit_actions_register
from doyak.core.money import WonInvalid, parse_won

from . import rules
from .enums import DemandKind, InvestmentStage, SurveyStatus
from .models import DemandResponse, Survey, SurveyTopic

AUDIT_ACTIONS = audit_actions_register({
    "capacity.survey_open": gettext_lazy("Demand survey opened"),
    "capacity.survey_close": gettext_lazy("Demand survey closed"),
    "capacity.demand_state": gettext_lazy("Demand stated on a survey topic"),
    "capacity.topic_carry": gettext_lazy("Survey topic carried into a call"),
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
