"""The streamed settlement (project range by project range from Parquet) equals the in-memory one."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import polars as pl
import pytest

from doyak.engine.ledger_io import LedgerFileError, ledger_read
from doyak.engine.settlement import ledger_settle
from doyak.engine.settlement_policy import policy_read
from doyak.engine.settlement_stream import (
    ledger_parts_settle,
    ledger_settle_ranges,
    ledger_settle_stream,
    project_ranges,
    results_merge,
)

_BENCH = Path(__file__).resolve().parents[2] / "bench" / "_settle_data.py"


def _generator():
    spec = importlib.util.spec_from_file_location("_settle_data", _BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def million(tmp_path_factory) -> dict[str, Path]:
    """1,000,000 transactions over 2,000 projects, written sorted by project in 500,000-row groups."""
    return _generator().generate_sorted(tmp_path_factory.mktemp("million"), rows=1_000_000, projects=2_000,
                                        block_projects=500)


def _paths(files: dict[str, Path], transactions: Path | None = None) -> dict[str, Path]:
    return {"transactions_path": transactions or files["transactions"], "projects_path": files["projects"],
            "budgets_path": files["budgets"]}


def test_streamed_settlement_of_a_million_rows_equals_the_in_memory_one(million):
    # given the generated ledger and its policy, settled in memory
    policy = policy_read(path=million["policy"])
    ledger = ledger_read(**_paths(million))
    whole = ledger_settle(ledger=ledger, policy=policy)
    # when it is streamed in ranges of about 150,000 rows (7 ranges, each crossing row groups)
    parts = list(ledger_parts_settle(**_paths(million), policy=policy, rows_per_part=150_000))
    streamed = results_merge(parts)
    # and when the ledger in memory is settled range by range (what `doyak settle` does)
    ranged = ledger_settle_ranges(ledger=ledger, policy=policy, rows_per_part=300_000)
    # then every flag, summary row, sampled transaction and total is the same
    assert len(parts) == 7
    assert sum(part.summary.height for part in parts) == 2_000
    assert (ranged.flags.equals(whole.flags), ranged.summary.equals(whole.summary),
            ranged.sample.equals(whole.sample), ranged.totals) == (True, True, True, whole.totals)
    assert streamed.flags.equals(whole.flags)
    assert streamed.summary.equals(whole.summary)
    assert streamed.sample.equals(whole.sample)
    assert streamed.totals == whole.totals
    assert whole.flags.height > 50_000 and set(whole.flags["flag"]) == {
        "ALLOWANCE_CAP", "DUPLICATE", "HOLIDAY_USE", "INELIGIBLE_MERCHANT", "MISSING_EVIDENCE", "OUT_OF_PERIOD",
        "OVER_BUDGET", "SPLIT_PURCHASE"}


def test_streamed_settlement_of_an_unsorted_file_is_the_same(tmp_path):
    # given a ledger whose transactions are in random project order (the in-memory bench's file)
    files = _generator().generate(tmp_path, rows=100_000, projects=300)
    policy = policy_read(path=files["policy"])
    whole = ledger_settle(ledger=ledger_read(**_paths(files)), policy=policy)
    # when streamed in four ranges, each of which reads the whole file
    streamed = ledger_settle_stream(**_paths(files), policy=policy, rows_per_part=25_000)
    # then the result is the in-memory one
    assert (streamed.flags.equals(whole.flags), streamed.summary.equals(whole.summary),
            streamed.sample.equals(whole.sample), streamed.totals) == (True, True, True, whole.totals)


def _small(tmp_path: Path, transactions: pl.DataFrame) -> dict[str, Path]:
    projects = tmp_path / "projects.csv"
    projects.write_text("project_id,start_date,end_date,self_settlement,gov_funds,cash_funds\n"
                        "P1,2026-01-01,2026-12-31,false,200,100\nP2,2026-01-01,2026-12-31,true,100,0\n"
                        "P3,2026-01-01,2026-12-31,false,100,0\n")
    budgets = tmp_path / "budgets.csv"
    budgets.write_text("project_id,category,approved\nP1,materials,5000\n")
    path = tmp_path / "t.parquet"
    transactions.write_parquet(path)
    return {"transactions_path": path, "projects_path": projects, "budgets_path": budgets}


def _rows(*rows: tuple[str, str]) -> pl.DataFrame:
    return pl.DataFrame({
        "txn_id": [txn for txn, _ in rows], "project_id": [project for _, project in rows],
        "category": ["materials"] * len(rows), "amount": [1000] * len(rows),
        "occurred_at": ["2026-03-03T10:00:00+09:00"] * len(rows), "merchant_id": ["M1"] * len(rows),
        "merchant_type": ["lab_supply"] * len(rows), "evidence": ["card_slip"] * len(rows)})


def test_streamed_txn_id_repeated_in_two_ranges_names_the_file_rows(tmp_path):
    # given T1 in project P1 (data row 1) and again in project P3 (data row 3), which one-project ranges split
    files = _small(tmp_path, _rows(("T1", "P1"), ("T2", "P2"), ("T1", "P3")))
    policy = policy_read(path=_generator_policy(tmp_path))
    # when streamed, then the repeat is named by its row in the file, as the in-memory reader names it
    with pytest.raises(LedgerFileError) as streamed:
        ledger_settle_stream(**files, policy=policy, rows_per_part=1)
    with pytest.raises(LedgerFileError) as whole:
        ledger_read(**files)
    assert (streamed.value.row, streamed.value.problem_args) == (3, {"value": "T1", "first_row": 1})
    assert str(streamed.value) == str(whole.value)


def test_streamed_unknown_project_and_bad_cell_name_the_file_rows(tmp_path):
    # given a project the projects file lacks at data row 3, sorted after every known one
    files = _small(tmp_path, _rows(("T1", "P1"), ("T2", "P2"), ("T3", "P9")))
    policy = policy_read(path=_generator_policy(tmp_path))
    with pytest.raises(LedgerFileError) as unknown:
        ledger_settle_stream(**files, policy=policy, rows_per_part=1)
    assert (unknown.value.row, unknown.value.column, unknown.value.problem_code) == (3, "project_id", "unknown_project")
    # and an unknown category at data row 2 of the second range
    files = _small(tmp_path, _rows(("T1", "P1"), ("T2", "P2"), ("T3", "P2")).with_columns(
        category=pl.Series(["materials", "materials", "snacks"])))
    with pytest.raises(LedgerFileError) as bad:
        ledger_settle_stream(**files, policy=policy, rows_per_part=1)
    assert (bad.value.row, bad.value.column, bad.value.problem_code) == (3, "category", "unknown_category")


def test_project_ranges_cover_every_id_in_order():
    # given five projects in three ranges
    ranges = project_ranges(project_ids=pl.Series(["P5", "P1", "P3", "P2", "P4"]), parts=3)
    # then the ranges are consecutive, open at both ends, and empty ids fall in the first
    assert [(r.first, r.until) for r in ranges] == [(None, "P3"), ("P3", "P5"), ("P5", None)]
    ids = pl.DataFrame({"project_id": ["", "P0", "P2", "P3", "P4", "P5", "Q", None]})
    assert [ids.filter(r.predicate())["project_id"].to_list() for r in ranges] == [
        ["", "P0", "P2", None], ["P3", "P4"], ["P5", "Q"]]


def _generator_policy(tmp_path: Path) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(_generator().POLICY, encoding="utf-8")
    return path


@pytest.mark.parametrize("workers", [1, 2])
def test_ranges_with_documents_and_equipment_equal_one_run(tmp_path, workers):
    # given the generated ledger with the optional documents and equipment columns, a plan of equipment items,
    # and a policy that reads them (documents exemption, split window over two days, equipment threshold)
    files = _generator().generate(tmp_path, rows=30_000, projects=100)
    policy_text = files["policy"].read_text().replace(
        "[evidence_exemption]", "split_window_days = 2\nequipment_plan_threshold = 20000000\n"
        "[documents_exemption]\ndefault = 100000\ninnovation = 3000000\n[evidence_exemption]")
    files["policy"].write_text(policy_text)
    policy = policy_read(path=files["policy"])
    ledger = ledger_read(**_paths(files))
    tx = ledger.transactions
    tx = tx.with_columns(
        documents=(pl.int_range(pl.len()) % 3).cast(pl.Int64),
        equipment_item=pl.when(pl.int_range(pl.len()) % 4 == 0).then(None)
        .otherwise(pl.concat_str(pl.lit("item-"), (pl.int_range(pl.len()) % 5).cast(pl.String))),
    )
    planned = tx.filter(pl.col("equipment_item").is_not_null()).select(
        pl.col("project_id").cast(pl.String), "equipment_item").unique()  # the read ledger's ids are an Enum
    equipment = planned.filter(pl.col("equipment_item") != "item-3").with_columns(
        planned_amount=pl.lit(30_000_000, dtype=pl.Int64)).sort("project_id", "equipment_item")
    ledger = type(ledger)(transactions=tx, projects=ledger.projects, budgets=ledger.budgets, equipment=equipment)
    whole = ledger_settle(ledger=ledger, policy=policy)
    # when it is settled in ranges of about 5,000 rows, on one thread or two
    ranged = ledger_settle_ranges(ledger=ledger, policy=policy, rows_per_part=5_000, workers=workers)
    # then every flag (the documents and equipment ones among them), summary row and sample is one run's
    assert {"MISSING_DOCUMENTS", "UNPLANNED_EQUIPMENT", "SPLIT_PURCHASE"} <= set(whole.flags["flag"])
    assert (ranged.flags.equals(whole.flags), ranged.summary.equals(whole.summary),
            ranged.sample.equals(whole.sample), ranged.totals) == (True, True, True, whole.totals)


def test_parquet_ledger_keeps_projects_and_merchant_types_as_enums_and_settles_as_text(tmp_path):
    # given a generated Parquet ledger, read from its files
    files = _generator().generate(tmp_path, rows=20_000, projects=50)
    policy = policy_read(path=files["policy"])
    ledger = ledger_read(**_paths(files))
    # when it is settled as read, and with its transactions as text (as the app builds them)
    as_text = type(ledger)(
        transactions=ledger.transactions.with_columns(pl.col("project_id", "merchant_type").cast(pl.String)),
        projects=ledger.projects, budgets=ledger.budgets)
    read, text = ledger_settle(ledger=ledger, policy=policy), ledger_settle(ledger=as_text, policy=policy)
    # then the read ledger holds the project as the Enum of the sorted ids and the merchant type as an Enum (4 bytes
    # a row), and both settle alike, ineligible merchant types included
    schema = ledger.transactions.schema
    assert (schema["project_id"], schema["merchant_type"].categories.sort().to_list()) == (
        pl.Enum(ledger.projects["project_id"].sort()), sorted(set(as_text.transactions["merchant_type"])))
    assert "INELIGIBLE_MERCHANT" in set(read.flags["flag"])
    assert (read.flags.equals(text.flags), read.summary.equals(text.summary), read.sample.equals(text.sample),
            read.totals) == (True, True, True, text.totals)
