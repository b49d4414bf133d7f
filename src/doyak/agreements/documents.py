"""The printable Korean agreement (협약서) of one version, as PDF (fpdf2), with the Pretendard font that npm
installs at set-up (``core.pdf``)."""

from __future__ import annotations

from django.utils import timezone, translation

from doyak.core.pdf import korean_pdf
from doyak.proposals.enums import CostCategory

from .enums import PartyRole
from .models import Agreement, AgreementVersion
from .presentation import won
from .terms import other_cash_of


def agreement_pdf(*, agreement: Agreement, version: AgreementVersion) -> bytes:
    """The agreement document of ``version`` in Korean: parties, period, goals, KPIs, budget, signatures."""
    with translation.override("ko"):
        return _render(agreement=agreement, version=version)


def _render(*, agreement: Agreement, version: AgreementVersion) -> bytes:
    terms = version.terms
    pdf = korean_pdf(title=f"{agreement.number} 협약서 제{version.number}판")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def heading(text: str) -> None:
        pdf.ln(3)
        pdf.set_font("Pretendard", "B", 12)
        pdf.cell(width, 8, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Pretendard", "", 10)

    def line(text: str) -> None:
        pdf.multi_cell(width, 6, text, new_x="LMARGIN", new_y="NEXT")

    pdf.set_font("Pretendard", "B", 18)
    pdf.cell(width, 12, "국가연구개발사업 협약서", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Pretendard", "", 10)
    pdf.cell(width, 6, f"협약번호 {agreement.number} · 제{version.number}판 · {version.effective_from:%Y-%m-%d} 시행",
             align="C", new_x="LMARGIN", new_y="NEXT")
    heading("1. 과제")
    line(f"과제명: {agreement.proposal.title_ko}")
    line(f"연구개발기간: {terms['start_date']} ~ {terms['end_date']}")
    for stage in terms["stages"]:
        line(f"  {stage['number']}단계: {stage['start_date']} ~ {stage['end_date']}")
    heading("2. 협약 당사자")
    line(f"주관연구개발기관: {terms['lead_institution']['name']}")
    for party in terms["parties"]:
        line(f"{PartyRole(party['role']).label}: {party['name']}")
    line(f"연구책임자: {(terms.get('pi') or {}).get('name', '–')}")
    if terms["staff"]:
        line("참여연구자: " + ", ".join(s["name"] for s in terms["staff"]))
    heading("3. 연구개발 목표와 내용")
    for index, goal in enumerate(terms["goals"], start=1):
        line(f"목표 {index}. {goal}")
    if terms.get("method"):
        line(f"방법·내용: {terms['method']}")
    for kpi in terms["kpis"]:
        line(f"성과지표: {kpi['name']} — 기준 {kpi.get('baseline') or '–'} → 목표 {kpi['target']} {kpi.get('unit', '')}"
             f"{' (' + str(kpi['year']) + '년)' if kpi.get('year') else ''}")
    heading("4. 연구개발비 (연차 × 기관 × 비목 × 재원)")
    pdf.set_font("Pretendard", "B", 9)
    columns = (12, 40, 30, 24, 24, 22, 22)
    for text, w in zip(("연차", "기관", "비목", "정부지원금", "기관부담 현금", "기타 현금", "현물"), columns,
                       strict=True):
        pdf.cell(w, 7, text, border=1, align="C")
    pdf.ln()
    pdf.set_font("Pretendard", "", 9)
    for budget in terms["budget"]:
        category = str(CostCategory(budget["category"]).label) if budget["category"] in CostCategory.values else (
            budget["category"])
        cells = (str(budget["year"]), budget["organization"][:16], category, won(budget["gov_krw"]),
                 won(budget["cash_krw"]), won(other_cash_of(budget)), won(budget["in_kind_krw"]))
        for index, (text, w) in enumerate(zip(cells, columns, strict=True)):
            pdf.cell(w, 7, text, border=1, align="R" if index >= 3 else "L")
        pdf.ln()
    gov = sum(b["gov_krw"] for b in terms["budget"])
    cash = sum(b["cash_krw"] for b in terms["budget"])
    other = sum(other_cash_of(b) for b in terms["budget"])
    line(f"합계: 정부지원연구개발비 {won(gov)}, 기관부담 현금 {won(cash)}, 기타 현금 {won(other)}")
    heading("5. 서명")
    for signature in agreement.signatures.select_related("signed_by").order_by("signed_at"):
        line(f"{signature.get_side_display()}: {signature.signed_by} "
             f"({timezone.localtime(signature.signed_at):%Y-%m-%d %H:%M})")
    if not agreement.signatures.exists():
        line("서면 협약 (프로그램 매니저 일괄 체결)")
    pdf.ln(2)
    pdf.set_font("Pretendard", "", 8)
    line(f"이 문서는 doyak에서 {timezone.localtime():%Y-%m-%d %H:%M}에 만들어졌습니다. 제{version.number}판은 확정되어 "
         "바뀌지 않습니다.")
    return bytes(pdf.output())
