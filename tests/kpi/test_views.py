from __future__ import annotations

import pytest

from doyak.core.models import AuditEvent
from doyak.kpi.models import Indicator

FORM = {"key": "max.ai_factories", "label_ko": "AI 팩토리 구축", "label_en": "AI factories built", "pillar": "max",
        "unit": "count", "aggregate": "count", "cumulative": "on", "increasing": "on", "dedup_key": "company and site",
        "selector": "assets_verified", "selector_params": '{"kind": "ai_factory"}', "baseline": "0",
        "baseline_year": "2025", "trajectory": "2026 120\n2030 500", "source": "협의회 결정 2026-11",
        "effective_from": "2026-11-30"}


@pytest.mark.django_db
def test_administrator_adds_a_new_version_of_an_indicator_audited(client, make_user):
    client.force_login(make_user(role="administrator"))
    response = client.post("/kpi/indicators/new/", FORM)
    assert response.status_code == 302
    latest = Indicator.objects.filter(key="max.ai_factories").order_by("-version").first()
    assert (latest.version, latest.trajectory) == (2, {"2026": "120", "2030": "500"})
    assert AuditEvent.objects.filter(action="kpi.indicator_add", object_id=str(latest.pk)).count() == 1


@pytest.mark.django_db
def test_others_may_not_add_an_indicator_and_nothing_changes(client, make_user):
    client.force_login(make_user(role="program_manager"))
    before = Indicator.objects.count()
    assert client.post("/kpi/indicators/new/", FORM).status_code == 403
    assert Indicator.objects.count() == before


@pytest.mark.django_db
def test_council_home_shows_the_boards_cards(client, make_user):
    client.force_login(make_user(role="council_member"))
    html = client.get("/").content.decode()
    assert "AI 팩토리 구축" in html and "/kpi/indicators/max.ai_factories/" in html
    client.force_login(make_user(role="applicant"))
    assert "/kpi/indicators/max.ai_factories/" not in client.get("/").content.decode()
