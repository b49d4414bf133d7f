"""Demo M.AX assets, registered and verified through the services (as the system, for the institutions that
lead the demo's selected projects): verified and awaiting ones of every kind, a few rejected. The chip
programme's milestones wait for the chip projects (``chip_milestones_seed``, called once the KPI seed has
concluded them) and are verified by the program manager. AI factories and
humanoid demonstrations stay behind their 2026 trajectory, lead models on it. Deterministic per seed; a second
run adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from doyak.accounts.rules import SYSTEM
from doyak.proposals.enums import ProposalStatus
from doyak.proposals.models import Proposal
from doyak.regions.selectors import region_list_valid_on

from .enums import AdoptionLevel, AssetKind
from .models import Asset
from .services import asset_evidence_add, asset_register, asset_verify

PDF = b"%PDF-1.4\n% doyak demo evidence\n"
# kind -> (verified, awaiting verification, rejected) per scale
# (the chip programme's milestones: ``chip_milestones_seed``, on the chip projects once they are concluded)
COUNTS = {AssetKind.AI_FACTORY: (80, 25, 2), AssetKind.LEAD_MODEL: (3, 4, 1),
          AssetKind.HUMANOID_DEMO: (7, 3, 0)}
TRACK_OF_KIND = {AssetKind.AI_FACTORY: "max_ai_factory", AssetKind.LEAD_MODEL: "max_lead_model",
                 AssetKind.HUMANOID_DEMO: "max_humanoid", AssetKind.CHIP_MILESTONE: "max_on_device_chip"}
INDUSTRIES = ["자동차부품", "이차전지", "조선", "정밀화학", "반도체 장비", "식품", "섬유", "철강"]
ROBOTS = ["산업용 휴머노이드 H1", "양팔 협동 휴머노이드", "이족보행 물류로봇"]
TASKS = ["부품 이송", "용접 보조", "검사", "창고 피킹", "도장 보조"]
MODELS = ["용접 품질 예측", "사출 불량 검출", "공정 최적화", "설비 예지보전", "도장 결함 판별", "배터리 셀 검사",
          "선박 블록 조립 계획"]
MILESTONES = ["NPU 아키텍처 확정", "MPW 테이프아웃", "엔지니어링 샘플", "온디바이스 LLM 실증", "양산 검증", "SDK 공개"]


def _name(kind: str, i: int, rng: random.Random) -> str:
    if kind == AssetKind.AI_FACTORY:
        return f"{rng.choice(INDUSTRIES)} AI 팩토리 {i + 1:03d}호"
    if kind == AssetKind.LEAD_MODEL:
        return f"{MODELS[i % len(MODELS)]} 선도모델 {i // len(MODELS) + 1}"
    if kind == AssetKind.HUMANOID_DEMO:
        return f"{rng.choice(TASKS)} 현장 실증 {i + 1:02d}"
    return f"{MILESTONES[i % len(MILESTONES)]} {i // len(MILESTONES) + 1}차"


def max_seed(*, scale: str, seed: int, progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    added = {"max_assets": 0}
    # the selected proposals (the projects that hold the demo's agreements): no read of agreements here, so
    # that the kpi app's sources stay the one place that reads them
    projects = list(Proposal.objects.filter(status=ProposalStatus.SELECTED).select_related("call").order_by("pk"))
    if Asset.objects.exists() or not projects:
        return added
    rng = random.Random(seed)
    today = timezone.localdate()
    regions = [r.code for r in region_list_valid_on(on=today).order_by("code")]
    start = max(dt.date(today.year, 1, 2), dt.date(2026, 1, 28))
    span = max(1, (today - start).days)
    with transaction.atomic():
        total = sum(sum(c) for c in COUNTS.values())
        for kind, (verified, waiting, rejected) in COUNTS.items():
            own_track = [p for p in projects if p.call.track == TRACK_OF_KIND[kind]] or projects
            for i in range(verified + waiting + rejected):
                project = own_track[i % len(own_track)]
                achieved = start + dt.timedelta(days=rng.randrange(span)) if i < verified else None
                planned = achieved or today + dt.timedelta(days=rng.randrange(30, 540))
                fields = {"industry": rng.choice(INDUSTRIES), "adoption_level": rng.choice(AdoptionLevel.values)} \
                    if kind == AssetKind.AI_FACTORY else {}
                if kind == AssetKind.HUMANOID_DEMO:
                    fields = {"robot": rng.choice(ROBOTS), "task": rng.choice(TASKS), "start_date": planned,
                              "end_date": planned + dt.timedelta(days=60)}
                asset = asset_register(actor=SYSTEM, kind=kind, organization_id=project.lead_organization_id,
                                       name=_name(kind, i, rng), region_code=rng.choice(regions), planned_date=planned,
                                       proposal_ids=[project.pk], **fields)
                asset_evidence_add(actor=SYSTEM, asset_id=asset.pk, name="증빙.pdf", content=PDF)
                if achieved is not None:
                    asset_verify(actor=SYSTEM, asset_id=asset.pk, accept=True, achieved_date=achieved)
                elif i >= verified + waiting:
                    asset_verify(actor=SYSTEM, asset_id=asset.pk, accept=False, note="증빙이 사업 성과와 맞지 않음")
                added["max_assets"] += 1
                if progress:
                    progress("max", added["max_assets"], total)
    return added


CHIP_TRACK = "max_on_device_chip"
CHIP_ACHIEVED_PER_PROJECT = 2  # milestones reached and verified per chip project; the next one awaits


def chip_milestones_seed(*, verifier, seed: int) -> int:
    """The on-device AI chip programme's milestones on its selected projects: each project's first
    ``CHIP_ACHIEVED_PER_PROJECT`` milestones registered (as the system, for the lead institution) with their
    evidence and verified by ``verifier`` (the program manager), the next one registered and awaiting
    verification. Runs once: nothing when a chip milestone exists or no chip project is selected."""
    projects = list(Proposal.objects.filter(status=ProposalStatus.SELECTED, call__track=CHIP_TRACK).order_by("pk"))
    if verifier is None or not projects or Asset.objects.filter(kind=AssetKind.CHIP_MILESTONE).exists():
        return 0
    rng = random.Random(seed * 7919 + 29)
    today = timezone.localdate()
    valid = {r.code for r in region_list_valid_on(on=today)}
    made = 0
    with transaction.atomic():
        for n, project in enumerate(projects):
            started = project.start_date or today
            for j in range(CHIP_ACHIEVED_PER_PROJECT + 1):
                milestone = MILESTONES[(n + j) % len(MILESTONES)]
                achieved = started + dt.timedelta(days=7 + 10 * j) if j < CHIP_ACHIEVED_PER_PROJECT else None
                if achieved is not None and achieved > today:
                    achieved = today
                planned = achieved or today + dt.timedelta(days=rng.randrange(60, 240))
                asset = asset_register(actor=SYSTEM, kind=AssetKind.CHIP_MILESTONE,
                                       organization_id=project.lead_organization_id,
                                       name=f"{project.title_ko}: {milestone}",
                                       region_code=_region_now(project.lead_organization.region.code, valid),
                                       planned_date=planned,
                                       proposal_ids=[project.pk])
                asset_evidence_add(actor=SYSTEM, asset_id=asset.pk, name="증빙.pdf", content=PDF)
                if achieved is not None:
                    asset_verify(actor=verifier, asset_id=asset.pk, accept=True, achieved_date=achieved)
                made += 1
    return made


def _region_now(code: str, valid: set[str]) -> str:
    """The region an institution's site is in today: 광주(29) and 전남(46) merged into 전남광주(53)."""
    return code if code in valid else "53" if code in ("29", "46") and "53" in valid else sorted(valid)[0]
