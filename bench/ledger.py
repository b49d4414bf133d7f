"""Benchmark of a project's ledger page with 50,000 transactions on PostgreSQL.

    .venv/bin/python bench/ledger.py [--transactions 50000] [--requests 60] [--data-dir var/bench-ledger-pg]

1. Uses DOYAK_DATABASE_URL when set; otherwise starts a local PostgreSQL with ``pgserver`` (data kept in
   --data-dir under var/, so a second run reuses the ledger; nothing is committed).
2. Migrates; if the bench agreement is missing, creates one (selected proposal, approved budget) with
   --transactions transactions from ``finance.seeding.ledger_rows`` (every rule fires) and settles it once,
   timing the settlement job.
3. Signed in as the institution with Django's test client, requests the ledger page in turn with a set of
   page/filter parameters (first page, deep pages, a category, flagged only) and the API transaction list,
   and reports p50/p95/max over --requests requests each (after 5 warm-up requests).
4. Baseline: the same numbers computed the naive way — every transaction loaded as a model instance and
   summed per category in Python — printed as a ratio to the page's p95.
Target: page p95 < 300 ms.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds a script named like the standard library's ``select``: keep this folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for bench._pg

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402

from bench._pg import django_on_postgres, measure, report  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NUMBER = "AG-BENCH-LEDGER"
PARAMS = [{}, {"page": "2"}, {"page": "500"}, {"page": "999"}, {"category": "materials"},
          {"category": "activities", "page": "40"}, {"flagged": "1"}, {"category": "personnel", "page": "3"}]



def _ledger(count: int):
    from django.utils import timezone

    from doyak.accounts.models import User
    from doyak.accounts.rules import SYSTEM
    from doyak.agreements.models import Agreement
    from doyak.agreements.services import agreement_create_from_proposal, agreements_conclude_for_call
    from doyak.calls.models import Call
    from doyak.finance.models import Transaction
    from doyak.finance.seeding import ledger_rows
    from doyak.finance.services import settlement_run_execute, settlement_run_start
    from doyak.organizations.models import Organization
    from doyak.organizations.validators import brn_check_digit
    from doyak.programs.models import Program
    from doyak.proposals.models import BudgetLine, ConsortiumMember, Proposal
    from doyak.regions.selectors import region_for_code_or_raise

    agreement = Agreement.objects.filter(number=NUMBER).first()
    if agreement is None:
        print(f"creating a ledger of {count:,} transactions …", flush=True)
        now = timezone.now()
        program = Program.objects.create(code="BENCH", year=2026, name_ko="벤치 사업", budget_krw=10**12)
        call = Call.objects.create(program=program, reference="BENCH-LEDGER", title_ko="벤치 공고", status="closed",
                                   opens_at=now - dt.timedelta(days=90), closes_at=now - dt.timedelta(days=60))
        org = Organization.objects.create(name="(주)벤치원장", business_registration_number="99981" + "0001"
                                          + str(brn_check_digit("999810001")), org_type="sme",
                                          region=region_for_code_or_raise(code="11"))
        proposal = Proposal.objects.create(call=call, reference="P-BENCH-LEDGER", lead_organization=org,
                                           status="selected", title_ko="벤치 과제", start_date=dt.date(2026, 1, 1),
                                           end_date=dt.date(2026, 12, 31))
        ConsortiumMember.objects.create(proposal=proposal, organization=org, role="lead")
        for category, won in (("personnel", 3_000_000_000), ("materials", 4_000_000_000),
                              ("activities", 1_500_000_000), ("equipment", 500_000_000), ("allowance", 300_000_000)):
            BudgetLine.objects.create(proposal=proposal, year=2026, organization=org, category=category,
                                      gov_krw=won * 3 // 4, cash_krw=won - won * 3 // 4)
        agreement = agreement_create_from_proposal(actor=SYSTEM, proposal_id=proposal.pk, number=NUMBER)
        bench_pm = User.objects.create_user(username="bench-pm", password="x", role="program_manager")
        agreements_conclude_for_call(actor=bench_pm, call_id=call.pk)  # a draft takes no spending
        agreement.refresh_from_db()
        started = time.perf_counter()
        Transaction.objects.bulk_create(ledger_rows(agreement=agreement, count=count - 11, rng=random.Random(7)),
                                        batch_size=5000)
        print(f"  inserted in {time.perf_counter() - started:.1f} s")
        User.objects.create_user(username="bench-institution", password="x", role="applicant", organization=org)
        run = settlement_run_start(actor=SYSTEM, agreement_ids=[agreement.pk])
        started = time.perf_counter()
        settlement_run_execute(run_id=run.pk)
        print(f"  settlement job (load, rules, store flags) in {time.perf_counter() - started:.2f} s")
        agreement.refresh_from_db()
    return agreement


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transactions", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--data-dir", default=str(ROOT / "var" / "bench-ledger-pg"))
    args = parser.parse_args()

    with django_on_postgres(args.data_dir):
        from django.db import connection
        from django.test import Client

        from doyak.accounts.models import User
        from doyak.finance.models import Flag, Transaction

        agreement = _ledger(args.transactions)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        n = Transaction.objects.filter(agreement=agreement).count()
        flags = Flag.objects.filter(run_id=agreement.current_run_id).count()
        print(f"{n:,} transactions, {flags:,} flags on {connection.vendor} "
              f"{connection.cursor().connection.info.server_version}; {os.cpu_count()} CPUs")
        client = Client()
        client.force_login(User.objects.get(username="bench-institution"))
        url = f"/finance/agreements/{agreement.pk}/"

        def page(i: int) -> None:
            response = client.get(url, PARAMS[i % len(PARAMS)])
            assert response.status_code == 200, response.status_code

        def api(i: int) -> None:
            response = client.get(f"/api/v1/finance/agreements/{agreement.pk}/transactions", {"page": i % 50 + 1})
            assert response.status_code == 200, response.status_code

        def baseline(i: int) -> None:
            totals: dict[str, int] = {}
            for txn in Transaction.objects.filter(agreement=agreement):
                totals[txn.category] = totals.get(txn.category, 0) + txn.amount_krw

        print(f"ledger page, {len(PARAMS)} parameter sets in turn, 50 rows a page:")
        p_page = report("page /finance/agreements/<id>/ (HTML)", measure(page, args.requests))
        report("API /api/v1/finance/…/transactions (JSON)", measure(api, args.requests))
        p_base = report("baseline: load every row, sum in Python", measure(baseline, max(10, args.requests // 6)))
        print(f"baseline p95 / page p95 = {p_base / p_page:.1f}")
        ok = p_page < 300
        print("target p95 < 300 ms:", "met" if ok else "NOT met")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
