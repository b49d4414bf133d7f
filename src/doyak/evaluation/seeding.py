"""The evaluator pool for the demo and national data sets, deterministic for a given seed.

``demo``: 120 pool entries, ``national``: 6,000; about one in twelve is an outside expert (an
accounting firm, a bank, a consultancy), the rest are registered mid-career and senior researchers;
about 15% are economic/market experts. The demo ``evaluator`` login gets an entry of its own.
Running it again adds nothing: researchers already in the pool and outside experts already present
(matched on e-mail) are skipped.

Then a program year's evaluation, through the app's own services, acted by the demo program manager:

* a closed call the demo applicant applied to (the one with the most submitted proposals among them) gets a
  panel, an assignment solved by the engine, signed pledges, every evaluator's scores (60–90 points or so,
  the applicant's own strong; Korean comments; deterministic for the seed) and published results, dated back
  so that the appeal window has closed: its proposals pass (evaluated) or fail, and the portfolio seed
  approves a scenario among those that passed;
* ``demo`` only: the next closed call stays in review: a panel, the engine's assignment with the demo
  ``evaluator`` login added by hand, about half the other evaluators done, the login's own pledge unsigned.

Evaluators who score get a sign-in of their own (no password) linked to their pool entry, as scoring
needs one. Nothing happens when a seeded panel exists already, or when there is no ``pm`` login.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation

from doyak.accounts.enums import Role
from doyak.accounts.rules import Actor
from doyak.calls.enums import CallStatus
from doyak.calls.models import Call, Criterion
from doyak.core.audit import audit_record
from doyak.core.errors import DoyakError
from doyak.organizations.enums import CareerStage
from doyak.organizations.models import Researcher
from doyak.policies.services import policy_value
from doyak.proposals.enums import ProposalStatus

from .enums import AssignmentStatus, Objective, RunStatus
from .models import AssignmentRun, EvaluatorProfile, Panel

logger = logging.getLogger(__name__)

POOL_SIZES = {"demo": 120, "national": 6_000}
ECONOMIC_SHARE = 0.15
OUTSIDE_SHARE = 1 / 12
OUTSIDE_ORGANIZATIONS = ["한결회계법인", "미래경영컨설팅", "한국산업은행 기술금융부", "누리기술평가원", "새솔벤처파트너스",
                         "청우특허법률사무소", "대양시장분석연구소"]
OUTSIDE_FAMILY = "김이박최정강조윤장임한오서신권황안송류홍"
OUTSIDE_GIVEN = ["민서", "지호", "서준", "하윤", "도현", "수빈", "예준", "지우", "시우", "유진", "현우", "서아"]
ECONOMIC_TEXT = "기술사업화 타당성, 시장 분석, 경제성 평가, 투자 유치, 사업화 전략"

# The seeded panels (one per call); their presence makes a second run skip the evaluation part.
PANEL_NAME = "서면평가 1분과"
# Proposals on the published panel at most (the national data set has hundreds per call).
PANEL_PROPOSALS_MAX = {"demo": 40, "national": 30}
# Days between the close of the appeal window and today, for the published demo call.
PUBLISHED_DAYS_AFTER_WINDOW = 4
# The demo applicant's proposal scores about this (percent of each criterion's scale).
APPLICANT_QUALITY = 92.0
# Share of the other evaluators of the panel left in review who have already submitted.
IN_REVIEW_DONE_SHARE = 0.5
# Per criterion kind: comments for a strong, a middling and a weak score.
COMMENTS = {
    "creativity_plan": ("연구 목표가 도전적이고 단계별 추진 계획이 구체적임.",
                        "목표는 타당하나 연차별 세부 계획과 검증 방법을 보완할 필요가 있음.",
                        "기존 기술과의 차별성이 불명확하고 추진 일정이 과도하게 낙관적임."),
    "capability": ("주관기관의 관련 실적과 연구진 구성이 우수하여 수행 역량이 충분함.",
                   "연구진 역량은 적정하나 참여기관 간 역할 분담을 더 명확히 할 필요가 있음.",
                   "핵심 인력의 참여율이 낮고 유사 과제 수행 경험이 부족함."),
    "impact": ("수요기업 연계가 명확하여 사업화 가능성과 파급효과가 큼.",
               "기대효과는 인정되나 시장 진입 전략과 정량 목표가 다소 부족함.",
               "경제적 파급효과의 근거가 약하고 사업화 계획이 추상적임."),
    "ripple": ("지역 투자·고용 계획이 구체적이고 실현 가능성이 높음.",
               "지역 파급효과는 기대되나 이행 담보 방안을 보완할 필요가 있음.",
               "지역 파급효과 산출 근거가 부족함."),
    "other": ("전반적으로 우수함.", "보완이 필요한 부분이 일부 있음.", "전반적인 보완이 필요함."),
}


def evaluation_seed(*, scale: str, seed: int,
                    progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    """Fill the evaluator pool; returns ``{"evaluator_profiles": added}``."""
    progress = progress or (lambda label, done, total: None)
    rng = random.Random(seed * 7919 + 4)
    size = POOL_SIZES[scale]
    added = 0
    with transaction.atomic():
        added += _demo_evaluator()
        n_outside = round(size * OUTSIDE_SHARE)
        in_pool = set(EvaluatorProfile.objects.exclude(researcher=None).values_list("researcher_id", flat=True))
        candidates = list(Researcher.objects.filter(career_stage__in=[CareerStage.MID_CAREER, CareerStage.SENIOR])
                          .order_by("national_researcher_number").values_list("id", flat=True))
        chosen = rng.sample(candidates, k=min(size - n_outside, len(candidates)))
        if len(in_pool) >= size - n_outside:
            # the pool is full from an earlier run: later seeds move researchers between career stages (the
            # talent cycle), so drawing again would pick other people, not the same ones
            chosen = []
        missing = [pk for pk in chosen if pk not in in_pool]
        researchers = Researcher.objects.in_bulk(missing)
        rows = []
        for pk in missing:
            r = researchers[pk]
            economic = rng.random() < ECONOMIC_SHARE
            rows.append(EvaluatorProfile(
                researcher=r, name=r.name, email=r.email, keywords=list(r.expertise_keywords or []),
                technology_codes=list(r.technology_codes or []), is_economic_expert=economic,
                expertise_text=ECONOMIC_TEXT if economic else "", max_load=rng.choice([3, 4, 5, 5, 6, 8])))
        known_emails = set(EvaluatorProfile.objects.filter(researcher=None).values_list("email", flat=True))
        for i in range(n_outside):
            email = f"expert{seed}-{i:05d}@example.kr"
            name = rng.choice(OUTSIDE_FAMILY) + rng.choice(OUTSIDE_GIVEN)
            org = rng.choice(OUTSIDE_ORGANIZATIONS)
            if email in known_emails:
                continue
            rows.append(EvaluatorProfile(
                name=name, organization_name=org, department="평가팀", email=email, is_economic_expert=True,
                keywords=["사업화", "시장 분석", "기술가치평가"], expertise_text=ECONOMIC_TEXT,
                max_load=rng.choice([4, 5, 6])))
        for start in range(0, len(rows), 2_000):
            EvaluatorProfile.objects.bulk_create(rows[start:start + 2_000])
            progress("evaluator pool", min(start + 2_000, len(rows)), len(rows))
        added += len(rows)
    counts = {"evaluator_profiles": added, "panels": 0, "assignments": 0, "decisions": 0}
    with transaction.atomic(), translation.override("ko"):
        _demo_evaluation(scale=scale, seed=seed, counts=counts, progress=progress)
    return counts


def _demo_evaluator() -> int:
    """The demo ``evaluator`` login's own pool entry (its researcher's expertise)."""
    user = get_user_model().objects.filter(username="evaluator").select_related("researcher").first()
    if user is None or EvaluatorProfile.objects.filter(user=user).exists():
        return 0
    researcher = user.researcher
    if researcher is not None and EvaluatorProfile.objects.filter(researcher=researcher).exists():
        EvaluatorProfile.objects.filter(researcher=researcher, user=None).update(user=user)
        return 0
    EvaluatorProfile.objects.create(
        user=user, researcher=researcher, name=researcher.name if researcher else str(user),
        email=user.email, keywords=list(researcher.expertise_keywords or []) if researcher else [],
        technology_codes=list(researcher.technology_codes or []) if researcher else [], max_load=8)
    return 1


# --------------------------------------------------------------------------------------------
# A program year's evaluation
# --------------------------------------------------------------------------------------------


def _demo_evaluation(*, scale: str, seed: int, counts: dict[str, int],
                     progress: Callable[[str, int, int], None]) -> None:
    from .services import decisions_publish, panel_create

    pm = get_user_model().objects.filter(username="pm", role=Role.PROGRAM_MANAGER, is_active=True).first()
    if pm is None or Panel.objects.filter(name=PANEL_NAME).exists():
        return
    waiting = Q(proposals__status__in=[ProposalStatus.SUBMITTED, ProposalStatus.UNDER_REVIEW])
    applicant_org = (get_user_model().objects.filter(username="applicant").values_list("organization_id", flat=True)
                     .first())
    mine = waiting & Q(proposals__lead_organization_id=applicant_org)
    # The call published first is one the demo applicant applied to (so its login meets a result).
    calls = list(Call.objects.filter(status=CallStatus.CLOSED)
                 .annotate(waiting=Count("proposals", filter=waiting), mine=Count("proposals", filter=mine))
                 .filter(waiting__gt=0).order_by("-mine", "-waiting", "reference")[:2 if scale == "demo" else 1])
    window = int(policy_value("evaluation.appeal_window_days"))
    # Published long enough ago that the appeal window has closed (the portfolio seed then approves).
    published_at = timezone.now() - dt.timedelta(days=window + PUBLISHED_DAYS_AFTER_WINDOW)
    rng = random.Random(seed * 7919 + 5)
    for i, call in enumerate(calls):
        waiting_here = call.proposals.filter(status__in=[ProposalStatus.SUBMITTED, ProposalStatus.UNDER_REVIEW])
        proposal_ids = list(waiting_here.order_by("reference").values_list("pk", flat=True)[:PANEL_PROPOSALS_MAX[scale]])
        panel = panel_create(actor=pm, call_id=call.pk, data={"name": PANEL_NAME}, proposal_ids=proposal_ids)
        counts["panels"] += 1
        if not _assign(actor=pm, panel=panel):
            continue
        if i == 0:
            _score(panel=panel, rng=rng, share=1.0)
            counts["decisions"] += len(decisions_publish(actor=pm, panel_id=panel.pk, now=published_at))
        else:
            _add_demo_evaluator(actor=pm, panel=panel)
            _score(panel=panel, rng=rng, share=IN_REVIEW_DONE_SHARE)
        counts["assignments"] += panel.assignments.exclude(status=AssignmentStatus.WITHDRAWN).count()
        progress("evaluation panels", i + 1, len(calls))


def _assign(*, actor: Actor, panel: Panel) -> bool:
    """Solve the panel's assignment with the engine, in this process.

    ``assignment_run_start`` would also queue the background job on commit, and that job, run later by a
    worker, would replace the assignments the seed has scored; so the run is recorded as the service
    records it and executed here, as the worker would.
    """
    from .services import CANDIDATE_FACTOR, MIN_CANDIDATES, assignment_run_execute

    top_n = max(MIN_CANDIDATES, CANDIDATE_FACTOR * panel.per_proposal)
    run = AssignmentRun.objects.create(panel=panel, objective=Objective.TOTAL, per_proposal=panel.per_proposal,
                                       top_n=top_n, created_by=actor, message="")
    audit_record(actor=actor, action="assignment_run.start", obj=run,
                 changes={"panel": panel.pk, "objective": Objective.TOTAL, "per_proposal": panel.per_proposal,
                          "top_n": top_n})
    try:
        run = assignment_run_execute(run_id=run.pk)
    except DoyakError:
        logger.warning("seed: assignment of panel %s failed", panel.pk, exc_info=True)
        return False
    return run.status == RunStatus.DONE


def _add_demo_evaluator(*, actor: Actor, panel: Panel) -> None:
    """The demo ``evaluator`` login on every proposal of the panel it has no conflict with (by hand)."""
    from .services import assignment_add

    profile = EvaluatorProfile.objects.filter(user__username="evaluator", active=True).first()
    if profile is None:
        return
    assigned = set(panel.assignments.filter(profile=profile).values_list("proposal_id", flat=True))
    for proposal_id in panel.proposals.order_by("reference").values_list("pk", flat=True):
        if proposal_id in assigned:
            continue
        try:
            assignment_add(actor=actor, panel_id=panel.pk, proposal_id=proposal_id, profile_id=profile.pk)
        except DoyakError:  # a conflict of interest or a full load: the demo goes on without this pair
            continue


def _evaluator_user(profile: EvaluatorProfile):
    """The pool entry's sign-in, made (without a usable password) when it has none."""
    if profile.user_id:
        return profile.user
    User = get_user_model()
    local = (profile.email or "").split("@", 1)[0]
    username = f"eval-{local}" if local else f"eval-{profile.pk}"
    researcher_taken = profile.researcher_id and User.objects.filter(researcher_id=profile.researcher_id).exists()
    user, created = User.objects.get_or_create(username=username, defaults={
        "role": Role.EVALUATOR, "display_name": profile.name, "email": profile.email,
        "researcher_id": None if researcher_taken else profile.researcher_id})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    profile.user = user
    profile.save(update_fields=["user", "updated_at"])
    return user


