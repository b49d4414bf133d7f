"""Benchmark of the council's KPI board, an indicator page and the meeting pack on PostgreSQL at national scale.

    .venv/bin/python bench/kpi_board.py [--requests 40] [--assets 1500] [--data-dir var/bench-kpi-pg]

1. Uses DOYAK_DATABASE_URL when set; otherwise starts a local PostgreSQL with ``pgserver`` (data kept in
   --data-dir, under var/, so a second run reuses the seed; nothing is committed).
2. Migrates and, if fewer than 20,000 proposals exist, runs ``doyak seed --scale national``; then grows the
   M.AX registry to a national size (--assets in all: AI factories towards the plan's 500 and beyond, lead
   models, humanoid demonstrations, chip milestones; about two thirds verified, each linked to one or two of
   the selected projects). These rows are bench data, written in bulk (the registry's services are exercised by
   the tests; at this size they would only make the set-up slow).
3. Signed in as the seeded council member with Django's test client, requests ``/kpi/`` and an indicator page
   (AI factories, with its records) in turn and reports p50/p95/max over --requests requests each (after 5
   warm-up requests); then makes the meeting pack once through its job and reports the seconds.
4. Baseline: the board's arithmetic alone (``kpi.selectors.board`` with the yearly series and no records, as
   the page asks for it; no rendering) — what the page costs before templates and charts. Printed as a ratio to
   the page's p95. Then each indicator's milliseconds (best of 5): its card (yearly figures only) and its
   drill-down (with the records behind the number), so a slow indicator shows by name.
Targets: p95 < 300 ms for both pages; the meeting pack in < 30 s.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds a script named like the standard library's ``select``: keep this folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for bench._pg
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # this tree's doyak, also in a worktree

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

from bench._pg import django_on_postgres, measure, report  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "벤치 자산"
# kind -> share of the registry
SHARES = {"ai_factory": 0.80, "lead_model": 0.06, "humanoid_demo": 0.08, "chip_milestone": 0.06}


def _grow_registry(total: int) -> int:
    """Bulk-add bench assets until ``total`` bench rows exist; returns how many were added."""
    from django.utils import timezone

    from doyak.max.models import Asset, AssetProject
    from doyak.proposals.models import Proposal

    have = Asset.objects.filter(name__startswith=PREFIX).count()
    if have >= total:
        return 0
    rng = random.Random(13)
    projects = list(Proposal.objects.filter(status="selected").values_list("pk", "lead_organization_id",
                                                                          "lead_organization__region_id"))
    if not projects:
        raise SystemExit("the national seed selected no project: nothing to link assets to")
    today = timezone.localdate()
    start = dt.date(2026, 1, 28)
    span = max(1, (today - start).days)
    rows, links = [], []
    for i in range(have, total):
        kind = rng.choices(list(SHARES), weights=list(SHARES.values()))[0]
        pk, org, region = projects[i % len(projects)]
        verified = rng.random() < 0.66
        achieved = start + dt.timedelta(days=rng.randrange(span)) if verified else None
        planned = achieved or today + dt.timedelta(days=rng.randrange(30, 900))
        name = f"{PREFIX} {kind} {i:05d}"
        rows.append(Asset(kind=kind, organization_id=org, name=name, region_id=region, planned_date=planned,
                          achieved_date=achieved, status="verified" if verified else "registered",
                          dedup_key=f"bench|{i}", verified_at=timezone.now() if verified else None,
                          industry="자동차부품" if kind == "ai_factory" else "",
                          adoption_level="advanced" if kind == "ai_factory" else ""))
    Asset.objects.bulk_create(rows, batch_size=1000)
    made = {a.name: a.pk for a in Asset.objects.filter(name__startswith=PREFIX).only("pk", "name")}
    for i, row in enumerate(rows):
        first = projects[(have + i) % len(projects)][0]
        links.append(AssetProject(asset_id=made[row.name], proposal_id=first))
        if i % 5 == 0:  # one in five is linked to a second project too (counted once)
            second = projects[(have + i + 7) % len(projects)][0]
            if second != first:
                links.append(AssetProject(asset_id=made[row.name], proposal_id=second))
    AssetProject.objects.bulk_create(links, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--assets", type=int, default=1500)
    parser.add_argument("--data-dir", default=str(ROOT / "var" / "bench-kpi-pg"))
    args = parser.parse_args()

    # the migrate and seed subprocesses must run this tree's doyak too (a worktree shares the main checkout's
    # virtual environment, whose console script would import the main checkout's code)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    with django_on_postgres(args.data_dir) as env:
        from django.db import connection
        from django.test import Client

        from doyak.accounts.models import User
        from doyak.agreements.models import Agreement
        from doyak.kpi.models import MeetingPack
        from doyak.kpi.selectors import board, indicator_list_current, indicator_state
        from doyak.kpi.services import meeting_pack_execute, meeting_pack_start
        from doyak.max.models import Asset
        from doyak.proposals.models import Proposal

        if Proposal.objects.count() < 20_000:
            print("seeding national scale (a few minutes the first time) …", flush=True)
            started = time.perf_counter()
            subprocess.run([str(ROOT / ".venv" / "bin" / "doyak"), "seed", "--scale", "national", "--quiet"],
                           env=env, check=True)
            print(f"  seeded in {time.perf_counter() - started:.0f} s")
        added = _grow_registry(args.assets)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"{Proposal.objects.count():,} proposals, {Agreement.objects.count():,} agreements, "
              f"{Asset.objects.count():,} M.AX assets ({added:,} added now) on {connection.vendor} "
              f"{connection.cursor().connection.info.server_version}; {os.cpu_count()} CPUs")

        council = User.objects.filter(role="council_member", is_active=True).order_by("username").first()
        client = Client()
        client.force_login(council)

        def page(i: int) -> None:
            response = client.get("/kpi/")
            assert response.status_code == 200, response.status_code

        def indicator(i: int) -> None:
            response = client.get("/kpi/indicators/max.ai_factories/", {"page": str(1 + i % 3)})
            assert response.status_code == 200, response.status_code

        def baseline(i: int) -> None:
            board(detail=True, records=False)

        print("KPI board as the council member:")
        p_page = report("page /kpi/ (every card, charts' data)", measure(page, args.requests))
        p_ind = report("page /kpi/indicators/max.ai_factories/", measure(indicator, args.requests))
        p_base = report("baseline: kpi.selectors.board(records=False)", measure(baseline, args.requests))
        print(f"board page p95 / baseline p95 = {p_page / p_base:.2f}")
        print("per indicator, best of 5: card (yearly figures) / drill-down (with its records):")
        for item in indicator_list_current():
            card = min(measure(lambda i, item=item: indicator_state(indicator=item, records=False), 5))
            drill = min(measure(lambda i, item=item: indicator_state(indicator=item), 5))
            print(f"  {item.key:<44} {card:7.1f} ms / {drill:7.1f} ms")

        pack = meeting_pack_start(actor=council, as_of=dt.date.today())
        started = time.perf_counter()
        pack = meeting_pack_execute(pack_id=pack.pk)
        seconds = time.perf_counter() - started
        print(f"  meeting pack (PDF {len(pack.pdf or b''):,} B, XLSX {len(pack.xlsx or b''):,} B): {seconds:.1f} s "
              f"({pack.status})")
        MeetingPack.objects.filter(pk=pack.pk).delete()
        ok = p_page < 300 and p_ind < 300 and seconds < 30 and pack.status == "done"
        print("targets (p95 < 300 ms, pack < 30 s):", "met" if ok else "NOT met")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
