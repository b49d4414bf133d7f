"""Tests of ``doyak settle`` (file in, file out; exit 2 and nothing written on bad input)."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from doyak.cli import main
from doyak.engine.settlement import FLAG_SOURCES

POLICY = """\
ineligible_merchant_types = ["bar", "karaoke", "golf", "casino"]
duplicate_window_minutes = 10
budget_transfer_share = 0.1
allowance_share_of_personnel = 0.2
holiday_review_categories = ["activities"]
audit_sample_share = 0.15
seed = 42
[evidence_exemption]
default = 0
activities = 500000
materials = 3000000
[grace_days]
default = 0
allowance = 90
"""
TRANSACTIONS = """\
txn_id,project_id,category,amount,occurred_at,merchant_id,merchant_type,evidence,description
T1,P1,materials,600000,2026-03-03T09:00:00+09:00,M1,lab_supply,card_slip,시약
T2,P1,materials,600000,2026-03-03T10:00:00+09:00,M2,lab_supply,card_slip,시약
T3,P1,activities,50000,2026-03-07T12:00:00+09:00,M3,restaurant,card_slip,회의비
T4,P1,personnel,1000000,2026-03-25T12:00:00+09:00,M4,payroll,transfer,급여
T5,P1,allowance,200001,2026-03-25T12:00:00+09:00,M5,payroll,transfer,연구수당
T6,P2,equipment,5000000,2026-03-31T15:30:00Z,M6,electronics,tax_invoice,장비
T7,P2,equipment,100,2026-03-03T10:00:00+09:00,M7,bar,card_slip,
"""
PROJECTS = """\
project_id,start_date,end_date,self_settlement,gov_funds,cash_funds
P1,2026-01-01,2026-12-31,false,200000000,100000000
P2,2026-01-01,2026-03-31,true,100,0
"""
BUDGETS = """\
project_id,category,approved
P1,materials,1000000
P1,activities,1000000
P1,personnel,1000000
P1,allowance,1000000
P2,equipment,10000000
"""
EXPECTED_FLAGS = """\
txn_id,project_id,flag,severity,amount_at_risk
,P1,ALLOWANCE_CAP,ineligible,1
T2,P1,OVER_BUDGET,ineligible,100000
T3,P1,HOLIDAY_USE,review,50000
T6,P2,OUT_OF_PERIOD,ineligible,5000000
T7,P2,INELIGIBLE_MERCHANT,ineligible,100
"""
EXPECTED_SUMMARY = """\
project_id,spent,eligible,ineligible,review,clawback,sampled
P1,2450001,2350000,100001,50000,66600,5
P2,5000100,0,5000100,0,5000100,2
"""


def _files(tmp_path: Path, *, transactions: str = TRANSACTIONS, encoding: str = "utf-8") -> list[str]:
    (tmp_path / "transactions.csv").write_bytes(transactions.encode(encoding))
    (tmp_path / "projects.csv").write_text(PROJECTS, encoding="utf-8")
    (tmp_path / "budgets.csv").write_text(BUDGETS, encoding="utf-8")
    (tmp_path / "policy.toml").write_text(POLICY, encoding="utf-8")
    return [
        "--transactions",
        str(tmp_path / "transactions.csv"),
        "--projects",
        str(tmp_path / "projects.csv"),
        "--budgets",
        str(tmp_path / "budgets.csv"),
        "--policy",
        str(tmp_path / "policy.toml"),
    ]


def test_settle_writes_flags_summary_and_korean_report(tmp_path, capsys):
    # given a small ledger that trips several rules
    arguments = _files(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    # when settled with every output
    code = main(
        [
            "settle",
            *arguments,
            "--out",
            str(out / "flags.csv"),
            "--summary",
            str(out / "summary.csv"),
            "--report",
            str(out / "report.xlsx"),
            "--quiet",
        ]
    )
    # then flags and summary are exact and the report has the three Korean sheets
    assert code == 0
    assert (out / "flags.csv").read_text(encoding="utf-8") == EXPECTED_FLAGS
    assert (out / "summary.csv").read_text(encoding="utf-8") == EXPECTED_SUMMARY
    book = openpyxl.load_workbook(out / "report.xlsx")
    assert book.sheetnames == ["요약", "플래그", "정책"]
    assert [cell.value for cell in book["요약"][2]][:5] == ["P1", 2450001, 2350000, 100001, 50000]
    assert book["요약"]["B2"].number_format == "#,##0"
    assert [cell.value for cell in book["플래그"][3]][:6] == [
        "T2",
        "P1",
        "OVER_BUDGET",
        "예산 초과",
        "불인정",
        100000,
    ]
    assert ["budget_transfer_share", "0.1"] == [cell.value for cell in book["정책"][4]][1:]
    assert sorted(path.name for path in out.iterdir()) == ["flags.csv", "report.xlsx", "summary.csv"]
    assert capsys.readouterr().out.startswith("settled 7 transactions of 2 projects: 5 flags")


def test_settle_accepts_cp949_transactions(tmp_path):
    # given the transactions file in CP949 (Korean descriptions)
    arguments = _files(tmp_path, encoding="cp949")
    # when settled
    code = main(["settle", *arguments, "--out", str(tmp_path / "flags.csv"), "-q"])
    # then the flags are the same as from UTF-8
    assert code == 0
    assert (tmp_path / "flags.csv").read_text(encoding="utf-8") == EXPECTED_FLAGS


def test_settle_malformed_row_exits_2_names_the_row_and_writes_nothing(tmp_path, capsys):
    # given a transactions file whose fourth data row has a non-integer amount
    bad = TRANSACTIONS.replace("T4,P1,personnel,1000000,", "T4,P1,personnel,abc,")
    arguments = _files(tmp_path, transactions=bad)
    out = tmp_path / "out"
    out.mkdir()
    # when settled
    code = main(
        ["settle", *arguments, "--out", str(out / "flags.csv"), "--summary", str(out / "summary.csv"), "-q"]
    )
    # then exit 2, the file/row/column are named and no output (or temporary file) exists
    assert code == 2
    assert capsys.readouterr().err == (
        f"doyak settle: error: {tmp_path / 'transactions.csv'} data row 4, column amount: 'abc' is not an integer\n"
    )
    assert list(out.iterdir()) == []


def test_settle_unknown_policy_key_exits_2_and_keeps_existing_output(tmp_path, capsys):
    # given a policy with a misspelt key and an output from an earlier run
    arguments = _files(tmp_path)
    (tmp_path / "policy.toml").write_text("duplicate_window_minuts = 5\n" + POLICY, encoding="utf-8")
    (tmp_path / "flags.csv").write_text("earlier\n", encoding="utf-8")
    # when settled
    code = main(["settle", *arguments, "--out", str(tmp_path / "flags.csv"), "-q"])
    # then exit 2 and the earlier output is untouched
    assert code == 2
    assert capsys.readouterr().err == (
        f"doyak settle: error: {tmp_path / 'policy.toml'}: unknown policy key 'duplicate_window_minuts'\n"
    )
    assert (tmp_path / "flags.csv").read_text(encoding="utf-8") == "earlier\n"


def test_settle_what_if_prints_and_writes_before_and_after(tmp_path, capsys):
    # given the ledger and a what-if raising equipment's exemption to ₩200 and self-settling P1
    arguments = _files(tmp_path)
    (tmp_path / "ids.txt").write_text("project_id\nP1\n", encoding="utf-8")
    # when settled with the what-if
    code = main(
        [
            "settle",
            *arguments,
            "--out",
            str(tmp_path / "flags.csv"),
            "--what-if-exemption",
            "equipment=200",
            "--what-if-self-settlement",
            str(tmp_path / "ids.txt"),
            "--what-if-out",
            str(tmp_path / "whatif.csv"),
            "-q",
        ]
    )
    # then P1 keeps T2, T3 (flagged) and T5 (lowest audit rank of T1, T4, T5) in its checked set,
    # its spend moves to sampling, and T7 (₩100 equipment) no longer needs a document
    assert code == 0
    rows = dict(
        (line.split(",")[0], line.split(",")[1:])
        for line in (tmp_path / "whatif.csv").read_text(encoding="utf-8").splitlines()[1:]
    )
    assert rows["checked_transactions"] == ["7", "5", "-2"]
    assert rows["checked_spend"] == ["7450101", "5850101", "-1600000"]
    assert rows["sampled_spend"] == ["5000100", "7450101", "2450001"]
    assert rows["evidence_documents"] == ["4", "2", "-2"]
    assert rows["evidence_exempt"] == ["3", "4", "1"]
    assert "checked_transactions" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--what-if-exemption", "snacks=5"],
            "--what-if-exemption 'snacks=5': expected CATEGORY=WON with CATEGORY one of",
        ),
        (["--what-if-out", "w.csv"], "--what-if-out needs --what-if-exemption or --what-if-self-settlement"),
    ],
)
def test_settle_bad_arguments_exit_2(tmp_path, capsys, extra, message):
    # given valid files and a bad option
    arguments = _files(tmp_path)
    # when settled
    code = main(["settle", *arguments, "--out", str(tmp_path / "flags.csv"), *extra, "-q"])
    # then exit 2 with the reason and no output
    assert code == 2
    assert capsys.readouterr().err.startswith(f"doyak settle: error: {message}")
    assert not (tmp_path / "flags.csv").exists()


def test_settle_console_script_runs_end_to_end(tmp_path):
    # given the files
    arguments = _files(tmp_path)
    doyak = Path(sys.executable).parent / "doyak"
    # when the installed console script runs
    completed = subprocess.run(
        [str(doyak), "settle", *arguments, "--out", str(tmp_path / "flags.csv")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then it succeeds, shows progress on stderr and writes the flags
    assert completed.returncode == 0, completed.stderr
    assert "reading the ledger" in completed.stderr
    assert (tmp_path / "flags.csv").read_text(encoding="utf-8") == EXPECTED_FLAGS


def test_settle_reads_optional_columns_and_equipment_plan_and_writes_sources(tmp_path):
    # given documents and equipment items on T, a stop date and other cash on P, a plan, and a policy with
    # the Act's evidence levels, a two-day split window and the ₩30M equipment threshold
    arguments = _files(
        tmp_path,
        transactions=(
            "txn_id,project_id,category,amount,occurred_at,merchant_id,merchant_type,evidence,documents,equipment_item\n"
            "T1,P1,innovation,3000000,2026-03-03T10:00:00+09:00,M1,lab_supply,card_slip,0,\n"
            "T2,P1,innovation,3000001,2026-03-03T11:00:00+09:00,M2,lab_supply,card_slip,0,\n"
            "T3,P1,innovation,2000000,2026-03-04T23:30:00+09:00,M3,lab_supply,card_slip,0,\n"
            "T4,P1,innovation,2000000,2026-03-05T00:30:00+09:00,M3,lab_supply,card_slip,0,\n"
            "T5,P1,equipment,30000000,2026-03-06T10:00:00+09:00,M4,electronics,tax_invoice,1,현미경\n"
            "T6,P1,equipment,30000000,2026-03-06T11:00:00+09:00,M5,electronics,tax_invoice,1,질량분석기\n"
            "T7,P2,equipment,100,2026-03-11T10:00:00+09:00,M6,electronics,card_slip,1,\n"
        ),
    )
    (tmp_path / "projects.csv").write_text(
        "project_id,start_date,end_date,self_settlement,gov_funds,cash_funds,stopped_on,other_cash_funds\n"
        "P1,2026-01-01,2026-12-31,false,200000000,50000000,,50000000\n"
        "P2,2026-01-01,2026-12-31,false,100,0,2026-03-10,0\n",
        encoding="utf-8",
    )
    (tmp_path / "budgets.csv").write_text(
        "project_id,category,approved\nP1,innovation,100000000\nP1,equipment,100000000\nP2,equipment,1000\n",
        encoding="utf-8",
    )
    (tmp_path / "equipment.csv").write_text(
        "project_id,equipment_item,planned_amount\nP1,질량분석기,35000000\n", encoding="utf-8"
    )
    (tmp_path / "policy.toml").write_text(
        POLICY.replace("activities = 500000\nmaterials = 3000000\n", "").replace(
            "seed = 42\n", "seed = 42\nsplit_window_days = 2\nequipment_plan_threshold = 30000000\n"
        )
        + "[documents_exemption]\ndefault = 0\nmaterials = 3000000\nactivities = 500000\ninnovation = 3000000\n",
        encoding="utf-8",
    )
    # when settled with the plan and sources
    code = main(["settle", *arguments, "--equipment", str(tmp_path / "equipment.csv"), "--with-sources",
                 "--out", str(tmp_path / "flags.csv"), "--summary", str(tmp_path / "summary.csv"), "-q"])
    # then each new rule flags at its boundary, with its source, and other cash lowers the share
    assert code == 0

    def source(flag: str) -> str:
        return " / ".join(FLAG_SOURCES[flag])

    with (tmp_path / "flags.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["txn_id", "project_id", "flag", "severity", "amount_at_risk", "source"],
        ["T2", "P1", "MISSING_DOCUMENTS", "ineligible", "3000001", source("MISSING_DOCUMENTS")],
        ["T3", "P1", "SPLIT_PURCHASE", "ineligible", "2000000", source("SPLIT_PURCHASE")],
        ["T4", "P1", "SPLIT_PURCHASE", "ineligible", "2000000", source("SPLIT_PURCHASE")],
        ["T5", "P1", "UNPLANNED_EQUIPMENT", "review", "30000000", source("UNPLANNED_EQUIPMENT")],
        ["T7", "P2", "OUT_OF_PERIOD", "ineligible", "100", source("OUT_OF_PERIOD")],
    ]
    # P1: ineligible 7,000,001 × 666 ‰ (200M / 300M) = 4,662,000
    assert (tmp_path / "summary.csv").read_text(encoding="utf-8").splitlines()[1] == (
        "P1,70000001,63000000,7000001,30000000,4662000,6")


def test_settle_equipment_file_with_an_unknown_project_is_refused(tmp_path, capsys):
    # given a plan naming a project that is not in the projects file
    arguments = _files(tmp_path)
    (tmp_path / "equipment.csv").write_text("project_id,equipment_item,planned_amount\nP9,현미경,1\n",
                                            encoding="utf-8")
    # when settled
    code = main(["settle", *arguments, "--equipment", str(tmp_path / "equipment.csv"),
                 "--out", str(tmp_path / "flags.csv"), "-q"])
    # then it stops with exit 2, naming the row, and writes nothing
    assert code == 2
    assert "equipment.csv data row 1, column project_id: 'P9' is not in" in capsys.readouterr().err
    assert not (tmp_path / "flags.csv").exists()


def test_settle_writes_the_monthly_sample_with_late_filers(tmp_path):
    # given two self-settlement projects spending in March, P2's report due 3-31 filed on 4-02, and the
    # per-transaction sample asked for too
    arguments = _files(tmp_path, transactions=TRANSACTIONS.replace("2026-03-31T15:30:00Z", "2026-03-30T15:30:00Z"))
    (tmp_path / "projects.csv").write_text(
        "project_id,start_date,end_date,self_settlement,gov_funds,cash_funds,report_due_on,report_submitted_on\n"
        "P1,2026-01-01,2026-12-31,true,200000000,100000000,,\n"
        "P2,2026-01-01,2026-12-31,true,100,0,2026-03-31,2026-04-02\n",
        encoding="utf-8",
    )
    # when settled with --sample and --sample-transactions
    code = main(["settle", *arguments, "--out", str(tmp_path / "flags.csv"), "--sample", str(tmp_path / "sample.csv"),
                 "--sample-transactions", str(tmp_path / "sample_txn.csv"), "-q"])
    # then March's sample lists the late filer and the flagged project (P1's allowance cap), each once
    assert code == 0
    assert (tmp_path / "sample.csv").read_text(encoding="utf-8").splitlines() == [
        "month,project_id,reason", "2026-03,P1,flagged", "2026-03,P2,late_filer"]
    assert (tmp_path / "sample_txn.csv").read_text(encoding="utf-8").splitlines()[0] == "project_id,txn_id,reason"
