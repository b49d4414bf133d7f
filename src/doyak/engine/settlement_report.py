"""Settlement report as an XLSX workbook, in Korean (openpyxl, write-only mode).

Sheets: 요약 (one row per project, won as ``#,##0``), 플래그 (every flag with its Korean name
and explanation), 정책 (the policy values used). The flag sheet stops at Excel's row limit
with a note; the full list is the flags CSV.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from doyak.engine.settlement import (
    ALLOWANCE_CAP,
    DUPLICATE,
    HOLIDAY_USE,
    INELIGIBLE,
    INELIGIBLE_MERCHANT,
    MISSING_DOCUMENTS,
    MISSING_EVIDENCE,
    OUT_OF_PERIOD,
    OVER_BUDGET,
    REVIEW,
    SPLIT_PURCHASE,
    UNPLANNED_EQUIPMENT,
    SettlementResult,
)
from doyak.engine.settlement_policy import SettlementPolicy

WON_FORMAT = "#,##0"
EXCEL_MAX_ROWS = 1_048_576

FLAG_LABELS: dict[str, tuple[str, str]] = {
    OUT_OF_PERIOD: ("기간 외 집행", "협약기간 시작 전 또는 종료일(비목별 유예기간 포함) 이후에 집행"),
    INELIGIBLE_MERCHANT: ("집행 불가 업종", "유흥·사행 등 연구비 사용이 금지된 업종에서 사용"),
    MISSING_EVIDENCE: ("증빙 누락", "소액 증빙 면제 기준을 넘는 금액인데 증빙이 없음"),
    MISSING_DOCUMENTS: ("증빙서류 누락", "증빙서류 면제 기준을 넘는 금액인데 견적서·검수조서·회의록 등 증빙서류가 없음"),
    UNPLANNED_EQUIPMENT: ("계획 외 장비", "기준 금액 이상의 연구장비가 연구개발계획서의 장비 목록에 없음"),
    SPLIT_PURCHASE: (
        "분할 결제",
        "같은 날 같은 가맹점·비목에서 증빙 없이 기준 이하로 나누어 결제했고 합계가 기준을 넘음",
    ),
    DUPLICATE: ("중복 집행 의심", "같은 가맹점에서 같은 금액이 짧은 간격으로 다시 결제됨"),
    HOLIDAY_USE: ("휴일 사용", "토요일·일요일·공휴일 사용: 사유 확인 필요"),
    OVER_BUDGET: ("예산 초과", "비목별 승인 예산(전용 허용 범위 포함)을 넘는 금액"),
    ALLOWANCE_CAP: ("연구수당 한도 초과", "연구수당이 인건비(학생인건비 포함)의 허용 비율을 넘음"),
}
SEVERITY_LABELS: dict[str, str] = {INELIGIBLE: "불인정", REVIEW: "검토"}
POLICY_LABELS: dict[str, str] = {
    "ineligible_merchant_types": "사용 불가 업종",
    "duplicate_window_minutes": "중복 판단 간격(분)",
    "budget_transfer_share": "비목 간 전용 허용 비율",
    "allowance_share_of_personnel": "연구수당 한도(인건비 대비 비율)",
    "holiday_review_categories": "휴일 사용 검토 비목",
    "audit_sample_share": "자체정산 표본 비율",
    "seed": "표본 추출 시드",
    "evidence_exemption": "소액 증빙 면제 기준(원)",
    "grace_days": "종료 후 유예기간(일)",
    "documents_exemption": "증빙서류 면제 기준(원)",
    "split_window_days": "분할 결제 판단 기간(일)",
    "equipment_plan_threshold": "계획 반영 대상 장비 기준(원)",
}


def _cell(
    sheet: object, value: object, *, won: bool = False, bold: bool = False, number_format: str | None = None
) -> object:
    if not (won or bold or number_format):
        return value  # plain values are much faster than styled cells in write-only mode
    cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
    if won:
        cell.number_format = WON_FORMAT
    elif number_format:
        cell.number_format = number_format
    if bold:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    return cell


def _header(sheet: object, titles: list[str]) -> list[object]:
    return [_cell(sheet, title, bold=True) for title in titles]


def report_write(*, path: Path, result: SettlementResult, policy: SettlementPolicy) -> None:
    """Write the workbook to ``path`` (the caller takes care of atomic replacement)."""
    book = Workbook(write_only=True)

    summary = book.create_sheet("요약")
    summary.column_dimensions["A"].width = 16
    for letter in "BCDEFGH":
        summary.column_dimensions[letter].width = 18
    summary.append(
        _header(
            summary,
            [
                "과제번호",
                "집행액",
                "인정액",
                "불인정액",
                "검토 대상액",
                "정부지원 비율(%)",
                "환수액",
                "정산 방식",
                "거래 건수",
                "점검 건수",
            ],
        )
    )
    for row in result.summary.iter_rows(named=True):
        summary.append(
            [
                _cell(summary, row["project_id"]),
                _cell(summary, row["spent"], won=True),
                _cell(summary, row["eligible"], won=True),
                _cell(summary, row["ineligible"], won=True),
                _cell(summary, row["review"], won=True),
                _cell(summary, row["government_share_permille"] / 10, number_format="0.0"),
                _cell(summary, row["clawback"], won=True),
                _cell(summary, "자체정산(표본 점검)" if row["self_settlement"] else "전수 점검"),
                _cell(summary, row["transactions"], won=True),
                _cell(summary, row["sampled"], won=True),
            ]
        )
    totals = result.summary.select(
        pl.col("spent", "eligible", "ineligible", "review", "clawback", "transactions", "sampled").sum()
    ).row(0, named=True)
    summary.append(
        [
            _cell(summary, "합계", bold=True),
            _cell(summary, totals["spent"], won=True),
            _cell(summary, totals["eligible"], won=True),
            _cell(summary, totals["ineligible"], won=True),
            _cell(summary, totals["review"], won=True),
            _cell(summary, ""),
            _cell(summary, totals["clawback"], won=True),
            _cell(summary, ""),
            _cell(summary, totals["transactions"], won=True),
            _cell(summary, totals["sampled"], won=True),
        ]
    )

    flags = book.create_sheet("플래그")
    for letter, width in zip("ABCDEFG", (16, 14, 22, 20, 10, 16, 60), strict=True):
        flags.column_dimensions[letter].width = width
    flags.append(_header(flags, ["거래번호", "과제번호", "플래그", "플래그명", "판정", "위험 금액", "설명"]))
    limit = EXCEL_MAX_ROWS - 2
    for txn_id, project_id, flag, severity, amount in result.flags.head(limit).iter_rows():
        name, explanation = FLAG_LABELS[flag]
        flags.append(
            [
                txn_id,
                project_id,
                flag,
                name,
                SEVERITY_LABELS[severity],
                _cell(flags, amount, won=True),
                explanation,
            ]
        )
    if result.flags.height > limit:
        flags.append(
            [
                _cell(
                    flags,
                    f"엑셀 행 한도로 {limit:,}건까지만 표시 (전체 {result.flags.height:,}건은 플래그 CSV 참조)",
                )
            ]
        )

    settings = book.create_sheet("정책")
    settings.column_dimensions["A"].width = 34
    settings.column_dimensions["B"].width = 34
    settings.column_dimensions["C"].width = 40
    settings.append(_header(settings, ["항목", "키", "값"]))
    for key, value in policy.as_rows():
        label = POLICY_LABELS.get(key.split(".", 1)[0], key)
        if "." in key:
            label = f"{label} · {key.split('.', 1)[1]}"
        settings.append([_cell(settings, label), _cell(settings, key), _cell(settings, value)])
    book.save(path)
