"""Imports are all or nothing and report each bad row with its field; CSV in UTF-8 or CP949, or XLSX."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from doyak.core.models import AuditEvent
from doyak.organizations.models import Organization
from doyak.proposals.imports import ImportFailed, organizations_import, proposals_import
from doyak.proposals.models import Proposal

pytestmark = pytest.mark.django_db

HEADER = "과제번호,과제명,영문과제명,주관기관 사업자등록번호,지역코드,연구책임자 국가연구자번호,정부출연금,민간현금,민간현물,시작일,종료일,키워드,기술분류,공고번호\n"


@pytest.fixture
def setting(make_organization, make_researcher, make_call, make_user):
    lead = make_organization(name="(주)부산소재", region_code="26")
    pi = make_researcher(organization=lead, name="김연구")
    call = make_call()
    pm = make_user(role="program_manager")
    return lead, pi, call, pm


def _rows(lead, pi, call, *, bad_gov: str = "500000000"):
    return (HEADER
            + f"2026000001,차세대 양극재 개발,Next cathode,{lead.business_registration_number},26,{pi.national_researcher_number},300000000,50000000,10000000,2027-01-01,2028-12-31,양극재;이차전지,EE0101,{call.reference}\n"
            + f"2026000002,전고체 전해질 공정,,{lead.business_registration_number},26,,{bad_gov},0,0,20270101,20271231,전고체,,{call.reference}\n"
            + f"2026000003,배터리 재활용 실증,,{lead.business_registration_number},26,,100000000,0,0,2027.01.01,2027.12.31,재활용,,{call.reference}\n")


def test_cp949_csv_with_one_bad_row_imports_nothing_and_names_row_and_field(setting):
    lead, pi, call, pm = setting
    content = _rows(lead, pi, call, bad_gov="오억원").encode("cp949")
    with pytest.raises(ImportFailed) as info:
        proposals_import(actor=pm, name="ntis.csv", content=content)
    errors = info.value.errors
    assert [(e.row, e.line, e.field) for e in errors] == [(2, 3, "gov_krw")]
    assert "오억원" in errors[0].message
    assert "2" in str(errors[0]) and "3" in str(errors[0]) and "gov_krw" in str(errors[0])
    assert Proposal.objects.count() == 0
    assert not AuditEvent.objects.filter(action="proposal.import").exists()


def test_cp949_csv_valid_imports_every_row(setting):
    lead, pi, call, pm = setting
    result = proposals_import(actor=pm, name="ntis.csv", content=_rows(lead, pi, call).encode("cp949"))
    assert result.created == 3
    first = Proposal.objects.get(reference="2026000001")
    assert (first.status, first.gov_total_krw, first.cash_total_krw, first.in_kind_total_krw) == (
        "submitted", 300_000_000, 50_000_000, 10_000_000)
    assert first.keywords == ["양극재", "이차전지"] and first.pi == pi and first.call == call
    assert first.members.get().organization == lead
    assert AuditEvent.objects.filter(action="proposal.import").count() == 3


def test_utf8_bom_english_headers_and_several_errors(setting):
    lead, pi, call, pm = setting
    text = ("project_number,title_ko,lead_brn,region_code,gov_krw,call_reference\n"
            f"123,과제,{lead.business_registration_number},11,1000,{call.reference}\n"
            f"2026000009,,0000000000,26,1000,NOPE\n")
    with pytest.raises(ImportFailed) as info:
        proposals_import(actor=pm, name="x.csv", content=("\ufeff" + text).encode("utf-8"))
    assert [(e.row, e.field) for e in info.value.errors] == [
        (1, "project_number"), (1, "region_code"), (2, "title_ko"), (2, "lead_brn"), (2, "call_reference")]
    assert Proposal.objects.count() == 0


def test_xlsx_organizations_import(make_user):
    from openpyxl import Workbook

    from doyak.organizations.validators import brn_check_digit

    pm = make_user(role="program_manager")
    book = Workbook()
    sheet = book.active
    sheet.append(["기관명", "사업자등록번호", "기관유형", "지역코드", "수요앵커기업", "간접비율"])
    number = "12381" + "5555"
    number += str(brn_check_digit(number))
    sheet.append(["(주)대경정밀", number, "중견기업", "27", "Y", None])
    buffer = io.BytesIO()
    book.save(buffer)
    result = organizations_import(actor=pm, name="orgs.xlsx", content=buffer.getvalue())
    org = Organization.objects.get(pk=result.ids[0])
    assert (org.name, org.org_type, org.region.code, org.is_demand_anchor) == ("(주)대경정밀", "mid_size", "27", True)


def test_applicant_cannot_import(setting, make_user):
    lead, pi, call, _pm = setting
    applicant = make_user(role="applicant", organization=lead)
    from doyak.core.errors import AccessDenied

    with pytest.raises(AccessDenied):
        proposals_import(actor=applicant, name="x.csv", content=_rows(lead, pi, call).encode())
    assert Proposal.objects.count() == 0


def test_import_command_reports_rows(setting, tmp_path, capsys):
    lead, pi, call, pm = setting
    path = tmp_path / "bad.csv"
    path.write_bytes(_rows(lead, pi, call, bad_gov="-5").encode("cp949"))
    with pytest.raises(CommandError):
        call_command("import_proposals", str(path), "--user", pm.username)
    assert "gov_krw" in capsys.readouterr().err
    good = tmp_path / "good.csv"
    good.write_bytes(_rows(lead, pi, call).encode("cp949"))
    call_command("import_proposals", str(good), "--user", pm.username)
    assert Proposal.objects.count() == 3


def test_import_screen_shows_error_table(client, setting):
    lead, pi, call, pm = setting
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(pm)
    upload = SimpleUploadedFile("ntis.csv", _rows(lead, pi, call, bad_gov="x").encode("cp949"), "text/csv")
    response = client.post("/proposals/import/", {"kind": "proposals", "file": upload})
    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="import-errors"' in body and "gov_krw" in body
    assert Proposal.objects.count() == 0


def test_import_api(client, setting):
    lead, pi, call, pm = setting
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(pm)
    bad = client.post("/api/v1/proposals/import", {"kind": "proposals", "file": SimpleUploadedFile(
        "n.csv", _rows(lead, pi, call, bad_gov="x").encode("cp949"))})
    assert bad.status_code == 422
    assert bad.json()["code"] == "import_failed"
    assert bad.json()["errors"][0]["row"] == 2 and bad.json()["errors"][0]["field"] == "gov_krw"
    good = client.post("/api/v1/proposals/import", {"kind": "proposals", "file": SimpleUploadedFile(
        "n.csv", _rows(lead, pi, call).encode("cp949"))})
    assert good.status_code == 201 and good.json()["created"] == 3
