"""Open data: project records as NTIS-like CSV (CP949 or UTF-8), agreements as 360Giving JSON, indicators as
IATI-style results XML. Only public fields: no person, no ledger line, no evaluation."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET
from decimal import Decimal

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone, translation

from doyak.programs.enums import Track
from doyak.regions.enums import RegionGroup

from . import sources
from .selectors import board

ENCODINGS = ("cp949", "utf-8")
# (header, field): NTIS/IRIS project record columns (DOMAIN §5) that doyak holds and that are public.
NTIS_COLUMNS = [
    ("과제번호", "number"), ("사업코드", "program_code"), ("사업명", "program"), ("내역사업명", "sub_program"),
    ("과제명(국문)", "title_ko"), ("과제명(영문)", "title_en"), ("주관기관", "lead_organization"),
    ("사업자등록번호", "business_registration_number"), ("지역코드", "region_code"), ("5극3특", "region_group"),
    ("유형", "track"), ("정부연구비(원)", "gov_funds_krw"), ("민간현금(원)", "cash_funds_krw"),
    ("기타현금(원)", "other_cash_funds_krw"), ("민간현물(원)", "in_kind_krw"), ("총연구비(원)", "total_krw"),
    ("연구시작일", "start_date"),
    ("연구종료일", "end_date"), ("상태", "status"),
]


# Coded columns written as their Korean labels (the file is read by people in Excel, not by programs only).
LABELLED = {"region_group": RegionGroup, "track": Track, "status": sources.AgreementStatus}


def _cell(name: str, value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if name in LABELLED and value in LABELLED[name].values:
        return str(LABELLED[name](value).label)
    return value


def ntis_csv(*, encoding: str = "cp949") -> bytes:
    """Every concluded agreement as one row; CP949 (what Korean Excel opens) unless UTF-8 is asked (with BOM)."""
    if encoding not in ENCODINGS:
        raise ValueError(encoding)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([header for header, _field in NTIS_COLUMNS])
    with translation.override("ko"):
        for row in sources.agreements_public():
            writer.writerow([_cell(name, row[name]) for _header, name in NTIS_COLUMNS])
    text = out.getvalue()
    if encoding == "utf-8":
        return ("\ufeff" + text).encode("utf-8")
    return text.encode("cp949", errors="replace")


def giving360() -> dict:
    """360Giving package: each concluded agreement as a grant with the standard's required fields
    (id, title, description, currency, amountAwarded, awardDate, recipientOrganization, fundingOrganization)
    and its planned dates."""
    funder = settings.OPEN_DATA_FUNDER
    prefix = settings.OPEN_DATA_GRANT_PREFIX
    grants = []
    for row in sources.agreements_public():
        grants.append({
            "id": f"{prefix}{row['number']}",
            "title": row["title_ko"],
            "description": f"{row['program']} · {row['title_en'] or row['title_ko']}",
            "currency": "KRW",
            "amountAwarded": row["gov_funds_krw"],
            "awardDate": row["award_date"].isoformat(),
            "recipientOrganization": [{"id": f"KR-BRN-{row['business_registration_number']}",
                                       "name": row["lead_organization"]}],
            "fundingOrganization": [{"id": funder["id"], "name": funder["name"]}],
            "plannedDates": [{"startDate": row["start_date"].isoformat(), "endDate": row["end_date"].isoformat()}],
            "grantProgramme": [{"code": row["program_code"], "title": row["program"]}],
        })
    return {"grants": grants}


def _value(value: Decimal | None) -> str:
    return "" if value is None else f"{value.normalize():f}"


def iati_xml(*, as_of: dt.date | None = None) -> bytes:
    """One IATI activity (the plan) whose results are the board's indicators, each with its baseline and a
    period per year holding the target and the actual."""
    as_of = as_of or timezone.localdate()
    root = ET.Element("iati-activities", {"version": "2.03", "generated-datetime": timezone.now().isoformat()})
    activity = ET.SubElement(root, "iati-activity", {"default-currency": "KRW", "xml:lang": "ko"})
    ET.SubElement(activity, "iati-identifier").text = f"{settings.OPEN_DATA_FUNDER['id']}-RND-PLAN-2026"
    title = ET.SubElement(activity, "title")
    ET.SubElement(title, "narrative").text = "산업 R&D 혁신방안 (2026)"
    for state in board(as_of=as_of, detail=True, records=False):
        indicator = state.indicator
        result = ET.SubElement(activity, "result", {"type": "2", "aggregation-status": "1"})
        ET.SubElement(ET.SubElement(result, "title"), "narrative").text = indicator.label_ko
        element = ET.SubElement(result, "indicator", {"measure": "1", "ascending": "1" if indicator.increasing else "0",
                                                      "ref": indicator.key})
        ET.SubElement(ET.SubElement(element, "title"), "narrative").text = indicator.label_ko
        ET.SubElement(ET.SubElement(element, "description"), "narrative").text = (
            f"{indicator.label_en} ({indicator.unit}); status {state.status} as of {as_of.isoformat()}")
        if state.baseline is not None:
            ET.SubElement(element, "baseline", {"year": str(indicator.baseline_year or ""),
                                                "value": _value(state.baseline)})
        for row in state.years:
            period = ET.SubElement(element, "period")
            ET.SubElement(period, "period-start", {"iso-date": f"{row.year}-01-01"})
            ET.SubElement(period, "period-end", {"iso-date": f"{row.year}-12-31"})
            ET.SubElement(period, "target", {"value": _value(row.target)})
            if row.actual is not None:
                ET.SubElement(period, "actual", {"value": _value(row.actual)})
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


EXPORTS = {
    "ntis-csv": ("text/csv", "doyak-projects.csv"),
    "360giving": ("application/json", "doyak-360giving.json"),
    "iati": ("application/xml", "doyak-iati-results.xml"),
}


def export_response(fmt: str, encoding: str) -> HttpResponse:
    content_type, filename = EXPORTS[fmt]
    if fmt == "ntis-csv":
        body = ntis_csv(encoding=encoding)
        content_type += f"; charset={encoding}"
    elif fmt == "360giving":
        body = json.dumps(giving360(), ensure_ascii=False).encode("utf-8")
    else:
        body = iati_xml()
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
