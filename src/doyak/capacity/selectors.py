"""Reads of the innovation-capacity records, each filtered by what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from doyak.accounts.rules import Actor
from doyak.core.errors import NotFound
from doyak.engine import talent as engine_talent
from doyak.engine.capacity import FundFigures, InvestmentRow, fund_figures
from doyak.policies.services import policy_value
from doyak.programs.enums import Track

from . import rules
from .enums import SurveyStatus
from .models import (
    CareerEvent,
    Commitment,
    DemandResponse,
    Fund,
    GraduateSchool,
    Investment,
    JointLab,
    Nomination,
    StageRecord,
    Survey,
    SurveyTopic,
)
from .policies import LEAP_SHARE_KEY, stage_criteria


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
    if rules.is_firm_investor(user):
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


# ---------------------------------------------------------------------------------------------- talent
def _selected_team_rows(researcher_ids=None):
    """(researcher, is PI, start, end) of the teams of selected projects (the doyak projects people took part in)."""
    from doyak.proposals.enums import ProposalStatus
    from doyak.proposals.models import TeamMember

    qs = TeamMember.objects.filter(proposal__status=ProposalStatus.SELECTED)
    if researcher_ids is not None:
        qs = qs.filter(researcher_id__in=researcher_ids)
    return qs.values_list("researcher_id", "is_pi", "proposal__start_date", "proposal__end_date")


def career_facts(researcher) -> engine_talent.CareerFacts:
    doctorate = researcher.career_events.filter(kind="doctorate").values_list("started_on", flat=True).first()
    pi_starts = sorted(start for _r, is_pi, start, _e in _selected_team_rows([researcher.pk]) if is_pi and start)
    stage = "star_engineer" if researcher.star_engineer_since else researcher.career_stage
    return engine_talent.CareerFacts(person_id=str(researcher.pk), stage=stage, doctorate_on=doctorate,
                                     first_pi_on=pi_starts[0] if pi_starts else None, pi_projects=len(pi_starts))


def stage_suggestion_for(researcher, *, on: dt.date | None = None) -> engine_talent.Suggestion | None:
    from django.utils import timezone

    on = on or timezone.localdate()
    return engine_talent.next_stage_suggestion(career_facts(researcher), criteria=stage_criteria(on), as_of=on)


@dataclass(frozen=True)
class CareerHistory:
    researcher: object
    stages: list[StageRecord]
    events: list[CareerEvent]
    facts: engine_talent.CareerFacts
    suggestion: engine_talent.Suggestion | None
    nominations: list[Nomination]


def career_history_for_user_or_raise(*, user: Actor, researcher_id: int) -> CareerHistory:
    from doyak.organizations.models import Researcher

    researcher = Researcher.objects.select_related("organization").filter(pk=researcher_id).first()
    if researcher is None or not (rules.can_view_talent(user) or rules.belongs_to(user, researcher.organization_id)):
        raise NotFound(_("Researcher not found."), code="researcher_not_found")
    return CareerHistory(researcher=researcher,
                         stages=list(researcher.stage_records.order_by("since", "id")),
                         events=list(researcher.career_events.select_related("organization").order_by("started_on", "id")),
                         facts=career_facts(researcher), suggestion=stage_suggestion_for(researcher),
                         nominations=list(researcher.star_nominations.order_by("-created_at")))


def suggestions_list(*, user: Actor, on: dt.date | None = None, limit: int = 200) -> list[tuple[object, engine_talent.Suggestion]]:
    """Researchers with a career record who meet their next stage's criteria (for the program manager)."""
    if not rules.can_view_talent(user):
        return []
    from django.utils import timezone

    from doyak.organizations.models import Researcher

    on = on or timezone.localdate()
    criteria = stage_criteria(on)
    people = list(Researcher.objects.filter(career_events__kind="doctorate", star_engineer_since__isnull=True)
                  .select_related("organization").order_by("name", "id")[:2000])
    ids = [r.pk for r in people]
    doctorate = dict(CareerEvent.objects.filter(kind="doctorate", researcher_id__in=ids)
                     .values_list("researcher_id", "started_on"))
    pi: dict[int, list[dt.date]] = {}
    for rid, is_pi, start, _end in _selected_team_rows(ids):
        if is_pi and start:
            pi.setdefault(rid, []).append(start)
    out = []
    for r in people:
        starts = sorted(pi.get(r.pk, []))
        facts = engine_talent.CareerFacts(person_id=str(r.pk), stage=r.career_stage, doctorate_on=doctorate.get(r.pk),
                                          first_pi_on=starts[0] if starts else None, pi_projects=len(starts))
        suggestion = engine_talent.next_stage_suggestion(facts, criteria=criteria, as_of=on)
        if suggestion is not None:
            out.append((r, suggestion))
            if len(out) >= limit:
                break
    return out


