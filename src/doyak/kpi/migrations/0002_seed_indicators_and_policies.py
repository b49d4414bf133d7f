"""Version 1 of the board's indicators and of the policies it and the M.AX registry read, from
kpi_seed_0002.toml beside this file (a frozen copy: later changes are new versions)."""

import datetime as dt
import tomllib
from pathlib import Path

from django.db import migrations

SEED_FILE = Path(__file__).with_name("kpi_seed_0002.toml")
INDICATORS_FROM = dt.date(2026, 1, 28)
INDICATOR_FIELDS = ("label_ko", "label_en", "pillar", "unit", "aggregate", "cumulative", "dedup_key", "selector",
                    "baseline_year", "target_policy", "source")


def _data():
    return tomllib.loads(SEED_FILE.read_text(encoding="utf-8"))


def seed(apps, schema_editor):
    PolicySetting = apps.get_model("policies", "PolicySetting")
    Indicator = apps.get_model("kpi", "Indicator")
    data = _data()
    existing = set(PolicySetting.objects.values_list("key", flat=True))
    PolicySetting.objects.bulk_create([PolicySetting(
        key=p["key"], version=1, value=p["value"], value_type=p["type"], unit=p.get("unit", ""),
        label_ko=p["label_ko"], label_en=p["label_en"], source=p["source"], confirmed=p.get("confirmed", True),
        effective_from=dt.date.fromisoformat(p["from"])) for p in data["policy"] if p["key"] not in existing])
    Indicator.objects.bulk_create([Indicator(
        key=i["key"], version=1, increasing=i.get("increasing", True), relative=i.get("relative", False),
        baseline=i.get("baseline"), selector_params=i.get("selector_params", {}),
        trajectory={str(year): value for year, value in i["trajectory"].items()}, effective_from=INDICATORS_FROM,
        **{name: i.get(name, "" if name == "target_policy" else None) for name in INDICATOR_FIELDS})
        for i in data["indicator"]])


def unseed(apps, schema_editor):
    data = _data()
    apps.get_model("kpi", "Indicator").objects.filter(version=1).delete()
    apps.get_model("policies", "PolicySetting").objects.filter(
        version=1, key__in=[p["key"] for p in data["policy"]]).delete()


class Migration(migrations.Migration):
    dependencies = [("kpi", "0001_indicators"), ("policies", "0006_seed_run_lease_policy")]
    operations = [migrations.RunPython(seed, unseed)]
