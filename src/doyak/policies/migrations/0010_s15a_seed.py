"""Settlement policies of issue #15 (evidence levels, split window, holiday review, self-settlement routes), from
policy_seed_0010_s15a.toml beside this file: new keys as version 1, and the next version of the evidence exemption
(0: an exempt innovation item still needs its card slip or tax invoice) and of the holiday review categories."""

import datetime as dt
import tomllib
from pathlib import Path

from django.db import migrations
from django.db.models import Max

from doyak.policies.migrations._seed import policy_seed_operation

SEED = Path(__file__).with_name("policy_seed_0010_s15a.toml")


def _revisions():
    return tomllib.loads(SEED.read_text(encoding="utf-8")).get("revision", [])


def revise(apps, schema_editor):
    PolicySetting = apps.get_model("policies", "PolicySetting")
    for item in _revisions():
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
    for item in _revisions():
        top = PolicySetting.objects.filter(key=item["key"]).aggregate(top=Max("version"))["top"]
        if top and top > 1:
            PolicySetting.objects.filter(key=item["key"], version=top, source=item["source"]).delete()


class Migration(migrations.Migration):
    dependencies = [("policies", "0009_unit_seconds")]
    operations = [policy_seed_operation(SEED), migrations.RunPython(revise, unrevise)]
