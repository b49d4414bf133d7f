"""Demo innovation capacity, through the services: a demand survey open on this year's candidate topics (answered
by three investor firms and two demand-anchor companies, one topic carried into a call) and a closed one; three
commercialisation funds managed by existing large companies' venture arms (the demo investor works at the first),
with commitments (one from an investor letter), investments, follow-ons and an exit; career records and stage
histories for some researchers, suggestions waiting, three star-engineer nominations (designated, not designated,
open with its panel); joint labs and graduate schools linked to selected projects. Deterministic per seed; a second
run adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from doyak.accounts.enums import Role
from doyak.accounts.rules import SYSTEM
from doyak.core.errors import DoyakError
from doyak.organizations.enums import FOR_PROFIT_TYPES, OrganizationType
from doyak.organizations.models import Organization, Researcher
from doyak.proposals.enums import ProposalStatus
from doyak.proposals.models import InvestorLetter, Proposal

from .models import Survey
from .services import (
    career_event_add,
    career_stage_record,
    commitment_record,
    demand_state,
    exit_record,
    fund_create,
    graduate_school_register,
    investment_record,
    investor_letter_confirm,
    joint_lab_register,
    star_decide,
    star_nominate,
    star_panel_add,
    survey_close,
    survey_open,
    topic_carry_into_call,
)

TOPICS = [("전고체 배터리 양산 공정 고도화", ["EE0101"], 12_000_000_000),
          ("협동로봇 안전 제어 SW 플랫폼", ["EA0301"], 8_000_000_000),
          ("차세대 전력반도체(SiC) 모듈", ["EE0502"], 15_000_000_000),
          ("수소 연료전지 스택 내구성 향상", ["EF0203"], 9_500_000_000),
          ("제조 AI 품질검사 자율화", ["EA0901"], 6_000_000_000)]
FUNDS = [("산업도약 사업화 1호 펀드", 400_000_000_000, 2026), ("지역혁신 딥테크 펀드", 250_000_000_000, 2026),
         ("소재·부품 스케일업 펀드", 150_000_000_000, 2025)]
LAB_FIELDS = ["스마트제조", "이차전지 소재", "협동로봇", "전력반도체", "수소에너지", "바이오공정", "디스플레이", "정밀화학"]
SCHOOLS = [("이차전지 특성화대학원", "이차전지", 2024, 62), ("반도체 특성화대학원", "반도체", 2025, 80),
           ("모빌리티 특성화대학원", "미래차", 2026, 45), ("AI 반도체 특성화대학원", "AI 반도체", 2026, 38),
           ("바이오 공정 특성화대학원", "바이오", 2026, 30)]
STAGE_YEARS = {"postdoc": 0, "early_career": 2, "mid_career": 8, "senior": 16}


def _user(username: str, role: str, organization: Organization):
    user, _created = get_user_model().objects.get_or_create(
        username=username, defaults={"role": role, "organization": organization, "display_name": organization.name})
    if _created:
        user.set_unusable_password()
        user.save()
    return user


def capacity_seed(*, scale: str, seed: int, progress: Callable[[str, int, int], None] | None = None
                  ) -> dict[str, int]:
    added = {"demand_surveys": 0, "funds": 0, "fund_investments": 0, "stage_records": 0, "star_nominations": 0,
             "joint_labs": 0, "graduate_schools": 0}
    if Survey.objects.exists():
        return added
    rng = random.Random(seed)
    today = timezone.localdate()
    selected = list(Proposal.objects.filter(status=ProposalStatus.SELECTED).select_related("call", "lead_organization")
                    .order_by("pk"))
    firms = list(Organization.objects.filter(org_type__in=[OrganizationType.LARGE, OrganizationType.MID_SIZE],
                                             is_demand_anchor=False).order_by("business_registration_number")[:3])
    anchors = list(Organization.objects.filter(is_demand_anchor=True).order_by("business_registration_number")[:2])
    if len(firms) < 3 or not selected:
        return added
    with transaction.atomic():
        added.update(_surveys(rng, today, firms, anchors))
        added.update(_funds(rng, today, firms, selected))
        added.update(_talent(rng, today))
        added.update(_registries(rng, today, selected))
    if progress:
        progress("capacity", 1, 1)
    return added


def _investors(firms):
    User = get_user_model()
    demo = User.objects.filter(username="investor", role=Role.INVESTOR).first()
    if demo is not None and demo.organization_id is None:
        demo.organization = firms[0]
        demo.save(update_fields=["organization"])
    first = demo if demo is not None else _user("investor-1", Role.INVESTOR, firms[0])
    return [first] + [_user(f"investor-{i + 1}", Role.INVESTOR, f) for i, f in enumerate(firms[1:], start=1)]


def _surveys(rng, today, firms, anchors) -> dict[str, int]:
    from doyak.programs.models import Program

    program = (Program.objects.filter(year=today.year, calls__isnull=False).order_by("code").first()
               or Program.objects.filter(year=today.year).order_by("code").first())
    if program is None:
        return {}
    investors = _investors(firms)
    anchor_users = [_user(f"anchor-{a.business_registration_number}", Role.APPLICANT, a) for a in anchors]
    closed = survey_open(actor=SYSTEM, program_id=program.pk, title=f"{today.year} 상반기 기술수요조사",
                         closes_on=today, topics=[{"title": t, "technology_codes": c, "expected_budget_krw": b}
                                                  for t, c, b in TOPICS[:2]])
    survey = survey_open(actor=SYSTEM, program_id=program.pk, title=f"{today.year + 1} 산업도약 후보과제 수요조사",
                         closes_on=today + dt.timedelta(days=30),
                         topics=[{"title": t, "technology_codes": c, "expected_budget_krw": b} for t, c, b in TOPICS])
    for s in (closed, survey):
        for topic in s.topics.order_by("id"):
            for user in investors + anchor_users:
                if rng.random() < 0.7:
                    purchase = user.role == Role.APPLICANT
                    demand_state(actor=user, topic_id=topic.pk, kind="purchase" if purchase else "invest",
                                 amount_krw=rng.randrange(5, 60) * 100_000_000,
                                 stage="commercial" if purchase else rng.choice(["seed", "early", "growth"]),
                                 condition=rng.choice(["시제품 성능 검증 후", "공동 실증 참여 조건", "양산 라인 확보 시", ""]),
                                 comment=rng.choice(["후속 투자 검토 의향 있음", "구매 조건부 협의 가능", ""]))
    survey_close(actor=SYSTEM, survey_id=closed.pk)
    call = program.calls.order_by("pk").first()
    if call is not None:
        topic_carry_into_call(actor=SYSTEM, topic_id=closed.topics.order_by("id").first().pk, call_id=call.pk)
    return {"demand_surveys": 2}


def _funds(rng, today, firms, selected) -> dict[str, int]:
    leap = [p for p in selected if p.call.track == "industrial_leap"]
    others = [p for p in selected if p.call.track != "industrial_leap"]
    start = max(dt.date(2026, 1, 28), today - dt.timedelta(days=300))
    span = max(1, (today - start).days)
    funds, investments = 0, 0
    for (name, size, vintage), firm in zip(FUNDS, firms, strict=True):
        fund = fund_create(actor=SYSTEM, name=name, size_krw=size, vintage=vintage, manager_id=firm.pk)
        funds += 1
        pool = (leap * 3 + others) if funds != 3 else (others * 2 + leap)  # the third fund stays below the policy
        picks = [pool[i % len(pool)] for i in rng.sample(range(len(pool)), k=min(6, len(pool)))] if pool else []
        for project in dict.fromkeys(picks):
            day = start + dt.timedelta(days=rng.randrange(span))
            amount = rng.randrange(10, 80) * 100_000_000
            commitment = commitment_record(actor=SYSTEM, fund_id=fund.pk, amount_krw=amount, committed_on=day,
                                           proposal_id=project.pk)
            first = investment_record(actor=SYSTEM, fund_id=fund.pk, invested_on=day, amount_krw=amount // 2,
                                      instrument=rng.choice(["equity", "convertible", "loan"]),
                                      stage=rng.choice(["seed", "early"]), commitment_id=commitment.pk)
            investments += 1
            if rng.random() < 0.4 and day + dt.timedelta(days=60) <= today:
                investment_record(actor=SYSTEM, fund_id=fund.pk, invested_on=day + dt.timedelta(days=60),
                                  amount_krw=amount // 4, instrument="equity", stage="growth", follows_id=first.pk)
                investments += 1
            if rng.random() < 0.15:
                exit_record(actor=SYSTEM, investment_id=first.pk, exited_on=today, kind="trade_sale",
                            proceeds_krw=amount)
    letter = (InvestorLetter.objects.filter(commitment__isnull=True).exclude(proposal__status=ProposalStatus.DRAFT)
              .order_by("pk").first())
    if letter is not None and letter.amount_krw > 0:
        from .models import Fund

        investor_letter_confirm(actor=SYSTEM, letter_id=letter.pk, fund_id=Fund.objects.order_by("pk").first().pk,
                                committed_on=today)
    return {"funds": funds, "fund_investments": investments}


def _talent(rng, today) -> dict[str, int]:
    people = list(Researcher.objects.filter(star_engineer_since__isnull=True).order_by("national_researcher_number")[:80])
    records = 0
    for r in people:
        stage = r.career_stage
        years = STAGE_YEARS[stage] + rng.randrange(0, 4)
        doctorate = dt.date(today.year - years, rng.randrange(1, 13), rng.randrange(1, 28))
        if doctorate > today:
            doctorate = today - dt.timedelta(days=30)
        career_event_add(actor=SYSTEM, researcher_id=r.pk, kind="doctorate", started_on=doctorate, title="공학박사")
        career_event_add(actor=SYSTEM, researcher_id=r.pk, kind="position", started_on=doctorate + dt.timedelta(days=60)
                         if doctorate + dt.timedelta(days=60) <= today else doctorate,
                         title=rng.choice(["선임연구원", "책임연구원", "박사후연구원", "조교수"]),
                         organization_id=r.organization_id)
        for name, offset in STAGE_YEARS.items():
            since = doctorate.replace(year=doctorate.year + offset) if doctorate.month != 2 or doctorate.day != 29 \
                else doctorate.replace(year=doctorate.year + offset, day=28)
            if since > today:
                break
            career_stage_record(actor=SYSTEM, researcher_id=r.pk, stage=name, since=since)
            records += 1
            if name == stage:
                break
    nominated = _nominations(rng, today)
    return {"stage_records": records, "star_nominations": nominated}


def _nominations(rng, today) -> int:
    from doyak.evaluation.models import EvaluatorProfile

    candidates = list(Researcher.objects.filter(career_stage__in=["mid_career", "senior"], star_engineer_since=None)
                      .order_by("national_researcher_number")[:3])
    profiles = list(EvaluatorProfile.objects.filter(active=True).order_by("pk")[:40])
    count = 0
    for i, person in enumerate(candidates):
        nomination = star_nominate(actor=SYSTEM, researcher_id=person.pk,
                                   reason="산업도약 프로젝트 핵심기술 개발을 주도하고 양산 이전 실적이 있음")
        count += 1
        panel = 0
        for profile in profiles:
            if panel >= 3:
                break
            try:
                star_panel_add(actor=SYSTEM, nomination_id=nomination.pk, profile_id=profile.pk)
                panel += 1
            except DoyakError:
                continue  # a conflict of interest with the nominee, as the panel rules say
        if i < 2 and panel >= 3:
            star_decide(actor=SYSTEM, nomination_id=nomination.pk, designate=i == 0, on=today,
                        note="" if i == 0 else "사업화 성과 입증 자료 보완 후 재추천 권고")
    return count


def _registries(rng, today, selected) -> dict[str, int]:
    hosts = list(Organization.objects.filter(org_type=OrganizationType.GRI).select_related("region")
                 .order_by("business_registration_number")[:8])
    companies = list(Organization.objects.filter(org_type__in=FOR_PROFIT_TYPES).order_by(
        "business_registration_number")[:40])
    universities = list(Organization.objects.filter(org_type=OrganizationType.UNIVERSITY).select_related("region")
                        .order_by("business_registration_number")[:5])
    labs = schools = 0
    for i, host in enumerate(hosts):
        opened = today - dt.timedelta(days=rng.randrange(10, 400))
        joint_lab_register(actor=SYSTEM, name=f"{LAB_FIELDS[i % len(LAB_FIELDS)]} 산연 공동연구실", host_id=host.pk,
                           region_code=host.region.code, field=LAB_FIELDS[i % len(LAB_FIELDS)], opened_on=opened,
                           partner_ids=[c.pk for c in rng.sample(companies, k=min(3, len(companies)))],
                           proposal_ids=[selected[i % len(selected)].pk])
        labs += 1
    for university, (name, field, year, students) in zip(universities, SCHOOLS, strict=False):
        graduate_school_register(actor=SYSTEM, name=name, university_id=university.pk, field=field,
                                 region_code=university.region.code, designation_year=min(year, today.year),
                                 students=students, proposal_ids=[selected[schools % len(selected)].pk])
        schools += 1
    return {"joint_labs": labs, "graduate_schools": schools}
