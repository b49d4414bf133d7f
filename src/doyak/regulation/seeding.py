"""The regulation demo, through the services: 30 regulation innovation tasks (marked as demo data, owned by the
demo liaison), the selected regulation-free projects' dependencies grown from their proposals, a regulatory
agreement for each regulation-free agreement draft (so that the signing seed can sign them), and dependencies
in each of the four statuses as of the demo's today, with the daily job's alerts raised. Runs once (skipped when
a task exists).

It runs after the portfolio seed (the drafts exist) and before the agreements' signing seed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from doyak.accounts.enums import Role
from doyak.accounts.rules import SYSTEM

from .enums import MilestoneKind, Route, TaskStatus
from .models import ProjectRegulation, RegulationTask
from .policies import agreement_required_tracks
from .services import (
    dependencies_sync,
    dependency_create,
    dependency_record,
    milestone_add,
    note_log,
    regulation_daily,
    regulatory_agreement_record,
    task_create,
    task_transition,
)

# code, title, industry, ministry, law, article, what must change, status
TASKS = [
    ("자율주행차 무인 실증 구역 확대", "자동차", "국토교통부", "자율주행자동차 상용화 촉진 및 지원에 관한 법률", "제9조", "law_amendment", "in_consultation"),
    ("자율주행차 원격 운전 허용", "자동차", "국토교통부", "도로교통법", "제2조", "law_amendment", "identified"),
    ("수소충전소 도심 이격거리 완화", "에너지", "산업통상부", "고압가스 안전관리법 시행규칙", "별표 5", "enforcement_decree", "resolved"),
    ("액화수소 운송 용기 기준 신설", "에너지", "산업통상부", "고압가스 안전관리법", "제17조", "notice", "in_consultation"),
    ("수소 추진 선박 연료 기준", "조선해양", "해양수산부", "선박안전법", "제26조", "notice", "in_consultation"),
    ("자율운항 선박 무인 운항 실증", "조선해양", "해양수산부", "선박직원법", "제11조", "law_amendment", "identified"),
    ("산업용 휴머노이드 협동 작업 기준", "로봇", "고용노동부", "산업안전보건기준에 관한 규칙", "제223조", "enforcement_decree", "in_consultation"),
    ("실외 이동로봇 보도 통행", "로봇", "산업통상부", "지능형 로봇 개발 및 보급 촉진법", "제40조의2", "law_amendment", "resolved"),
    ("배송 드론 가시권 밖 비행", "항공", "국토교통부", "항공안전법", "제129조", "enforcement_decree", "in_consultation"),
    ("도심항공교통 시험비행 공역", "항공", "국토교통부", "도심형항공교통 활용 촉진 및 지원에 관한 법률", "제10조", "notice", "identified"),
    ("폐배터리 재사용 안전 검사", "이차전지", "환경부", "전기·생활용품안전법", "제15조", "notice", "resolved"),
    ("전고체 배터리 시험 인증 기준", "이차전지", "산업통상부", "전기용품 및 생활용품 안전관리법", "제5조", "notice", "in_consultation"),
    ("제조 AI 학습용 공정 데이터 활용", "인공지능", "개인정보보호위원회", "개인정보 보호법", "제28조의2", "interpretation", "resolved"),
    ("AI 의료기기 변경 허가 간소화", "바이오", "식품의약품안전처", "의료기기법", "제12조", "enforcement_decree", "in_consultation"),
    ("원격 환자 모니터링 실증", "바이오", "보건복지부", "의료법", "제34조", "law_amendment", "identified"),
    ("유전체 분석 소비자 직접 검사 확대", "바이오", "보건복지부", "생명윤리 및 안전에 관한 법률", "제50조", "notice", "dropped"),
    ("스마트공장 설비 무선 주파수 할당", "반도체", "과학기술정보통신부", "전파법 시행령", "제25조", "enforcement_decree", "resolved"),
    ("반도체 공정 화학물질 취급 기준", "반도체", "환경부", "화학물질관리법", "제24조", "enforcement_decree", "in_consultation"),
    ("탄소 포집 저장 실증 부지", "화학", "산업통상부", "탄소중립기본법", "제34조", "law_amendment", "identified"),
    ("친환경 플라스틱 재활용 원료 인정", "화학", "환경부", "자원의 절약과 재활용촉진에 관한 법률", "제9조의2", "notice", "resolved"),
    ("폐플라스틱 열분해유 원료 사용", "화학", "환경부", "폐기물관리법 시행규칙", "별표 5의3", "enforcement_decree", "in_consultation"),
    ("건설 현장 자율 건설기계 운행", "건설", "국토교통부", "건설기계관리법", "제26조", "law_amendment", "identified"),
    ("전기차 충전기 이동형 설치", "자동차", "산업통상부", "전기사업법", "제2조", "interpretation", "resolved"),
    ("차량 소프트웨어 무선 업데이트", "자동차", "국토교통부", "자동차관리법", "제34조", "enforcement_decree", "in_consultation"),
    ("해상풍력 부유식 설비 인증", "에너지", "산업통상부", "전기사업법 시행규칙", "제29조", "notice", "in_consultation"),
    ("에너지저장장치 실내 설치 기준", "에너지", "산업통상부", "전기설비기술기준", "제53조", "notice", "identified"),
    ("스마트 농기계 자율 주행", "농업", "농림축산식품부", "농업기계화 촉진법", "제9조", "notice", "dropped"),
    ("디지털 트윈 공간정보 개방", "인공지능", "국토교통부", "공간정보의 구축 및 관리 등에 관한 법률", "제16조", "interpretation", "resolved"),
    ("산업단지 입주 업종 네거티브 전환", "소재부품", "산업통상부", "산업집적활성화 및 공장설립에 관한 법률", "제38조", "law_amendment", "in_consultation"),
    ("소형 모듈 원자로 부지 기준", "에너지", "원자력안전위원회", "원자력안전법", "제10조", "law_amendment", "identified"),
]


def _user(role: Role, username: str):
    User = get_user_model()
    return (User.objects.filter(username=username, role=role, is_active=True).first()
            or User.objects.filter(role=role, is_active=True).order_by("username").first())


def _tasks(today: dt.date) -> list[RegulationTask]:
    liaison = _user(Role.REGULATION_LIAISON, "regulation")
    tasks = []
    for n, (title, industry, ministry, law, article, kind, status) in enumerate(TASKS, start=1):
        task = task_create(actor=SYSTEM, is_demo=True, owner_id=liaison.pk if liaison and n % 3 else None, data={
            "code": f"RT-{today.year}-{n:02d}", "title": title, "industry": industry, "ministry": ministry,
            "law": law, "article": article, "change_kind": kind,
            "description": f"{law} {article} 개선 필요 (데모 데이터)"},
            milestones=[{"on": (today + dt.timedelta(days=30 * (n % 6 + 1))).isoformat(), "text": "부처 협의"}])
        if status in (TaskStatus.IN_CONSULTATION, TaskStatus.RESOLVED, TaskStatus.DROPPED):
            task = task_transition(actor=SYSTEM, task_id=task.pk, status=TaskStatus.IN_CONSULTATION)
        if status in (TaskStatus.RESOLVED, TaskStatus.DROPPED):
            resolution = "개정 공포, 시행" if status == TaskStatus.RESOLVED else "부처 간 이견으로 중단, 후속 과제로 이관"
            task = task_transition(actor=SYSTEM, task_id=task.pk, status=status, resolution=resolution,
                                   resolved_on=today - dt.timedelta(days=15 * n))
        tasks.append(task)
    return tasks


def _regulatory_agreements(today: dt.date) -> int:
    from doyak.agreements.enums import AgreementStatus
    from doyak.agreements.models import Agreement

    made = 0
    drafts = Agreement.objects.filter(status=AgreementStatus.DRAFT, proposal__call__track__in=agreement_required_tracks(),
                                      regulatory_agreement__isnull=True).order_by("pk")
    for agreement in drafts:
        regulatory_agreement_record(actor=SYSTEM, agreement_id=agreement.pk, number=f"RA-{agreement.number}",
                                    ministry="산업통상부", signed_on=today,
                                    terms="실증 착수 전 규제특례 신청, 실증 결과 공유, 법령 정비 협의 참여")
        made += 1
    return made


def _four_statuses(today: dt.date, tasks: list[RegulationTask]) -> int:
    """The first four dependencies, one in each status as of ``today`` (more are made on regulation-free
    projects, or any project, when fewer exist)."""
    from doyak.proposals.models import Proposal

    deps = list(ProjectRegulation.objects.order_by("pk")[:4])
    if len(deps) < 4:
        proposals = list(Proposal.objects.filter(agreement__isnull=False).order_by(
            "-call__track", "reference")[:4]) or list(Proposal.objects.order_by("reference")[:4])
        for i in range(4 - len(deps)):
            if not proposals:
                break
            deps.append(dependency_create(actor=SYSTEM, proposal_id=proposals[i % len(proposals)].pk,
                                          regulation=tasks[i].law, route=Route.DEMONSTRATION_EXEMPTION,
                                          task_id=tasks[i].pk, today=today))
    plans = [  # on track, at risk, blocked, expiring
        {"task": 0, "milestone": 150, "record": {"applied_on": -240, "granted_on": -180, "effective_on": -170}},
        {"task": 6, "milestone": 45, "record": {"applied_on": -40}},
        {"task": 8, "milestone": -10, "record": {"applied_on": -120}},
        {"task": 3, "milestone": None, "record": {"applied_on": -800, "granted_on": -700, "effective_on": -700,
                                                  "expires_on": 30}},
    ]
    for dep, plan in zip(deps, plans, strict=False):
        task = tasks[plan["task"]]
        ProjectRegulation.objects.filter(pk=dep.pk).update(task=task, ministry=task.ministry, law=task.law)
        if plan["milestone"] is not None:
            milestone_add(actor=SYSTEM, dependency_id=dep.pk, kind=MilestoneKind.FIELD_DEMONSTRATION,
                          title="현장 실증 착수", due_on=today + dt.timedelta(days=plan["milestone"]), today=today)
        dep.milestones.exclude(title="현장 실증 착수").update(done=True)
        dependency_record(actor=SYSTEM, dependency_id=dep.pk, today=today, data={
            **{k: today + dt.timedelta(days=v) for k, v in plan["record"].items()},
            "conditions": "실증 구역 내, 안전요원 동승, 책임보험 가입", "limit_months": 24,
            "limit_place": "지정 실증 구역", "limit_scale": "시험 차량 10대 이내", "insurance_krw": 1_000_000_000})
    if deps:
        note_log(actor=SYSTEM, dependency_id=deps[min(1, len(deps) - 1)].pk, kind="contact", contact_name="김규제",
                 contact_organization=tasks[6].ministry, text="실증특례 심의 일정 문의, 다음 달 심의위원회 상정 예정")
    return len(deps)


def regulation_seed(*, scale: str, seed: int, progress: Callable[[str, int, int], None] | None = None
                    ) -> dict[str, int]:
    keys = ("regulation_tasks", "regulatory_agreements", "regulation_dependencies", "regulation_alerts")
    if RegulationTask.objects.exists():
        return dict.fromkeys(keys, 0)
    today = timezone.localdate()
    with transaction.atomic():
        tasks = _tasks(today)
        agreements = _regulatory_agreements(today)
        synced = dependencies_sync(actor=SYSTEM)
        _four_statuses(today, tasks)
        result = regulation_daily(actor=SYSTEM, today=today)
    if progress:
        progress("regulation", len(tasks), len(tasks))
    return {"regulation_tasks": len(tasks), "regulatory_agreements": agreements,
            "regulation_dependencies": synced, "regulation_alerts": result["alerts"]}
