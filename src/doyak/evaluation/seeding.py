"""The evaluator pool for the demo and national data sets, deterministic for a given seed.

``demo``: 120 pool entries, ``national``: 6,000; about one in twelve is an outside expert (an
accounting firm, a bank, a consultancy), the rest are registered mid-career and senior researchers;
about 15% are economic/market experts. The demo ``evaluator`` login gets an entry of its own.
Running it again adds nothing: researchers already in the pool and outside experts already present
(matched on e-mail) are skipped.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction

from doyak.organizations.enums import CareerStage
from doyak.organizations.models import Researcher

from .models import EvaluatorProfile

POOL_SIZES = {"demo": 120, "national": 6_000}
ECONOMIC_SHARE = 0.15
OUTSIDE_SHARE = 1 / 12
OUTSIDE_ORGANIZATIONS = ["한결회계법인", "미래경영컨설팅", "한국산업은행 기술금융부", "누리기술평가원", "새솔벤처파트너스",
                         "청우특허법률사무소", "대양시장분석연구소"]
OUTSIDE_FAMILY = "김이박최정강조윤장임한오서신권황안송류홍"
OUTSIDE_GIVEN = ["민서", "지호", "서준", "하윤", "도현", "수빈", "예준", "지우", "시우", "유진", "현우", "서아"]
ECONOMIC_TEXT = "기술사업화 타당성, 시장 분석, 경제성 평가, 투자 유치, 사업화 전략"


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
    return {"evaluator_profiles": added}


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
