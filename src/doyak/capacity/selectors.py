"""Reads of the innovation-capacity records, each filtered by what the user may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from doyak.accounts.rules import Actor
from doyak.core.errors import NotFound

from . import rules
from .enums import SurveyStatus
from .models import DemandResponse, Survey, SurveyTopic


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
