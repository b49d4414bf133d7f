"""The audit-sample seed of the settlement engine as a versioned policy (``settlement.audit_sample_seed``)."""

import datetime as dt

from django.db import migrations

KEY = "settlement.audit_sample_seed"


def seed(apps, schema_editor):
    PolicySetting = apps.get_model("policies", "PolicySetting")
    if not PolicySetting.objects.filter(key=KEY).exists():
        PolicySetting.objects.create(
            key=KEY, version=1, value=20260128, value_type="int", unit="",
            label_ko="자체정산 표본 추출 시드", label_en="Self-settlement audit sample seed",
            source="doyak 운영 기준 (표본 재현성: 같은 시드·같은 원장 → 같은 표본)", confirmed=True,
            effective_from=dt.date(2021, 1, 1),
        )


def unseed(apps, schema_editor):
    apps.get_model("policies", "PolicySetting").objects.filter(key=KEY, version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_ledger_agreements_runs_flags"), ("policies", "0002_seed_initial_policies")]
    operations = [migrations.RunPython(seed, unseed)]
