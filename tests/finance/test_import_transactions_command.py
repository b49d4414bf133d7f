"""``doyak import_transactions AGREEMENT FILE``: CSV (UTF-8, CP949), XLSX and Parquet, all or nothing."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import Workbook

from doyak.core.models import AuditEvent
from doyak.finance.models import Transaction

from .conftest import SEOUL

HEADER = ["txn_id", "category", "amount", "occurred_at", "merchant_id", "merchant_type", "evidence", "description"]
ROWS = [
    ["T1", "materials", "120000", "2026-03-03 10:00", "M1", "office", "card_slip", "펜"],
    ["T2", "activities", "-30000", "2026-03-04 11:00", "M2", "restaurant", "card_slip", "취소"],
    ["T3", "materials", "4000000", "2026-03-05 09:30", "M3", "lab_supply", "none", "시약"],
]
EXPECTED = [
    ("T1", "materials", 120_000, dt.datetime(2026, 3, 3, 10, 0, tzinfo=SEOUL), "M1", "office", "card_slip", "펜",
     "import"),
    ("T2", "activities", -30_000, dt.datetime(2026, 3, 4, 11, 0, tzinfo=SEOUL), "M2", "restaurant", "card_slip",
     "취소", "import"),
    ("T3", "materials", 4_000_000, dt.datetime(2026, 3, 5, 9, 30, tzinfo=SEOUL), "M3", "lab_supply", "none", "시약",
     "import"),
]


def _csv(rows, encoding="utf-8") -> bytes:
    return "\n".join(",".join(row) for row in [HEADER, *rows]).encode(encoding) + b"\n"


def _ledger(agreement) -> list[tuple]:
    return list(Transaction.objects.filter(agreement=agreement).order_by("txn_id").values_list(
        "txn_id", "category", "amount_krw", "occurred_at", "merchant_id", "merchant_type", "evidence", "description",
        "source"))


def _run(*args) -> str:
    from io import StringIO

    out = StringIO()
    with translation.override("en"):
        call_command("import_transactions", *map(str, args), stdout=out)
    return out.getvalue()


@pytest.fixture
def agreement(make_agreement):
    return make_agreement()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949"])
def test_command_imports_a_csv_in_any_korean_encoding(agreement, tmp_path, encoding):
    # given a CSV ledger with Korean descriptions in this encoding
    path = tmp_path / "원장.csv"
    path.write_bytes(_csv(ROWS, encoding))
    # when the command imports it
    out = _run(agreement.number, path)
    # then every row is in the ledger, exactly as written
    assert out == f"3 transactions imported into {agreement.number}.\n"
    assert _ledger(agreement) == EXPECTED
    assert AuditEvent.objects.filter(action="transactions.import").get().changes == {
        "file": "원장.csv", "rows": 3, "total_krw": 4_090_000}


def test_command_imports_an_xlsx_sheet_with_typed_cells(agreement, tmp_path):
    # given an XLSX whose amounts are numbers and times are Excel dates (Seoul local time)
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for txn_id, category, amount, occurred, *rest in ROWS:
        sheet.append([txn_id, category, int(amount), dt.datetime.fromisoformat(occurred), *rest])
    path = tmp_path / "ledger.xlsx"
    book.save(path)
    # when the command imports it
    out = _run(agreement.number, path)
    # then the ledger matches the CSV import exactly
    assert out == f"3 transactions imported into {agreement.number}.\n"
    assert _ledger(agreement) == EXPECTED


def test_command_imports_a_typed_parquet_file(agreement, tmp_path):
    # given a Parquet file with integer amounts and zone-aware timestamps
    frame = pl.DataFrame({
        "txn_id": [r[0] for r in ROWS], "category": [r[1] for r in ROWS], "amount": [int(r[2]) for r in ROWS],
        "occurred_at": [dt.datetime.fromisoformat(r[3]).replace(tzinfo=SEOUL) for r in ROWS],
        "merchant_id": [r[4] for r in ROWS], "merchant_type": [r[5] for r in ROWS], "evidence": [r[6] for r in ROWS],
        "description": [r[7] for r in ROWS],
    })
    path = tmp_path / "ledger.parquet"
    frame.write_parquet(path)
    # when the command imports it
    out = _run(agreement.number, path)
    # then the ledger matches the CSV import exactly
    assert out == f"3 transactions imported into {agreement.number}.\n"
    assert _ledger(agreement) == EXPECTED


@pytest.mark.parametrize(("suffix", "language", "message"), [
    (".csv", "en", "Nothing was imported. ledger{suffix} data row 3, column amount: '4백만' is not an integer"),
    (".csv", "ko", "아무것도 등록되지 않았습니다. ledger{suffix} 데이터 3행 amount 열: '4백만'은(는) 정수가 아닙니다"),
    (".xlsx", "ko", "아무것도 등록되지 않았습니다. ledger{suffix} 데이터 3행 amount 열: '4백만'은(는) 정수가 아닙니다"),
    (".parquet", "en", "Nothing was imported. ledger{suffix} data row 3, column amount: '4백만' is not an integer"),
])
def test_command_with_one_malformed_row_imports_nothing_and_exits_non_zero(agreement, tmp_path, suffix, language,
                                                                            message):
    # given a file whose third data row has a text amount, the other two valid
    rows = [*ROWS[:2], [*ROWS[2][:2], "4백만", *ROWS[2][3:]]]
    path = tmp_path / f"ledger{suffix}"
    if suffix == ".csv":
        path.write_bytes(_csv(rows))
    elif suffix == ".xlsx":
        book = Workbook()
        for row in [HEADER, *rows]:
            book.active.append(row)
        book.save(path)
    else:
        pl.DataFrame(rows, schema=HEADER, orient="row").write_parquet(path)
    events = AuditEvent.objects.count()
    # when the command imports it
    with translation.override(language), pytest.raises(CommandError) as caught:
        call_command("import_transactions", agreement.number, str(path))
    # then it fails with a non-zero exit status naming the row and column, and nothing is added
    assert caught.value.returncode == 1
    assert str(caught.value) == message.format(suffix=suffix)
    assert Transaction.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_command_rejects_an_unknown_agreement(agreement, tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_bytes(_csv(ROWS))
    with translation.override("en"), pytest.raises(CommandError) as caught:
        call_command("import_transactions", "AG-NONE", str(path))
    assert (str(caught.value), caught.value.returncode) == ("No agreement AG-NONE.", 1)
    assert Transaction.objects.count() == 0