def _score(*, panel: Panel, rng: random.Random, share: float) -> None:
    """Pledges and submitted scores for ``share`` of the panel's evaluators (all when 1.0), through the
    evaluator's own services; the demo ``evaluator`` login's assignments are left waiting.

    Each proposal has a quality spread over 60–90; each evaluator a leniency; each criterion some noise.
    """
    from .services import pledge_sign, scores_save

    criteria = list(Criterion.objects.filter(call_id=panel.call_id).order_by("order", "pk"))
    proposals = list(panel.proposals.order_by("reference").values_list("pk", flat=True))
    n = len(proposals)
    qualities = [60 + 30 * (k + 0.5) / n + rng.uniform(-4, 4) for k in range(n)]
    rng.shuffle(qualities)
    quality = dict(zip(proposals, qualities, strict=True))
    # The demo applicant's proposal is a strong one (so its login follows a selection into the ledger).
    for pk in panel.proposals.filter(lead_organization__members__username="applicant").values_list("pk", flat=True):
        quality[pk] = APPLICANT_QUALITY
    leniency: dict[int, float] = {}
    assignments = (panel.assignments.filter(status=AssignmentStatus.ASSIGNED).select_related("profile__user")
                   .order_by("proposal__reference", "profile_id"))
    if share < 1.0:
        assignments = assignments.exclude(profile__user__username="evaluator")
    for assignment in assignments:
        if share < 1.0 and rng.random() >= share:
            continue
        user = _evaluator_user(assignment.profile)
        pledge_sign(actor=user, proposal_id=assignment.proposal_id)
        bias = leniency.setdefault(assignment.profile_id, rng.gauss(0, 3))
        entries = []
        for criterion in criteria:
            percent = min(98.0, max(40.0, quality[assignment.proposal_id] + bias + rng.gauss(0, 4)))
            band = 0 if percent >= 80 else 1 if percent >= 65 else 2
            kind = "ripple" if criterion.kind.startswith("ripple_") else criterion.kind
            comment = COMMENTS.get(kind, COMMENTS["other"])[band]
            score = (Decimal(criterion.scale_max) * Decimal(percent) / 100).quantize(Decimal("1"))
            entries.append({"criterion_id": criterion.pk, "score": str(score), "comment": comment})
        scores_save(actor=user, proposal_id=assignment.proposal_id, entries=entries, submit=True)
