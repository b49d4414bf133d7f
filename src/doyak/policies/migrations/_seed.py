"""What the policy seed migrations share: a TOML file of ``[[policy]]`` entries added as version 1.

It lives beside the migrations, not in the app, so it changes only together with them (the loader
skips modules whose names start with an underscore).
"""

import datetime as dt
import tomllib
from pathlib import Path

from django.db import migrations


def policy_rows(seed_file: Path):
    for item in tomllib.loads(seed_file.read_text(encoding="utf-8"))["policy"]:
        yield {
            "key": item["key"], "value": item["value"], "value_type": item["type"], "unit": item.get("unit", ""),
            "label_ko": item["label_ko"], "label_en": item["label_en"], "source": item["source"],
            "confirmed": item.get("confirmed", True), "effective_from": dt.date.fromisoformat(item["from"]),
        }


def policy_seed_operation(seed_file: Path) -> migrations.RunPython:
    """Add each entry of ``seed_file`` whose key is new as version 1; the reverse removes them again."""

    def seed(apps, schema_editor):
        PolicySetting = apps.get_model("policies", "PolicySetting")
        existing = set(PolicySetting.objects.values_list("key", flat=True))
        PolicySetting.objects.bulk_create(
            [PolicySetting(version=1, **row) for row in policy_rows(seed_file) if row["key"] not in existing]
        )

    def unseed(apps, schema_editor):
        PolicySetting = apps.get_model("policies", "PolicySetting")
        PolicySetting.objects.filter(version=1, key__in=[row["key"] for row in policy_rows(seed_file)]).delete()

    return migrations.RunPython(seed, unseed)
