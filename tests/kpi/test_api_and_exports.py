from __future__ import annotations

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command

from doyak.kpi.models import Indicator


@pytest.fixture
def world(track_agreement, register_asset, make_user):
    a1 = track_agreement(track="regional_only", gov=300_000_000)
    a2 = track_agreement(lead=a1.proposal.lead_organization)
    shared = register_asset([a1, a2], name="부산 스마트공장")
    register_asset([a1], name="부산 2공장", verified=False, planned=dt.date(2027, 1, 1))
    council = make_user(role="council_member")
    return {"agreements": (a1, a2), "asset": shared, "council": council}


@pytest.mark.django_db
def test_api_lists_every_indicator_with_the_contract_fields(client, world):
    client.force_login(world["council"])
    response = client.get("/api/v1/kpi/indicators")
    assert response.status_code == 200
    rows = {row["key"]: row for row in response.json()}
    assert set(rows) == set(Indicator.objects.values_list("key", flat=True))
    factories = rows["max.ai_factories"]
    assert {k: factories[k] for k in ("unit", "target", "deadline", "actual")} == {
        "unit": "count", "target": "500", "deadline": 2030, "actual": "1"}
    assert factories["status"] in ("on_track", "behind", "at_risk", "no_data")
    assert factories["as_of"] == dt.date.today().isoformat() or factories["as_of"]
    assert (rows["fake_work.change_answer_days"]["status"], rows["fake_work.change_answer_days"]["actual"]) == (
        "no_data", None)


@pytest.mark.django_db
def test_api_records_are_exactly_those_behind_the_actual(client, world):
    client.force_login(world["council"])
    body = client.get("/api/v1/kpi/indicators/regional.growth_engine_package/records").json()
    assert body["count"] == 1
    assert [(r["kind"], r["id"], r["value"]) for r in body["items"]] == [
        ("agreement", world["agreements"][0].pk, "300000000")]
    body = client.get("/api/v1/kpi/indicators/max.ai_factories/records").json()
    assert [(r["kind"], r["id"]) for r in body["items"]] == [("asset", world["asset"].pk)]
    assert client.get("/api/v1/kpi/indicators/no.such/records").status_code == 404


@pytest.mark.django_db
def test_board_and_indicator_pages_show_the_numbers_and_the_records(client, world):
    client.force_login(world["council"])
    board = client.get("/kpi/")
    assert board.status_code == 200
    assert "AI 팩토리 구축" in board.content.decode()
    page = client.get("/kpi/indicators/max.ai_factories/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "부산 스마트공장" in html and "부산 2공장" not in html.split('id="records"')[1]
    assert f'/max/{world["asset"].pk}/' in html
    assert client.get("/kpi/indicators/nope.nope/").status_code == 404
    assert client.get("/kpi/?as_of=2026-02-30").status_code == 400


@pytest.mark.django_db
def test_export_ntis_csv_in_cp949_decodes_as_korean(world, tmp_path):
    out = tmp_path / "p.csv"
    call_command("export", "ntis-csv", "--out", str(out))
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("cp949"))))
    assert rows[0][:5] == ["과제번호", "사업코드", "사업명", "내역사업명", "과제명(국문)"]
    assert sorted(r[0] for r in rows[1:]) == sorted(a.number for a in world["agreements"])
    assert all(r[4].startswith("KPI과제") for r in rows[1:])
    call_command("export", "ntis-csv", "--out", str(out), "--encoding", "utf-8")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.django_db
def test_export_360giving_has_the_standards_required_fields(world, tmp_path):
    out = tmp_path / "g.json"
    call_command("export", "360giving", "--out", str(out))
    grants = json.loads(out.read_text(encoding="utf-8"))["grants"]
    required = {"id", "title", "description", "currency", "amountAwarded", "awardDate", "recipientOrganization",
                "fundingOrganization"}
    assert len(grants) == 2
    for grant in grants:
        assert required <= set(grant)
        assert grant["id"].startswith("360G-") and grant["currency"] == "KRW"
        assert isinstance(grant["amountAwarded"], int)
        dt.date.fromisoformat(grant["awardDate"])
        assert grant["recipientOrganization"][0]["id"] and grant["fundingOrganization"][0]["name"]
        assert {"startDate", "endDate"} <= set(grant["plannedDates"][0])


@pytest.mark.django_db
def test_export_iati_is_well_formed_and_carries_every_indicator(world, tmp_path, client):
    out = tmp_path / "r.xml"
    call_command("export", "iati", "--out", str(out))
    root = ET.fromstring(out.read_bytes())
    refs = [i.get("ref") for i in root.iter("indicator")]
    assert sorted(refs) == sorted(set(Indicator.objects.values_list("key", flat=True)))  # each once, as in force
    factories = next(i for i in root.iter("indicator") if i.get("ref") == "max.ai_factories")
    assert factories.find("baseline").get("value") == "0"
    assert [p.find("target").get("value") for p in factories.iter("period")][-1] == "500"
    client.force_login(world["council"])
    response = client.get("/api/v1/kpi/exports/iati")
    assert response.status_code == 200 and response["Content-Type"] == "application/xml"
