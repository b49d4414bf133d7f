"""Self-settlement: eligibility routes per program, and the monthly audit sample of projects."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl
import pytest
from tests.engine.test_settlement import _reference_rank, policy, project, txn, unlimited_budgets

from doyak.engine.self_settlement import (
    ProjectFacts,
    SelfSettlementRoute,
    SelfSettlementRules,
    monthly_sample_draw,
    months_from_rows,
    project_months,
    self_settlement_route,
    settlement_monthly_sample,
)
from doyak.engine.settlement import BUDGET_SCHEMA, PROJECT_SCHEMA, TRANSACTION_SCHEMA, Ledger, ledger_settle

P_SCHEMA = {**PROJECT_SCHEMA, "stopped_on": pl.Date, "report_due_on": pl.Date, "report_submitted_on": pl.Date}


def _project(project_id: str, **extra: Any) -> dict[str, Any]:
    return {**project(project_id, self_settlement=True), "stopped_on": None, "report_due_on": None,
            "report_submitted_on": None, **extra}


def _book(projects: list[dict[str, Any]], transactions: list[dict[str, Any]]) -> Ledger:
    return Ledger(
        transactions=pl.DataFrame(transactions, schema=TRANSACTION_SCHEMA),
        projects=pl.DataFrame(projects, schema=P_SCHEMA),
        budgets=pl.DataFrame(unlimited_budgets([p["project_id"] for p in projects]), schema=BUDGET_SCHEMA),
    )


def _month_of_twenty(*, submitted: dt.date | None) -> Ledger:
    # twenty self-settlement projects spending in March 2026 (one at a bar: flagged), one stopped on 3-20,
    # one whose report was due on 3-31; and an ordinary project, never sampled
    projects = [_project(f"P{i:02d}") for i in range(20)]
    projects[3]["stopped_on"] = dt.date(2026, 3, 20)
    projects[5]["report_due_on"] = dt.date(2026, 3, 31)
    projects[5]["report_submitted_on"] = submitted
    projects.append({**_project("Q1"), "self_settlement": False})
    transactions = [txn(f"T{i:02d}", project=f"P{i:02d}", merchant=f"M{i}") for i in range(20)]
    transactions[7]["merchant_type"] = "bar"
    transactions.append(txn("TQ", project="Q1"))
    return _book(projects, transactions)


def test_monthly_sample_always_has_the_late_filer_stopped_and_flagged_projects_plus_the_share():
    # given March's twenty self-settlement projects with a report filed a day late
    book = _month_of_twenty(submitted=dt.date(2026, 4, 1))
    result = ledger_settle(ledger=book, policy=policy())
    # when the monthly sample is drawn at 15 %
    sample = settlement_monthly_sample(ledger=book, result=result, share=Decimal("0.15"), seed=42)
    # then the late filer, the stopped and the flagged project are in it, plus ⌈20 × 15 %⌉ = 3 others chosen by
    # the lowest ranks of "2026-03|<project>"
    always = {("2026-03", "P05", "late_filer"), ("2026-03", "P03", "stopped"), ("2026-03", "P07", "flagged")}
    rows = set(sample.iter_rows())
    assert always <= rows
    others = sorted((f"P{i:02d}" for i in range(20) if i not in (3, 5, 7)),
                    key=lambda p: (_reference_rank(f"2026-03|{p}", 42), p))[:3]
    assert rows - always == {("2026-03", p, "random") for p in others}
    assert sample.columns == ["month", "project_id", "reason"]
    assert sample.sort("month", "project_id").rows() == sample.rows()


def test_report_filed_on_its_due_date_is_not_a_late_filer():
    # given the report due on 3-31 filed on 3-31
    book = _month_of_twenty(submitted=dt.date(2026, 3, 31))
    result = ledger_settle(ledger=book, policy=policy())
    # when the sample is drawn
    sample = settlement_monthly_sample(ledger=book, result=result, share=Decimal("0.15"), seed=42)
    # then nobody is sampled as a late filer
    assert "late_filer" not in sample["reason"].to_list()


def test_unfiled_report_makes_a_late_filer_from_its_due_month_even_without_spending():
    # given a self-settlement project with no spending whose report due 2026-04-30 was never filed
    book = _book([_project("P1", report_due_on=dt.date(2026, 4, 30))], [])
    result = ledger_settle(ledger=book, policy=policy())
    # when its months are listed
    months = project_months(ledger=book, result=result)
    # then April is a month with it as a late filer
    assert months.rows() == [("2026-04", "P1", True, False, False)]


def test_monthly_sample_is_reproducible_independent_of_order_and_changes_with_the_seed():
    # given project months of two months, in two row orders
    rows = [(month, f"P{i:02d}", False, False, False) for month in ("2026-03", "2026-04") for i in range(30)]
    forward, backward = months_from_rows(rows), months_from_rows(list(reversed(rows)))
    # when drawn
    first = monthly_sample_draw(months=forward, share=Decimal("0.15"), seed=42)
    second = monthly_sample_draw(months=backward, share=Decimal("0.15"), seed=42)
    other_seed = monthly_sample_draw(months=forward, share=Decimal("0.15"), seed=43)
    # then the draw is the same, ⌈30 × 15 %⌉ = 5 a month, and another seed draws differently
    assert first.rows() == second.rows()
    assert first.group_by("month").len().sort("month").rows() == [("2026-03", 5), ("2026-04", 5)]
    assert first.rows() != other_seed.rows()


def test_project_months_of_a_chunk_are_the_full_runs_rows():
    # given the month of twenty
    book = _month_of_twenty(submitted=None)
    full = project_months(ledger=book, result=ledger_settle(ledger=book, policy=policy()))
    chunk = ["P03", "P05", "P07", "P11"]
    part_book = book.restrict(project_ids=chunk)
    # when only a chunk of projects is settled
    part = project_months(ledger=part_book, result=ledger_settle(ledger=part_book, policy=policy()))
    # then its project months are exactly the full run's rows of those projects
    assert part.rows() == full.filter(pl.col("project_id").is_in(chunk)).rows()


# --- eligibility routes -------------------------------------------------------------------------

ON_EVERYWHERE = SelfSettlementRoute(enabled=True, programs=("*",))


def _rules(**routes: SelfSettlementRoute) -> SelfSettlementRules:
    off = SelfSettlementRoute(enabled=False)
    return SelfSettlementRules(**{name: routes.get(name, off) for name in (
        "excellent_institution", "gri_core_program", "small_project", "recognised_institution")})


@pytest.mark.parametrize(("yearly", "route"), [(49_999_999, "small_project"), (50_000_000, None)])
def test_small_project_route_is_below_the_policy_limit(yearly, route):
    # given the small-project route on for every program at ₩50M a year (settlement.small_project_max_krw)
    rules = _rules(small_project=SelfSettlementRoute(enabled=True, programs=("*",), small_project_max_krw=50_000_000))
    # when a project of the given yearly funds is judged
    # then under ₩50M it may settle on its report, at ₩50M it may not
    assert self_settlement_route(facts=ProjectFacts(program_code="A", yearly_funds_krw=yearly), rules=rules) == route


def test_routes_apply_only_to_their_programs_and_the_first_route_wins():
    # given the institutes' route for core program C1 only, recognition for program A only, and the excellent route
    rules = _rules(
        gri_core_program=SelfSettlementRoute(enabled=True, programs=("C1",)),
        recognised_institution=SelfSettlementRoute(enabled=True, programs=("A",)),
        excellent_institution=ON_EVERYWHERE,
    )
    # when projects are judged
    def route(**facts: Any) -> str | None:
        return self_settlement_route(facts=ProjectFacts(**facts), rules=rules)

    # then each takes its route where it applies, and none elsewhere
    assert route(program_code="C1", institution_is_gri=True) == "gri_core_program"
    assert route(program_code="C2", institution_is_gri=True) is None
    assert route(program_code="C1", institution_is_gri=False) is None
    assert route(program_code="A", institution_recognised=True) == "recognised_institution"
    assert route(program_code="B", institution_recognised=True) is None
    assert route(program_code="A", institution_recognised=True, institution_rated_excellent=True) == (
        "excellent_institution")
    assert self_settlement_route(facts=ProjectFacts(program_code="A", institution_rated_excellent=True),
                                 rules=_rules()) is None
