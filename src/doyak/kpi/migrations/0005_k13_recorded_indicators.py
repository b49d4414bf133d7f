"""Version 2 of the K-chemical transition and the two evidence indicators, now counted from records, from
kpi_seed_0005.toml beside this file (a frozen copy: later changes are new versions). In force from the plan's
date like version 1: the records they read exist for every year."""

import datetime as dt
import tomllib
from pathlib import Path

from django.db import migrations

SEED_FILE = Path(__file__).with_name("kpi_seed_0005.toml")
INDICATORS_FROM = dt.date(2026, 1, 28)
VERSION = 2
INDICATOR_FIELDS = ("label_ko", "label_en", "pillar", "unit", "aggregate", "cumulative", "dedup_key", "selector",
                    "baseline_year", "target_policy", "source")


def _keys():
    return [i["key"] for i in tomllib.loads(SEED_FILE.read_text(encoding="utf-8"))["indicator"]]


def seed(apps, schema_editor):
    Indicator = apps.get_model("kpi", "Indicator")
    data = tomllib.loads(SEED_FILE.read_text(encoding="utf-8"))
    existing = set(Indicator.objects.filter(version__gte=VERSION).values_list("key", flat=True))
    Indicator.objects.bulk_create([Indicator(
        key=i["key"], version=VERSION, increasing=i.get("increasing", True), relative=i.get("relative", False),
        baseline=i.get("baseline"), selector_params=i.get("selector_params", {}),
        trajectory={str(year): value for year, value in i["trajectory"].items()}, effective_from=INDICATORS_FROM,
        note=i.get("note", ""), **{name: i.get(name, "" if name == "target_policy" else None)
                                   for name in INDICATOR_FIELDS})
        for i in data["indicator"] if i["key"] not in existing])


def unseed(apps, schema_editor):
    apps.get_model("kpi", "Indicator").objects.filter(version=VERSION, key__in=_keys()).delete()


class Migration(migrations.Migration):
    dependencies = [("kpi", "0004_seed_change_request_indicators")]
    operations = [migrations.RunPython(seed, unseed)]
