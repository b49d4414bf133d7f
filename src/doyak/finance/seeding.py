"""Demo ledgers: agreements for selected proposals with a few hundred transactions that trigger every
settlement rule, and one agreement for the demo ``applicant`` user's institution. Deterministic per seed;
running it again adds nothing (agreements are matched by proposal, transactions by id)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.db import transaction

from doyak.accounts.models import User
from doyak.proposals.enums import ProposalStatus
from doyak.proposals.models import BudgetLine, ConsortiumMember, Proposal

from .enums import Evidence, RunPurpose, TransactionSource
from .models import Agreement, ApprovedBudget, Transaction
from .services import agreement_create_from_proposal, settlement_run_execute, settlement_run_start

SEOUL = ZoneInfo("Asia/Seoul")
_AGREEMENTS_PER_SCALE = {"demo": 8, "small": 8, "national": 60}


def _workday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SEOUL)


def ledger_rows(*, agreement: Agreement, count: int, rng: random.Random, prefix: str = "T") -> list[Transaction]:
    """``count`` ordinary transactions plus one case of every rule (out of period, ineligible merchant,
    missing evidence, split purchase, duplicate, holiday, over budget, allowance cap) and refunds."""
    start, end = agreement.start_date, agreement.end_date
    span = max(1, (end - start).days - 5)
    approved: dict[str, int] = {}
    for line in ApprovedBudget.objects.filter(agreement=agreement):
        approved[line.category] = approved.get(line.category, 0) + line.approved_krw
    rows: list[Transaction] = []

    def add(category: str, amount: int, at: dt.datetime, merchant: str, mtype: str, evidence: str,
            description: str = "") -> None:
        rows.append(Transaction(agreement=agreement, txn_id=f"{prefix}{len(rows) + 1:06d}", category=category,
                                amount_krw=amount, occurred_at=at, merchant_id=merchant, merchant_type=mtype,
                                evidence=evidence, description=description, source=TransactionSource.IMPORT))

    # Ordinary spending, kept well inside each category's budget.
    ordinary = [c for c in ("materials", "activities", "personnel") if approved.get(c, 0) > 0] or ["materials"]
    for _ in range(count):
        category = rng.choice(ordinary)
        budget = approved.get(category, 50_000_000)
        amount = max(10_000, min(budget // (count * 2) + 1, rng.randrange(20_000, 900_000)) // 1000 * 1000)
        day = _workday(start + dt.timedelta(days=rng.randrange(span)))
        add(category, amount, _at(day, rng.randrange(9, 18), rng.randrange(60)), f"M{rng.randrange(40):03d}",
            "office" if category != "personnel" else "payroll",
            Evidence.TRANSFER if category == "personnel" else rng.choice([Evidence.CARD_SLIP, Evidence.TAX_INVOICE]))
    base = _workday(start + dt.timedelta(days=min(30, span)))
    add("materials", 300_000, _at(start - dt.timedelta(days=3), 10), "M900", "office", Evidence.CARD_SLIP,
        "before the project started")
    add("activities", 180_000, _at(base, 21), "M901", "bar", Evidence.CARD_SLIP, "team dinner at a bar")
    add("materials", 4_200_000, _at(base, 11), "M902", "lab_supply", Evidence.NONE, "reagents, slip lost")
    add("materials", 2_000_000, _at(base, 14), "M903", "lab_supply", Evidence.NONE, "sensor parts (1/2)")
    add("materials", 1_900_000, _at(base, 15), "M903", "lab_supply", Evidence.NONE, "sensor parts (2/2)")
    add("activities", 88_000, _at(base, 12, 1), "M904", "restaurant", Evidence.CARD_SLIP, "meeting lunch")
    add("activities", 88_000, _at(base, 12, 6), "M904", "restaurant", Evidence.CARD_SLIP, "meeting lunch (again)")
    sunday = base + dt.timedelta(days=(6 - base.weekday()) % 7)
    add("activities", 64_000, _at(sunday, 13), "M905", "restaurant", Evidence.CARD_SLIP, "Sunday lunch")
    equipment = approved.get("equipment", 0)
    add("equipment", equipment + equipment // 5 + 5_000_000, _at(base + dt.timedelta(days=1), 10), "M906",
        "equipment_vendor", Evidence.TAX_INVOICE, "analyser")
    personnel = sum(t.amount_krw for t in rows if t.category == "personnel")
    add("allowance", personnel // 4 + 1_000_000, _at(base + dt.timedelta(days=2), 10), "M907", "payroll",
        Evidence.TRANSFER, "research allowance")
    add("materials", -150_000, _at(base + dt.timedelta(days=3), 10), "M001", "office", Evidence.CARD_SLIP,
        "refund")
    return rows


def _demo_proposal(user: User) -> Proposal | None:
    """A selected proposal led by the demo applicant's institution (one is made from its newest proposal's
    call when none exists, so the applicant always has a ledger to look at)."""
    org = user.organization
    found = (Proposal.objects.filter(lead_organization=org, status=ProposalStatus.SELECTED, agreement__isnull=True)
             .order_by("pk").first())
    if found or Agreement.objects.filter(proposal__lead_organization=org).exists():
        return found
    template = Proposal.objects.filter(status=ProposalStatus.SELECTED).order_by("pk").first()
    if template is None:
        return None
    today = dt.date.today()
    proposal = Proposal.objects.create(
        call=template.call, reference=f"DEMO-FIN-{org.pk}", lead_organization=org, status=ProposalStatus.SELECTED,
        title_ko="스마트 공정 센서 실증 (정산 시연)", title_en="Smart process sensor demonstration (settlement demo)",
        start_date=dt.date(today.year, 1, 1), end_date=dt.date(today.year, 12, 31),
        gov_total_krw=600_000_000, cash_total_krw=200_000_000, created_by=user)
    ConsortiumMember.objects.create(proposal=proposal, organization=org, role="lead")
    for category, gov, cash in (("personnel", 250_000_000, 80_000_000), ("materials", 150_000_000, 50_000_000),
                                ("activities", 60_000_000, 20_000_000), ("equipment", 80_000_000, 30_000_000),
                                ("allowance", 40_000_000, 10_000_000), ("indirect", 20_000_000, 10_000_000)):
        BudgetLine.objects.create(proposal=proposal, year=today.year, organization=org, category=category,
                                  gov_krw=gov, cash_krw=cash)
    return proposal


def finance_seed(*, scale: str, seed: int, progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    rng = random.Random(seed)
    added = {"agreements": 0, "transactions": 0}
    if Agreement.objects.exists():  # seeded before: a second run adds nothing
        return added
    proposals = list(Proposal.objects.filter(status=ProposalStatus.SELECTED, agreement__isnull=True,
                                             start_date__isnull=False, end_date__isnull=False)
                     .order_by("pk")[:_AGREEMENTS_PER_SCALE.get(scale, 8)])
    demo_user = User.objects.filter(username="applicant", organization__isnull=False).first()
    with transaction.atomic():
        demo = _demo_proposal(demo_user) if demo_user else None
        if demo is not None and demo not in proposals:
            proposals.append(demo)
        made: list[Agreement] = []
        for index, proposal in enumerate(proposals):
            agreement = agreement_create_from_proposal(actor=None, proposal_id=proposal.pk)
            rows = ledger_rows(agreement=agreement, count=rng.randrange(150, 300), rng=rng)
            Transaction.objects.bulk_create(rows, batch_size=2000)
            made.append(agreement)
            added["agreements"] += 1
            added["transactions"] += len(rows)
            if progress:
                progress("finance", index + 1, len(proposals))
        run = (settlement_run_start(actor=None, agreement_ids=[a.pk for a in made], purpose=RunPurpose.SETTLEMENT)
               if made else None)
    if run is not None:
        settlement_run_execute(run_id=run.pk)
    return added
