"""Labels, never codes: each helper of ``doyak.core.labels`` gives exactly the words people read."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import translation

from doyak.core import labels
from doyak.core.labels import (
    audit_action_label,
    choice_labels,
    legal_citation,
    local_time_text,
    policy_references,
    policy_value_text,
    rule_sentence,
)
from doyak.regions.enums import RegionGroup

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[2] / "src" / "doyak"


@pytest.mark.parametrize(("key", "value", "value_type", "unit", "ko", "en"), [
    ("rnd_act.simultaneous_projects_enabled", True, "bool", "flag", "예", "Yes"),
    ("rnd_act.simultaneous_projects_enabled", False, "bool", "flag", "아니요", "No"),
    ("rnd_act.gov_share_max.mid_size", "0.70", "decimal", "share", "70%", "70%"),
    ("portfolio.non_capital_budget_share_min", "0.3", "decimal", "share", "30%", "30%"),
    ("rnd_act.indirect_rate_default.nonprofit", "0.175", "decimal", "share", "17.5%", "17.5%"),
    ("rnd_act.researcher_time_gri_yearly_max_percent", 130, "int", "percent", "130%", "130%"),
    ("plan.max.ai_factories.by", 2030, "int", "", "2030", "2030"),
    ("plan.fake_work.large_projects_increase.base_year", 2025, "int", "", "2025", "2025"),
    ("proposals.attachment_max_bytes", 20 * 1024 * 1024, "int", "", "20 MB", "20 MB"),
    ("rnd_act.selection_penalty_window_years", 3, "int", "years", "3년", "3 years"),
    ("settlement.clawback_repay_months", 1, "int", "months", "1개월", "1 month"),
    ("settlement.card_entry_days", 5, "int", "days", "5일", "5 days"),
    ("evaluation.cutoff_score_default", "70", "decimal", "points", "70점", "70 points"),
    ("plan.max.ai_factories.count", 1500, "int", "count", "1,500", "1,500"),
    ("rnd_act.equipment_plan_threshold_krw", 30_000_000, "int", "krw", "30,000,000원", "₩30,000,000"),
    ("evaluation.regional_ripple_mandatory_tracks", ["regional_only"], "list", "", "지역 전용", "Regional-only"),
    ("settlement.holiday_review_categories", ["activities"], "list", "", "연구활동비", "Research activities"),
    ("track.regional_only.region_scope", "lead", "text", "", "주관기관만", "The lead institution only"),
    ("grades.sanction_grades", ["extremely_poor"], "list", "", "극히불량", "Extremely poor"),
])
def test_policy_value_text_formats_by_unit_and_labels_codes(key, value, value_type, unit, ko, en):
    with translation.override("ko"):
        assert policy_value_text(key=key, value=value, value_type=value_type, unit=unit) == ko
    with translation.override("en"):
        assert policy_value_text(key=key, value=value, value_type=value_type, unit=unit) == en


def test_policy_value_text_reads_alternatives_as_or():
    with translation.override("ko"):
        text = policy_value_text(key="track.joint_lab.required_member_types", value=["gri", "sme|large"],
                                 value_type="list", unit="")
    assert text == "정부출연연구기관, 중소기업 또는 대기업"


def test_choice_labels_keeps_values_nobody_coded():
    with translation.override("en"):
        assert choice_labels(RegionGroup, ["honam", "atlantis"]) == ["Honam", "atlantis"]


def test_audit_action_label_is_registered_words_and_never_the_code():
    with translation.override("ko"):
        assert audit_action_label("scores.submit") == "점수 제출"
        assert audit_action_label("portfolio.scenario_approve") == "포트폴리오 시나리오 승인·적용"
        assert audit_action_label("assignment_run.recovered") == "작업자 중단 후 백그라운드 작업 인계"
        assert audit_action_label("made.up") == "기타 변경"
    with translation.override("en"):
        assert audit_action_label("scores.submit") == "Scores submitted"


def test_every_audit_action_the_code_emits_is_registered():
    literal = re.compile(r'audit_record\([^)]*?action="([a-z_.]+)"', re.S)
    ternary = re.compile(r'action="([a-z_.]+)" if [^\n]+ else "([a-z_.]+)"')
    emitted = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text()
        emitted |= set(literal.findall(text))
        for pair in ternary.findall(text):
            emitted |= set(pair)
    emitted.discard("action")
    assert len(emitted) > 40
    assert sorted(a for a in emitted if not labels.audit_action_registered(a)) == []


def test_local_time_text_is_asia_seoul_for_datetimes_and_iso_strings():
    moment = dt.datetime(2026, 3, 4, 0, 30, tzinfo=dt.UTC)
    assert local_time_text(moment) == "2026-03-04 09:30"
    assert local_time_text("2026-03-04T00:30:00+00:00") == "2026-03-04 09:30"
    assert local_time_text("2026-03-04T00:30:00") == "2026-03-04 09:30"  # naive JSON values are UTC
    assert local_time_text(moment, seconds=True) == "2026-03-04 09:30:00"
    assert local_time_text(dt.date(2026, 3, 4)) == "2026-03-04"
    assert local_time_text(None) == ""


def test_legal_citation_names_the_law_and_leaves_the_policy_reference_out():
    source = "국가연구개발혁신법 시행령 제19조 [rnd_act.gov_share_max.sme v1]"
    assert legal_citation(source) == "「국가연구개발혁신법 시행령」 제19조"
    assert policy_references(source) == [{"key": "rnd_act.gov_share_max.sme", "version": 1}]
    assert legal_citation("「국가연구개발혁신법 시행령」 제19조") == "「국가연구개발혁신법 시행령」 제19조"
    assert legal_citation("국가연구개발혁신법 제32조; KISTEP 혁신법 매뉴얼 26.7") == "「국가연구개발혁신법」 제32조; KISTEP 혁신법 매뉴얼 26.7"


def test_rule_sentence_reads_naturally_with_the_source():
    with translation.override("ko"):
        sentence = rule_sentence("정부지원연구개발비가 한도를 넘습니다.", "국가연구개발혁신법 시행령 제19조 [k v2]")
    assert sentence == "정부지원연구개발비가 한도를 넘습니다. (근거: 「국가연구개발혁신법 시행령」 제19조)"
    assert "[" not in sentence and "v2" not in sentence


def test_policies_page_shows_values_by_unit_not_raw_json(client, make_user):
    client.force_login(make_user(role="program_manager"))
    page = client.get("/policies/", {"q": "regional_only.eligible"}).content.decode()
    assert "동남권, 대경권, 중부권(충청), 호남권" in page
    assert "[&#x27;dongnam&#x27;" not in page and "['dongnam'" not in page
    years = client.get("/policies/", {"q": "ai_factories.by"}).content.decode()
    assert ">2030<" in years and "2,030" not in years


def test_policy_detail_keeps_the_key_in_a_disclosure(client, make_user):
    client.force_login(make_user(role="program_manager"))
    page = client.get("/policies/rnd_act.simultaneous_projects_enabled/").content.decode()
    assert '<p class="dy-lead">아니요' in page
    assert '<details class="dy-details"><summary>기술 정보</summary>' in page
