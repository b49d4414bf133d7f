"""The engine's ledger-file errors said in Korean (and, word for word, in English) from their fields."""

from __future__ import annotations

import pytest
from django.utils import translation

from doyak.engine.ledger_io import LedgerFileError, transactions_read
from doyak.finance.import_messages import import_error_message

HEADER = "txn_id,project_id,category,amount,occurred_at,merchant_id,merchant_type,evidence\n"
GOOD = "T1,P1,materials,1000,2026-03-03 10:00,M1,office,card_slip\n"


def _engine_error(tmp_path, text: str) -> tuple[LedgerFileError, str]:
    path = tmp_path / "upload.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LedgerFileError) as caught:
        transactions_read(path=path)
    return caught.value, str(path)


CASES = [
    # (file body, Korean message)
    (HEADER + GOOD + "T2,P1,materials,삼만원,2026-03-03 10:00,M1,office,card_slip\n",
     "원장.csv 데이터 2행 amount 열: '삼만원'은(는) 정수가 아닙니다"),
    (HEADER + GOOD + "T2,P1,materials,,2026-03-03 10:00,M1,office,card_slip\n",
     "원장.csv 데이터 2행 amount 열: 비어 있습니다"),
    (HEADER + "T1,P1,materials,1000,2026-03-03 10:00,M1,office,영수증\n",
     "원장.csv 데이터 1행 evidence 열: '영수증'은(는) 알 수 없는 증빙 종류입니다 "
     "(none, card_slip, tax_invoice, receipt, transfer)"),
    (HEADER + "T1,P1,materials,1000,3월 3일,M1,office,card_slip\n",
     "원장.csv 데이터 1행 occurred_at 열: '3월 3일'은(는) ISO 8601 일시가 아닙니다"),
    (HEADER + GOOD + GOOD,
     "원장.csv 데이터 2행 txn_id 열: txn_id 'T1'이(가) 중복됩니다 (처음 나온 곳: 데이터 1행)"),
    (HEADER.replace(",evidence", "") + "T1,P1,materials,1000,2026-03-03 10:00,M1,office\n",
     "원장.csv: 'evidence' 열이 없습니다"),
    (HEADER + GOOD + "T2,P1,materials,1000,2026-03-03 10:00,M1,office,card_slip,extra\n",
     "원장.csv 3번째 줄: 항목이 8개여야 하는데 9개입니다"),
]


@pytest.mark.parametrize(("body", "korean"), CASES)
def test_import_error_message_in_korean_and_english(tmp_path, body, korean):
    # given the engine's error about a temporary copy of the upload "원장.csv"
    error, temp_path = _engine_error(tmp_path, body)
    # when it is said to a Korean and to an English user
    with translation.override("ko"):
        in_korean = import_error_message(error, name="원장.csv")
    with translation.override("en"):
        in_english = import_error_message(error, name="원장.csv")
    # then Korean has no English left and English is the engine's own sentence about the upload's name
    assert in_korean == korean
    assert in_english == str(error).replace(temp_path, "원장.csv")


def test_engine_error_carries_the_problem_as_fields_with_an_unchanged_message(tmp_path):
    error, temp_path = _engine_error(tmp_path, HEADER + GOOD + "T2,P1,materials,삼만원,2026-03-03 10:00,M1,office,"
                                                               "card_slip\n")
    assert str(error) == f"{temp_path} data row 2, column amount: '삼만원' is not an integer"
    assert (error.path, error.row, error.column, error.problem, error.problem_code, error.problem_args) == (
        temp_path, 2, "amount", "'삼만원' is not an integer", "not_integer", {"value": "삼만원"})


def test_unknown_problem_kind_keeps_the_engine_text_inside_the_translated_sentence():
    error = LedgerFileError("x.csv data row 4, column amount: something new", path="x.csv", row=4, column="amount",
                            problem="something new", problem_code="something_new")
    with translation.override("ko"):
        assert import_error_message(error, name="원장.csv") == "원장.csv 데이터 4행 amount 열: something new"


def test_unreadable_file_is_said_without_engine_detail():
    error = LedgerFileError("x.csv: not UTF-8 or CP949 text", path="x.csv", code="unreadable_file")
    with translation.override("ko"):
        assert import_error_message(error, name="원장.csv") == (
            "원장.csv을(를) 읽을 수 없습니다. UTF-8 또는 CP949 텍스트, XLSX, Parquet 파일을 사용하세요.")
