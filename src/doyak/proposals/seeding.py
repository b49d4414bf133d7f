"""Calls and proposals for the demo and the national-scale benchmark, deterministic for a seed.

``demo``: one call per program in every state (open, closed, draft, cancelled) and about 150 proposals, some
submitted and under review for the program manager's list; the demo applicant's organisation gets a draft and a
submitted proposal in every closed call. No proposal is seeded as decided: the evaluation seed publishes one
call's results and the portfolio seed approves its scenario, through their services.
``national``: three calls per program and 20,400 proposals over them, as the benchmark needs.
Budgets respect the rules (government share, cash share, allowance, indirect cost) so the lists look real.
Run again with the same seed, it adds nothing: calls and proposals are matched on their numbers.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from doyak.calls.defaults import DEFAULT_CRITERIA, RIPPLE_DEFAULT_CRITERIA
from doyak.calls.models import Call, Criterion
from doyak.organizations.models import Organization, Researcher
from doyak.programs.models import Program, SubProgram
from doyak.regions.models import Region

from .enums import MemberRole, ProposalStatus
from .models import BudgetLine, ConsortiumMember, Proposal, RegulationDependency, RippleCommitment, TeamMember

TRACK_BY_PROGRAM = {
    "RGE": "regional_only", "RBL": "regional_only", "RJL": "joint_lab", "AIF": "max_ai_factory",
    "MAL": "max_lead_model", "HUM": "max_humanoid", "ODC": "max_on_device_chip", "ILP": "industrial_leap",
    "RFR": "regulation_free", "RSB": "regulation_free", "LGP": "large_scale",
}
RIPPLE_TRACKS = {"regional_only"}
TOPICS = ["이차전지 양극재", "전고체 배터리", "온디바이스 AI 반도체", "전력반도체", "제조 AI 플랫폼", "디지털 트윈 공정",
          "협동로봇", "산업용 휴머노이드", "자율운항 선박", "수소 연료전지", "탄소중립 공정", "정밀화학 소재",
          "탄소섬유 부품", "바이오의약 공정", "미래차 전장부품", "스마트 센서", "차세대 디스플레이", "친환경 촉매"]
AIMS = ["핵심기술 개발", "실증 및 사업화", "고도화", "국산화", "공정 혁신", "플랫폼 구축"]
REGULATIONS = ["자율주행자동차법 시행규칙", "산업안전보건기준에 관한 규칙", "전파법 시행령", "수소법 안전기준",
               "의료기기법 임상 요건", "선박안전법 검사기준"]
# Shares of each year's budget by category; allowance and indirect stay well inside the rules.
CATEGORY_SHARES = [("personnel", Decimal("0.50")), ("materials", Decimal("0.25")), ("activities", Decimal("0.15")),
                   ("allowance", Decimal("0.05")), ("indirect", Decimal("0.05"))]
GOV_SHARE = {"sme": Decimal("0.74"), "early_mid_size": Decimal("0.74"), "mid_size": Decimal("0.69"),
             "large": Decimal("0.49"), "university": Decimal("0.95"), "gri": Decimal("0.95"), "nonprofit": Decimal("0.90")}
CASH_SHARE_OF_OWN = Decimal("0.20")  # above every size's minimum


def _call_plan(scale: str, programs: list[Program], today: dt.date) -> list[dict]:
    plan = []
    now = timezone.make_aware(dt.datetime.combine(today, dt.time(9, 0)))
    states = {"demo": ["open"] * 10 + ["closed"] * 6 + ["draft", "draft", "cancelled", "closed"]}
    for i, program in enumerate(programs):
        per_program = 1 if scale == "demo" else 3
        for k in range(per_program):
            state = states["demo"][i % 20] if scale == "demo" else ("closed" if k < 2 else "open")
            if state == "open":
                opens, closes = now - dt.timedelta(days=10 + k), now + dt.timedelta(days=20 + i)
            elif state == "draft":
                opens, closes = now + dt.timedelta(days=10), now + dt.timedelta(days=40)
            else:
                opens, closes = now - dt.timedelta(days=120 + 30 * k), now - dt.timedelta(days=60 + 30 * k)
            track = TRACK_BY_PROGRAM.get(program.code, "general")
            plan.append({"program": program, "reference": f"{program.year}-{program.code}-{k + 1:02d}",
                         "status": "open" if state == "open" else state, "track": track, "opens_at": opens,
                         "closes_at": closes})
    return plan


def _calls(scale: str, programs: list[Program], today: dt.date, regions: list[Region]) -> tuple[list[Call], int]:
    plan = _call_plan(scale, programs, today)
    existing = {c.reference: c for c in Call.objects.filter(reference__in=[p["reference"] for p in plan])}
    non_capital = sorted({r.code for r in regions if r.group != "capital"})
    added = 0
    calls = []
    for item in plan:
        call = existing.get(item["reference"])
        if call is None:
            program = item["program"]
            track = item["track"]
            call = Call.objects.create(
                program=program, sub_program=program.sub_programs.order_by("code").first(),
                reference=item["reference"], track=track, title_ko=f"{program.year}년 {program.name_ko} 신규과제 공고",
                title_en=f"{program.year} {program.name_en} call for new projects", status=item["status"],
                opens_at=item["opens_at"], closes_at=item["closes_at"],
                eligible_region_codes=non_capital if track == "regional_only" else [],
                required_documents=["plan"], budget_krw=program.budget_krw // 10,
                max_gov_per_project_krw=None if track == "large_scale" else 5_000_000_000)
            template = RIPPLE_DEFAULT_CRITERIA if track in RIPPLE_TRACKS else DEFAULT_CRITERIA
            Criterion.objects.bulk_create([Criterion(call=call, order=n, kind=kind, name_ko=ko, name_en=en, weight=w)
                                           for n, (kind, ko, en, w) in enumerate(template, start=1)])
            added += 1
        calls.append(call)
    return calls, added


def _sub_programs(programs: list[Program]) -> None:
    for program in programs:
        if program.sub_programs.exists():
            continue
        SubProgram.objects.bulk_create([
            SubProgram(program=program, code=f"{program.code}-1", name_ko=f"{program.name_ko} (기술개발)",
                       name_en=f"{program.name_en} (technology)", budget_krw=program.budget_krw * 7 // 10),
            SubProgram(program=program, code=f"{program.code}-2", name_ko=f"{program.name_ko} (실증·사업화)",
                       name_en=f"{program.name_en} (demonstration)", budget_krw=program.budget_krw * 3 // 10),
        ])


def _status(call: Call, rng: random.Random) -> str:
    """Only states a person reaches on the proposal itself: evaluation decides pass or fail and the approved
    portfolio selects (the evaluation and portfolio seeds do that through their services)."""
    if call.status == "open":
        return rng.choices(["draft", "submitted", "withdrawn"], weights=[30, 65, 5])[0]
    return rng.choices(["under_review", "submitted", "withdrawn"], weights=[60, 37, 3])[0]


def _budget(rng: random.Random, org: Organization, years: list[int], track: str) -> list[tuple[int, str, int, int, int]]:
    yearly = rng.randrange(150, 1500) * 1_000_000
    if track == "large_scale":  # ≥ ₩10B of government funds over two years, whatever the lead's size
        yearly = rng.randrange(12_000, 18_000) * 1_000_000
    gov_share = GOV_SHARE[org.org_type]
    rows = []
    for year in years:
        gov = int(yearly * gov_share) // 1000 * 1000
        own = yearly - gov
        cash = int(own * CASH_SHARE_OF_OWN) // 1000 * 1000 + (1000 if own else 0)
        cash = min(cash, own)
        in_kind = own - cash
        left = [gov, cash, in_kind]
        for n, (category, share) in enumerate(CATEGORY_SHARES):
            if n == 0:
                amounts = [math.ceil(v * share) for v in (gov, cash, in_kind)]
            else:
                amounts = [math.floor(v * share) for v in (gov, cash, in_kind)]
            if n == len(CATEGORY_SHARES) - 1:
                amounts = left[:]
            left = [a - b for a, b in zip(left, amounts, strict=True)]
            rows.append((year, category, *amounts))
    return rows


def _project_start(call: Call, today: dt.date) -> dt.date:
    """When a demo project starts: next January for calls still open (selected later), and for a call this
    year's selection has closed, the first of last month (in this year), so its agreement runs now and its
    ledger has spending up to today, none in the future."""
    if call.status == "open" or call.closes_at.date() > today:
        return dt.date(today.year + 1, 1, 1)
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return max(dt.date(today.year, 1, 1), last_month)


def proposals_seed(*, scale: str, seed: int, progress: Callable[[str, int, int], None]) -> dict[str, int]:
    """Calls and proposals over the seeded programs and organisations. Returns rows added per kind."""
    rng = random.Random(seed * 7919 + 3)
    today = timezone.localdate()
    programs = list(Program.objects.filter(year=today.year).order_by("code"))
    if not programs:
        return {"calls": 0, "proposals": 0}
    _sub_programs(programs)
    regions = list(Region.objects.filter(valid_to__isnull=True))
    calls, calls_added = _calls(scale, programs, today, regions)
    live_calls = [c for c in calls if c.status in ("open", "closed")]
    target = 150 if scale == "demo" else 20_400
    organizations = list(Organization.objects.select_related("region").order_by("business_registration_number"))
    by_org_researchers: dict[int, list[int]] = {}
    for researcher_id, org_id in Researcher.objects.order_by("national_researcher_number").values_list("id", "organization_id"):
        by_org_researchers.setdefault(org_id, []).append(researcher_id)
    researcher_ids = [rid for ids in by_org_researchers.values() for rid in ids]
    anchors = [o for o in organizations if o.is_demand_anchor] or organizations
    non_capital = [o for o in organizations if o.region.group != "capital"] or organizations
    gris = [o for o in organizations if o.org_type == "gri"] or organizations
    smes = [o for o in organizations if o.org_type == "sme"] or organizations
    references = [f"S{today.year % 100:02d}{n:08d}" for n in range(1, target + 1)]
    existing = set(Proposal.objects.filter(reference__in=references).values_list("reference", flat=True))
    User = get_user_model()
    applicant = User.objects.filter(username="applicant").first()
    pools = {"industrial_leap": anchors, "regional_only": non_capital, "joint_lab": gris}
    applicant_org = next((o for o in organizations if applicant and o.pk == applicant.organization_id), None)
    # Closed calls the demo applicant's organisation may apply to (their track's eligibility).
    closed_calls = [c for c in live_calls if c.status == "closed" and applicant_org is not None
                    and applicant_org in pools.get(c.track, organizations)]
    planned: list[tuple[Proposal, dict]] = []
    now = timezone.now()
    for n, reference in enumerate(references):
        call = live_calls[n % len(live_calls)]
        track = call.track
        pool = pools.get(track, organizations)
        lead = pool[rng.randrange(len(pool))]
        status = _status(call, rng)
        if n == 0 and applicant and applicant.organization_id:
            lead = next(o for o in organizations if o.pk == applicant.organization_id)
            call = next(c for c in live_calls if c.status == "open" and c.track == "general")
            track, status = call.track, ProposalStatus.DRAFT
        elif 1 <= n <= len(closed_calls):
            # The demo applicant also applied to the closed calls it may, so it meets evaluation and selection.
            lead, call = applicant_org, closed_calls[n - 1]
            track, status = call.track, ProposalStatus.SUBMITTED
        topic = rng.choice(TOPICS)
        start = _project_start(call, today)
        years = [start.year] if rng.random() < 0.5 and track != "large_scale" else [start.year, start.year + 1]
        extra = {"years": years, "track": track}
        if reference in existing:
            continue
        submitted = None if status == ProposalStatus.DRAFT else call.opens_at + dt.timedelta(
            minutes=rng.randrange(1, max(2, int((min(call.closes_at, now) - call.opens_at).total_seconds() // 60))))
        proposal = Proposal(
            call=call, reference=reference, lead_organization=lead, status=status,
            title_ko=f"{topic} {rng.choice(AIMS)}", title_en=f"{topic} R&D", abstract_ko=f"{topic} 분야의 기술 개발과 실증.",
            abstract_en=f"Research and demonstration in {topic}.", keywords=[topic, rng.choice(AIMS)],
            technology_codes=[f"E{rng.choice('ABCDEFGHIJ')}{rng.randint(1, 12):02d}{rng.randint(1, 9):02d}"],
            start_date=start, end_date=dt.date(years[-1], 12, 31), submitted_at=submitted,
            created_by=applicant if (applicant and lead.pk == applicant.organization_id) else None)
        planned.append((proposal, extra))
    for start_index in range(0, len(planned), 2_000):
        chunk = planned[start_index:start_index + 2_000]
        _write_chunk(chunk, rng=rng, by_org_researchers=by_org_researchers, researcher_ids=researcher_ids,
                     smes=smes, organizations=organizations, regions=regions)
        progress("proposals", min(start_index + 2_000, len(planned)), len(planned))
    return {"calls": calls_added, "proposals": len(planned)}


def _write_chunk(chunk, *, rng, by_org_researchers, researcher_ids, smes, organizations, regions) -> None:
    for proposal, extra in chunk:
        rows = _budget(rng, proposal.lead_organization, extra["years"], extra["track"])
        proposal.gov_total_krw = sum(r[2] for r in rows)
        proposal.cash_total_krw = sum(r[3] for r in rows)
        proposal.in_kind_total_krw = sum(r[4] for r in rows)
        extra["budget"] = rows
        own = by_org_researchers.get(proposal.lead_organization_id) or researcher_ids
        proposal.pi_id = own[rng.randrange(len(own))] if own else None
    Proposal.objects.bulk_create([p for p, _ in chunk], batch_size=1_000)
    members, team, lines, ripple, regulations = [], [], [], [], []
    for proposal, extra in chunk:
        members.append(ConsortiumMember(proposal=proposal, organization_id=proposal.lead_organization_id,
                                        role=MemberRole.LEAD))
        track = extra["track"]
        partner_role = {"industrial_leap": MemberRole.SUPPLIER, "joint_lab": MemberRole.PARTICIPANT}.get(track)
        if partner_role or rng.random() < 0.3:
            pool = smes if track in ("industrial_leap", "joint_lab") else organizations
            partner = pool[rng.randrange(len(pool))]
            if partner.pk != proposal.lead_organization_id:
                members.append(ConsortiumMember(proposal=proposal, organization=partner,
                                                role=partner_role or MemberRole.PARTICIPANT))
        if proposal.pi_id:
            percent = rng.choice([10, 15, 20, 25, 30])
            months = {f"{y}-{m:02d}": percent for y in extra["years"] for m in range(1, 13)}
            team.append(TeamMember(proposal=proposal, researcher_id=proposal.pi_id, is_pi=True, monthly_percent=months))
        for year, category, gov, cash, in_kind in extra["budget"]:
            lines.append(BudgetLine(proposal=proposal, year=year, organization_id=proposal.lead_organization_id,
                                    category=category, gov_krw=gov, cash_krw=cash, in_kind_krw=in_kind))
        if track == "regional_only":
            ripple.append(RippleCommitment(proposal=proposal, region=proposal.lead_organization.region,
                                           investment_krw=rng.randrange(5, 80) * 100_000_000,
                                           jobs=rng.randrange(3, 60), production_krw=rng.randrange(10, 300) * 100_000_000))
        if track == "regulation_free":
            regulations.append(RegulationDependency(proposal=proposal, regulation=rng.choice(REGULATIONS),
                                                    needed_by=proposal.start_date + dt.timedelta(days=300)))
    ConsortiumMember.objects.bulk_create(members, batch_size=2_000)
    TeamMember.objects.bulk_create(team, batch_size=2_000)
    BudgetLine.objects.bulk_create(lines, batch_size=5_000)
    RippleCommitment.objects.bulk_create(ripple, batch_size=2_000)
    RegulationDependency.objects.bulk_create(regulations, batch_size=2_000)
