"""Benchmark of the program manager's proposal list (page and API) on PostgreSQL at national scale.

    .venv/bin/python bench/proposals.py [--requests 60] [--data-dir var/bench-proposals-pg]

1. Uses DOYAK_DATABASE_URL when set; otherwise starts a local PostgreSQL with ``pgserver`` (data kept in
   --data-dir, under var/, so a second run reuses the seed; nothing is committed).
2. Migrates and, if fewer than 20,000 proposals exist, runs ``doyak seed --scale national``.
3. Signed in as the seeded program manager (``pm``) with Django's test client, requests each of a set of
   filtered, paginated list URLs in turn — the page ``/proposals/`` and the API ``/api/v1/proposals`` — and
   reports p50/p95/max over --requests requests each (after 5 warm-up requests).
4. Baseline: the same filtered page through the ORM alone (count + one page of rows, no rendering) with the
   totals aggregated from the budget lines instead of the denormalised ``gov_total_krw``… columns — what the
   list would cost without them. Printed as a ratio to the page's p95.
Target: p95 < 300 ms for both.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds a script named like the standard library's ``select``: keep this folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for bench._pg

import argparse  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

from bench._pg import django_on_postgres, measure, report  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FILTERS = [
    {},
    {"status": "submitted"},
    {"region_group": "non_capital"},
    {"track": "regional_only", "status": "under_review"},
    {"org_type": "sme", "order": "-gov_total_krw"},
    {"region_group": "capital", "page": "3"},
    {"q": "배터리"},
    {"status": "selected", "order": "gov_total_krw", "page": "2"},
    {"track": "large_scale"},
    {"region_group": "dongnam", "org_type": "university"},
]



def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--data-dir", default=str(ROOT / "var" / "bench-proposals-pg"))
    args = parser.parse_args()

    with django_on_postgres(args.data_dir) as env:
        from django.db import connection
        from django.db.models import Q, Sum
        from django.test import Client

        from doyak.accounts.models import User
        from doyak.proposals.models import Proposal

        if Proposal.objects.count() < 20_000:
            print("seeding national scale (a few minutes the first time) …", flush=True)
            started = time.perf_counter()
            subprocess.run([str(ROOT / ".venv" / "bin" / "doyak"), "seed", "--scale", "national", "--quiet"], env=env, check=True)
            print(f"  seeded in {time.perf_counter() - started:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        total = Proposal.objects.count()
        visible = Proposal.objects.exclude(status="draft").count()
        print(f"{total:,} proposals ({visible:,} not drafts) on {connection.vendor} "
              f"{connection.cursor().connection.info.server_version}; {os.cpu_count()} CPUs")

        client = Client()
        client.force_login(User.objects.get(username="pm"))

        def page(i: int) -> None:
            response = client.get("/proposals/", FILTERS[i % len(FILTERS)])
            assert response.status_code == 200, response.status_code

        def api(i: int) -> None:
            params = {("call_id" if k == "call" else k): v for k, v in FILTERS[i % len(FILTERS)].items()}
            response = client.get("/api/v1/proposals", params)
            assert response.status_code == 200, response.status_code

        def baseline(i: int) -> None:
            f = FILTERS[i % len(FILTERS)]
            qs = Proposal.objects.exclude(status="draft").select_related("call", "lead_organization__region")
            if f.get("status"):
                qs = qs.filter(status=f["status"])
            if f.get("track"):
                qs = qs.filter(call__track=f["track"])
            if f.get("org_type"):
                qs = qs.filter(lead_organization__org_type=f["org_type"])
            if f.get("region_group") == "non_capital":
                qs = qs.exclude(lead_organization__region__group="capital")
            elif f.get("region_group"):
                qs = qs.filter(lead_organization__region__group=f["region_group"])
            if f.get("q"):
                qs = qs.filter(Q(title_ko__icontains=f["q"]) | Q(lead_organization__name__icontains=f["q"]))
            qs = qs.annotate(gov=Sum("budget_lines__gov_krw"), cash=Sum("budget_lines__cash_krw"))
            order = {"-gov_total_krw": "-gov", "gov_total_krw": "gov"}.get(f.get("order", ""), "-submitted_at")
            start = (int(f.get("page", 1)) - 1) * 50
            qs.count()
            list(qs.order_by(order, "-id")[start:start + 50])

        print(f"PM proposal list, {len(FILTERS)} filter sets in turn, 50 rows a page:")
        p_page = report("page /proposals/ (rendered HTML)", measure(page, args.requests))
        p_api = report("API /api/v1/proposals (JSON)", measure(api, args.requests))
        p_base = report("baseline: ORM, totals summed from budget lines", measure(baseline, args.requests))
        print(f"page p95 / baseline p95 = {p_page / p_base:.2f}; API p95 / baseline p95 = {p_api / p_base:.2f}")
        ok = p_page < 300 and p_api < 300
        print("target p95 < 300 ms:", "met" if ok else "NOT met")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
