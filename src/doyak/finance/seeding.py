"""Demo ledgers: the agreement drafts that the approved portfolio made are concluded and a few get a few hundred
transactions that trigger every settlement rule (the demo ``applicant`` user's institution's first, when it was
selected). Deterministic per seed; running it again adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from doyak.accounts.enums import Role
from doyak.accounts.models import User
from doyak.accounts.rules import SYSTEM
from doyak.agreements.enums import AgreementStatus
from doyak.agreements.models import Agreement, ApprovedBudget
from doyak.agreements.services import agreements_conclude_for_call

from .enums import Evidence, MerchantType, RunPurpose, TransactionSource
from .models import Transaction
from .services import settlement_run_execute, settlement_run_start

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
    # Spending happened up to today (the demo's today), never after: the last day any row may carry.
    today = timezone.localdate()
    last = min(end, today - dt.timedelta(days=1)) if today > start + dt.timedelta(days=7) else end
    span = max(1, (last - start).days - 5)
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
    base = _workday(start + dt.timedelta(days=min(30, span // 2)))
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
        MerchantType.EQUIPMENT, Evidence.TAX_INVOICE, "analyser")
    personnel = sum(t.amount_krw for t in rows if t.category == "personnel")
    add("allowance", personnel // 4 + 1_000_000, _at(base + dt.timedelta(days=2), 10), "M907", "payroll",
        Evidence.TRANSFER, "research allowance")
    add("materials", -150_000, _at(base + dt.timedelta(days=3), 10), "M001", "office", Evidence.CARD_SLIP,
        "refund")
    return rows


def finance_seed(*, scale: str, seed: int, progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    """Conclude the agreement drafts the approved portfolio made and fill a few ledgers (the demo applicant's
    institution's first among them), then settle them once."""
    rng = random.Random(seed)
    added = {"agreements": 0, "transactions": 0}
    if Transaction.objects.exists():  # seeded before: a second run adds nothing
        return added
    pm = (User.objects.filter(Q(username="pm") | Q(role=Role.PROGRAM_MANAGER), is_active=True)
          .order_by("-username").first())
    drafts = Agreement.objects.filter(status=AgreementStatus.DRAFT)
    if pm is None or not drafts.exists():
        return added
    demo_org = User.objects.filter(username="applicant").values_list("organization_id", flat=True).first()
    with transaction.atomic():
        for call_id in sorted(set(drafts.values_list("proposal__call_id", flat=True))):
            agreements_conclude_for_call(actor=pm, call_id=call_id)
        chosen = sorted(Agreement.objects.filter(status=AgreementStatus.ACTIVE).select_related("proposal"),
                        key=lambda a: (a.proposal.lead_organization_id != demo_org, a.pk))
        chosen = chosen[:_AGREEMENTS_PER_SCALE.get(scale, 8)]
        for index, agreement in enumerate(chosen):
            rows = ledger_rows(agreement=agreement, count=rng.randrange(150, 300), rng=rng)
            Transaction.objects.bulk_create(rows, batch_size=2000)
            added["agreements"] += 1
            added["transactions"] += len(rows)
            if progress:
                progress("finance", index + 1, len(chosen))
        run = (settlement_run_start(actor=SYSTEM, agreement_ids=[a.pk for a in chosen], purpose=RunPurpose.SETTLEMENT)
               if chosen else None)
    if run is not None:
        settlement_run_execute(run_id=run.pk)
    return added
