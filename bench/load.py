"""Load benchmark: every demo role at once against gunicorn (4 workers) on PostgreSQL with national-size data.

    .venv/bin/python bench/load.py [--users 50,200] [--duration 90] [--ramp 30] [--think 5-15]
                                   [--workers 4] [--port 8765]
                                   [--ledger-transactions 50000] [--data-dir var/bench-load-pg]

1. Uses DOYAK_DATABASE_URL when set; otherwise starts a local PostgreSQL with ``pgserver`` (data kept in
   --data-dir under var/, so a second run reuses the seed; nothing is committed). Migrates; if fewer than
   20,000 proposals exist, runs ``doyak seed --scale national``; adds the large ledger of bench/ledger.py
   (--ledger-transactions transactions, settled once) unless it is there.
2. Plans the mix: for each role of ``ROLE_LOGINS`` (program manager, applicant, evaluator, investor, liaison,
   council, auditor, administrator) a list of pages and API calls — lists with filters and deep pages, details of
   calls, proposals, panels, scenarios and agreements, the ledger (first, deep and flag pages, also of the large
   ledger), dashboards, audit and policies — and keeps for each role only those it may open (each is requested
   once as that role with Django's test client; anything but 200 is left out and listed).
3. Starts gunicorn on 127.0.0.1 only and, for each --users stage, locust headless: that many users (the roles in
   turn, each signed in with its demo password) signing in over --ramp seconds, then --duration seconds measured
   (locust's figures are reset once every user is in: steady state, not the sign-in rush), --think seconds of
   thought between a user's requests (5–15 s by default: a person reading a list or a proposal; ``--think 1-3``
   is a stress test of four to five times the traffic). A user also signs out and in again now and then, and
   asks /healthz.
4. Prints per scenario (role: page) requests, requests/s, p50/p95/p99 and errors, then per stage the totals,
   the p95 as a multiple of /healthz's in the same stage (the baseline: the server's floor under that load) and,
   for later stages, requests/s and p95 against the first stage.
Target on 2 cores: 200 users, p95 < 1 s, 0 errors.
"""

from __future__ import annotations

import sys
from pathlib import Path

# bench/ holds a script named like the standard library's ``select``: keep this folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for bench._pg
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # this tree's doyak, also in a worktree

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402

from bench._pg import django_on_postgres  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"


def _seed(env: dict[str, str], ledger_transactions: int) -> None:
    from doyak.agreements.models import Agreement
    from doyak.proposals.models import Proposal

    if Proposal.objects.count() < 20_000:
        print("seeding national scale (a few minutes the first time) …", flush=True)
        started = time.perf_counter()
        subprocess.run([str(BIN / "doyak"), "seed", "--scale", "national", "--quiet"], env=env, check=True)
        print(f"  seeded in {time.perf_counter() - started:.0f} s")
    if ledger_transactions:
        from bench.ledger import NUMBER, _ledger

        if not Agreement.objects.filter(number=NUMBER).exists():
            _ledger(ledger_transactions)


