"""Realistic demo and national-scale reference data, deterministic for a given seed.

``demo``: about 300 organisations, 1,500 researchers and 20 programs, plus one login per role.
``national``: about 20,000 organisations and 100,000 researchers, distributed like the real
population: about half the firms in the capital region, about 90% of firms SMEs.
Running it again with the same seed adds nothing: rows are matched on their natural keys.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.test.utils import override_settings
from django.utils import timezone
from faker import Faker

from doyak.accounts.enums import Role
from doyak.organizations.enums import CareerStage, OrganizationType
from doyak.organizations.models import Organization, Researcher
from doyak.organizations.validators import brn_check_digit
from doyak.programs.models import Program
from doyak.regions.enums import RegionGroup
from doyak.regions.models import Region
from doyak.regions.selectors import region_list_valid_on

DEMO_PASSWORD = "doyak-demo-2026"


@dataclass(frozen=True)
class Scale:
    organizations: int
    researchers: int
    programs: int


SCALES = {
    "demo": Scale(organizations=300, researchers=1_500, programs=20),
    "national": Scale(organizations=20_000, researchers=100_000, programs=20),
}

# Share of firms by province (capital region ≈ half), roughly as business statistics show.
REGION_WEIGHTS = {
    "11": 20, "41": 25, "28": 5, "26": 6, "48": 6, "31": 2, "27": 4, "47": 5, "30": 4, "36": 1,
    "43": 4, "44": 5, "53": 5, "51": 3, "52": 3, "50": 2,
}
FIRM_TYPE_WEIGHTS = {
    OrganizationType.SME: 90, OrganizationType.EARLY_MID_SIZE: 4, OrganizationType.MID_SIZE: 4,
    OrganizationType.LARGE: 2,
}
# Among all organisations: firms, then universities, institutes and other non-profits.
ORG_KIND_WEIGHTS = {"firm": 88, OrganizationType.UNIVERSITY: 5, OrganizationType.GRI: 2, OrganizationType.NONPROFIT: 5}
GROUPS = ["한빛", "대양", "미래로", "청우", "세한", "동진", "태성", "누리", "한결", "새솔"]
FIELDS = {
    "이차전지": (["이차전지", "양극재", "음극재", "전고체 배터리", "배터리 재활용"], "EE"),
    "반도체": (["반도체", "온디바이스 AI", "NPU", "전력반도체", "패키징"], "EB"),
    "인공지능": (["제조 AI", "머신러닝", "컴퓨터 비전", "AI 팩토리", "디지털 트윈"], "EA"),
    "로봇": (["휴머노이드", "협동로봇", "자율주행", "로봇 제어", "피지컬 AI"], "EC"),
    "화학": (["정밀화학", "친환경 소재", "탄소중립 공정", "고분자", "촉매"], "ED"),
    "바이오": (["바이오의약", "의료기기", "합성생물학", "진단", "헬스케어"], "EF"),
    "조선해양": (["자율운항 선박", "친환경 선박", "해양플랜트", "수소 추진"], "EG"),
    "자동차": (["미래차", "전기차", "수소차", "자율주행차", "차량 소프트웨어"], "EH"),
    "에너지": (["수소", "태양광", "풍력", "에너지 저장", "원자력"], "EI"),
    "소재부품": (["금속소재", "세라믹", "탄소섬유", "부품 경량화", "표면처리"], "EJ"),
}
DEPARTMENTS = ["연구소", "기술연구소", "신사업팀", "공정개발팀", "소재연구팀", "AI연구센터", "생산기술팀", "설계팀"]
UNIVERSITY_DEPARTMENTS = ["기계공학과", "전자공학과", "화학공학과", "신소재공학과", "컴퓨터공학과", "산업공학과", "경영학과"]
CITY_NAMES = ["한빛", "가람", "다솜", "새빛", "푸른", "한울", "미리내", "누리", "온누리", "한가람", "라온", "은하"]
GRI_FIELDS = ["생산기술", "전자기술", "소재", "기계", "화학", "에너지", "세라믹", "로봇", "섬유", "조선해양"]

PROGRAMS = [
    ("RGE", "5극3특 성장엔진 육성 R&D", "Five mega-regions growth engine R&D", "regional", 500_000_000_000),
    ("KCT", "K-화학산업 대전환 R&D 프로젝트", "K-chemical industry transition R&D", "regional", 375_000_000_000),
    ("RBL", "지역 첨단산업 벨트 R&D", "Regional advanced-industry belt R&D", "regional", 180_000_000_000),
    ("RJL", "산연 공동연구실", "Industry–research joint labs", "regional", 60_000_000_000),
    ("AIF", "AI 팩토리 확산", "AI factory roll-out", "max", 250_000_000_000),
    ("MAL", "제조 AI 선도모델 개발", "Manufacturing-AI lead models", "max", 150_000_000_000),
    ("HUM", "산업특화 휴머노이드 현장 실증", "Industry humanoid field demonstrations", "max", 90_000_000_000),
    ("ODC", "K-온디바이스 AI 반도체 개발", "K on-device AI chip", "max", 175_000_000_000),
    ("EAI", "임바디드 AI (자율운항·자율주행)", "Embodied AI (autonomous ships and cars)", "max", 120_000_000_000),
    ("ILP", "산업도약 기술 프로젝트", "Industrial leap technology projects", "competitiveness", 200_000_000_000),
    ("MCT", "소재부품기술개발", "Materials and components technology", "competitiveness", 420_000_000_000),
    ("ALC", "산업기술 알키미스트 프로젝트", "Industrial technology alchemist project", "competitiveness", 45_000_000_000),
    ("ATC", "우수기업연구소 육성", "Excellent corporate research centres", "competitiveness", 110_000_000_000),
    ("RFR", "규제자유 R&D", "Regulation-free R&D", "regulation", 40_000_000_000),
    ("RSB", "규제특례 실증 R&D", "Regulatory-exemption demonstration R&D", "regulation", 35_000_000_000),
    ("CMF", "사업화 연계 기술개발", "Commercialisation-linked R&D", "capacity", 130_000_000_000),
    ("TAL", "산업혁신 인재성장 지원", "Industrial innovation talent growth", "capacity", 95_000_000_000),
    ("STE", "스타 엔지니어 육성", "Star engineer development", "capacity", 30_000_000_000),
    ("LGP", "100억 이상 대형 전략과제", "Large strategic projects (≥ ₩10B)", "fake_work", 300_000_000_000),
    ("SGE", "특성화 대학원 지원", "Specialised graduate schools", "regional", 25_000_000_000),
]

ROLE_LOGINS = [
    ("pm", Role.PROGRAM_MANAGER, "김지훈 (사업담당)"),
    ("applicant", Role.APPLICANT, "이서연 (신청기관)"),
    ("evaluator", Role.EVALUATOR, "박민준 (평가위원)"),
    ("investor", Role.INVESTOR, "최수아 (투자자)"),
    ("regulation", Role.REGULATION_LIAISON, "정도윤 (규제담당)"),
    ("council", Role.COUNCIL_MEMBER, "강하은 (협의회)"),
    ("auditor", Role.AUDITOR, "조현우 (감사)"),
    ("admin", Role.ADMINISTRATOR, "윤지민 (관리자)"),
]


def _weighted(rng: random.Random, weights: dict) -> object:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys], k=1)[0]


def _brn(rng: random.Random, *, nonprofit: bool, taken: set[str]) -> str:
    while True:
        office = rng.randint(101, 899)
        kind = 82 if nonprofit else rng.choice([81, 85, 86, 87, 88])
        serial = rng.randint(0, 9999)
        first_nine = f"{office:03d}{kind:02d}{serial:04d}"
        number = first_nine + str(brn_check_digit(first_nine))
        if number not in taken:
            taken.add(number)
            return number


def _regions_by_code(on: dt.date) -> dict[str, Region]:
    regions = {r.code: r for r in region_list_valid_on(on=on)}
    # Organisations registered before the 2026-07-01 merger keep 광주(29) / 전남(46).
    for r in Region.objects.filter(code__in=["29", "46"]):
        regions[r.code] = r
    return regions


# Legal forms Faker puts before a company name; a demo firm carries exactly one, "(주)", added by the seed.
LEGAL_FORMS = ("주식회사", "유한회사", "(주)", "(유)", "㈜", "㈲")


def _company_base(name: str) -> str:
    """A company name without its legal form ("유한회사 푸른상사" → "푸른상사")."""
    for form in LEGAL_FORMS:
        name = name.replace(form, "")
    return " ".join(name.split())


def _organization_rows(rng: random.Random, fake: Faker, n: int, regions: dict[str, Region]) -> list[Organization]:
    taken: set[str] = set()
    rows: list[Organization] = []
    for i in range(n):
        kind = _weighted(rng, ORG_KIND_WEIGHTS)
        code = _weighted(rng, REGION_WEIGHTS)
        if code == "53" and "29" in regions and rng.random() < 0.5:
            code = rng.choice(["29", "46"])
        region = regions.get(code) or regions["11"]
        field = rng.choice(list(FIELDS))
        if kind == "firm":
            org_type = _weighted(rng, FIRM_TYPE_WEIGHTS)
            name = f"(주){_company_base(fake.company())}{rng.choice(['', '테크', '소재', '시스템즈', '로보틱스', '바이오', '에너지', '정밀'])}"
            group = rng.choice(GROUPS) + "그룹" if org_type in (OrganizationType.LARGE, OrganizationType.MID_SIZE) and rng.random() < 0.6 else ""
            rate = None
        elif kind == OrganizationType.UNIVERSITY:
            org_type = kind
            name = f"{rng.choice(CITY_NAMES)}{region.name_ko[:2]}대학교" + (f" 제{i % 7 + 2}캠퍼스" if i % 5 == 0 else "")
            group, rate = "", Decimal(rng.choice(["18.50", "21.30", "23.00", "26.40", "29.10"]))
        elif kind == OrganizationType.GRI:
            org_type = kind
            name = f"한국{rng.choice(GRI_FIELDS)}연구원 {region.name_ko[:2]}본부"
            group, rate = "", Decimal(rng.choice(["33.20", "36.80", "40.10", "45.00"]))
        else:
            org_type = kind
            name = f"{region.name_ko[:2]}{field}산업진흥원"
            group, rate = "", None
        rows.append(Organization(
            name=name, name_en="", business_registration_number=_brn(rng, nonprofit=kind != "firm", taken=taken),
            org_type=org_type, corporate_group=group, region=region,
            is_demand_anchor=org_type in (OrganizationType.LARGE, OrganizationType.MID_SIZE) and rng.random() < 0.5,
            indirect_cost_rate=rate,
            self_settlement_eligible=kind in (OrganizationType.UNIVERSITY, OrganizationType.GRI) and rng.random() < 0.4,
        ))
    return rows


def _researcher_rows(rng: random.Random, fake: Faker, n: int, organizations: list[Organization]) -> list[Researcher]:
    taken: set[str] = set()
    rows: list[Researcher] = []
    weights = [8 if o.org_type in (OrganizationType.UNIVERSITY, OrganizationType.GRI) else
               4 if o.org_type == OrganizationType.LARGE else 1 for o in organizations]
    cumulative = list(itertools.accumulate(weights))
    today = timezone.localdate()
    for _ in range(n):
        org = rng.choices(organizations, cum_weights=cumulative, k=1)[0]
        while True:
            number = f"{rng.randint(10_000_000, 99_999_999)}"
            if number not in taken:
                taken.add(number)
                break
        stage = _weighted(rng, {CareerStage.POSTDOC: 12, CareerStage.EARLY_CAREER: 28, CareerStage.MID_CAREER: 35,
                                CareerStage.SENIOR: 25})
        field, (keywords, prefix) = rng.choice(list(FIELDS.items()))
        department = rng.choice(UNIVERSITY_DEPARTMENTS if org.org_type == OrganizationType.UNIVERSITY else DEPARTMENTS)
        star = (today - dt.timedelta(days=rng.randint(30, 900))) if stage == CareerStage.SENIOR and rng.random() < 0.04 else None
        rows.append(Researcher(
            national_researcher_number=number, name=fake.name(), organization=org, department=department,
            career_stage=stage, star_engineer_since=star,
            expertise_keywords=[field, *rng.sample(keywords, k=min(3, len(keywords)))],
            technology_codes=sorted({f"{prefix}{rng.randint(1, 12):02d}{rng.randint(1, 9):02d}" for _ in range(2)}),
            email=f"r{number}@example.kr",
        ))
    return rows


def _insert_missing(model, rows: list, key: str, progress: Callable[[str, int, int], None], label: str) -> int:
    existing = set(model.objects.values_list(key, flat=True))
    missing = [row for row in rows if getattr(row, key) not in existing]
    for start in range(0, len(missing), 2_000):
        model.objects.bulk_create(missing[start:start + 2_000])
        progress(label, min(start + 2_000, len(missing)), len(missing))
    return len(missing)


def seed_run(*, scale: str, seed: int, progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    """Load reference data of the given scale; returns how many rows of each kind were added."""
    progress = progress or (lambda label, done, total: None)
    size = SCALES[scale]
    rng = random.Random(seed)
    fake = Faker("ko_KR")
    fake.seed_instance(seed)
    today = timezone.localdate()
    added: dict[str, int] = {}
    # Demo people have made-up addresses: e-mails the domains send while seeding (decisions) stay in memory.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), transaction.atomic():
        regions = _regions_by_code(today)
        organizations = _organization_rows(rng, fake, size.organizations, regions)
        added["organizations"] = _insert_missing(
            Organization, organizations, "business_registration_number", progress, "organizations")
        by_brn = {o.business_registration_number: o for o in Organization.objects.filter(
            business_registration_number__in=[o.business_registration_number for o in organizations])}
        organizations = [by_brn[o.business_registration_number] for o in organizations]
        researchers = _researcher_rows(rng, fake, size.researchers, organizations)
        added["researchers"] = _insert_missing(
            Researcher, researchers, "national_researcher_number", progress, "researchers")
        added["programs"] = 0
        for code, ko, en, pillar, budget in PROGRAMS[: size.programs]:
            _, created = Program.objects.get_or_create(
                code=code, year=today.year, defaults={"name_ko": ko, "name_en": en, "pillar": pillar, "budget_krw": budget})
            added["programs"] += int(created)
        added["users"] = _demo_users(organizations, seed=seed)
        # Then each domain on top of the reference data, in the order a program year runs.
        for domain_seed in _domain_seeds():
            added.update(domain_seed(scale=scale, seed=seed, progress=progress))
    return added


def _domain_seeds() -> list[Callable[..., dict[str, int]]]:
    from doyak.agreements.seeding import agreements_changes_seed, agreements_signing_seed
    from doyak.capacity.seeding import capacity_seed
    from doyak.evaluation.seeding import evaluation_seed
    from doyak.finance.seeding import finance_seed
    from doyak.kpi.seeding import kpi_funds_seed
    from doyak.max.seeding import max_seed
    from doyak.portfolio.seeding import portfolio_seed
    from doyak.proposals.seeding import proposals_seed
    from doyak.regulation.seeding import regulation_seed  # after the drafts exist, before they are signed

    return [proposals_seed, evaluation_seed, portfolio_seed, regulation_seed, agreements_signing_seed, finance_seed,
            agreements_changes_seed, max_seed, execution_demo_seed, kpi_funds_seed, capacity_seed]


def execution_demo_seed(*, scale: str, seed: int, progress: Callable[[str, int, int], None] | None = None
                        ) -> dict[str, int]:
    """Project execution on the concluded demo agreements, through the execution services (issue 10 part 2):
    a stop for goals met early under special evaluation, a project stopped 120 days ago whose final and expense
    reports are overdue, and a graded final evaluation. Runs once (skipped when a stop request exists)."""
    from doyak.accounts.rules import SYSTEM
    from doyak.agreements.enums import AgreementStatus
    from doyak.agreements.models import Agreement
    from doyak.core.errors import DoyakError
    from doyak.engine.execution import grades_allowed
    from doyak.execution import services as execution
    from doyak.execution.models import StopRequest
    from doyak.execution.policies import grade_switch_date

    if StopRequest.objects.exists():
        return {"execution": 0}
    agreements = list(Agreement.objects.filter(status=AgreementStatus.ACTIVE).order_by("number")[:3])
    if len(agreements) < 3:
        return {"execution": 0}
    today = timezone.localdate()
    made = 0
    for agreement in agreements:
        execution.execution_schedule_ensure(actor=SYSTEM, agreement_id=agreement.pk)
    try:
        under, stopped, graded = agreements
        stop = execution.stop_request(actor=SYSTEM, agreement_id=under.pk, reason="goals_met_early",
                                      explanation="1단계에서 핵심 목표(시제품 성능)를 조기에 달성했습니다.")
        execution.special_evaluation_start(actor=SYSTEM, stop_request_id=stop.pk, today=today)
        notice = max(stopped.start_date, today - dt.timedelta(days=120))
        stop = execution.stop_request(actor=SYSTEM, agreement_id=stopped.pk, reason="environment_change",
                                      explanation="수요 기업의 사업 철수로 과제의 필요성이 없어졌습니다.")
        special = execution.special_evaluation_start(actor=SYSTEM, stop_request_id=stop.pk, today=notice)
        for member in special.panel.all():  # the panel met outside the application: its grades imported
            execution.panel_grade_enter(actor=SYSTEM, evaluation_id=special.pk, member_id=member.pk, outcome="stop",
                                        today=notice)
        execution.evaluation_record(actor=SYSTEM, evaluation_id=special.pk, outcome="stop",
                                    comments="환경 변화로 인한 성실 중단", today=notice)
        final = graded.project_evaluations.get(kind="final")
        execution.panel_form(actor=SYSTEM, evaluation_id=final.pk, today=today)
        grade = grades_allowed(on=today, switch_date=grade_switch_date(on=today))[1]
        for member in final.panel.all():
            execution.panel_grade_enter(actor=SYSTEM, evaluation_id=final.pk, member_id=member.pk, grade=grade,
                                        diligence="diligent", today=today)
        execution.evaluation_record(actor=SYSTEM, evaluation_id=final.pk, grade=grade, diligence="diligent",
                                    comments="목표 대비 성과 보통", today=today)
        made = 3
    except DoyakError:  # a pool too small for a panel: the demo keeps what it made
        pass
    return {"execution": made}


def _demo_users(organizations: list[Organization], *, seed: int) -> int:
    User = get_user_model()
    # The demo applicant works at a non-capital SME with a research team (the first such, in a stable order):
    # the plan's regional tracks are open to it, and the demo portfolio's non-capital share favours it.
    applicant_org = (
        Organization.objects.filter(pk__in=[o.pk for o in organizations], org_type=OrganizationType.SME)
        .exclude(region__group=RegionGroup.CAPITAL)
        .annotate(team=Count("researchers")).filter(team__gte=3).order_by("business_registration_number").first()
        or next(o for o in organizations if o.org_type == OrganizationType.SME)
    )
    evaluator = Researcher.objects.filter(career_stage=CareerStage.SENIOR).order_by("national_researcher_number").first()
    created_count = 0
    for username, role, display in ROLE_LOGINS:
        user, created = User.objects.get_or_create(username=username, defaults={
            "role": role, "display_name": display, "email": f"{username}@doyak.example",
            "is_staff": role == Role.ADMINISTRATOR, "is_superuser": role == Role.ADMINISTRATOR,
        })
        if created:
            if role == Role.APPLICANT:
                user.organization = applicant_org
            if role == Role.EVALUATOR and evaluator is not None:
                # the login is that researcher: her registry entry carries her name, so the evaluator profile,
                # the pool and the assignments the login sees are her own, not another person's
                evaluator.name = display.split(" (")[0]
                evaluator.save(update_fields=["name"])
                user.researcher = evaluator
            user.set_password(DEMO_PASSWORD)
            user.save()
            created_count += 1
    return created_count


def demo_logins() -> list[tuple[str, str, str]]:
    """(role label, username, password) for each demo login."""
    return [(str(role.label), username, DEMO_PASSWORD) for username, role, _display in ROLE_LOGINS]
