"""The council's meeting pack: made by the background job for a chosen date, as a Korean PDF and an XLSX,
downloadable by council members and administrators only."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from doyak.core.models import AuditEvent
from doyak.kpi.models import Indicator, MeetingPack


@pytest.mark.django_db
def test_council_member_makes_the_pack_for_a_date_and_downloads_both_files(
        client, make_user, register_asset, track_agreement, django_capture_on_commit_callbacks):
    # given one verified AI factory achieved in 2026 and a council member
    agreement = track_agreement(track="max_ai_factory")
    register_asset([agreement], name="울산 AI 팩토리", achieved=dt.date(2026, 3, 1))
    member = make_user(role="council_member")
    client.force_login(member)
    # when they ask for the pack of the board on 2026-06-30 (the job runs on commit)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/kpi/packs/new/", {"as_of": "2026-06-30"})
    pack = MeetingPack.objects.get()
    # then it is done, audited, and both files download
    assert response.status_code == 302 and response["Location"] == f"/kpi/packs/{pack.pk}/"
    assert (pack.status, pack.progress, pack.as_of, pack.created_by) == ("done", 100, dt.date(2026, 6, 30), member)
    assert AuditEvent.objects.filter(action="kpi.meeting_pack_start", object_id=str(pack.pk)).count() == 1
    pdf = client.get(f"/kpi/packs/{pack.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert bytes(pdf.content).startswith(b"%PDF") and "council-pack-20260630.pdf" in pdf["Content-Disposition"]
    xlsx = client.get(f"/kpi/packs/{pack.pk}/xlsx/")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["지표", "연도별", "승인 대기 시나리오", "규제혁신 과제"]
    rows = {row[0]: row for row in book["지표"].iter_rows(min_row=2, values_only=True)}
    keys = set(Indicator.objects.values_list("key", flat=True))
    assert set(rows) == keys
    factories = rows["max.ai_factories"]
    assert (factories[1], factories[3], factories[4]) == ("AI 팩토리 구축", "위험", 1)  # 1 against a trajectory of ~60 by June
    assert list(book["승인 대기 시나리오"].iter_rows(min_row=2, values_only=True)) == [("기록 없음",) + (None,) * 6]
    assert next(book["규제혁신 과제"].iter_rows(min_row=2, values_only=True))[0].startswith("기록 없음")


@pytest.mark.django_db
def test_pack_page_shows_progress_and_others_may_not_make_or_download_it(client, make_user):
    from doyak.kpi.services import meeting_pack_start

    admin = make_user(role="administrator")
    pack = meeting_pack_start(actor=admin, as_of=dt.date(2026, 6, 30))  # queued: no commit, no job yet
    client.force_login(admin)
    html = client.get(f"/kpi/packs/{pack.pk}/").content.decode()
    assert "대기" in html and 'value="0"' in html and f"/kpi/packs/{pack.pk}/pdf/" not in html
    assert client.get(f"/kpi/packs/{pack.pk}/pdf/").status_code == 404  # not made yet
    client.force_login(make_user(role="program_manager"))
    assert client.post("/kpi/packs/new/", {"as_of": "2026-06-30"}).status_code == 403
    assert client.get(f"/kpi/packs/{pack.pk}/").status_code == 403
    assert MeetingPack.objects.count() == 1
    client.force_login(admin)
    assert client.post("/kpi/packs/new/", {"as_of": "2026-13-45"}).status_code == 400
    assert MeetingPack.objects.count() == 1