def _sample(qs, n: int) -> list[int]:
    """``n`` ids spread over the queryset (every k-th by id: deterministic, not just the first rows)."""
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    step = max(1, len(ids) // n)
    return ids[::step][:n]


def _candidates() -> list[tuple[str, str, int]]:
    """(scenario, url, weight): every page and API call of the mix, before the per-role permission probe."""
    from bench.ledger import NUMBER
    from django.contrib.auth import get_user_model

    from doyak.agreements.models import Agreement
    from doyak.calls.models import Call
    from doyak.evaluation.models import Assignment, Panel
    from doyak.finance.models import Flag, SettlementRun
    from doyak.organizations.models import Organization
    from doyak.portfolio.models import Scenario
    from doyak.proposals.models import Proposal

    out: list[tuple[str, str, int]] = [
        ("home", "/", 6),
        ("proposals list", "/proposals/", 6),
        ("proposals list filtered", "/proposals/?status=submitted&region_group=non_capital", 3),
        ("proposals list deep page", "/proposals/?page=40", 2),
        ("calls list", "/calls/", 4), ("programs", "/calls/programs/", 2),
        ("evaluation home", "/evaluation/", 2), ("evaluation calls", "/evaluation/calls/", 3),
        ("evaluation pool", "/evaluation/pool/", 2), ("appeals", "/evaluation/appeals/", 2),
        ("assignments", "/evaluation/assignments/", 4), ("decisions", "/evaluation/decisions/", 2),
        ("portfolio list", "/portfolio/", 3),
        ("finance dashboard", "/finance/dashboard/", 4), ("agreements", "/finance/agreements/", 3),
        ("audit", "/audit/", 2), ("policies", "/policies/", 2),
        ("organizations", "/organizations/", 3), ("organizations search", "/organizations/?q=테크", 1),
        ("researchers", "/organizations/researchers/", 2),
        ("API proposals", "/api/v1/proposals", 4), ("API proposals filtered", "/api/v1/proposals?status=submitted", 2),
        ("API calls", "/api/v1/calls", 2), ("API organizations", "/api/v1/organizations", 2),
        ("API me", "/api/v1/me", 1), ("API scenarios", "/api/v1/portfolio/scenarios", 1),
        ("API agreements", "/api/v1/finance/agreements", 2), ("API audit", "/api/v1/audit", 1),
        ("API policies", "/api/v1/policies", 1),
    ]
    applicant = get_user_model().objects.filter(username="applicant").first()
    own = Proposal.objects.filter(lead_organization_id=applicant.organization_id) if applicant else Proposal.objects.none()
    for pk in _sample(own, 5):
        out += [("own proposal detail", f"/proposals/{pk}/", 2), ("API own proposal", f"/api/v1/proposals/{pk}", 1)]
    for pk in _sample(Proposal.objects.exclude(status="draft"), 40):
        out += [("proposal detail", f"/proposals/{pk}/", 1), ("API proposal", f"/api/v1/proposals/{pk}", 1)]
    for pk in _sample(Call.objects.exclude(status="draft"), 10):
        out += [("call detail", f"/calls/{pk}/", 1), ("evaluation call", f"/evaluation/calls/{pk}/", 1)]
    for pk in _sample(Panel.objects.all(), 10):
        out += [("panel", f"/evaluation/panels/{pk}/", 1), ("panel results", f"/evaluation/panels/{pk}/results/", 1)]
    evaluator = get_user_model().objects.filter(username="evaluator").first()
    for pid in Assignment.objects.filter(profile__user=evaluator).order_by("pk").values_list("proposal_id", flat=True)[:5]:
        out.append(("review", f"/evaluation/review/{pid}/", 1))
    scenarios = _sample(Scenario.objects.all(), 6)
    for pk in scenarios:
        out += [("scenario detail", f"/portfolio/{pk}/", 1), ("API scenario", f"/api/v1/portfolio/scenarios/{pk}", 1)]
    if len(scenarios) >= 2:
        out.append(("scenario compare", f"/portfolio/compare/?ids={scenarios[0]}&ids={scenarios[1]}", 1))
    agreements = _sample(Agreement.objects.exclude(number=NUMBER).filter(current_run__isnull=False), 10)
    if applicant:
        agreements += list(Agreement.objects.filter(proposal__lead_organization_id=applicant.organization_id)
                           .values_list("pk", flat=True)[:2])
    for pk in agreements:
        out += [("ledger", f"/finance/agreements/{pk}/", 2), ("ledger page 2", f"/finance/agreements/{pk}/?page=2", 1),
                ("ledger flagged", f"/finance/agreements/{pk}/?flagged=1", 1),
                ("API transactions", f"/api/v1/finance/agreements/{pk}/transactions", 1),
                ("API flags", f"/api/v1/finance/agreements/{pk}/flags", 1)]
    big = Agreement.objects.filter(number=NUMBER).first()
    if big is not None:
        out += [("large ledger", f"/finance/agreements/{big.pk}/", 2),
                ("large ledger deep page", f"/finance/agreements/{big.pk}/?page=500", 1),
                ("large ledger flags page", f"/finance/agreements/{big.pk}/?flags_page=20", 1),
                ("large ledger category", f"/finance/agreements/{big.pk}/?category=materials&page=3", 1),
                ("large API transactions", f"/api/v1/finance/agreements/{big.pk}/transactions?page=50", 1),
                ("large API flags", f"/api/v1/finance/agreements/{big.pk}/flags?page=2", 1)]
    for pk in _sample(SettlementRun.objects.all(), 3):
        out += [("settlement run", f"/finance/runs/{pk}/", 1), ("API run", f"/api/v1/finance/runs/{pk}", 1)]
    for pk in _sample(Flag.objects.filter(run_id__in=SettlementRun.objects.values("pk")), 5):
        out.append(("flag detail", f"/finance/flags/{pk}/", 1))
    for pk in _sample(Organization.objects.all(), 5):
        out += [("organization detail", f"/organizations/{pk}/", 1), ("API organization", f"/api/v1/organizations/{pk}", 1)]
    return out


def _plan() -> tuple[dict, dict[str, list[str]]]:
    """The mix per role, keeping only what the role may open (probed once each with the test client)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from doyak.demo.seeding import DEMO_PASSWORD, ROLE_LOGINS

    candidates = _candidates()
    plan: dict = {}
    left_out: dict[str, list[str]] = {}
    timings: list[tuple[float, str, str, str]] = []
    users = get_user_model().objects
    for username, _role, _display in ROLE_LOGINS:
        client = Client()
        client.force_login(users.get(username=username))
        kept = []
        for name, url, weight in candidates:
            started = time.perf_counter()
            status = client.get(url).status_code
            timings.append(((time.perf_counter() - started) * 1000, username, name, url))
            (kept.append([name, url, weight]) if status == 200 else left_out.setdefault(username, []).append(
                f"{name} ({status})"))
        plan[username] = {"username": username, "password": DEMO_PASSWORD, "urls": kept}
    # the institution of the large ledger signs in too, with its own page mix
    if users.filter(username="bench-institution").exists():
        institution = users.get(username="bench-institution")
        institution.set_password(DEMO_PASSWORD)
        institution.save(update_fields=["password"])
        plan["bench-institution"] = {"username": "bench-institution", "password": DEMO_PASSWORD, "urls": [
            [n, u, w] for n, u, w in candidates if n.startswith("large") or n in ("home", "calls list")]}
    print("slowest requests, one at a time (the permission probe, in-process):")
    for ms, username, name, url in sorted(timings, reverse=True)[:12]:
        print(f"  {ms:7.0f} ms  {username}: {name}  {url}")
    return plan, left_out


def _wait_up(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not answer /healthz")


def _percent(row: dict, key: str) -> float:
    try:
        return float(row[key])
    except (KeyError, ValueError):
        return float("nan")


def _stage(*, users: int, duration: int, ramp: int, think: tuple[float, float], port: int, plan_path: Path,
           folder: Path, env: dict[str, str]) -> dict:
    prefix = folder / f"u{users}"
    spawn = max(1.0, users / max(1, ramp))
    command = [str(BIN / "locust"), "-f", str(ROOT / "bench" / "_load_locustfile.py"), "--headless", "--only-summary",
               "-u", str(users), "-r", f"{spawn:g}", "-t", f"{ramp + duration}s", "--host", f"http://{HOST}:{port}",
               "--csv", str(prefix), "--stop-timeout", "5", "--loglevel", "ERROR", "--reset-stats"]
    print(f"\n=== {users} users signing in over {ramp} s ({spawn:g}/s), then {duration} s measured; "
          f"think time {think[0]:g}–{think[1]:g} s", flush=True)
    subprocess.run(command, env={**env, "DOYAK_LOAD_PLAN": str(plan_path),
                                 "DOYAK_LOAD_THINK": f"{think[0]:g},{think[1]:g}"}, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    print(f"  {'scenario':<46} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6}")
    total = None
    for row in rows:
        line = (f"  {row['Name'][:46]:<46} {row['Request Count']:>8} {float(row['Requests/s']):7.2f} "
                f"{_percent(row, '50%'):7.0f} {_percent(row, '95%'):7.0f} {_percent(row, '99%'):7.0f} "
                f"{row['Failure Count']:>6}")
        if row["Name"] == "Aggregated":
            total = row
        else:
            print(line)
    assert total is not None
    baseline = next((r for r in rows if r["Name"] == "baseline: /healthz"), None)
    summary = {"users": users, "rps": float(total["Requests/s"]), "p50": _percent(total, "50%"),
               "p95": _percent(total, "95%"), "p99": _percent(total, "99%"),
               "requests": int(total["Request Count"]), "errors": int(total["Failure Count"]),
               "baseline_p95": _percent(baseline, "95%") if baseline else float("nan")}
    print(f"  {'ALL':<46} {summary['requests']:>8} {summary['rps']:7.2f} {summary['p50']:7.0f} {summary['p95']:7.0f} "
          f"{summary['p99']:7.0f} {summary['errors']:>6}")
    failures = Path(f"{prefix}_failures.csv")
    if summary["errors"] and failures.exists():
        print("  errors:")
        for row in list(csv.DictReader(failures.open(encoding="utf-8")))[:15]:
            print(f"    {row['Occurrences']:>5} × {row['Name']}: {row['Error'][:100]}")
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="50,200", help="comma-separated stages, e.g. 50,200")
    parser.add_argument("--duration", type=int, default=90, help="seconds measured per stage, after the ramp")
    parser.add_argument("--ramp", type=int, default=30,
                        help="seconds over which a stage's users sign in; figures are reset when all are in")
    parser.add_argument("--think", default="5-15", help="seconds of thought between a user's requests, min-max")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--ledger-transactions", type=int, default=50_000)
    parser.add_argument("--plan-only", action="store_true", help="probe and time the mix, start no load")
    parser.add_argument("--data-dir", default=str(ROOT / "var" / "bench-load-pg"))
    args = parser.parse_args()
    stages = [int(x) for x in args.users.split(",") if x.strip()]
    low, _dash, high = args.think.partition("-")
    think = (float(low), float(high or low))
    os.environ["PYTHONPATH"] = str(ROOT / "src")  # migrate, seed and gunicorn run this tree's code

    with django_on_postgres(args.data_dir) as env:
        from django.db import connection

        from doyak.finance.models import Flag, Transaction
        from doyak.proposals.models import Proposal

        _seed(env, args.ledger_transactions)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"{Proposal.objects.count():,} proposals, {Transaction.objects.count():,} transactions, "
              f"{Flag.objects.count():,} flags on {connection.vendor} {connection.cursor().connection.info.server_version}"
              f"; {os.cpu_count()} CPUs", flush=True)
        plan, left_out = _plan()
        for username, entry in plan.items():
            print(f"  {username:<18} {len(entry['urls']):>3} pages and API calls"
                  + (f" (left out, not allowed: {len(left_out.get(username, []))})" if left_out.get(username) else ""))
        connection.close()
        if args.plan_only:
            return 0
        folder = Path(tempfile.mkdtemp(prefix="doyak-load-"))
        plan_path = folder / "plan.json"
        plan_path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        server_env = {**env, "PYTHONPATH": str(ROOT / "src"), "DOYAK_DEBUG": "0"}
        server_log = (folder / "server.log").open("w", encoding="utf-8")
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "doyak.config.wsgi:application", "--workers", str(args.workers),
             "--bind", f"{HOST}:{args.port}", "--timeout", "120", "--log-level", "warning"],
            env=server_env, cwd=str(ROOT), stdout=server_log, stderr=subprocess.STDOUT)
        try:
            _wait_up(args.port)
            results = [_stage(users=n, duration=args.duration, ramp=args.ramp, think=think, port=args.port,
                              plan_path=plan_path, folder=folder, env=env) for n in stages]
        finally:
            server.terminate()
            server.wait(timeout=30)
            server_log.close()
        log = (folder / "server.log").read_text(encoding="utf-8", errors="replace")
        if "Traceback" in log:
            first = log[log.index("Traceback"):]
            print(f"\nserver errors: {log.count('Traceback')} tracebacks; the first:\n" + first[:3000])
    print("\nstage   users  requests   req/s   p50 ms  p95 ms  p99 ms  errors  p95/healthz p95  vs first stage")
    first = results[0]
    for r in results:
        versus = (f"req/s ×{r['rps'] / first['rps']:.2f}, p95 ×{r['p95'] / first['p95']:.2f}"
                  if r is not first and first["p95"] else "baseline")
        print(f"        {r['users']:>5} {r['requests']:>9} {r['rps']:7.1f} {r['p50']:8.0f} {r['p95']:7.0f} "
              f"{r['p99']:7.0f} {r['errors']:>7} {r['p95'] / r['baseline_p95'] if r['baseline_p95'] else 0:15.1f}  {versus}")
    last = results[-1]
    ok = last["p95"] < 1000 and last["errors"] == 0
    print(f"target ({last['users']} users, p95 < 1 s, 0 errors):", "met" if ok else "NOT met")
    print(f"CSV files of locust in {folder}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
