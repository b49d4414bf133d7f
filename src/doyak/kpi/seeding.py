"""Demo records behind the board's fund cards: the closed calls of the tracks and programmes the funds
indicators count (the regional package's ``regional_only``, the on-device chip's ``max_on_device_chip``, the
K-chemical transition's programme ``KCT``) that no panel took up yet go through the product's chain as the
program manager would take them, through the services: a panel, its assignment, every evaluator's scores,
published results (long enough ago that the appeal window closed), a solved portfolio scenario approved, and the
agreements concluded. A call already on a panel (the demo evaluator's work in progress) is left as it is. The
chip and chemical programmes' only demo calls are still open or in review, so an earlier round of each is made
first (``kpi_round_calls_seed``), and the chip projects then get their milestones (``max.seeding``).
Deterministic per seed; a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from doyak.accounts.enums import Role
from doyak.calls.enums import CallStatus
from doyak.calls.models import Call
from doyak.core.errors import DoyakError
from doyak.policies.services import policy_value
from doyak.proposals.enums import ProposalStatus

from .models import Indicator

logger = logging.getLogger(__name__)

PANEL_NAME = "서면평가 1분과"
SCENARIO_NAME = "계획 목표안 (협약 기금 선정)"
PUBLISHED_DAYS_AFTER_WINDOW = 4


def _fund_scope() -> tuple[list[str], list[str]]:
    """The tracks and the programme codes the board's fund indicators count (their selector parameters: data,
    not a list here)."""
    tracks: list[str] = []
    programs: list[str] = []
    for params in Indicator.objects.filter(selector="agreement_funds").values_list("selector_params", flat=True):
        tracks += [t for t in (params or {}).get("tracks", []) if t not in tracks]
        programs += [p for p in (params or {}).get("programs", []) if p not in programs]
    return tracks, programs


def _fund_tracks() -> list[str]:
    return _fund_scope()[0]


# An earlier round of the programmes whose only demo call is still open or in review, so that their fund cards
# count concluded agreements: (programme code, proposals, the regions their leads come from (empty: any)). The
# chemical transition's projects are led from the petrochemical complexes (Ulsan, Yeosu, Daesan).
ROUND_CALLS = (
    ("ODC", 6, (), ["온디바이스 LLM용 NPU", "저전력 엣지 AI 반도체", "차량용 AI SoC", "PIM 메모리 반도체",
                    "AI 가전용 추론칩", "로봇용 엣지 AI 칩"]),
    ("KCT", 6, ("31", "46", "53", "44"), ["나프타 분해 공정 전기화", "폐플라스틱 열분해 원료화", "바이오 기반 화학소재",
                                         "이산화탄소 전환 화학원료", "고부가 스페셜티 케미컬", "청정수소 활용 석유화학 공정"]),
)
ROUND_REFERENCE = "{year}-{code}-02"
ROUND_OPENED_DAYS_AGO, ROUND_CLOSED_DAYS_AGO = 160, 100
ROUND_PROPOSAL_NUMBER = 90_000_000  # references S<yy>9000000n: outside the demo and national ranges


def kpi_round_calls_seed(*, seed: int) -> dict[str, int]:
    """The earlier-round calls of ``ROUND_CALLS``, made, opened and closed by the program manager through the
    calls services, and their submitted proposals written as the proposals seed writes its own (budgets by the
    same rules); ``kpi_funds_seed`` then takes each through evaluation, selection and conclusion. A call that
    exists already is left as it is."""
    from doyak.calls.services import call_close, call_create, call_open
    from doyak.organizations.models import Organization, Researcher
    from doyak.programs.models import Program
    from doyak.proposals.models import Proposal
    from doyak.proposals.seeding import AIMS, _project_start, _write_chunk
    from doyak.regions.models import Region

    added = {"kpi_round_calls": 0, "kpi_round_proposals": 0}
    pm = get_user_model().objects.filter(username="pm", role=Role.PROGRAM_MANAGER, is_active=True).first()
    if pm is None:
        return added
    today = timezone.localdate()
    now = timezone.now()
    rng = random.Random(seed * 7919 + 17)
    organizations = list(Organization.objects.select_related("region").order_by("business_registration_number"))
    firms = [o for o in organizations if o.org_type in ("sme", "mid_size", "large", "early_mid_size")]
    by_org: dict[int, list[int]] = {}
    for researcher_id, org_id in Researcher.objects.order_by("national_researcher_number").values_list(
            "id", "organization_id"):
        by_org.setdefault(org_id, []).append(researcher_id)
    number = ROUND_PROPOSAL_NUMBER + Proposal.objects.filter(
        reference__startswith=f"S{today.year % 100:02d}9").count()
    with transaction.atomic(), translation.override("ko"):
        for code, count, region_codes, topics in ROUND_CALLS:
            program = Program.objects.filter(code=code, year=today.year).first()
            reference = ROUND_REFERENCE.format(year=today.year, code=code)
            if program is None or Call.objects.filter(reference=reference).exists():
                continue
            first = Call.objects.filter(program=program).order_by("reference").first()
            call = call_create(actor=pm, data={
                "program": program, "sub_program": program.sub_programs.order_by("code").first(),
                "reference": reference, "track": first.track if first else "general",
                "title_ko": f"{program.year}년 {program.name_ko} 선도과제 공고",
                "title_en": f"{program.year} {program.name_en} call for lead projects",
                "opens_at": now - dt.timedelta(days=ROUND_OPENED_DAYS_AGO),
                "closes_at": now - dt.timedelta(days=ROUND_CLOSED_DAYS_AGO),
                "required_documents": ["plan"], "budget_krw": program.budget_krw // 2,
                "max_gov_per_project_krw": None})
            call_open(actor=pm, call_id=call.pk)
            call = call_close(actor=pm, call_id=call.pk)
            pool = [o for o in firms if not region_codes or o.region.code in region_codes] or firms
            planned = []
            start = _project_start(call, today)
            for k in range(count):
                number += 1
                lead = pool[rng.randrange(len(pool))]
                topic = topics[k % len(topics)]
                submitted = call.opens_at + dt.timedelta(minutes=rng.randrange(60, (ROUND_OPENED_DAYS_AGO
                                                                                  - ROUND_CLOSED_DAYS_AGO) * 1440))
                planned.append((Proposal(
                    call=call, reference=f"S{today.year % 100:02d}{number:08d}", lead_organization=lead,
                    status="submitted", title_ko=f"{topic} {rng.choice(AIMS)}", title_en=f"{program.name_en} R&D",
                    abstract_ko=f"{program.name_ko} 핵심기술 개발과 실증.",
                    abstract_en=f"Research and demonstration for the {program.name_en}.",
                    keywords=[topic, rng.choice(AIMS)],
                    technology_codes=[f"E{rng.choice('ABCDEFGHIJ')}{rng.randint(1, 12):02d}{rng.randint(1, 9):02d}"],
                    start_date=start, end_date=dt.date(start.year + 1, 12, 31), submitted_at=submitted),
                    # the flagship projects of these programmes run at the large-project scale (≥ ₩10B)
                    {"years": [start.year, start.year + 1], "track": "large_scale"}))
            regions = list(Region.objects.filter(valid_to__isnull=True))
            researcher_ids = [rid for ids in by_org.values() for rid in ids]
            _write_chunk(planned, rng=rng, by_org_researchers=by_org, researcher_ids=researcher_ids,
                         smes=[o for o in organizations if o.org_type == "sme"] or organizations,
                         organizations=organizations, regions=regions)
            added["kpi_round_calls"] += 1
            added["kpi_round_proposals"] += len(planned)
    return added


def kpi_funds_seed(*, scale: str, seed: int, progress: Callable[[str, int, int], None] | None = None
                   ) -> dict[str, int]:
    from doyak.agreements.models import Agreement
    from doyak.agreements.services import agreements_conclude_for_call
    from doyak.evaluation.models import Panel
    from doyak.evaluation.seeding import _assign, _score  # the evaluation seed's own steps, reused
    from doyak.evaluation.services import decisions_publish, panel_create
    from doyak.portfolio.enums import ScenarioStatus
    from doyak.portfolio.models import Scenario
    from doyak.portfolio.services import (
        scenario_approve,
        scenario_create,
        scenario_solve_execute,
        scenario_submit,
    )
    from doyak.proposals.workflow import TRANSITIONS

    added = {"fund_calls_selected": 0, "chip_milestones": 0, **kpi_round_calls_seed(seed=seed)}
    users = get_user_model().objects.filter(is_active=True)
    pm = users.filter(Q(username="pm") | Q(role=Role.PROGRAM_MANAGER)).order_by("-username").first()
    approver = users.filter(Q(role__in=TRANSITIONS["select"].roles) | Q(is_superuser=True)).order_by("pk").first()
    if pm is None or approver is None:
        return added
    waiting = [ProposalStatus.SUBMITTED, ProposalStatus.UNDER_REVIEW]
    on_panel = Panel.objects.values("call_id")
    tracks, programs = _fund_scope()
    calls = [c for c in Call.objects.filter(Q(track__in=tracks) | Q(program__code__in=programs),
                                            status=CallStatus.CLOSED)
             .exclude(pk__in=on_panel).order_by("reference")
             if c.proposals.filter(status__in=waiting).exists()
             and not Agreement.objects.filter(proposal__call=c).exists()]
    # the earlier rounds last, so the other calls draw the same evaluators and scores as before they existed
    rounds = {ROUND_REFERENCE.format(year=c.program.year, code=c.program.code) for c in calls}
    calls.sort(key=lambda c: c.reference in rounds)
    window = int(policy_value("evaluation.appeal_window_days"))
    published_at = timezone.now() - dt.timedelta(days=window + PUBLISHED_DAYS_AFTER_WINDOW)
    rng = random.Random(seed * 7919 + 13)
    with transaction.atomic(), translation.override("ko"):
        for index, call in enumerate(calls, start=1):
            ids = list(call.proposals.filter(status__in=waiting).order_by("reference").values_list("pk", flat=True))
            panel = panel_create(actor=pm, call_id=call.pk, data={"name": PANEL_NAME}, proposal_ids=ids)
            if not _assign(actor=pm, panel=panel):
                continue
            _score(panel=panel, rng=rng, share=1.0)
            decisions_publish(actor=pm, panel_id=panel.pk, now=published_at)
            scenario = scenario_create(actor=pm, name=SCENARIO_NAME, call_id=call.pk)
            # as ``scenario_solve_request`` marks it, but solved here rather than by a queued task
            Scenario.objects.filter(pk=scenario.pk).update(status=ScenarioStatus.SOLVING)
            try:
                scenario = scenario_solve_execute(scenario_id=scenario.pk)
                if scenario.status != ScenarioStatus.SOLVED:
                    continue
                scenario_submit(actor=pm, scenario_id=scenario.pk)
                scenario_approve(actor=approver, scenario_id=scenario.pk)
            except DoyakError as exc:  # an unsolvable or refused demo stays as it is; seeding goes on
                logger.info("seed: call %s not selected: %s", call.reference, exc)
                continue
            agreements_conclude_for_call(actor=pm, call_id=call.pk)
            added["fund_calls_selected"] += 1
            if progress:
                progress("KPI fund calls", index, len(calls))
    from doyak.max.seeding import chip_milestones_seed

    added["chip_milestones"] = chip_milestones_seed(verifier=pm, seed=seed)
    return added
