"""The large-project target's base year (policy_seed_0005.toml beside this file), and the removal of
``portfolio.large_project_threshold_krw``, a copy of the plan's own ``threshold_krw`` record that nothing
reads any more. The reverse adds the copy back as its version 1 from the frozen 0002 seed."""

from pathlib import Path

from django.db import migrations

from doyak.policies.migrations._seed import policy_rows, policy_seed_operation

DUPLICATE_KEY = "portfolio.large_project_threshold_krw"


def remove_duplicate(apps, schema_editor):
    PolicySetting = apps.get_model("policies", "PolicySetting")
    PolicySetting.objects.filter(key=DUPLICATE_KEY).delete()


def restore_duplicate(apps, schema_editor):
    PolicySetting = apps.get_model("policies", "PolicySetting")
    rows = [row for row in policy_rows(Path(__file__).with_name("policy_seed_0002.toml")) if row["key"] == DUPLICATE_KEY]
    PolicySetting.objects.bulk_create([PolicySetting(version=1, **row) for row in rows])


class Migration(migrations.Migration):
    dependencies = [("policies", "0004_seed_proposal_policies")]
    operations = [
        policy_seed_operation(Path(__file__).with_name("policy_seed_0005.toml")),
        migrations.RunPython(remove_duplicate, restore_duplicate),
    ]
