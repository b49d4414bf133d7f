"""The council's meeting pack (협의회 회의자료) for one date: what it holds (the board's indicators with their
yearly series, the portfolio scenarios awaiting approval, the regulation tasks' progress) gathered as plain
rows, then written as a Korean PDF (``core.pdf``) and an XLSX (openpyxl). The job in ``services`` calls these
steps and records its progress between them."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from doyak.core.pdf import FONT_FAMILY, korean_pdf

from . import sources
from .presentation import STATUS_SYMBOLS, figure, status_label
from .selectors import IndicatorState


@dataclass(frozen=True)
class ScenarioRow:
    name: str
    program: str
    year: int
    call: str
    submitted_at: dt.datetime | None
    selected: int
    budget_used_krw: int


@dataclass
class PackContent:
    as_of: dt.date
    states: list[IndicatorState] = field(default_factory=list)
    scenarios: list[ScenarioRow] = field(default_factory=list)
    regulation: list[sources.RegulationTaskProgress] = field(default_factory=list)


def scenarios_awaiting_approval() -> list[ScenarioRow]:
    """Scenarios submitted for approval and not yet approved, oldest submission first."""
    from doyak.portfolio.enums import ScenarioStatus
    from doyak.portfolio.models import Scenario

    qs = (Scenario.objects.filter(status=ScenarioStatus.SUBMITTED).select_related("program", "call")
          .order_by("submitted_at", "pk"))
    return [ScenarioRow(name=s.name, program=s.program.name, year=s.year, call=s.call.title if s.call else "",
                        submitted_at=s.submitted_at, selected=len((s.result or {}).get("selected_ids", [])),
                        budget_used_krw=int((s.result or {}).get("budget_used") or 0)) for s in qs]


def _ratio(state: IndicatorState) -> float | None:
    """How far the actual is towards the final target (0–1, for the bar only), when both are known."""
    if state.actual is None or not state.target:
        return None
    share = float(state.actual / state.target) if state.indicator.increasing else (
        float(state.target / state.actual) if state.actual else 1.0)
    return max(0.0, min(1.0, share))


def _when(moment: dt.datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else "-"


# ---------------------------------------------------------------------------------------------- PDF
def pack_pdf(content: PackContent) -> bytes:
    """The pack as a Korean PDF (the caller activates Korean): cover lines, one row per indicator with a bar
    of its progress towards the target (and its status symbol, so it reads without colour), each indicator's
    yearly series, the scenarios awaiting approval and the regulation tasks."""
    lang = "ko"
    pdf = korean_pdf(title=f"산업 R&D 전략기획투자협의회 회의자료 {content.as_of:%Y-%m-%d}", orientation="L", margin=14)
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def heading(text: str) -> None:
        pdf.ln(3)
        pdf.set_font(FONT_FAMILY, "B", 13)
        pdf.cell(width, 9, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT_FAMILY, "", 9)

    pdf.set_font(FONT_FAMILY, "B", 18)
    pdf.cell(width, 12, "산업 R&D 전략기획투자협의회 회의자료", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 10)
    pdf.cell(width, 6, f"기준일 {content.as_of:%Y-%m-%d} · 2026 산업 R&D 혁신방안의 목표별 실적(기록에서 계산)",
             align="C", new_x="LMARGIN", new_y="NEXT")
    legend = " ".join(f"{STATUS_SYMBOLS[s]} {status_label(s)}" for s in STATUS_SYMBOLS)
    pdf.cell(width, 6, f"상태: {legend}", align="C", new_x="LMARGIN", new_y="NEXT")

    heading("1. 지표 현황")
    columns = (78, 34, 40, 34, 30, 53)
    pdf.set_font(FONT_FAMILY, "B", 9)
    for text, w in zip(("지표", "실적", "목표 (기한)", "오늘의 경로", "상태", "목표 대비"), columns, strict=True):
        pdf.cell(w, 7, text, border=1, align="C")
    pdf.ln()
    pdf.set_font(FONT_FAMILY, "", 9)
    for state in content.states:
        unit = state.indicator.unit
        target = figure(state.target, unit, lang=lang) + (f" ({state.deadline})" if state.deadline else "")
        cells = (state.indicator.label[:40], figure(state.actual, unit, lang=lang), target,
                 figure(state.expected, unit, lang=lang), f"{STATUS_SYMBOLS[state.status]} {status_label(state.status)}")
        if pdf.will_page_break(7):
            pdf.add_page()
        for index, (text, w) in enumerate(zip(cells, columns[:-1], strict=True)):
            pdf.cell(w, 7, text, border=1, align="L" if index in (0, 4) else "R")
        x, y = pdf.get_x(), pdf.get_y()
        pdf.cell(columns[-1], 7, "", border=1)
        ratio = _ratio(state)
        if ratio is not None:
            bar = columns[-1] - 18
            pdf.set_fill_color(225, 225, 225)
            pdf.rect(x + 2, y + 2, bar, 3, style="F")
            pdf.set_fill_color(37, 99, 235)
            pdf.rect(x + 2, y + 2, bar * ratio, 3, style="F")
            pdf.set_xy(x + bar + 3, y)
            pdf.cell(14, 7, f"{ratio:.0%}", align="R")
        pdf.set_xy(pdf.l_margin, y + 7)
    notes = [s for s in content.states if s.no_data_reason]
    if notes:
        pdf.ln(2)
        for state in notes:
            pdf.multi_cell(width, 5, f"○ {state.indicator.label}: {state.no_data_reason}", new_x="LMARGIN", new_y="NEXT")

    heading("2. 지표별 연도 경로 (목표 · 오늘의 경로 · 실적)")
    for state in content.states:
        if not state.years:
            continue
        unit = state.indicator.unit
        if pdf.will_page_break(26):
            pdf.add_page()
        pdf.set_font(FONT_FAMILY, "B", 9)
        pdf.cell(width, 6, state.indicator.label, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT_FAMILY, "", 8)
        year_w = min(26.0, (width - 24) / max(1, len(state.years)))
        for label, values in (("연도", [str(r.year) for r in state.years]),
                              ("목표", [figure(r.target, unit, lang=lang) for r in state.years]),
                              ("경로", [figure(r.expected, unit, lang=lang) for r in state.years]),
                              ("실적", [figure(r.actual, unit, lang=lang) for r in state.years]),
                              ("상태", [STATUS_SYMBOLS[r.status] for r in state.years])):
            pdf.cell(24, 5, label, border=1)
            for value in values:
                pdf.cell(year_w, 5, value, border=1, align="R")
            pdf.ln()

    heading("3. 승인 대기 포트폴리오 시나리오")
    if not content.scenarios:
        pdf.cell(width, 6, "기록 없음", new_x="LMARGIN", new_y="NEXT")
    else:
        columns = (70, 55, 16, 60, 32, 16, 20)
        pdf.set_font(FONT_FAMILY, "B", 9)
        for text, w in zip(("시나리오", "사업", "연도", "공고", "제출", "선정", "예산"), columns, strict=True):
            pdf.cell(w, 7, text, border=1, align="C")
        pdf.ln()
        pdf.set_font(FONT_FAMILY, "", 8)
        for row in content.scenarios:
            cells = (row.name[:36], row.program[:30], str(row.year), row.call[:32], _when(row.submitted_at),
                     f"{row.selected}건", figure(Decimal(row.budget_used_krw), "krw", lang=lang))
            for index, (text, w) in enumerate(zip(cells, columns, strict=True)):
                pdf.cell(w, 7, text, border=1, align="R" if index >= 5 else "L")
            pdf.ln()

    heading("4. 규제혁신 과제 진행")
    if not content.regulation:
        pdf.cell(width, 6, "기록 없음 (규제혁신 과제가 아직 doyak에 등록되지 않았습니다)", new_x="LMARGIN", new_y="NEXT")
    else:
        columns = (110, 50, 40, 69)
        pdf.set_font(FONT_FAMILY, "B", 9)
        for text, w in zip(("과제", "소관", "상태", "진행"), columns, strict=True):
            pdf.cell(w, 7, text, border=1, align="C")
        pdf.ln()
        pdf.set_font(FONT_FAMILY, "", 8)
        for task in content.regulation:
            for text, w in zip((task.title[:60], task.owner[:26], task.status, task.progress), columns, strict=True):
                pdf.cell(w, 7, text, border=1)
            pdf.ln()

    pdf.ln(3)
    pdf.set_font(FONT_FAMILY, "", 8)
    pdf.multi_cell(width, 5, f"이 자료는 doyak에서 {timezone.localtime():%Y-%m-%d %H:%M}에 만들어졌습니다. 모든 실적은 "
                   "검증된 기록에서 계산되며, 지표 화면에서 그 기록을 열어 볼 수 있습니다.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


# ---------------------------------------------------------------------------------------------- XLSX
def _number(value: Decimal | None) -> Decimal | str:
    return "" if value is None else value


def pack_xlsx(content: PackContent) -> bytes:
    """The pack as a workbook (the caller activates Korean): indicators, the yearly series, the scenarios
    awaiting approval and the regulation tasks, one sheet each; numbers as numbers, labels not codes."""
    book = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], *, first: bool = False):
        ws = book.active if first else book.create_sheet()
        ws.title = title
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
        ws.freeze_panes = "A2"
        return ws

    ws = sheet("지표", ["지표 키", "지표", "단위", "상태", "실적", "목표", "기한", "오늘의 경로", "전망", "기준값",
                      "기준일", "자료 없음 사유"], first=True)
    for s in content.states:
        unit = s.indicator.get_unit_display()
        ws.append([s.key, s.indicator.label, str(unit), status_label(s.status), _number(s.actual), _number(s.target),
                   s.deadline or "", _number(s.expected), _number(s.forecast), _number(s.baseline),
                   content.as_of, s.no_data_reason])
    ws = sheet("연도별", ["지표 키", "지표", "연도", "목표", "오늘의 경로", "실적", "상태"])
    for s in content.states:
        for r in s.years:
            ws.append([s.key, s.indicator.label, r.year, _number(r.target), _number(r.expected), _number(r.actual),
                       status_label(r.status)])
    ws = sheet("승인 대기 시나리오", ["시나리오", "사업", "연도", "공고", "제출 일시", "선정 과제 수", "사용 예산(원)"])
    for row in content.scenarios:
        ws.append([row.name, row.program, row.year, row.call, _when(row.submitted_at), row.selected,
                   row.budget_used_krw])
    if not content.scenarios:
        ws.append(["기록 없음"])
    ws = sheet("규제혁신 과제", ["과제", "소관", "상태", "진행"])
    for task in content.regulation:
        ws.append([task.title, task.owner, task.status, task.progress])
    if not content.regulation:
        ws.append(["기록 없음 (규제혁신 과제가 아직 doyak에 등록되지 않았습니다)"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
