"""Reads of the innovation-capacity records, each filtered by what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from doyak.accounts.rules import Actor
from doyak.core.errors import NotFound
from doyak.engine.capacity import FundFigures, InvestmentRow, fund_figures
from doyak.policies.services import policy_value
from doyak.programs.enums import Track

from . import rules
from .policies import LEAP_SHARE_KEY
from .enums import SurveyStatus
from .models import Commitment, DemandResponse, Fund, Investment, Survey, SurveyTopic


# ---------------------------------------------------------------------------------------------- surveys
def survey_list_for_user(*, user: Actor, status: str = "") -> QuerySet[Survey]:
    """Every survey for the ministry side and read-only roles; open ones for those who answer."""
    if not rules.can_view_surveys(user):
        return Survey.objects.none()
    qs = Survey.objects.select_related("program")
    if not rules.can_view_all_demand(user):
        qs = qs.filter(status=SurveyStatus.OPEN)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-closes_on", "-id")


def survey_get_for_user_or_raise(*, user: Actor, survey_id: int) -> Survey:
    survey = survey_list_for_user(user=user).filter(pk=survey_id).first()
    if survey is None:
        raise NotFound(_("Survey not found."), code="survey_not_found")
    return survey


def responses_visible_to(*, user: Actor) -> QuerySet[DemandResponse]:
    """Every answer for those who see all demand; the user's own organisation's answers for the others."""
    qs = DemandResponse.objects.select_related("organization", "topic")
    if rules.can_view_all_demand(user):
        return qs
    if rules.can_answer_survey(user):
        return qs.filter(organization_id=user.organization_id)
    return qs.none()


@dataclass(frozen=True)
class TopicDemand:
    topic: SurveyTopic
    total_krw: int | None            # None: the user may not see the sums
    count: int | None
    responses: list[DemandResponse]  # the ones the user may see


def survey_topics_for_user(*, user: Actor, survey: Survey) -> list[TopicDemand]:
    """Each topic with the demand the user may see: sum, count and who for the ministry side; for an investor or
    a demand-anchor company, their own answer only (no sums: a sum less one's own is another's amount)."""
    topics = list(survey.topics.select_related("call").order_by("id"))
    visible: dict[int, list[DemandResponse]] = {t.pk: [] for t in topics}
    for row in responses_visible_to(user=user).filter(topic__survey=survey).order_by("organization__name", "id"):
        visible[row.topic_id].append(row)
    all_demand = rules.can_view_all_demand(user)
    return [TopicDemand(topic=t, total_krw=sum(r.amount_krw for r in visible[t.pk]) if all_demand else None,
                        count=len(visible[t.pk]) if all_demand else None, responses=visible[t.pk]) for t in topics]


def topic_get_or_raise(*, user: Actor, topic_id: int) -> SurveyTopic:
    topic = SurveyTopic.objects.select_related("survey").filter(pk=topic_id).first()
    if topic is None or not survey_list_for_user(user=user).filter(pk=topic.survey_id).exists():
        raise NotFound(_("Topic not found."), code="topic_not_found")
    return topic


# ---------------------------------------------------------------------------------------------- the fund
def fund_list_for_user(*, user: Actor) -> QuerySet[Fund]:
    """Every fund for those who read as the ministry; an investor's own organisation's funds."""
    if rules.can_view_all_demand(user):
        return Fund.objects.select_related("manager").order_by("-vintage", "name", "id")
    if rules.is_investor(user):
        return Fund.objects.select_related("manager").filter(manager_id=user.organization_id).order_by(
            "-vintage", "name", "id")
    return Fund.objects.none()


def fund_get_for_user_or_raise(*, user: Actor, fund_id: int) -> Fund:
    fund = fund_list_for_user(user=user).filter(pk=fund_id).first()
    if fund is None:
        raise NotFound(_("Fund not found."), code="fund_not_found")
    return fund


def commitment_list_for_user(*, user: Actor, fund_id: int | None = None) -> QuerySet[Commitment]:
    qs = Commitment.objects.filter(fund__in=fund_list_for_user(user=user)).select_related(
        "fund", "organization", "proposal")
    return qs.filter(fund_id=fund_id) if fund_id else qs


def investment_list_for_user(*, user: Actor, fund_id: int | None = None) -> QuerySet[Investment]:
    qs = (Investment.objects.filter(fund__in=fund_list_for_user(user=user))
          .select_related("fund", "organization__region", "proposal__call", "follows", "exit"))
    return qs.filter(fund_id=fund_id) if fund_id else qs


def fund_figures_for(funds: list[Fund], *, on: dt.date | None = None) -> dict[int, FundFigures]:
    """Committed, invested, leap share against the policy and investment by region group, per fund (two queries)."""
    minimum = policy_value(LEAP_SHARE_KEY, on)
    ids = [f.pk for f in funds]
    committed: dict[int, list[int]] = {pk: [] for pk in ids}
    for fund_id, amount in Commitment.objects.filter(fund_id__in=ids).values_list("fund_id", "amount_krw"):
        committed[fund_id].append(amount)
    rows: dict[int, list[InvestmentRow]] = {pk: [] for pk in ids}
    for fund_id, amount, track, group in (Investment.objects.filter(fund_id__in=ids)
                                          .values_list("fund_id", "amount_krw", "proposal__call__track",
                                                       "organization__region__group")):
        rows[fund_id].append(InvestmentRow(amount_krw=amount, leap=track == Track.INDUSTRIAL_LEAP,
                                           region_group=group or ""))
    return {pk: fund_figures(commitments_krw=committed[pk], investments=rows[pk], leap_share_min=minimum)
            for pk in ids}
