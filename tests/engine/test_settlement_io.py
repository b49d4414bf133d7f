"""Reading ledger files: encodings, types, and malformed input named by file, row and column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from doyak.engine.ledger_io import LedgerFileError, ledger_read, projects_read, transactions_read
from doyak.engine.settlement import TRANSACTION_SCHEMA

HEADER = "txn_id,project_id,category,amount,occurred_at,merchant_id,merchant_type,evidence,description"
GOOD_ROWS = [
    "T1,P1,materials,1000,2026-03-03T10:00:00+09:00,M1,lab_supply,card_slip,시약",
    "T2,P1,activities,-500,2026-03-31T15:30:00Z,M2,restaurant,none,환불",
    "T3,P1,equipment,30000000,2026-03-03 09:15,M3,electronics,tax_invoice,",
]


def _write(path: Path, lines: list[str], *, encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def _ledger_files(tmp_path: Path, rows: list[str]) -> dict[str, Path]:
    return {
        "transactions_path": _write(tmp_path / "transactions.csv", [HEADER, *rows]),
        "projects_path": _write(
            tmp_path / "projects.csv",
            [
                "project_id,start_date,end_date,self_settlement,gov_funds,cash_funds",
                "P1,2026-01-01,2026-12-31,false,200,100",
            ],
        ),
        "budgets_path": _write(
            tmp_path / "budgets.csv", ["project_id,category,approved", "P1,materials,5000"]
        ),
    }


def test_transactions_read_parses_offsets_and_seoul_local_times(tmp_path):
    # given UTF-8 rows with an offset, a Z time and a local time without seconds
    path = _write(tmp_path / "t.csv", [HEADER, *GOOD_ROWS])
    # when read
    frame = transactions_read(path=path)
    # then timestamps are UTC, amounts integers, types the engine's
    assert frame.schema == pl.Schema(TRANSACTION_SCHEMA)
    assert frame["occurred_at"].to_list() == [
        dt.datetime(2026, 3, 3, 1, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 31, 15, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 3, 0, 15, tzinfo=dt.UTC),
    ]
    assert frame["amount"].to_list() == [1000, -500, 30_000_000]


def test_transactions_read_accepts_cp949_and_bom(tmp_path):
    # given the same rows in CP949 and in UTF-8 with a BOM
    cp949 = _write(tmp_path / "cp949.csv", [HEADER, *GOOD_ROWS], encoding="cp949")
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + ("\n".join([HEADER, *GOOD_ROWS]) + "\n").encode())
    # when read
    from_cp949 = transactions_read(path=cp949)
    from_bom = transactions_read(path=bom)
    # then both give the same ledger
    assert from_cp949.to_dicts() == from_bom.to_dicts()
    assert from_cp949["txn_id"].to_list() == ["T1", "T2", "T3"]


def test_transactions_read_accepts_typed_parquet(tmp_path):
    # given a Parquet file with typed columns and a naive (Seoul) timestamp
    path = tmp_path / "t.parquet"
    pl.DataFrame(
        {
            "txn_id": ["T1"],
            "project_id": ["P1"],
            "category": ["materials"],
            "amount": pl.Series([1000], dtype=pl.Int32),
            "occurred_at": [dt.datetime(2026, 3, 3, 10, 0)],
            "merchant_id": ["M1"],
            "merchant_type": ["lab_supply"],
            "evidence": ["card_slip"],
        }
    ).write_parquet(path)
    # when read
    frame = transactions_read(path=path)
    # then it is normalised to the engine's schema
    assert frame.schema == pl.Schema(TRANSACTION_SCHEMA)
    assert frame["occurred_at"].to_list() == [dt.datetime(2026, 3, 3, 1, 0, tzinfo=dt.UTC)]


@pytest.mark.parametrize(("project", "message"), [
    ("P7", "data row 2, column project_id: 'P7' is not in"),
    (None, "data row 2, column project_id: is empty"),
])
def test_ledger_read_parquet_of_unknown_or_empty_project_is_named(tmp_path, project, message):
    # given a Parquet file whose second transaction has an unknown or no project (the reader keeps the projects
    # as an Enum of the known ids when every cell is one)
    files = _ledger_files(tmp_path, GOOD_ROWS)
    path = tmp_path / "t.parquet"
    pl.read_csv(files["transactions_path"], infer_schema=False).with_columns(
        project_id=pl.Series(["P1", project, "P1"], dtype=pl.String)).write_parquet(path)
    # when the ledger is read
    with pytest.raises(LedgerFileError) as error:
        ledger_read(**{**files, "transactions_path": path})
    # then the row is named as for a CSV file
    assert str(error.value).startswith(f"{path} {message}")


@pytest.mark.parametrize(
    ("column", "cells", "message"),
    [
        ("category", ["materials", None, "snacks"], "data row 2, column category: is empty"),
        ("category", ["materials", "materials", "snacks"], "data row 3, column category: 'snacks' is not a known "
         "category (personnel, student_personnel, equipment, materials, activities, allowance, subcontract, "
         "international, innovation, indirect)"),
        ("evidence", ["none", "photo", "none"], "data row 2, column evidence: 'photo' is not a known evidence kind "
         "(none, card_slip, tax_invoice, receipt, transfer)"),
        ("merchant_type", ["cafe", "cafe", ""], "data row 3, column merchant_type: is empty"),
        ("merchant_type", ["cafe", None, "cafe"], "data row 2, column merchant_type: is empty"),
    ],
)
def test_transactions_read_parquet_dictionary_columns_name_the_bad_row(tmp_path, column, cells, message):
    # given a Parquet file in two row groups whose few-valued text column (read from its dictionaries) has a bad
    # cell
    path = tmp_path / "t.parquet"
    frame = pl.DataFrame(
        {
            "txn_id": ["T1", "T2", "T3"],
            "project_id": ["P1"] * 3,
            "category": ["materials"] * 3,
            "amount": [1000, 2000, 3000],
            "occurred_at": [dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC)] * 3,
            "merchant_id": ["M1"] * 3,
            "merchant_type": ["cafe"] * 3,
            "evidence": ["none"] * 3,
        }
    ).with_columns(pl.Series(column, cells, dtype=pl.String))
    frame.write_parquet(path, row_group_size=2)
    # when read, then the error names the file's row and column
    with pytest.raises(LedgerFileError) as raised:
        transactions_read(path=path)
    assert str(raised.value) == f"{path} {message}"


def test_transactions_read_parquet_dictionary_columns_decode_every_row_group(tmp_path):
    # given a Parquet file in three row groups, each with its own dictionary of the few-valued columns
    path = tmp_path / "t.parquet"
    categories = ["materials", "activities", "materials", "equipment", "indirect"]
    types = ["cafe", "bar", "cafe", "lab_supply", "bar"]
    pl.DataFrame(
        {
            "txn_id": [f"T{i}" for i in range(5)],
            "project_id": ["P1"] * 5,
            "category": categories,
            "amount": [10, 20, 30, 40, 50],
            "occurred_at": [dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC)] * 5,
            "merchant_id": ["M1"] * 5,
            "merchant_type": types,
            "evidence": ["none", "card_slip", "receipt", "none", "transfer"],
        }
    ).write_parquet(path, row_group_size=2)
    # when read
    frame = transactions_read(path=path)
    # then every row keeps its own values, in the engine's schema
    assert frame.schema == pl.Schema(TRANSACTION_SCHEMA)
    assert frame["category"].cast(pl.String).to_list() == categories
    assert frame["merchant_type"].to_list() == types
    assert frame["evidence"].cast(pl.String).to_list() == ["none", "card_slip", "receipt", "none", "transfer"]


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (
            "T9,P1,materials,abc,2026-03-03T10:00:00+09:00,M1,lab_supply,card_slip,",
            "data row 3, column amount: 'abc' is not an integer",
        ),
        (
            "T9,P1,materials,12.5,2026-03-03T10:00:00+09:00,M1,lab_supply,card_slip,",
            "data row 3, column amount: '12.5' is not an integer",
        ),
        (
            "T9,P1,snacks,10,2026-03-03T10:00:00+09:00,M1,lab_supply,card_slip,",
            "data row 3, column category: 'snacks' is not a known category (personnel, student_personnel, "
            "equipment, materials, activities, allowance, subcontract, international, innovation, indirect)",
        ),
        (
            "T9,P1,materials,10,2026-03-03T10:00:00+09:00,M1,lab_supply,photo,",
            "data row 3, column evidence: 'photo' is not a known evidence kind "
            "(none, card_slip, tax_invoice, receipt, transfer)",
        ),
        (
            "T9,P1,materials,10,2026-02-30T10:00:00,M1,lab_supply,card_slip,",
            "data row 3, column occurred_at: '2026-02-30T10:00:00' is not an ISO 8601 timestamp",
        ),
        (
            "T9,P1,materials,10,03/03/2026,M1,lab_supply,card_slip,",
            "data row 3, column occurred_at: '03/03/2026' is not an ISO 8601 timestamp",
        ),
        (
            "T1,P1,materials,10,2026-03-03T10:00:00+09:00,M1,lab_supply,card_slip,",
            "data row 3, column txn_id: duplicate txn_id 'T1' (first at data row 1)",
        ),
        (
            "T9,P1,materials,10,2026-03-03T10:00:00+09:00,,lab_supply,card_slip,",
            "data row 3, column merchant_id: is empty",
        ),
    ],
)
def test_transactions_read_names_file_row_and_column_of_first_problem(tmp_path, bad_row, message):
    # given two good rows and one malformed third data row
    path = _write(tmp_path / "transactions.csv", [HEADER, *GOOD_ROWS[:2], bad_row])
    # when read
    with pytest.raises(LedgerFileError) as error:
        transactions_read(path=path)
    # then the message names the file, the data row and the column
    assert str(error.value) == f"{path} {message}"
    assert error.value.row == 3


def test_transactions_read_missing_column_is_named(tmp_path):
    # given a file without the evidence column
    path = _write(
        tmp_path / "t.csv", ["txn_id,project_id,category,amount,occurred_at,merchant_id,merchant_type"]
    )
    # when read
    with pytest.raises(LedgerFileError) as error:
        transactions_read(path=path)
    # then the column is named
    assert str(error.value) == f"{path}: missing column 'evidence'"
    assert error.value.code == "missing_column"


def test_transactions_read_ragged_line_is_named_by_line_number(tmp_path):
    # given a line with an extra field
    path = _write(tmp_path / "t.csv", [HEADER, GOOD_ROWS[0], GOOD_ROWS[1] + ",extra,more"])
    # when read
    with pytest.raises(LedgerFileError) as error:
        transactions_read(path=path)
    # then the physical line is named
    assert str(error.value) == f"{path} line 3: expected 9 fields, found 11"


def test_ledger_read_transaction_of_unknown_project_is_named(tmp_path):
    # given a transaction of a project missing from the projects file
    files = _ledger_files(tmp_path, [GOOD_ROWS[0], GOOD_ROWS[1].replace(",P1,", ",P7,")])
    # when the ledger is read
    with pytest.raises(LedgerFileError) as error:
        ledger_read(**files)
    # then the row and the projects file are named
    assert str(error.value) == (
        f"{files['transactions_path']} data row 2, column project_id: 'P7' is not in {files['projects_path']}"
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "P2,2026-01-01,2025-12-31,false,1,1",
            "data row 2, column end_date: 2025-12-31 is before start_date 2026-01-01",
        ),
        (
            "P2,2026-01-01,2026-12-31,maybe,1,1",
            "data row 2, column self_settlement: 'maybe' is not true or false",
        ),
        ("P2,2026-01-01,2026-12-31,true,-5,1", "data row 2, column gov_funds: -5 is below 0"),
        (
            "P1,2026-01-01,2026-12-31,true,1,1",
            "data row 2, column project_id: duplicate project_id 'P1' (first at data row 1)",
        ),
    ],
)
def test_projects_read_rejects_malformed_rows(tmp_path, row, message):
    # given a projects file whose second data row is wrong
    path = _write(
        tmp_path / "projects.csv",
        [
            "project_id,start_date,end_date,self_settlement,gov_funds,cash_funds",
            "P1,2026-01-01,2026-12-31,1,200,100",
            row,
        ],
    )
    # when read
    with pytest.raises(LedgerFileError) as error:
        projects_read(path=path)
    # then the row and column are named
    assert str(error.value) == f"{path} {message}"