def talent_stage_counts(*, years: list[int]) -> list[engine_talent.YearStage]:
    """People per stage per year, from the stage records (see engine.talent for the rules)."""
    from doyak.organizations.models import Researcher

    changes = [engine_talent.StageChange(person_id=str(rid), stage=stage, on=since, order=pk)
               for pk, rid, stage, since in StageRecord.objects.values_list("pk", "researcher_id", "stage", "since")]
    ids = {int(c.person_id) for c in changes}
    pi_years: dict[int, set[int]] = {}
    researcher_years: dict[int, set[int]] = {}
    for rid, is_pi, start, end in _selected_team_rows(ids):
        if start is None:
            continue
        span = set(range(start.year, (end or start).year + 1))
        (pi_years if is_pi else researcher_years).setdefault(rid, set()).update(span)
    places = [engine_talent.PersonPlace(person_id=str(rid), region_group=group or "", organization_type=org_type,
                                        pi_years=frozenset(pi_years.get(rid, ())),
                                        researcher_years=frozenset(researcher_years.get(rid, ())))
              for rid, group, org_type in Researcher.objects.filter(pk__in=ids)
              .values_list("pk", "organization__region__group", "organization__org_type")]
    return engine_talent.stage_counts(changes=changes, places=places, years=years)


def nomination_list_for_user(*, user: Actor, status: str = "") -> QuerySet[Nomination]:
    qs = Nomination.objects.select_related("researcher", "organization")
    if not rules.can_view_talent(user):
        if not rules.is_signed_in(user):
            return qs.none()
        from django.db.models import Q

        seen = Q(panel__profile__user_id=user.pk)  # a panel member reads the nominations they review
        if getattr(user, "organization_id", None):
            seen |= Q(organization_id=user.organization_id)
        qs = qs.filter(pk__in=Nomination.objects.filter(seen).values("pk"))
    return qs.filter(status=status) if status else qs


def nomination_get_for_user_or_raise(*, user: Actor, nomination_id: int) -> Nomination:
    nomination = nomination_list_for_user(user=user).filter(pk=nomination_id).first()
    if nomination is None:
        raise NotFound(_("Nomination not found."), code="nomination_not_found")
    return nomination


def nomination_conflicts(*, nomination: Nomination, profiles) -> list:
    """Conflicts between the nominee and the reviewers, by engine.conflicts on the evaluation's own records: the
    nominee stands as the "PI" of a one-person proposal led by the nominating institution (and their affiliation)."""
    from django.utils import timezone

    from doyak.engine import conflicts as engine
    from doyak.evaluation.conflicts import _department_id, conflict_input_build
    from doyak.organizations.models import Organization

    as_of = timezone.localdate()
    years = int(policy_value("evaluation.conflict_window_years", as_of))
    researcher = nomination.researcher
    data = conflict_input_build(proposal_ids=[], profiles=list(profiles))
    orgs = {nomination.organization_id, researcher.organization_id}
    party = engine.ProposalParties(
        proposal_id=f"n{nomination.pk}", lead_organization_id=str(nomination.organization_id),
        pi_person_id=f"r{researcher.pk}", pi_department_id=_department_id(researcher.organization_id,
                                                                          researcher.department),
        participant_organization_ids=tuple(str(o) for o in orgs - {nomination.organization_id}))
    known = {o.id for o in data.organizations}
    organizations = list(data.organizations) + [
        engine.Organization(id=str(pk), group_id=group.strip() or None)
        for pk, group in Organization.objects.filter(pk__in=orgs).values_list("id", "corporate_group")
        if str(pk) not in known]
    from doyak.evaluation.conflicts import _advisor_relations

    advisors = set(data.advisor_relations) | set(_advisor_relations([researcher.pk]))
    return engine.conflicts_compute(
        proposals=[party], evaluators=data.evaluators, as_of=as_of, co_research_years=years, sanction_years=years,
        organizations=organizations, participations=data.participations, advisor_relations=sorted(
            advisors, key=lambda a: (a.advisor_person_id, a.student_person_id)),
        sanctions=data.sanctions, declarations=[])


# ---------------------------------------------------------------------------------------------- registries
def joint_lab_list_for_user(*, user: Actor, region_group: str = "") -> QuerySet[JointLab]:
    if not rules.can_view_registries(user):
        return JointLab.objects.none()
    qs = JointLab.objects.select_related("host", "region").prefetch_related("partners", "projects")
    return qs.filter(region__group=region_group) if region_group else qs


def graduate_school_list_for_user(*, user: Actor, region_group: str = "") -> QuerySet[GraduateSchool]:
    if not rules.can_view_registries(user):
        return GraduateSchool.objects.none()
    qs = GraduateSchool.objects.select_related("university", "region").prefetch_related("projects")
    return qs.filter(region__group=region_group) if region_group else qs


# ---------------------------------------------------------------------------------------------- home page
def home_content(*, user: Actor, lang: str):
    """The investor's cards on the home page: open surveys, the firm's committed and invested amounts (each linking
    to the investor home, /capacity/)."""
    from django.urls import reverse

    from doyak.core.home import HomeCard, HomeContent
    from doyak.core.money import format_won_short

    if not rules.is_investor(user):
        return HomeContent()
    funds = list(fund_list_for_user(user=user))
    figures = fund_figures_for(funds).values()
    url = reverse("capacity:home")
    return HomeContent(cards=(
        HomeCard.count(label=_("Open demand surveys"), n=survey_list_for_user(user=user).count(), url=url),
        HomeCard(label=_("Committed by your funds"), value=format_won_short(sum(f.committed_krw for f in figures),
                                                                            lang=lang), url=url),
        HomeCard(label=_("Invested by your funds"), value=format_won_short(sum(f.invested_krw for f in figures),
                                                                           lang=lang), url=url),
    ))
