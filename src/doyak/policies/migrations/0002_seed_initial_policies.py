"""Version 1 of every policy setting, from policy_seed_0002.toml beside this file (a frozen copy:
later changes are new versions, made in the application or by a later migration with its own file)."""

import datetime as dt
import tomllib
from pathlib import Path

from django.db import migrations

SEED_FILE = Path(__file__).with_name("policy_seed_0002.toml")
PLAN_SOURCE = "산업통상부 보도자료 2026-01-28 「산업 R&D 혁신방안」"
PLAN_DATE = dt.date(2026, 1, 28)
TARGET_LABELS_EN = {
    "regional.growth_engine_package": "5+3 mega-region growth engine R&D package",
    "regional.chemical_transition_project": "K-chemical industry transition R&D project",
    "regional.specialised_graduate_schools_added": "Advanced-industry specialised graduate schools added",
    "regional.industry_research_joint_labs": "Industry–research joint labs",
    "max.ai_factories": "AI factories built",
    "max.manufacturing_ai_lead_models": "Manufacturing-AI lead models",
    "max.humanoid_field_demos": "Industry humanoid field demonstrations",
    "max.on_device_ai_chip_program": "K on-device AI chip program",
    "competitiveness.industrial_leap_projects": "Industrial leap technology projects",
    "regulation.innovation_tasks": "Industrial regulation innovation tasks",
    "capacity.commercialisation_fund": "Commercialisation fund",
    "fake_work.large_projects_increase": "Large projects (≥ ₩10B) increase",
}
TARGET_FIELDS = {
    "amount_krw": ("int", "krw", "금액", "amount"),
    "count": ("int", "count", "개수", "count"),
    "by": ("int", "", "목표 연도", "target year"),
    "start": ("int", "", "시작 연도", "start year"),
    "share_increase": ("decimal", "share", "증가율", "increase"),
    "threshold_krw": ("int", "krw", "기준 금액", "threshold"),
}


def _rows():
    data = tomllib.loads(SEED_FILE.read_text(encoding="utf-8"))
    for item in data["policy"]:
        yield {
            "key": item["key"], "value": item["value"], "value_type": item["type"], "unit": item.get("unit", ""),
            "label_ko": item["label_ko"], "label_en": item["label_en"], "source": item["source"],
            "confirmed": item.get("confirmed", True), "effective_from": dt.date.fromisoformat(item["from"]),
            "note": item.get("note", ""),
        }
    for target in data["target"]:
        for field, (value_type, unit, field_ko, field_en) in TARGET_FIELDS.items():
            if field not in target:
                continue
            value = target[field]
            yield {
                "key": f"plan.{target['key']}.{field}", "value": str(value) if value_type == "decimal" else value,
                "value_type": value_type, "unit": unit, "label_ko": f"{target['label_ko']} ({field_ko})",
                "label_en": f"{TARGET_LABELS_EN[target['key']]} ({field_en})", "source": PLAN_SOURCE, "confirmed": True,
                "effective_from": PLAN_DATE, "note": target.get("note", ""),
            }


def seed(apps, schema_editor):
    PolicySetting = apps.get_model("policies", "PolicySetting")
    PolicySetting.objects.bulk_create([PolicySetting(version=1, **row) for row in _rows()])


def unseed(apps, schema_editor):
    PolicySetting = apps.get_model("policies", "PolicySetting")
    PolicySetting.objects.filter(version=1, key__in=[row["key"] for row in _rows()]).delete()


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
