"""Demo ledgers: the agreement drafts that the approved portfolio made are concluded and a few get a few hundred
transactions that trigger every settlement rule (the demo ``applicant`` user's institution's first, when it was
selected). Most transactions above the supporting-documents exemption have their documents attached as evidence
files (a quotation, an inspection record, minutes …, tiny generated PDFs), as an institution keeps them; a few
do not, so the settlement shows MISSING_DOCUMENTS with its legal source. Deterministic per seed; running it
again adds nothing."""

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
from .policies import settlement_policy_current
from .services import evidence_attach, settlement_run_execute, settlement_run_start

SEOUL = ZoneInfo("Asia/Seoul")
_AGREEMENTS_PER_SCALE = {"demo": 8, "small": 8, "national": 60}
# The demo's share of transactions above the documents exemption whose documents were never uploaded.
_DOCUMENTS_MISSING_SHARE = 0.04
# The supporting documents an institution keeps per cost category (Korean file names, as uploaded).
_DOCUMENTS = {"materials": ("견적서", "검수조서"), "equipment": ("견적서", "검수조서"), "activities": ("회의록",),
              "personnel": ("급여명세서",), "student_personnel": ("급여명세서",), "allowance": ("연구수당 지급내역",),
              "subcontract": ("위탁계약서",)}


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


def evidence_pdf(*lines: str) -> bytes:
    """A one-page PDF of ASCII ``lines`` (a few hundred bytes): the demo's stand-in for a scanned document."""
    safe = [line.replace("\\", "/").replace("(", "[").replace(")", "]") for line in lines]
    text = "".join(f"({line}) Tj 0 -16 Td " for line in safe)
    stream = f"BT /F1 11 Tf 50 790 Td {text}ET".encode("ascii", "replace")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def supporting_documents_attach(*, agreement: Agreement, rng: random.Random) -> tuple[int, int]:
    """Attach the supporting documents of the agreement's transactions above the documents exemption (the policy
    in force), as the institution would upload them through the ledger; a few (``_DOCUMENTS_MISSING_SHARE``)
    were never uploaded. A transaction without a payment record has none (its slip was lost). Returns (files
    attached, transactions left without documents)."""
    policy = settlement_policy_current()
    attached = missing = 0
    for txn in Transaction.objects.filter(agreement=agreement).order_by("txn_id"):
        if txn.amount_krw <= policy.documents_exemption_for(txn.category) or txn.evidence == Evidence.NONE:
            continue
        if rng.random() < _DOCUMENTS_MISSING_SHARE:
            missing += 1
            continue
        day = timezone.localtime(txn.occurred_at).date().isoformat()
        for kind in _DOCUMENTS.get(txn.category, ("증빙서류",)):
            content = evidence_pdf(f"doyak demo evidence: {agreement.number} {txn.txn_id}", f"date {day}",
                                   f"amount {txn.amount_krw:,} KRW", f"merchant {txn.merchant_id}")
            evidence_attach(actor=SYSTEM, transaction_id=txn.pk, name=f"{txn.txn_id}_{kind}.pdf", content=content)
            attached += 1
    return attached, missing


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
            supporting_documents_attach(agreement=agreement, rng=rng)
            added["agreements"] += 1
            added["transactions"] += len(rows)
            if progress:
                progress("finance", index + 1, len(chosen))
        run = (settlement_run_start(actor=SYSTEM, agreement_ids=[a.pk for a in chosen], purpose=RunPurpose.SETTLEMENT)
               if chosen else None)
    if run is not None:
        settlement_run_execute(run_id=run.pk)
    return added
