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


def policy_revision_operation(seed_file: Path) -> migrations.RunPython:
    """Add each ``[[revision]]`` entry of ``seed_file`` as the next version of its key (with its own source,
    date and note); an entry whose value is already the latest is skipped. The reverse removes the versions
    it added (those with the entry's source)."""

    def revisions():
        return tomllib.loads(seed_file.read_text(encoding="utf-8")).get("revision", [])

    def revise(apps, schema_editor):
        PolicySetting = apps.get_model("policies", "PolicySetting")
        for item in revisions():
            latest = PolicySetting.objects.filter(key=item["key"]).order_by("-version").first()
            if latest is None or latest.value == item["value"]:
                continue
            PolicySetting.objects.create(
                key=item["key"], version=latest.version + 1, value=item["value"], value_type=latest.value_type,
                unit=latest.unit, label_ko=latest.label_ko, label_en=latest.label_en, source=item["source"],
                confirmed=item.get("confirmed", True), effective_from=dt.date.fromisoformat(item["from"]),
                note=item.get("note", ""))

    def unrevise(apps, schema_editor):
        PolicySetting = apps.get_model("policies", "PolicySetting")
        for item in revisions():
            latest = PolicySetting.objects.filter(key=item["key"]).order_by("-version").first()
            if latest is not None and latest.version > 1 and latest.source == item["source"]:
                latest.delete()

    return migrations.RunPython(revise, unrevise)
