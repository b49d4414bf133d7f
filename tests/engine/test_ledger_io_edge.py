"""Ledger files with values no column can hold (issue 16): each is a row error naming row and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from doyak.engine.ledger_io import LedgerFileError, transactions_read

HEADER = "txn_id,project_id,category,amount,occurred_at,merchant_id,merchant_type,evidence"
GOOD = "T1,P1,materials,1000,2026-03-03T10:00:00+09:00,M1,lab_supply,card_slip"


@pytest.mark.parametrize(("bad_row", "column", "code"), [
    ("T2,P1,materials,Infinity,2026-03-03T10:00:00+09:00,M1,lab_supply,card_slip", "amount", "not_integer"),
    ("T2,P1,materials,NaN,2026-03-03T10:00:00+09:00,M1,lab_supply,card_slip", "amount", "not_integer"),
    ("T2,P1,materials,1e30,2026-03-03T10:00:00+09:00,M1,lab_supply,card_slip", "amount", "not_integer"),
    (f"T2,P1,materials,{10**30},2026-03-03T10:00:00+09:00,M1,lab_supply,card_slip", "amount", "not_integer"),
    ("T" + "9" * 64 + ",P1,materials,1,2026-03-03T10:00:00+09:00,M1,lab_supply,card_slip", "txn_id", "too_long"),
    ("T2,P1,materials,1,2026-03-03T10:00:00+09:00," + "M" * 131_073 + ",lab_supply,card_slip", "merchant_id",
     "too_long"),
    ("T2,P1,materials,1,2026-03-03T10:00:00+09:00,M\x001,lab_supply,card_slip", "merchant_id", "nul_character"),
])
def test_transactions_read_value_beyond_its_column_is_a_row_error(tmp_path: Path, bad_row, column, code):
    # given a good row and a second row with a value the ledger cannot hold
    path = tmp_path / "t.csv"
    path.write_bytes(f"{HEADER}\n{GOOD}\n{bad_row}\n".encode())
    # when read
    with pytest.raises(LedgerFileError) as error:
        transactions_read(path=path)
    # then the error names the second data row, the column and the kind of problem
    assert (error.value.row, error.value.column, error.value.problem_code) == (2, column, code)
