"""Version 1 of the policies the scenario pre-fill adds, from policy_seed_0002.toml beside this file."""

import datetime as dt
import tomllib
from pathlib import Path

from django.db import migrations

SEED_FILE = Path(__file__).with_name("policy_seed_0002.toml")


def _rows():
    for item in tomllib.loads(SEED_FILE.read_text(encoding="utf-8"))["policy"]:
        yield {
            "key": item["key"], "value": item["value"], "value_type": item["type"], "unit": item.get("unit", ""),
            "label_ko": item["label_ko"], "label_en": item["label_en"], "source": item["source"],
            "confirmed": item.get("confirmed", True), "effective_from": dt.date.fromisoformat(item["from"]),
        }


def seed(apps, schema_editor):
    PolicySetting = apps.get_model("policies", "PolicySetting")
    existing = set(PolicySetting.objects.values_list("key", flat=True))
    PolicySetting.objects.bulk_create([PolicySetting(version=1, **row) for row in _rows() if row["key"] not in existing])


def unseed(apps, schema_editor):
    PolicySetting = apps.get_model("policies", "PolicySetting")
    PolicySetting.objects.filter(version=1, key__in=[row["key"] for row in _rows()]).delete()


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0001_scenario"), ("policies", "0002_seed_initial_policies")]
    operations = [migrations.RunPython(seed, unseed)]
