"""Version 1 of the background runs' lease time, from policy_seed_0006.toml beside this file."""

from pathlib import Path

from django.db import migrations

from doyak.policies.migrations._seed import policy_seed_operation


class Migration(migrations.Migration):
    dependencies = [("policies", "0005_seed_large_project_base_year")]
    operations = [policy_seed_operation(Path(__file__).with_name("policy_seed_0006.toml"))]
